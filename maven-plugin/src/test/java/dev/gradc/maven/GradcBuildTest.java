package dev.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.cli.Gradc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    Map<String, GradcBuild.Settings> settings = new java.util.HashMap<>();
    classNames.forEach((k, v) -> settings.put(k, new GradcBuild.Settings(v, null, Map.of())));
    return build(packageName, GradcBuild.Settings.NONE, settings);
  }

  private GradcBuild build(
      String packageName, GradcBuild.Settings defaults, Map<String, GradcBuild.Settings> settings) {
    return new GradcBuild(
        dir.resolve("src"),
        "src/",
        dir.resolve("classes"),
        dir.resolve("gen"),
        dir.resolve("state"),
        packageName,
        defaults,
        settings,
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
      "input x: f64[N]\nparam w: f64\nreturn sum(x * w), 2.0\n",
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

  /**
   * A program that is not one scalar loss gets a facade too: its results in a {@code Result} or the
   * caller's arrays and, with params, the vector-Jacobian product; it compiles with every lint.
   */
  @Test
  void forwardAndMultiOutputPrograms_getFacades() throws Exception {
    program("fwd/p.grad", "input x: f64[N]\nparam w: f64\nreturn x * w, sum(x * w)\n");
    program("fwd/q.grad", "input x: f32[N, 2]\nreturn sum(x, 1)\n");
    assertEquals(2, run().compiled(), errors.toString());
    String p = Files.readString(dir.resolve("gen/fwd/P.java"));
    assertTrue(p.contains("public static Result value(double[] x, double[] w) {"), p);
    assertTrue(
        p.contains(
            "public static void vjp(double[] x, double[] w, double[] gradOutput0, double[]"
                + " gradOutput1, double[] gradW) {"),
        p);
    String q = Files.readString(dir.resolve("gen/fwd/Q.java"));
    assertTrue(q.contains("public static void value(float[] x, float[] output) {"), q);
    assertFalse(q.contains("vjp("), q);
    javac("fwd/P.java", "fwd/Q.java");
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {
              dir.resolve("out").toUri().toURL(), dir.resolve("classes").toUri().toURL()
            })) {
      Class<?> c = loader.loadClass("fwd.P");
      Method vjp =
          c.getMethod("vjp", double[].class, double[].class, double[].class, double[].class);
      Object grads =
          vjp.invoke(
              null,
              new double[] {1, 2, 3},
              new double[] {0.5},
              new double[] {1, 1, 2},
              new double[] {10});
      // d/dw [sum(x * w * g0) + 10 * sum(x * w)] = 1 + 2 + 6 + 10 * 6
      assertEquals(69.0, ((double[]) grads.getClass().getMethod("gradW").invoke(grads))[0]);
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

    javac("m/Mlp.java", "m/Linear.java", "m/ScalarOnly.java");
  }

  /** Compiles the facades under gen/ with every lint as an error, into out/; javac's output. */
  private void javac(String... facades) {
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
    for (String f : facades) {
      args.add(dir.resolve("gen").resolve(f).toString());
    }
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(diagnostics, true, StandardCharsets.UTF_8);
    int code =
        ToolProvider.getSystemJavaCompiler().run(null, err, err, args.toArray(new String[0]));
    assertEquals(0, code, diagnostics.toString(StandardCharsets.UTF_8));
  }

  /**
   * A dtype override compiles the f64 program in f32 (with the same value, to f32 precision), and
   * fixed dims make the facade check lengths by name; both change the hash, so both recompile.
   */
  @Test
  void dtypeAndDimsSettings() throws Exception {
    program("s/linear.grad", LINEAR);
    GradcBuild.Settings f32 = new GradcBuild.Settings(null, "f32", Map.of("N", 2));
    assertEquals(1, build(null, GradcBuild.Settings.NONE, Map.of()).run().compiled());
    assertEquals(1, build(null, f32, Map.of()).run().compiled());
    assertEquals(0, build(null, f32, Map.of()).run().compiled());
    String facade = Files.readString(dir.resolve("gen/s/Linear.java"));
    assertTrue(facade.contains("value(float[] x, float[] y, float[] w, float[] b)"), facade);
    assertTrue(facade.contains("the build fixes {@code N = 2}"), facade);
    javac("s/Linear.java");
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {
              dir.resolve("out").toUri().toURL(), dir.resolve("classes").toUri().toURL()
            })) {
      Class<?> c = loader.loadClass("s.Linear");
      Method value =
          c.getMethod("value", float[].class, float[].class, float[].class, float[].class);
      float[] x = {1, 2, 3, -1, 0.5f, 2};
      float[] y = {1, -2};
      float[] w = {0.25f, -0.5f, 1};
      float[] b = {0.125f};
      // pred = [0.25 - 1 + 3 + 0.125, -0.25 - 0.25 + 2 + 0.125] = [2.375, 1.625]
      double expected = ((1.375 * 1.375) + (3.625 * 3.625)) / 2;
      assertEquals(expected, (float) value.invoke(null, x, y, w, b), 1e-6);
      InvocationTargetException e =
          assertThrows(
              InvocationTargetException.class,
              () -> value.invoke(null, new float[9], new float[3], w, b));
      assertEquals("x has 9 elements; f32[N, 3] with N = 2 needs 6", e.getCause().getMessage());
    }
    GradcBuild.Outcome o =
        build(null, new GradcBuild.Settings(null, "f16", Map.of()), Map.of()).run();
    assertEquals(
        List.of(
            dir.resolve("src/s/linear.grad") + ": error: dtype must be f32 or f64, got 'f16'\n"),
        o.errors());
    o = build(null, new GradcBuild.Settings(null, null, Map.of("M", 3)), Map.of()).run();
    assertEquals(
        List.of(
            dir.resolve("src/s/linear.grad")
                + ": error: dims: M is not a symbolic dim of the program (its symbolic dims: [N])\n"),
        o.errors());
  }

  /** An error in a program compiled with another dtype shows the file as written. */
  @Test
  void dtypeOverrideKeepsDiagnosticsOnTheWrittenText() throws IOException {
    program("s/bad.grad", "input x: f64[N]\nparam w: f64\nreturn mean(x * v)\n");
    GradcBuild.Outcome o =
        build(null, new GradcBuild.Settings(null, "f32", Map.of()), Map.of()).run();
    String d = o.errors().get(0);
    assertTrue(d.startsWith(dir.resolve("src/s/bad.grad") + ":3:"), d);
    assertFalse(d.contains("f32"), d);
    assertEquals(
        "input x: f32[N]\n  param  w :f32\ninput y: i64\n",
        GradcBuild.withDtype("input x: f64[N]\n  param  w :f64\ninput y: i64\n", "f32"));
  }
}
