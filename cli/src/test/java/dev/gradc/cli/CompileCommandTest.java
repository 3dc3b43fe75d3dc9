package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ahead-of-time jar: compiled by {@code gradc compile}, used by a plain Java client that is
 * compiled with javac against only that jar and run in a child JVM.
 */
class CompileCommandTest {
  @TempDir Path tmp;

  static final String CLIENT =
      """
      import com.acme.MseLoss;

      public class Client {
        static void print(String name, double[] a) {
          for (double v : a) {
            System.out.println(name + " " + v);
          }
        }

        public static void main(String[] args) {
          double[] x = {0.5, -1, 2, 1.5, 0.25, -0.75, -2, 1, 0.5, 0.1, 0.2, 0.3};
          double[] y = {1, -1, 0.5, 2};
          double[] w = {0.3, -0.2, 0.7};
          double[] b = {0.25};
          double[] gradW = new double[3];
          double[] gradB = new double[1];
          System.out.println("value " + MseLoss.value(x, y, w, b));
          System.out.println("valueAndGrad " + MseLoss.valueAndGrad(x, y, w, b, gradW, gradB));
          print("gradW", gradW);
          print("gradB", gradB);
          try {
            MseLoss.value(x, new double[5], w, b);
          } catch (IllegalArgumentException e) {
            System.out.println("rejected " + e.getMessage());
          }
        }
      }
      """;

  static final double[] X = {0.5, -1, 2, 1.5, 0.25, -0.75, -2, 1, 0.5, 0.1, 0.2, 0.3};
  static final double[] Y = {1, -1, 0.5, 2};
  static final double[] W = {0.3, -0.2, 0.7};
  static final double[] B = {0.25};

