package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gradc compile --package} with facades: two programs (a forward-only one and one with
 * params and two results) in one jar, loaded in a fresh class loader that sees only that jar and
 * the JDK's boot classes, whose facades give PyTorch's results and vector-Jacobian products ({@code
 * tools/fixtures/forward.py}), check their arguments by name, and whose sources (the {@code
 * -sources} jar) compile with every lint and doclint check as an error.
 */
class FacadeJarTest {
  @TempDir Path tmp;

  private static final String NETS = "com.acme.nets";

  /** Writes the fixture's program as {@code file} and returns the fixture. */
  private JsonNode program(String fixture, Path file) throws Exception {
    JsonNode fx = Fixtures.read(ForwardProgramTest.FORWARD.resolve(fixture + ".json"));
    Files.writeString(file, fx.get("program").asText());
    return fx;
  }

  /** A flat fixture array as the facade takes it: double[] for f64, float[] for f32. */
  private static Object array(JsonNode a) {
    double[] d = Fixtures.doubles(a.get("data"));
    if (a.get("dtype").asText().equals("f64")) {
      return d;
    }
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double[] doubles(Object array) {
    double[] d = new double[Array.getLength(array)];
    for (int i = 0; i < d.length; i++) {
      d[i] = ((Number) Array.get(array, i)).doubleValue();
    }
    return d;
  }

  private static Object[] arguments(JsonNode fx, String key) {
    List<Object> out = new ArrayList<>();
    for (JsonNode a : fx.get(key)) {
      out.add(array(a));
    }
    return out.toArray();
  }

  private static Object[] concat(Object[] a, Object... b) {
    Object[] out = new Object[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static Method method(Class<?> c, String name, int arity) {
    for (Method m : c.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == arity) {
        return m;
      }
    }
    throw new AssertionError(c.getName() + " has no " + name + " of " + arity + " arguments");
  }

  private static Object call(Class<?> c, String name, Object... args) throws Exception {
    try {
      return method(c, name, args.length).invoke(null, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static Object get(Object holder, String accessor) throws Exception {
    return holder.getClass().getMethod(accessor).invoke(holder);
  }

  private static Object zeros(Object like) {
    return Array.newInstance(like.getClass().getComponentType(), Array.getLength(like));
  }

  @ParameterizedTest
  @ValueSource(strings = {"f64", "f32"})
  void package_forwardAndVjpFacades_givePyTorchsNumbers(String dt) throws Exception {
    JsonNode fwd = program("no_params_" + dt, tmp.resolve("no_params.grad"));
    JsonNode two = program("two_outputs_" + dt, tmp.resolve("two_outputs.grad"));
    double rtol = ForwardProgramTest.rtol(two);
    Path jar = tmp.resolve("nets.jar");
    Cli.Result r =
        Cli.run(
            "compile",
            tmp.resolve("no_params.grad").toString(),
            tmp.resolve("two_outputs.grad").toString(),
            "--package",
            NETS,
            "-o",
            jar.toString());
    assertEquals(0, r.code(), r.toString());
    String ty = dt.equals("f64") ? "double[]" : "float[]";
    assertTrue(
        r.out().contains("  public static Result value(" + ty + " x, " + ty + " t)\n"), r.out());
    try (JarFile j = new JarFile(jar.toFile())) {
      Attributes main = j.getManifest().getMainAttributes();
      assertEquals(NETS, main.getValue("Automatic-Module-Name"));
      assertEquals(
          "com.acme.nets.NoParams com.acme.nets.TwoOutputs", main.getValue("Gradc-Programs"));
      Attributes section = j.getManifest().getAttributes("com/acme/nets/TwoOutputs.class");
      assertEquals("com.acme.nets.TwoOutputsKernel", section.getValue("Gradc-Kernel"));
      assertEquals(
          "public static Gradients vjp("
              + String.join(", ", List.of(ty + " x", ty + " w", ty + " b"))
              + ", "
              + ty
              + " gradH, "
              + ty
              + " gradOutput1)",
          section.getValue("Gradc-Signature-3"));
    }

    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      // Forward-only: the results in a Result, and into the caller's arrays.
      Class<?> noParams = loader.loadClass(NETS + ".NoParams");
      Object[] args = arguments(fwd, "inputs");
      Object result = call(noParams, "value", args);
      for (int k = 0; k < 2; k++) {
        ForwardProgramTest.assertCloseArray(
            dt + " NoParams output" + k,
            Fixtures.doubles(fwd.get("values").get(k).get("data")),
            doubles(get(result, "output" + k)),
            rtol);
      }
      Object out0 = zeros(get(result, "output0"));
      Object out1 = zeros(get(result, "output1"));
      assertEquals(null, call(noParams, "value", concat(args, out0, out1)));
      ForwardProgramTest.assertCloseArray(
          dt + " NoParams output0 into arrays", doubles(get(result, "output0")), doubles(out0), 0);
      ForwardProgramTest.assertCloseArray(
          dt + " NoParams output1 into arrays", doubles(get(result, "output1")), doubles(out1), 0);

      // Params and two results: the results, and the vjp with PyTorch's cotangents.
      Class<?> twoOutputs = loader.loadClass(NETS + ".TwoOutputs");
      args = arguments(two, "inputs");
      result = call(twoOutputs, "value", args);
      ForwardProgramTest.assertCloseArray(
          dt + " h",
          Fixtures.doubles(two.get("values").get(0).get("data")),
          doubles(get(result, "h")),
          rtol);
      ForwardProgramTest.assertCloseArray(
          dt + " output1",
          Fixtures.doubles(two.get("values").get(1).get("data")),
          doubles(get(result, "output1")),
          rtol);
      Object[] withCotangents = concat(args, arguments(two, "cotangents"));
      Object grads = call(twoOutputs, "vjp", withCotangents);
      String[] gradNames = {"gradW", "gradB"};
      Object[] into = new Object[2];
      for (int i = 0; i < 2; i++) {
        ForwardProgramTest.assertCloseArray(
            dt + " " + gradNames[i],
            Fixtures.doubles(two.get("grads").get(i).get("data")),
            doubles(get(grads, gradNames[i])),
            rtol);
        into[i] = zeros(get(grads, gradNames[i]));
      }
      call(twoOutputs, "vjp", concat(withCotangents, into));
      for (int i = 0; i < 2; i++) {
        ForwardProgramTest.assertCloseArray(
            dt + " " + gradNames[i] + " into arrays",
            doubles(get(grads, gradNames[i])),
            doubles(into[i]),
            0);
      }
      double step = dt.equals("f64") ? 1e-6 : 1e-3;
      double worst =
          (double) call(twoOutputs, "gradCheck", concat(new Object[] {step}, withCotangents));
      assertTrue(worst < (dt.equals("f64") ? 1e-6 : 2e-2), dt + " gradCheck: " + worst);

      // Argument checks name the argument.
      Object[] bad = withCotangents.clone();
      bad[0] = Array.newInstance(args[0].getClass().getComponentType(), 7);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> call(twoOutputs, "vjp", bad));
      assertEquals("x has 7 elements; " + dt + "[N, 3] needs a multiple of 3", e.getMessage());
      Object[] badCotangent = withCotangents.clone();
      badCotangent[3] = Array.newInstance(args[0].getClass().getComponentType(), 3);
      e = assertThrows(IllegalArgumentException.class, () -> call(twoOutputs, "vjp", badCotangent));
      assertEquals("gradH has 3 elements; " + dt + "[N, 2] with N = 4 needs 8", e.getMessage());
      Object[] nullW = args.clone();
      nullW[1] = null;
      NullPointerException npe =
          assertThrows(NullPointerException.class, () -> call(twoOutputs, "value", nullW));
      assertEquals("w is null", npe.getMessage());
    }

    // The sources jar: the facades' sources, which compile against the jar with every lint and
    // doclint check as an error.
    Path sources = tmp.resolve("nets-sources.jar");
    Path src = tmp.resolve("src");
    List<String> javac = new ArrayList<>();
    try (JarFile j = new JarFile(sources.toFile())) {
      List<String> names = new ArrayList<>();
      for (JarEntry e : Collections.list(j.entries())) {
        names.add(e.getName());
        if (e.getName().endsWith(".java")) {
          Path p = src.resolve(e.getName());
          Files.createDirectories(p.getParent());
          try (InputStream in = j.getInputStream(e)) {
            Files.write(p, in.readAllBytes());
          }
          javac.add(p.toString());
        }
      }
      assertEquals(
          List.of(
              "META-INF/MANIFEST.MF",
              "com/acme/nets/NoParams.java",
              "com/acme/nets/TwoOutputs.java"),
          names);
    }
    String twoSource = Files.readString(src.resolve("com/acme/nets/TwoOutputs.java"));
    assertTrue(twoSource.contains(" * 5  h = tanh(x &#64; w + b)\n"), twoSource);
    assertTrue(
        twoSource.contains(
            " *   <li>{@code h}: <code>" + dt + "[N, 2]</code>, " + ty + " of <code>N * 2</code>"),
        twoSource);
    assertTrue(twoSource.contains("<p>Symbolic dims: {@code N}"), twoSource);
    javac.addAll(
        0,
        List.of(
            "--release",
            "17",
            "-Xlint:all",
            "-Xdoclint:all",
            "-Werror",
            "-classpath",
            jar.toString(),
            "-d",
            tmp.resolve("classes").toString()));
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(diagnostics, true, StandardCharsets.UTF_8);
    int code =
        ToolProvider.getSystemJavaCompiler().run(null, err, err, javac.toArray(new String[0]));
    assertEquals(0, code, diagnostics.toString(StandardCharsets.UTF_8));
  }

  /** The parameter names of a signature {@code public static T m(double[] a, float[] b)}. */
  private static List<String> parameterNames(String signature) {
    String params = signature.substring(signature.indexOf('(') + 1, signature.lastIndexOf(')'));
    List<String> names = new ArrayList<>();
    for (String p : params.split(", ", -1)) {
      names.add(p.substring(p.lastIndexOf(' ') + 1));
    }
    return names;
  }

  private static String signature(Attributes section, String prefix) {
    for (int i = 1; section.getValue("Gradc-Signature-" + i) != null; i++) {
      String s = section.getValue("Gradc-Signature-" + i);
      if (s.startsWith(prefix)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Every forward fixture (a model's predictions, two results sharing a subexpression, results that
   * alias a param and each other, no params; f64 and f32) compiled into one jar: each facade's
   * {@code value} gives PyTorch's results and its {@code vjp} {@code torch.autograd.grad}'s
   * gradients, its results and gradients named as the manifest's signatures name them.
   */
  @Test
  void package_everyForwardFixture_matchesPyTorch() throws Exception {
    List<String> args = new ArrayList<>(List.of("compile"));
    List<JsonNode> fixtures = new ArrayList<>();
    for (Path fixture : ForwardProgramTest.fixtures()) {
      String name = fixture.getFileName().toString().replace(".json", "");
      fixtures.add(program(name, tmp.resolve(name + ".grad")));
      args.add(tmp.resolve(name + ".grad").toString());
    }
    Path jar = tmp.resolve("fixtures.jar");
    args.addAll(List.of("--package", "com.acme.fx", "-o", jar.toString()));
    Cli.Result r = Cli.run(args.toArray(new String[0]));
    assertEquals(0, r.code(), r.toString());
    assertEquals(8, fixtures.size());
    try (JarFile j = new JarFile(jar.toFile());
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      for (JsonNode fx : fixtures) {
        String name = fx.get("name").asText();
        String simple = dev.gradc.codegen.AotCompiler.simpleClassName(name + ".grad");
        Attributes section = j.getManifest().getAttributes("com/acme/fx/" + simple + ".class");
        Class<?> c = loader.loadClass("com.acme.fx." + simple);
        double rtol = ForwardProgramTest.rtol(fx);
        Object[] inputs = arguments(fx, "inputs");
        int n = inputs.length;
        int m = fx.get("values").size();
        List<String> outputs = parameterNames(signature(section, "public static void value("));
        Object result = call(c, "value", inputs);
        for (int k = 0; k < m; k++) {
          ForwardProgramTest.assertCloseArray(
              name + " " + outputs.get(n + k),
              Fixtures.doubles(fx.get("values").get(k).get("data")),
              doubles(get(result, outputs.get(n + k))),
              rtol);
        }
        String vjp = signature(section, "public static void vjp(");
        assertEquals(fx.get("grads").size() > 0, vjp != null, name);
        if (vjp == null) {
          continue;
        }
        List<String> grads = parameterNames(vjp).subList(n + m, parameterNames(vjp).size());
        Object gradients = call(c, "vjp", concat(inputs, arguments(fx, "cotangents")));
        for (int i = 0; i < grads.size(); i++) {
          ForwardProgramTest.assertCloseArray(
              name + " " + grads.get(i),
              Fixtures.doubles(fx.get("grads").get(i).get("data")),
              doubles(get(gradients, grads.get(i))),
              rtol);
        }
      }
    }
  }

  /**
   * Names the facade itself uses are renamed in it: a declaration named like gradCheck's {@code
   * step} or a generated local, a result named like a method of Object, and programs whose classes
   * would be named like the nested {@code Result} and {@code Gradients}. The facades compile and
   * compute.
   */
  @Test
  void package_namesTheFacadeUses_areRenamed() throws Exception {
    Files.writeString(
        tmp.resolve("result.grad"),
        "input i: f64[N]\nparam step: f64\nwait = i * step\nreturn wait, sum(wait)\n");
    Files.writeString(
        tmp.resolve("gradients.grad"), "input x: f64[N]\nparam w: f64\nreturn x * w\n");
    Path jar = tmp.resolve("names.jar");
    Cli.Result r =
        Cli.run(
            "compile",
            tmp.resolve("result.grad").toString(),
            tmp.resolve("gradients.grad").toString(),
            "--package",
            "p",
            "-o",
            jar.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "  public static Values value(double[] i, double[] step_)\n"
                    + "  public static void value(double[] i, double[] step_, double[] wait_,"
                    + " double[] output1)\n"),
        r.out());
    assertTrue(
        r.out()
            .contains("  public static Grads vjp(double[] x, double[] w, double[] gradOutput)\n"),
        r.out());
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Class<?> c = loader.loadClass("p.Result");
      Object values = call(c, "value", new double[] {1, 2, 3}, new double[] {0.5});
      assertEquals(3.0, ((double[]) get(values, "output1"))[0]);
      assertEquals(1.5, ((double[]) get(values, "wait_"))[2]);
      Object grads =
          call(
              c,
              "vjp",
              new double[] {1, 2, 3},
              new double[] {0.5},
              new double[] {1, 1, 1},
              new double[] {2});
      // sum(i) * 1 + 2 * sum(i)
      assertEquals(18.0, ((double[]) get(grads, "gradStep_"))[0]);
    }
  }

  /** A sources jar is written beside the jar, named after it. */
  @Test
  void sourcesJar_isNamedAfterTheJar() {
    assertEquals(Path.of("out/x-sources.jar"), CompileCommand.sourcesJar(Path.of("out/x.jar")));
    assertEquals(Path.of("x.zip-sources.jar"), CompileCommand.sourcesJar(Path.of("x.zip")));
  }
}
