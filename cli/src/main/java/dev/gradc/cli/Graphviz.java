package dev.gradc.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** The {@code dot} executable, or null when it is not installed. */
  static Path find() {
    String configured = System.getProperty("gradc.dot");
    if (configured != null) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? p : null;
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

  /** Runs {@code dot -T<format> -o <out>} on {@code graph}. */
  static void render(String graph, String format, Path out) {
    Path dot = find();
    if (dot == null) {
      throw new UserError(
          "--render",
          "Graphviz's 'dot' program is not installed (not found on PATH). Install Graphviz:"
              + " 'sudo apt-get install graphviz' (Debian, Ubuntu), 'sudo dnf install graphviz'"
              + " (Fedora), 'brew install graphviz' (macOS); or write the graph with --format dot"
              + " and render it elsewhere");
    }
    Path err;
    try {
      err = Files.createTempFile("gradc-dot", ".err");
    } catch (IOException e) {
      throw new UserError("--render", "cannot create a temporary file: " + e.getMessage(), e);
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
      throw new UserError("--render", "cannot run " + dot + ": " + e.getMessage(), e);
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