  @Test
  void jar_runsInAPlainJavaClient() throws Exception {
    Path jar = tmp.resolve("out/mse.jar");
    Cli.Result r =
        Cli.run(
            "compile",
            Cli.example("linear_regression.grad"),
            "--class",
            "com.acme.MseLoss",
            "-o",
            jar.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> out = r.out().lines().toList();
    assertTrue(out.get(0).startsWith("wrote " + jar + ": com.acme.MseLoss (5 classes, "), r.out());
    assertEquals(
        "  public static double value(double[] x, double[] y, double[] w, double[] b)", out.get(1));
    assertEquals(
        "  public static double valueAndGrad(double[] x, double[] y, double[] w, double[] b,"
            + " double[] gradW, double[] gradB)",
        out.get(2));
    List<String> entries = new ArrayList<>();
    try (JarFile j = new JarFile(jar.toFile())) {
      j.stream().forEach(e -> entries.add(e.getName()));
      assertEquals("gradc 0.1.0", j.getManifest().getMainAttributes().getValue("Created-By"));
    }
    assertEquals(
        List.of(
            "META-INF/MANIFEST.MF",
            "com/acme/MseLoss.class",
            "com/acme/MseLoss$Value.class",
            "com/acme/MseLoss$Value$Vector.class",
            "com/acme/MseLoss$Grad.class",
            "com/acme/MseLoss$Grad$Vector.class"),
        entries);

    // javac against nothing but the jar.
    String output = PlainJava.run(tmp, CLIENT, List.of(jar));

    // The same numbers from the reference interpreter.
    Func f = GradLanguage.parse(Path.of(Cli.example("linear_regression.grad"))).func();
    List<NdArray> expected =
        Interpreter.run(
            Autodiff.vjp(f),
            NdArray.of(DType.F64, new int[] {4, 3}, X),
            NdArray.of(DType.F64, new int[] {4}, Y),
            NdArray.of(DType.F64, new int[] {3}, W),
            NdArray.of(DType.F64, new int[0], B));
    List<String> lines = output.lines().toList();
    assertEquals(7, lines.size(), output);
    double value = expected.get(0).item();
    assertClose(value, number(lines.get(0), "value"));
    assertClose(value, number(lines.get(1), "valueAndGrad"));
    for (int i = 0; i < 3; i++) {
      assertClose(expected.get(1).get(i), number(lines.get(2 + i), "gradW"));
    }
    assertClose(expected.get(2).item(), number(lines.get(5), "gradB"));
    assertEquals("rejected y: expected length 4 for shape [N], got 5", lines.get(6));
  }

  /**
   * Several programs into one jar with {@code --package}: a class per program named after its file,
   * the package as the jar's {@code Automatic-Module-Name}, a manifest listing the programs and
   * their signatures, and a plain Java client calling both against nothing but the jar.
   */
  @Test
  void package_severalProgramsInOneJar() throws Exception {
    Path mlp = tmp.resolve("mlp_logits.grad");
    Files.writeString(
        mlp,
        Fixtures.read(ForwardProgramTest.FORWARD.resolve("mlp_f64.json")).get("program").asText());
    Path jar = tmp.resolve("losses.jar");
    Cli.Result r =
        Cli.run(
            "compile",
            Cli.example("linear_regression.grad"),
            mlp.toString(),
            "--package",
            "com.acme.losses",
            "-o",
            jar.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> out = r.out().lines().toList();
    assertTrue(
        out.get(0)
            .startsWith(
                "wrote " + jar + ": com.acme.losses.LinearRegression, com.acme.losses.MlpLogits ("),
        r.out());
    assertEquals("com.acme.losses.LinearRegression:", out.get(1));
    assertTrue(out.contains("com.acme.losses.MlpLogits:"), r.out());
    try (JarFile j = new JarFile(jar.toFile())) {
      Attributes main = j.getManifest().getMainAttributes();
      assertEquals("com.acme.losses", main.getValue("Automatic-Module-Name"));
      assertEquals(
          "com.acme.losses.LinearRegression com.acme.losses.MlpLogits",
          main.getValue("Gradc-Programs"));
      Attributes mlpSection = j.getManifest().getAttributes("com/acme/losses/MlpLogits.class");
      assertEquals(mlp.toString(), mlpSection.getValue("Gradc-Program"));
      assertEquals(
          "public static Result value(double[] x, double[] W1, double[] b1, double[] W2,"
              + " double[] b2)",
          mlpSection.getValue("Gradc-Signature-1"));
      assertEquals("com.acme.losses.MlpLogitsKernel", mlpSection.getValue("Gradc-Kernel"));
      assertTrue(j.getEntry("com/acme/losses/LinearRegressionKernel$Grad.class") != null);
      assertTrue(j.getEntry("com/acme/losses/MlpLogitsKernel$Vjp.class") != null);
      assertTrue(j.getEntry("com/acme/losses/MlpLogits$Result.class") != null);
    }
    assertEquals(
        "com.acme.losses",
        ModuleFinder.of(jar).findAll().iterator().next().descriptor().name(),
        "the module name a module path gives the jar");
    String client =
        """
        import com.acme.losses.LinearRegression;
        import com.acme.losses.MlpLogits;

        public class Client {
          public static void main(String[] args) {
            double[] x = {0.5, -1, 2, 1.5, 0.25, -0.75, -2, 1, 0.5, 0.1, 0.2, 0.3};
            double[] y = {1, -1, 0.5, 2};
            System.out.println(LinearRegression.value(x, y, new double[] {0.3, -0.2, 0.7},
                new double[] {0.25}));
            double[] logits = MlpLogits.value(new double[4], new double[32], new double[8],
                new double[24], new double[] {1, 2, 3}).logits();
            System.out.println(logits.length + " " + logits[0] + " " + logits[2]);
          }
        }
        """;
    List<String> lines = PlainJava.run(tmp, client, List.of(jar)).lines().toList();
    Func f = GradLanguage.parse(Path.of(Cli.example("linear_regression.grad"))).func();
    double expected =
        Interpreter.run(
                f,
                NdArray.of(DType.F64, new int[] {4, 3}, X),
                NdArray.of(DType.F64, new int[] {4}, Y),
                NdArray.of(DType.F64, new int[] {3}, W),
                NdArray.of(DType.F64, new int[0], B))
            .get(0)
            .item();
    assertClose(expected, Double.parseDouble(lines.get(0)));
    // One row of zeros: relu(0) @ W2 + b2 is b2.
    assertEquals("3 1.0 3.0", lines.get(1));
  }

  /** --class names one class; several programs, or a clash of names, need --package. */
  @Test
  void package_misuseIsAUsageError() throws IOException {
    String lr = Cli.example("linear_regression.grad");
    Path jar = tmp.resolve("x.jar");
    Cli.Result both = Cli.run("compile", lr, lr, "--class", "a.B", "-o", jar.toString());
    assertEquals(2, both.code(), both.toString());
    assertTrue(
        both.err()
            .contains(
                "--class names the class of one program; compile several into one jar with"
                    + " --package"),
        both.err());
    Cli.Result neither = Cli.run("compile", lr, "-o", jar.toString());
    assertEquals(2, neither.code(), neither.toString());
    assertTrue(
        neither.err().contains("give either --class (one program) or --package"), neither.err());
    Cli.Result clash = Cli.run("compile", lr, lr, "--package", "a", "-o", jar.toString());
    assertEquals(2, clash.code(), clash.toString());
    assertTrue(
        clash.err().contains("both give the class a.LinearRegression; rename one"), clash.err());
    Cli.Result badPackage = Cli.run("compile", lr, "--package", "java.util", "-o", jar.toString());
    assertEquals(2, badPackage.code(), badPackage.toString());
    assertTrue(badPackage.err().contains("--package needs a Java package name"), badPackage.err());
    assertTrue(Files.notExists(jar));
  }

  static double number(String line, String name) {
    assertTrue(line.startsWith(name + " "), line);
    return Double.parseDouble(line.substring(name.length() + 1));
  }

  static void assertClose(double expected, double actual) {
    assertTrue(
        Double.isFinite(expected)
            ? Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected))
            : Double.compare(actual, expected) == 0,
        "expected " + expected + ", got " + actual);
  }

