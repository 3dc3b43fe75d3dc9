package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A client of ahead-of-time jars as a user builds it: compiled by javac against nothing but the
 * jars, and run in a child JVM with nothing else on the class path.
 */
final class PlainJava {
  private PlainJava() {}

  /** Compiles {@code source} (class {@code Client}) in {@code dir}, runs it, returns its output. */
  static String run(Path dir, String source, List<Path> jars) throws Exception {
    Path src = dir.resolve("src/Client.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    StringBuilder cp = new StringBuilder();
    for (Path jar : jars) {
      cp.append(jar).append(File.pathSeparator);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int javacCode =
        javac.run(
            null,
            null,
            null,
            "--release",
            "17",
            "-classpath",
            cp.toString(),
            "-d",
            classes.toString(),
            src.toString());
    assertEquals(0, javacCode, "javac");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(java.toString(), "-cp", cp.toString() + classes, "Client")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client finishes");
    assertEquals(0, p.exitValue(), output);
    return output;
  }
}
