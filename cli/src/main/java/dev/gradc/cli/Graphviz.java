package dev.gradc.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders Graphviz text with the {@code dot} program. It is found on the {@code PATH}, or at the
 * path in the system property {@code gradc.dot}; when it is missing, the error says how to install
 * it.
 */
final class Graphviz {
  private Graphviz() {}

  private static final long TIMEOUT_SECONDS = 120;

  /** The system property that names the {@code dot} executable. */
  static final String PROPERTY = "gradc.dot";

  /**
   * The {@code dot} executable, or null when it is not installed.
   *
   * @throws UserError when the system property {@value #PROPERTY} names no executable file
   */
  static Path find() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null) {
      Path p;
      try {
        p = Path.of(configured);
      } catch (InvalidPathException e) {
        p = null;
      }
      if (p == null || !Files.isRegularFile(p) || !Files.isExecutable(p)) {
        throw new UserError(
            "gradc",
            "the system property "
                + PROPERTY
                + " is '"
                + configured
                + "', which is not an executable file; it must name Graphviz's dot program");
      }
      return p;
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.util.regex.Pattern.quote(File.pathSeparator), -1)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, "dot");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Runs {@code dot -T<format>} on {@code graph} into the file {@code out} ({@link OutputFile}:
   * never one of {@code inputs}, replaced only when dot succeeds).
   */
  static void render(String graph, String format, Path out, List<Path> inputs) {
    Path dot = find();
    if (dot == null) {
      throw new UserError(
          "--render",
          "Graphviz's 'dot' program is not installed (not found on PATH). Install Graphviz:"
              + " 'sudo apt-get install graphviz' (Debian, Ubuntu), 'sudo dnf install graphviz'"
              + " (Fedora), 'brew install graphviz' (macOS); or write the graph with --format dot"
              + " and render it elsewhere");
    }
    List<Path> read = new ArrayList<>(inputs);
    read.add(dot);
    OutputFile.produce(out, read, file -> run(dot, graph, format, file));
  }

  private static void run(Path dot, String graph, String format, Path out) {
    Path err;
    try {
      err = Files.createTempFile("gradc-dot", ".err");
    } catch (IOException e) {
      throw UserError.io("--render", "create a temporary file", e);
    }
    try {
      Process p =
          new ProcessBuilder(List.of(dot.toString(), "-T" + format, "-o", out.toString()))
              .redirectError(err.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(graph.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new UserError("--render", dot + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        String message;
        try (InputStream e = Files.newInputStream(err)) {
          message = new String(e.readNBytes(4000), StandardCharsets.UTF_8).trim();
        }
        throw new UserError(
            "--render", dot + " failed with exit code " + p.exitValue() + ": " + message);
      }
    } catch (IOException e) {
      throw UserError.io("--render", "run " + dot, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("--render", "interrupted while running " + dot, e);
    } finally {
      try {
        Files.deleteIfExists(err);
      } catch (IOException e) {
        // A leftover temporary file is harmless.
      }
    }
  }
}
