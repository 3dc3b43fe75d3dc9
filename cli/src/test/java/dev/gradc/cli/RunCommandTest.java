package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir Path tmp;

  /** As the frontend's fixture test: {@code |a - e| <= rtol (|e| + max|E|)}, rtol 1e-10 for f64. */
  static void assertClose(String what, double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length, what + ": element count");
    double scale = 0;
    for (double e : expected) {
      if (Double.isFinite(e)) {
        scale = Math.max(scale, Math.abs(e));
      }
    }
    for (int i = 0; i < expected.length; i++) {
      // A scale or expected value of inf would make every number close.
      assertTrue(
          Double.isFinite(expected[i])
              ? Math.abs(actual[i] - expected[i]) <= 1e-10 * (Math.abs(expected[i]) + scale)
              : Double.compare(actual[i], expected[i]) == 0,
          what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
    }
  }

  Path inputsFile(JsonNode fixture) throws IOException {
    Path p = tmp.resolve("inputs.json");
    Fixtures.JSON.writeValue(p.toFile(), Fixtures.inputs(fixture));
    return p;
  }

  /** Every bundled example, run by the command on PyTorch's inputs, gives PyTorch's numbers. */
  @TestFactory
  Stream<DynamicTest> examples_matchPyTorchFixtures() throws IOException {
    List<Path> fixtures = Fixtures.examples();
    assertEquals(5, fixtures.size(), "one fixture per bundled example");
    return fixtures.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      JsonNode fx = Fixtures.read(f);
                      String program = Cli.example(fx.get("example").asText());
                      Cli.Result r =
                          Cli.run(
                              "run",
                              program,
                              "--inputs",
                              inputsFile(fx).toString(),
                              "--format",
                              "json");
                      assertEquals(0, r.code(), r.toString());
                      assertEquals("", r.err(), "every value was given, so no note");
                      JsonNode out = Fixtures.JSON.readTree(r.out());
                      assertClose(
                          "value",
                          Fixtures.doubles(fx.get("value").get("data")),
                          Fixtures.flatten(out.get("value")));
                      List<String> names = new ArrayList<>();
                      out.get("grad").fieldNames().forEachRemaining(names::add);
                      List<String> expectedNames = new ArrayList<>();
                      for (JsonNode g : fx.get("grads")) {
                        expectedNames.add(g.get("name").asText());
                        JsonNode actual = out.get("grad").get(g.get("name").asText());
                        assertEquals(
                            g.get("shape").size() == 0,
                            actual.isNumber(),
                            "scalar grads are numbers");
                        assertClose(
                            g.get("name").asText(),
                            Fixtures.doubles(g.get("data")),
                            Fixtures.flatten(actual));
                      }
                      assertEquals(expectedNames, names, "grads in declaration order");
                    }));
  }

  @Test
  void json_hasExactlyValueAndGradKeys() throws IOException {
    JsonNode fx = Fixtures.read(Cli.FIXTURES.resolve("example_linear_regression.json"));
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--inputs",
            inputsFile(fx).toString(),
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("{\"value\":1.84009713987404"), r.out());
    assertTrue(r.out().endsWith("}\n"), r.out());
    JsonNode out = Fixtures.JSON.readTree(r.out());
    List<String> keys = new ArrayList<>();
    out.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("value", "grad"), keys);
    assertTrue(out.get("value").isNumber());
    assertEquals(3, out.get("grad").get("w").size());
    assertTrue(out.get("grad").get("b").isNumber());
  }

  @Test
  void text_printsLikePyTorch() throws IOException {
    JsonNode fx = Fixtures.read(Cli.FIXTURES.resolve("example_linear_regression.json"));
    Cli.Result r =
        Cli.run(
            "run", Cli.example("linear_regression.grad"), "--inputs", inputsFile(fx).toString());
    assertEquals(0, r.code(), r.toString());
    // PyTorch: loss = 1.8400971..., w.grad = [1.01977, 1.15501, 0.55141], b.grad = 1.81262.
    assertEquals(
        """
        value: tensor(1.8401, dtype=torch.float64, grad_fn=<MeanBackward0>)
        w.grad: tensor([1.0198, 1.1550, 0.5514], dtype=torch.float64)
        b.grad: tensor(1.8126, dtype=torch.float64)
        """,
        r.out());
  }

  @Test
  void text_multiLineTensorsStartOnTheirOwnLine() throws IOException {
    JsonNode fx = Fixtures.read(Cli.FIXTURES.resolve("example_mlp.json"));
    Cli.Result r = Cli.run("run", Cli.example("mlp.grad"), "--inputs", inputsFile(fx).toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out().startsWith("value: tensor(6.8022, dtype=torch.float64, grad_fn=<DivBackward0>)\n"),
        r.out());
    assertTrue(r.out().contains("\nw1.grad:\ntensor([["), r.out());
    assertTrue(r.out().contains("\n        ["), "rows aligned under the first: " + r.out());
  }

  @Test
  void set_overridesInputsFile() throws IOException {
    JsonNode fx = Fixtures.read(Cli.FIXTURES.resolve("example_linear_regression.json"));
    String inputs = inputsFile(fx).toString();
    String program = Cli.example("linear_regression.grad");
    Cli.Result base = Cli.run("run", program, "--inputs", inputs, "--format", "json");
    Cli.Result zeroW =
        Cli.run(
            "run",
            program,
            "--inputs",
            inputs,
            "--set",
            "w=[0, 0, 0]",
            "--set",
            "b=0",
            "--format",
            "json");
    assertEquals(0, zeroW.code(), zeroW.toString());
    assertNotEquals(base.out(), zeroW.out());
    // With w = 0 and b = 0 the loss is mean(y^2) and grad b = -2 mean(y).
    double[] y = Fixtures.doubles(fx.get("inputs").get(1).get("data"));
    double sq = 0;
    double sum = 0;
    for (double v : y) {
      sq += v * v;
      sum += v;
    }
    JsonNode out = Fixtures.JSON.readTree(zeroW.out());
    assertEquals(sq / y.length, out.get("value").asDouble(), 1e-14);
    assertEquals(-2 * sum / y.length, out.get("grad").get("b").asDouble(), 1e-14);
  }

  @Test
  void generated_areSeededAndIndependentPerName() throws IOException {
    String program = Cli.example("linear_regression.grad");
    Cli.Result a = Cli.run("run", program, "--dim", "N=5", "--random-inputs", "--format", "json");
    Cli.Result b = Cli.run("run", program, "--dim", "N=5", "--random-inputs", "--format", "json");
    Cli.Result c =
        Cli.run(
            "run", program, "--dim", "N=5", "--random-inputs", "--seed", "7", "--format", "json");
    assertEquals(0, a.code(), a.toString());
    assertEquals(a.out(), b.out(), "same seed, same values");
    assertNotEquals(a.out(), c.out(), "another seed, other values");
    assertEquals("gradc: note: x, y, w, b: standard normal, seed 0; N = 5\n", a.err());
  }

  /** Empty gradients nest as PyTorch's tolist(): lists down to the first dim of size 0. */
  @Test
  void json_emptyTensors_nestAsPyTorch() throws IOException {
    Path program = tmp.resolve("empty.grad");
    Files.writeString(
        program,
        """
        param a: f64[5, 0]
        param b: f64[0, 3]
        param c: f64[2, 3, 0]
        param d: f64[2, 0, 3]
        input e: f64[2, 0]
        return sum(a) + sum(b) + sum(c) + sum(d) + sum(e)
        """);
    Cli.Result r =
        Cli.run(
            "run",
            program.toString(),
            "--set",
            "e=[[], []]",
            "--set",
            "c=[[[], [], []], [[], [], []]]",
            "--random-inputs",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals(
        "{\"value\":0.0,\"grad\":{\"a\":[[],[],[],[],[]],\"b\":[],"
            + "\"c\":[[[],[],[]],[[],[],[]]],\"d\":[[],[]]}}\n",
        r.out());
  }

  /**
   * An empty tensor given as PyTorch's {@code tolist()} writes it: {@code []} for {@code f64[0, 3]}
   * and {@code [[], []]} for {@code f64[2, 0, 3]}; the dims below the empty level come from the
   * declaration. A symbolic dim there cannot be read from the JSON, and the error says what was
   * given.
   */
  @Test
  void inputs_emptyListsOfHigherRank_readAsTheDeclaredShape() throws IOException {
    Path program = tmp.resolve("empty_in.grad");
    Files.writeString(
        program,
        """
        param b: f64[0, 3]
        param d: f64[2, 0, 3]
        input e: f64[0, 1, 3]
        return sum(b) + sum(d) + sum(e.expand(0, 4, 3))
        """);
    Cli.Result r =
        Cli.run(
            "run",
            program.toString(),
            "--set",
            "b=[]",
            "--set",
            "d=[[], []]",
            "--set",
            "e=[]",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("{\"value\":0.0,\"grad\":{\"b\":[],\"d\":[[],[]]}}\n", r.out());

    Path symbolic = tmp.resolve("empty_sym.grad");
    Files.writeString(symbolic, "param x: f64[0, N]\nreturn sum(x)\n");
    Cli.Result bad = Cli.run("run", symbolic.toString(), "--set", "x=[]");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(
        bad.err().contains("x is declared f64[0, N], but --set x gives a list of shape [0]"),
        bad.err());
  }

  /** The generator as documented: new SplittableRandom(seed), split once per declaration. */
  @Test
  void generated_followTheDocumentedGenerator() throws IOException {
    Path program = tmp.resolve("square.grad");
    Files.writeString(
        program, "input x: f64[3]\nparam w: f64[3]\nreturn sum(w * w) + 0.0 * sum(x)\n");
    SplittableRandom root = new SplittableRandom(42);
    root.split(); // x
    SplittableRandom forW = root.split();
    double[] twiceW = new double[3];
    for (int i = 0; i < 3; i++) {
      twiceW[i] = 2 * forW.nextGaussian();
    }
    for (String[] x : new String[][] {{}, {"--set", "x=[1, 2, 3]"}}) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "run",
                  program.toString(),
                  "--random-inputs",
                  "--seed",
                  "42",
                  "--format",
                  "json"));
      args.addAll(List.of(x));
      Cli.Result r = Cli.run(args.toArray(new String[0]));
      assertEquals(0, r.code(), r.toString());
      // Whether or not x is given, w is the same: grad w = 2 w.
      assertArrayEquals(
          twiceW, Fixtures.flatten(Fixtures.JSON.readTree(r.out()).get("grad").get("w")), 0.0);
    }
  }

  @Test
  void dims_comeFromGivenValues() {
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--set",
            "x=[[1,2,3],[4,5,6],[7,8,9],[1,1,1]]",
            "--random-inputs",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("gradc: note: y, w, b: standard normal, seed 0; N = 4\n", r.err());
  }

  @Test
  void threads_doNotChangeResults() {
    String program = Cli.example("logistic_regression.grad");
    String[] common = {"run", program, "--dim", "N=3000", "--random-inputs", "--format", "json"};
    Cli.Result one = Cli.run(concat(common, "--threads", "1"));
    Cli.Result two = Cli.run(concat(common, "--threads", "2"));
    assertEquals(0, one.code(), one.toString());
    assertEquals(one.out(), two.out());
  }

  @Test
  void nonFinite_computedAsPyTorchWhenAllowed() {
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--set",
            "x=[[NaN, 0, 0]]",
            "--set",
            "y=[1]",
            "--set",
            "w=[1, 2, 3]",
            "--set",
            "b=0.5",
            "--allow-nonfinite",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("{\"value\":NaN,\"grad\":{\"w\":[NaN,NaN,NaN],\"b\":NaN}}\n", r.out());
  }

  @Test
  void f32_printsFloatsShortest() throws IOException {
    Path program = tmp.resolve("half.grad");
    Files.writeString(program, "param w: f32[2]\nreturn sum(w * 0.1)\n");
    Cli.Result r = Cli.run("run", program.toString(), "--set", "w=[1, 2]", "--format", "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("{\"value\":0.3,\"grad\":{\"w\":[0.1,0.1]}}\n", r.out());
    Cli.Result text = Cli.run("run", program.toString(), "--set", "w=[1, 2]");
    assertEquals(
        "value: tensor(0.3000, grad_fn=<SumBackward0>)\nw.grad: tensor([0.1000, 0.1000])\n",
        text.out());
  }

  @Test
  void irFile_runs() {
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("mse.ir"),
            "--set",
            "a=[1, 2, 3, 4]",
            "--set",
            "b=[1, 1, 1, 1]",
            "--set",
            "y=[0, 0, 0, 0]",
            "--format",
            "json");
    assertEquals(0, r.code(), r.toString());
    // mean((a b - y)^2) = (1 + 4 + 9 + 16) / 4; grad a = 2 (a b - y) b / 4 = a / 2.
    assertEquals(
        "{\"value\":7.5,\"grad\":{\"a\":[0.5,1.0,1.5,2.0],\"b\":[0.5,2.0,4.5,8.0]}}\n", r.out());
  }

  @Test
  void help_listsEveryOption() {
    Cli.Result r = Cli.run("run", "--help");
    assertEquals(0, r.code());
    for (String option :
        List.of("--inputs", "--set", "--dim", "--seed", "--format", "--threads", "--debug")) {
      assertTrue(r.out().contains(option), option + " in\n" + r.out());
    }
  }

  /**
   * Every int64 fixture run by the command prints PyTorch's wrapping int64 results exactly, a
   * scalar one (a forward program's result, not a loss) included.
   */
  @Test
  void int64Fixtures_printPyTorchsValuesExactly() throws IOException {
    List<Path> fixtures;
    try (Stream<Path> s = Files.list(Cli.FIXTURES)) {
      fixtures = s.filter(p -> p.getFileName().toString().startsWith("int64_")).sorted().toList();
    }
    int checked = 0;
    for (Path f : fixtures) {
      JsonNode fx = Fixtures.read(f);
      if (!fx.get("value").get("dtype").asText().equals("i64")) {
        continue;
      }
      checked++;
      String name = fx.get("name").asText();
      Path program = tmp.resolve(name + ".grad");
      Files.writeString(program, fx.get("program").asText());
      Cli.Result r =
          Cli.run(
              "run", program.toString(), "--inputs", inputsFile(fx).toString(), "--format", "json");
      assertEquals(0, r.code(), name + ": " + r);
      List<Long> actual = new ArrayList<>();
      for (JsonNode n : Fixtures.leaves(Fixtures.JSON.readTree(r.out()).get("value"))) {
        assertTrue(n.isIntegralNumber(), name + ": " + n);
        actual.add(n.asLong());
      }
      List<Long> expected = new ArrayList<>();
      fx.get("value").get("data").forEach(v -> expected.add(v.asLong()));
      assertEquals(expected, actual, name + " (PyTorch int64)");
    }
    assertTrue(checked >= 13, "int64 fixtures: " + checked);
  }

  @Test
  void noParams_hasEmptyGrad() throws IOException {
    Path program = tmp.resolve("const.grad");
    Files.writeString(program, "input x: f64[3]\nreturn sum(x * x)\n");
    Cli.Result r = Cli.run("run", program.toString(), "--set", "x=[1, 2, 3]", "--format", "json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("{\"value\":14.0,\"grad\":{}}\n", r.out());
    Cli.Result text = Cli.run("run", program.toString(), "--set", "x=[1, 2, 3]");
    assertArrayEquals(
        new String[] {"value: tensor(14., dtype=torch.float64)"}, text.out().split("\n"));
  }

  /**
   * Regression: {@code --format json} built the whole document as one string (5 GB for a
   * 50M-element gradient). It streams now: a 2M-element gradient prints from a JVM with a 128 MiB
   * heap, whose arrays alone take 32 MiB.
   */
  @Test
  void json_largeGradient_streamsFromASmallHeap() throws Exception {
    int n = 2_000_000;
    double[] w = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      w[i] = (i % 7) - 3;
      sum += w[i] * w[i];
    }
    Path npy = tmp.resolve("w.npy");
    NpyWriter.f8(npy, w, n);
    Path p = tmp.resolve("square.grad");
    Files.writeString(p, "param w: f64[N]\nreturn sum(w * w)\n");
    Path out = tmp.resolve("out.json");
    Cli.Result r =
        Child.run(
            List.of("-Xmx128m"),
            out,
            0,
            List.of("run", p.toString(), "--set", "w=@" + npy, "--format", "json"),
            tmp);
    assertEquals(0, r.code(), r.err());
    try (JsonParser json = Fixtures.JSON.getFactory().createParser(out.toFile())) {
      assertEquals(JsonToken.START_OBJECT, json.nextToken());
      assertEquals("value", json.nextFieldName());
      json.nextToken();
      assertEquals(sum, json.getDoubleValue());
      assertEquals("grad", json.nextFieldName());
      assertEquals(JsonToken.START_OBJECT, json.nextToken());
      assertEquals("w", json.nextFieldName());
      assertEquals(JsonToken.START_ARRAY, json.nextToken());
      for (int i = 0; i < n; i++) {
        json.nextToken();
        int at = i;
        assertEquals(2 * w[i], json.getDoubleValue(), () -> "w.grad[" + at + "]");
      }
      assertEquals(JsonToken.END_ARRAY, json.nextToken());
      assertEquals(JsonToken.END_OBJECT, json.nextToken());
      assertEquals(JsonToken.END_OBJECT, json.nextToken());
      assertEquals(null, json.nextToken());
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
