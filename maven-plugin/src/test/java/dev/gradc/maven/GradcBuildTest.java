package dev.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.cli.Gradc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incremental build over a source root, its diagnostics, and the facades it writes. */
class GradcBuildTest {
  @TempDir Path dir;

  private final List<String> infos = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();

  private static final String LINEAR =
      """
      input x: f64[N, 3]
      input y: f64[N]
      param w: f64[3]
      param b: f64
      return mean((x @ w + b - y) ** 2)
      """;

  private GradcBuild build(String packageName, Map<String, String> classNames) {
    return new GradcBuild(
        dir.resolve("src"),
        "src/",
        dir.resolve("classes"),
        dir.resolve("gen"),
        dir.resolve("state"),
        packageName,
        classNames,
        "test",
        new GradcBuild.Log() {
          @Override
          public void info(String line) {
            infos.add(line);
          }

          @Override
          public void error(String diagnostic) {
            errors.add(diagnostic);
          }
        });
  }

  private GradcBuild.Outcome run() throws IOException {
    infos.clear();
    errors.clear();
    return build(null, Map.of()).run();
  }

  private void program(String rel, String text) throws IOException {
    Path p = dir.resolve("src").resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  @Test
  void unchangedProgramsAreNotRecompiledAndDeletedOnesLoseTheirOutputs() throws IOException {
    program("a/linear.grad", LINEAR);
    program("b/c/other_loss.grad", LINEAR.replace("** 2", "** 4"));
    GradcBuild.Outcome first = run();
    assertEquals(new GradcBuild.Outcome(2, 0, 0, List.of()), first);
    Path kernel = dir.resolve("classes/a/LinearKernel.class");
    Path facade = dir.resolve("gen/b/c/OtherLoss.java");
    assertTrue(Files.isRegularFile(kernel));
    assertTrue(Files.isRegularFile(dir.resolve("classes/a/LinearKernel$Grad.class")));
    assertTrue(Files.isRegularFile(facade));
    FileTime written = Files.getLastModifiedTime(kernel);

    assertEquals(new GradcBuild.Outcome(0, 2, 0, List.of()), run());
    assertTrue(infos.contains("gradc: a/linear.grad is up to date"), infos.toString());
    assertEquals(written, Files.getLastModifiedTime(kernel));

    program("b/c/other_loss.grad", LINEAR.replace("** 2", "** 6"));
    assertEquals(new GradcBuild.Outcome(1, 1, 0, List.of()), run());
    assertTrue(infos.contains("gradc: compiled b/c/other_loss.grad to b.c.OtherLoss"));

    // An output deleted by hand is written again.
    Files.delete(kernel);
    assertEquals(new GradcBuild.Outcome(1, 1, 0, List.of()), run());
    assertTrue(Files.isRegularFile(kernel));

    Files.delete(dir.resolve("src/b/c/other_loss.grad"));
    assertEquals(new GradcBuild.Outcome(0, 1, 1, List.of()), run());
    assertTrue(infos.contains("gradc: b/c/other_loss.grad was deleted; removed its outputs"));
    assertFalse(Files.exists(facade));
    assertFalse(Files.exists(dir.resolve("classes/b/c/OtherLossKernel.class")));
    assertFalse(Files.exists(dir.resolve("state/b/c/other_loss.grad.state")));
    assertTrue(Files.isRegularFile(kernel));
  }

  @Test
  void aChangedClassNameRemovesTheOldOutputs() throws IOException {
    program("a/linear.grad", LINEAR);
    build(null, Map.of()).run();
    GradcBuild.Outcome o = build("p.q", Map.of("a/linear.grad", "Mse")).run();
    assertEquals(new GradcBuild.Outcome(1, 0, 0, List.of()), o);
    assertTrue(Files.isRegularFile(dir.resolve("classes/p/q/MseKernel.class")));
    assertTrue(Files.isRegularFile(dir.resolve("gen/p/q/Mse.java")));
    assertFalse(Files.exists(dir.resolve("classes/a/LinearKernel.class")));
    assertFalse(Files.exists(dir.resolve("gen/a/Linear.java")));
  }

  @Test
  void diagnosticsAreTheCommandLinesText() throws IOException {
    String[] bad = {
      "input x: f64[N]\nparam w: f64\nreturn mean((x * w) ** 2\n",
      "input x: f64[N]\nparam w: f64\nreturn mean(x * v)\n",
      "input x: f64[N]\nparam w: f64\nreturn x * w\n",
    };
    for (int i = 0; i < bad.length; i++) {
      program("bad/p" + i + ".grad", bad[i]);
    }
    GradcBuild.Outcome o = run();
    assertEquals(3, o.errors().size());
    assertEquals(o.errors(), errors);
    for (int i = 0; i < bad.length; i++) {
      Path file = dir.resolve("src/bad/p" + i + ".grad");
      StringWriter err = new StringWriter();
      int code =
          Gradc.commandLine()
              .setOut(new PrintWriter(new StringWriter()))
              .setErr(new PrintWriter(err))
              .execute(
                  "compile",
                  file.toString(),
                  "--class",
                  "bad.P" + i,
                  "-o",
                  dir.resolve("p" + i + ".jar").toString());
      assertEquals(2, code);
      assertEquals(err.toString(), o.errors().get(i));
      assertTrue(o.errors().get(i).startsWith(file + ":3:"), o.errors().get(i));
    }
  }

  @Test
  void namesThatJavaCannotUseAreErrors() throws IOException {
    program("my-dir/linear.grad", LINEAR);
    program("ok/linear.grad", LINEAR);
    program("ok2/Linear.grad", LINEAR);
    GradcBuild.Outcome o = build("same", Map.of()).run();
    assertEquals(1, o.compiled());
    assertEquals(
        List.of(
            dir.resolve("src/ok/linear.grad")
                + ": error: the class same.Linear is also the class of my-dir/linear.grad; give"
                + " one of them another className\n",
            dir.resolve("src/ok2/Linear.grad")
                + ": error: the class same.Linear is also the class of my-dir/linear.grad; give"
                + " one of them another className\n"),
        o.errors());
    o = run();
    assertEquals(
        dir.resolve("src/my-dir/linear.grad")
            + ": error: the directory my-dir does not name a Java package; rename it or set"
            + " packageName\n",
        o.errors().get(0));
  }

  /** Facades of programs with f32, i64 and scalar declarations compile with every lint. */
  @Test
  void facadesCompileWithAllLintsAsErrors() throws IOException {
    program(
        "m/mlp.grad",
        """
        input x: f32[N, 4]
        input labels: i64[N]
        param w: f32[4, 3]
        param new: f32[3]
        return cross_entropy(x @ w + new, labels)
        """);
    program("m/linear.grad", LINEAR);
    program("m/scalar_only.grad", "param a: f64\ninput t: f64\nreturn (a - t) ** 2\n");
    assertEquals(3, run().compiled());
    String mlp = Files.readString(dir.resolve("gen/m/Mlp.java"));
    assertTrue(
        mlp.contains(
            "public static float value(float[] x, long[] labels, float[] w, float[] new_)"),
        mlp);
    assertTrue(mlp.contains(" * 1  input x: f32[N, 4]\n"), mlp);
    assertTrue(
        mlp.contains(
            "<li>{@code labels}: input, <code>i64[N]</code>, long[] of <code>N</code> elements"),
        mlp);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-Xlint:all",
                "-Xdoclint:all",
                "-Werror",
                "-d",
                dir.resolve("out").toString(),
                "-cp",
                dir.resolve("classes").toString()));
    for (String n : List.of("Mlp", "Linear", "ScalarOnly")) {
      args.add(dir.resolve("gen/m/" + n + ".java").toString());
    }
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(diagnostics, true, StandardCharsets.UTF_8);
    int code = javac.run(null, err, err, args.toArray(new String[0]));
    assertEquals(0, code, diagnostics.toString(StandardCharsets.UTF_8));
  }
}
