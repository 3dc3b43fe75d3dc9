package dev.gradc.cli;

import dev.gradc.codegen.JavaFacade;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles facades' Java sources in process with the JDK's javac ({@code javax.tools}), against the
 * kernel classes they call, with every lint as an error: the class files of {@code gradc compile
 * --package}.
 */
final class FacadeCompiler {
  private FacadeCompiler() {}

  /**
   * The class files of {@code facades}, keyed by internal name, compiled against {@code kernels}
   * (class files keyed by internal name).
   *
   * @throws UserError when this Java has no compiler (a JRE rather than a JDK)
   * @throws IllegalStateException when javac rejects a facade (a bug in the generator), with its
   *     diagnostics
   */
  static Map<String, byte[]> compile(List<JavaFacade.Source> facades, Map<String, byte[]> kernels) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new UserError(
          "gradc compile",
          "--package compiles the facades with javac, which this Java does not have; run gradc"
              + " with a JDK (java.home is "
              + System.getProperty("java.home")
              + ")");
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("gradc-facades");
      Path classes = dir.resolve("classpath");
      Path sources = dir.resolve("src");
      Path out = dir.resolve("out");
      for (Map.Entry<String, byte[]> k : kernels.entrySet()) {
        write(classes.resolve(k.getKey() + ".class"), k.getValue());
      }
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--release",
                  "17",
                  "-Xlint:all",
                  "-Werror",
                  "-proc:none",
                  "-implicit:none",
                  "-encoding",
                  "UTF-8",
                  "-classpath",
                  classes.toString(),
                  "-d",
                  out.toString()));
      for (JavaFacade.Source f : facades) {
        Path source = sources.resolve(f.className().replace('.', '/') + ".java");
        write(source, f.text().getBytes(StandardCharsets.UTF_8));
        args.add(source.toString());
      }
      Files.createDirectories(out);
      ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
      int code = javac.run(null, diagnostics, diagnostics, args.toArray(new String[0]));
      if (code != 0) {
        throw new IllegalStateException(
            "javac rejected a generated facade: " + diagnostics.toString(StandardCharsets.UTF_8));
      }
      Map<String, byte[]> compiled = new TreeMap<>();
      Path root = out;
      try (Stream<Path> files = Files.walk(out)) {
        for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String name = root.relativize(p).toString().replace('\\', '/');
          compiled.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(p));
        }
      }
      return compiled;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) {
        delete(dir);
      }
    }
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