  @Test
  void signature_f32() throws IOException {
    Path p = tmp.resolve("f.grad");
    Files.writeString(p, "input k: i64[3]\nparam w: f32[3]\nreturn sum(w * k)\n");
    Func f = GradLanguage.parse(p).func();
    assertEquals(
        List.of(
            "public static float value(long[] k, float[] w)",
            "public static float valueAndGrad(long[] k, float[] w, float[] gradW)"),
        AotCompiler.signatures(f, List.of()));
  }

  /**
   * Regression: {@code --class java.lang.String} wrote a jar whose class the JVM refuses to define.
   * Names that cannot work are refused with the reason; unusual names that work give a jar whose
   * class loads and computes.
   */
  @Test
  void className_unloadableOrReserved_isRefused() throws Exception {
    Path p = tmp.resolve("f.grad");
    Files.writeString(p, "param w: f64[3]\nreturn sum(w * w)\n");
    String[][] refused = {
      {"java.lang.String", "the package java and its subpackages are reserved for the JDK"},
      {"java.Loss", "the package java and its subpackages are reserved for the JDK"},
      {"com.acme.var", "'var' cannot name a class that Java code uses"},
      {"com.acme.record", "'record' cannot name a class that Java code uses"},
      {"com." + "a".repeat(201) + ".Loss", "each part of the name can have at most 200 characters"},
      {"com.acme.Loss$Inner", "--class needs a Java class name such as com.acme.MseLoss"},
      {"com..Loss", "--class needs a Java class name such as com.acme.MseLoss"},
      {"com.acme.", "--class needs a Java class name such as com.acme.MseLoss"},
      {"com.acme.class", "--class needs a Java class name such as com.acme.MseLoss"},
      {"", "--class needs a Java class name such as com.acme.MseLoss"},
    };
    for (String[] c : refused) {
      Path jar = tmp.resolve("r.jar");
      Cli.Result r = Cli.run("compile", p.toString(), "--class", c[0], "-o", jar.toString());
      assertEquals(2, r.code(), c[0] + "\n" + r);
      assertTrue(r.err().startsWith("gradc compile: error: "), r.err());
      assertTrue(r.err().contains(c[1]), r.err());
      assertTrue(Files.notExists(jar), c[0]);
    }
    for (String name :
        new String[] {"Loss", "javax.acme.Loss", "com.acme.Überloss", "a.b.c.d.L_1"}) {
      Path jar = tmp.resolve(name.hashCode() + ".jar");
      Cli.Result r = Cli.run("compile", p.toString(), "--class", name, "-o", jar.toString());
      assertEquals(0, r.code(), name + "\n" + r);
      try (URLClassLoader loader =
          new URLClassLoader(
              new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
        Method value = loader.loadClass(name).getMethod("value", double[].class);
        assertEquals(14.0, (double) value.invoke(null, (Object) new double[] {1, 2, 3}), name);
      }
    }
  }

  @Test
  void manyParams_jarLoadsAndComputes() throws Exception {
    int n = 128; // valueAndGrad takes 256 arrays, over a method's 255 argument slots
    StringBuilder src = new StringBuilder();
    for (int i = 0; i < n; i++) {
      src.append("param p").append(i).append(": f64[2]\n");
    }
    src.append("return sum(p0");
    for (int i = 1; i < n; i++) {
      src.append(" * 0.5 + p").append(i);
    }
    src.append(")\n");
    Path p = tmp.resolve("many.grad");
    Files.writeString(p, src.toString());
    Path jar = tmp.resolve("many.jar");
    Cli.Result r = Cli.run("compile", p.toString(), "--class", "a.Many", "-o", jar.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out().contains("  public static double valueAndGrad(Object[] args, Object[] grads)\n"),
        r.out());
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> c = loader.loadClass("a.Many");
      Object[] args = new Object[n];
      Object[] grads = new Object[n];
      for (int i = 0; i < n; i++) {
        args[i] = new double[] {1, 1};
        grads[i] = new double[2];
      }
      double v =
          (double)
              c.getMethod("valueAndGrad", Object[].class, Object[].class).invoke(null, args, grads);
      // p0 * 0.5 + p1 * 0.5 + ... + p127 at all ones, over two elements
      assertEquals(2 * (0.5 * (n - 1) + 1), v);
      for (int i = 0; i < n; i++) {
        double g = i == n - 1 ? 1.0 : 0.5;
        assertArrayEquals(new double[] {g, g}, (double[]) grads[i], 0.0, "grad p" + i);
      }
    }
  }

