package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward-only and multi-output programs (a model's predictions, {@code return a, b}, no params)
 * against PyTorch: the fixtures under {@code frontend/src/test/resources/forward/}, written by
 * {@code tools/fixtures/forward.py}, hold each program's inputs, its results, seeded cotangents and
 * the params' gradients from {@code torch.autograd.grad(results, params, cotangents)}, in f64 and
 * f32.
 *
 * <p>{@code gradc run} must print PyTorch's results; {@code gradc compile} must write a jar whose
 * {@code value} and {@code vjp} give PyTorch's results and gradients to a plain Java client
 * compiled with javac against only that jar and run in a child JVM. Bounds as in the frontend's
 * PyTorchFixtureTest: {@code |a - e| <= rtol * (|e| + max|E|)}, {@code rtol} 1e-10 in f64 and 1e-5
 * in f32.
 */
class ForwardProgramTest {
  static final Path FORWARD = Cli.ROOT.resolve("frontend/src/test/resources/forward");

  @TempDir Path tmp;

  static List<Path> fixtures() throws IOException {
    try (Stream<Path> s = Files.list(FORWARD)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** The program of a fixture, written where the command line can read it. */
  private Path program(JsonNode fx) throws IOException {
    Path p = tmp.resolve(fx.get("name").asText() + ".grad");
    Files.writeString(p, fx.get("program").asText());
    return p;
  }

  private Path inputs(JsonNode fx) throws IOException {
    Path p = tmp.resolve(fx.get("name").asText() + ".json");
    Files.writeString(p, Fixtures.JSON.writeValueAsString(Fixtures.inputs(fx)));
    return p;
  }

  static double rtol(JsonNode fx) {
    return fx.get("program").asText().contains("f32") ? 1e-5 : 1e-10;
  }

  static void assertCloseArray(String what, double[] expected, double[] actual, double rtol) {
    assertEquals(expected.length, actual.length, what + ": length");
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      assertTrue(
          Math.abs(actual[i] - e) <= rtol * (Math.abs(e) + scale),
          what + "[" + i + "]: expected " + e + ", got " + actual[i]);
    }
  }

  @TestFactory
  Stream<DynamicTest> run_printsPyTorchsResults() throws IOException {
    return fixtures().stream()
        .map(
            p ->
                DynamicTest.dynamicTest(
                    p.getFileName().toString(),
                    () -> {
                      JsonNode fx = Fixtures.read(p);
                      Cli.Result r =
                          Cli.run(
                              "run",
                              program(fx).toString(),
                              "--inputs",
                              inputs(fx).toString(),
                              "--format",
                              "json");
                      assertEquals(0, r.code(), r.toString());
                      JsonNode out = Fixtures.JSON.readTree(r.out());
                      JsonNode values = fx.get("values");
                      List<JsonNode> got = new ArrayList<>();
                      if (values.size() == 1) {
                        assertEquals(List.of("value"), fieldNames(out), r.out());
                        got.add(out.get("value"));
                      } else {
                        assertEquals(List.of("values"), fieldNames(out), r.out());
                        out.get("values").forEach(got::add);
                      }
                      assertEquals(values.size(), got.size(), r.out());
                      for (int k = 0; k < values.size(); k++) {
                        assertCloseArray(
                            "value " + k,
                            Fixtures.doubles(values.get(k).get("data")),
                            Fixtures.flatten(got.get(k)),
                            rtol(fx));
                      }
                    }));
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void run_text_labelsEachResult() throws IOException {
    JsonNode fx = Fixtures.read(FORWARD.resolve("two_outputs_f64.json"));
    Cli.Result r = Cli.run("run", program(fx).toString(), "--inputs", inputs(fx).toString());
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals("value[0]:", lines.get(0));
    assertTrue(r.out().contains("grad_fn=<TanhBackward0>)\nvalue[1]: tensor(["), r.out());
    assertTrue(r.out().endsWith("grad_fn=<MeanBackward1>)\n"), r.out());
  }

  /**
   * Every fixture compiled to a jar; one client, compiled by javac against nothing but the jars,
   * calls each jar's {@code value} entry points and {@code vjp} with PyTorch's inputs and
   * cotangents, then misuses them (a cotangent one element too long, a null argument).
   */
  @Test
  void jar_valueAndVjp_matchPyTorch_inAPlainJavaClient() throws Exception {
    List<JsonNode> fixtures = new ArrayList<>();
    List<Path> jars = new ArrayList<>();
    StringBuilder client = new StringBuilder();
    client.append(
        """
        public class Client {
          static void print(String name, double[] a) {
            StringBuilder s = new StringBuilder(name);
            for (double v : a) {
              s.append(' ').append(v);
            }
            System.out.println(s);
          }

          static void print(String name, float[] a) {
            StringBuilder s = new StringBuilder(name);
            for (float v : a) {
              s.append(' ').append(v);
            }
            System.out.println(s);
          }

          public static void main(String[] args) {
        """);
    StringBuilder methods = new StringBuilder();
    for (Path p : fixtures()) {
      JsonNode fx = Fixtures.read(p);
      int k = fixtures.size();
      fixtures.add(fx);
      String cls = "fwd.M" + k;
      Path jar = tmp.resolve("m" + k + ".jar");
      Cli.Result r =
          Cli.run("compile", program(fx).toString(), "--class", cls, "-o", jar.toString());
      assertEquals(0, r.code(), r.toString());
      jars.add(jar);
      client.append("    m").append(k).append("();\n");
      methods.append(clientMethod(fx, "m" + k, cls));
    }
    client.append("  }\n\n").append(methods).append("}\n");

    String output = PlainJava.run(tmp, client.toString(), jars);

    Map<String, String> lines = new HashMap<>();
    for (String line : output.lines().toList()) {
      int sp = line.indexOf(' ');
      lines.put(sp < 0 ? line : line.substring(0, sp), sp < 0 ? "" : line.substring(sp + 1));
    }
    for (int k = 0; k < fixtures.size(); k++) {
      JsonNode fx = fixtures.get(k);
      String m = "m" + k;
      String name = fx.get("name").asText();
      JsonNode values = fx.get("values");
      double rtol = rtol(fx);
      for (int i = 0; i < values.size(); i++) {
        double[] expected = Fixtures.doubles(values.get(i).get("data"));
        assertCloseArray(name + " value " + i, expected, numbers(lines, m + ".out" + i), rtol);
      }
      if (values.size() == 1 && !values.get(0).get("shape").isEmpty()) {
        double[] expected = Fixtures.doubles(values.get(0).get("data"));
        assertCloseArray(name + " value()", expected, numbers(lines, m + ".value"), rtol);
      }
      JsonNode grads = fx.get("grads");
      for (int i = 0; i < grads.size(); i++) {
        double[] expected = Fixtures.doubles(grads.get(i).get("data"));
        assertCloseArray(name + " grad " + i, expected, numbers(lines, m + ".grad" + i), rtol);
      }
      assertEquals(
          fx.get("inputs").get(0).get("name").asText() + ": null instead of an array",
          lines.get(m + ".rejectedNull"),
          name);
    }
    // The cotangent of the MLP's logits and of the first result of two_outputs, named after the
    // returned name, one element too long.
    assertEquals(
        "gradLogits: expected length 15 for shape [N, 3], got 16",
        lines.get("m" + indexOf(fixtures, "mlp_f64") + ".rejectedCotangent"));
    assertEquals(
        "gradH: expected length 8 for shape [N, 2], got 9",
        lines.get("m" + indexOf(fixtures, "two_outputs_f32") + ".rejectedCotangent"));
    assertEquals(
        "gradOutput1: expected length 2 for shape [2], got 3",
        lines.get("m" + indexOf(fixtures, "two_outputs_f64") + ".rejectedCotangent1"));
  }

  private static int indexOf(List<JsonNode> fixtures, String name) {
    for (int k = 0; k < fixtures.size(); k++) {
      if (fixtures.get(k).get("name").asText().equals(name)) {
        return k;
      }
    }
    throw new AssertionError("no fixture " + name);
  }

  private static double[] numbers(Map<String, String> lines, String key) {
    String line = lines.get(key);
    assertTrue(line != null, "the client printed no line " + key);
    if (line.isEmpty()) {
      return new double[0];
    }
    String[] parts = line.split(" ", -1);
    double[] d = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      d[i] = Double.parseDouble(parts[i]);
    }
    return d;
  }

  /** A static method of the client that exercises one jar and prints what it computes. */
  private static String clientMethod(JsonNode fx, String m, String cls) {
    StringBuilder s = new StringBuilder();
    s.append("  static void ").append(m).append("() {\n");
    List<String> args = new ArrayList<>();
    for (JsonNode in : fx.get("inputs")) {
      String v = "a_" + in.get("name").asText();
      s.append(declare(v, in, true));
      args.add(v);
    }
    JsonNode values = fx.get("values");
    List<String> outs = arrays(s, "out", values, false);
    if (values.size() == 1 && !values.get(0).get("shape").isEmpty()) {
      s.append(print(m + ".value", call(cls, "value", args)));
    }
    s.append("    ").append(call(cls, "value", args, outs)).append(";\n");
    for (String o : outs) {
      s.append(print(m + "." + o, o));
    }
    // A null first argument.
    List<String> nullArgs = new ArrayList<>(args);
    nullArgs.set(0, "null");
    s.append(rejected(m + ".rejectedNull", call(cls, "value", nullArgs, outs)));
    JsonNode grads = fx.get("grads");
    if (grads.isEmpty()) {
      return s.append("  }\n\n").toString();
    }
    List<String> cots = arrays(s, "cot", fx.get("cotangents"), true);
    List<String> gs = arrays(s, "grad", grads, false);
    s.append("    ").append(call(cls, "vjp", args, cots, gs)).append(";\n");
    for (String g : gs) {
      s.append(print(m + "." + g, g));
    }
    // Each cotangent one element too long, in turn.
    for (int i = 0; i < cots.size(); i++) {
      List<String> bad = new ArrayList<>(cots);
      bad.set(i, "java.util.Arrays.copyOf(" + cots.get(i) + ", " + cots.get(i) + ".length + 1)");
      String key = m + ".rejectedCotangent" + (i == 0 ? "" : String.valueOf(i));
      s.append(rejected(key, call(cls, "vjp", args, bad, gs)));
    }
    return s.append("  }\n\n").toString();
  }

  /** Declares one array per element of {@code list}, with its data or zeros; returns the names. */
  private static List<String> arrays(StringBuilder s, String prefix, JsonNode list, boolean data) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      names.add(prefix + i);
      s.append(declare(prefix + i, list.get(i), data));
    }
    return names;
  }

  @SafeVarargs
  private static String call(String cls, String method, List<String>... groups) {
    List<String> all = new ArrayList<>();
    for (List<String> g : groups) {
      all.addAll(g);
    }
    return cls + "." + method + "(" + String.join(", ", all) + ")";
  }

  private static String print(String key, String expression) {
    return "    print(\"" + key + "\", " + expression + ");\n";
  }

  private static String rejected(String key, String statement) {
    return "    try {\n      "
        + statement
        + ";\n    } catch (IllegalArgumentException e) {\n      System.out.println(\""
        + key
        + " \" + e.getMessage());\n    }\n";
  }

  private static String javaType(String dtype) {
    return switch (dtype) {
      case "f64" -> "double";
      case "f32" -> "float";
      case "i64" -> "long";
      default -> throw new AssertionError(dtype);
    };
  }

  /**
   * {@code double[] v = {...};} with a fixture array's data (f32 elements exact as floats), or
   * without {@code data} an array of zeros of its length.
   */
  private static String declare(String v, JsonNode array, boolean withData) {
    String type = javaType(array.get("dtype").asText());
    JsonNode data = array.get("data");
    if (!withData) {
      return "    " + type + "[] " + v + " = new " + type + "[" + data.size() + "];\n";
    }
    StringBuilder s = new StringBuilder("    " + type + "[] " + v + " = {");
    for (int i = 0; i < data.size(); i++) {
      s.append(i == 0 ? "" : ", ");
      switch (type) {
        case "double" -> s.append(Double.toString(data.get(i).asDouble()));
        case "float" -> s.append("(float) ").append(Double.toString(data.get(i).asDouble()));
        default -> s.append(data.get(i).asLong()).append('L');
      }
    }
    return s.append("};\n").toString();
  }
}