  /**
   * Every int64 fixture (arithmetic, reductions, powers, matrix products) compiled to a jar: {@code
   * value} on {@code long[]} arrays returns PyTorch's wrapping int64 results exactly.
   */
  @Test
  void int64Fixtures_jarValueIsPyTorchsExactly() throws Exception {
    List<Path> fixtures;
    try (var s = Files.list(Cli.FIXTURES)) {
      fixtures = s.filter(p -> p.getFileName().toString().startsWith("int64_")).sorted().toList();
    }
    int checked = 0;
    for (Path p : fixtures) {
      var fx = Fixtures.read(p);
      String name = fx.get("name").asText();
      if (!fx.get("value").get("dtype").asText().equals("i64")) {
        continue; // int64_to_float: f32 results, checked against PyTorch elsewhere
      }
      checked++;
      Path program = tmp.resolve(name + ".grad");
      Files.writeString(program, fx.get("program").asText());
      Path jar = tmp.resolve(name + ".jar");
      String cls = "a.Int" + fixtures.indexOf(p);
      Cli.Result r = Cli.run("compile", program.toString(), "--class", cls, "-o", jar.toString());
      assertEquals(0, r.code(), name + ": " + r);
      List<Object> args = new ArrayList<>();
      for (var in : fx.get("inputs")) {
        args.add(longs(in.get("data")));
      }
      long[] expected = longs(fx.get("value").get("data"));
      boolean scalar = fx.get("value").get("shape").isEmpty();
      try (URLClassLoader loader =
          new URLClassLoader(
              new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
        Class<?>[] types = new Class<?>[args.size()];
        java.util.Arrays.fill(types, long[].class);
        Method value = loader.loadClass(cls).getMethod("value", types);
        Object v = value.invoke(null, args.toArray());
        long[] actual = scalar ? new long[] {(long) v} : (long[]) v;
        assertArrayEquals(expected, actual, name + " (PyTorch int64)");
      }
    }
    assertTrue(checked >= 12, "int64 fixtures: " + checked);
  }

  private static long[] longs(com.fasterxml.jackson.databind.JsonNode data) {
    long[] out = new long[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i).asLong();
    }
    return out;
  }
}
