package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op at extreme magnitudes against PyTorch 1.13: f64 near 1e±300, 1e±160,
 * 1e±170 and subnormals, f32 near 1e±38, 1e±22 and subnormals, both signs, with moderate and with
 * extreme output gradients {@code g} ({@code tools/fixtures/extremes.py} writes {@code
 * src/test/resources/extremes/extremes.json}). Each case is {@code y = op(...)}: a forward program
 * returning {@code y}, and a program returning {@code sum(y * g)} whose vjp gives the gradients of
 * {@code y.backward(g)}; both run interpreted and compiled, and {@code y} and every gradient must
 * match element by element: NaN for NaN, the same infinity, else within {@code rtol |e|} ({@code
 * 1e-12} in f64, {@code 1e-5} in f32) plus 64 of the dtype's smallest subnormals; ops that sum
 * terms (reductions, softmax, matmul) also allow {@code rtol} times the largest expected magnitude,
 * for cancellation in another order.
 *
 * <p>Random int64 expressions (sums, differences, products, negation, abs, maximum, minimum,
 * comparisons, where, clamp) of values near 2^32, 2^53 and anywhere in the range must equal
 * PyTorch's wrapping int64 results exactly.
 *
 * <p>Long run: {@code -Dgradc.extremes.long=FILE} checks a file of seeded random programs written
 * by the same script ({@code --random N --seed S --out FILE}) and reports every mismatch.
 */
class ExtremeMagnitudeTest {
  static final Path FIXTURE = Path.of("src/test/resources/extremes/extremes.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> everyOp_atExtremeMagnitudes_matchesPyTorch() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : JSON.readTree(FIXTURE.toFile()).get("cases")) {
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> {
                List<String> bad = check(c);
                assertTrue(bad.isEmpty(), String.join("\n", bad));
              }));
    }
    return tests.stream();
  }

  @Test
  void fixture_coversEveryDtypeAndMagnitude() throws IOException {
    JsonNode cases = JSON.readTree(FIXTURE.toFile()).get("cases");
    assertTrue(cases.size() >= 250, cases.size() + " cases");
    List<Double> seen = new ArrayList<>();
    for (JsonNode c : cases) {
      for (JsonNode in : c.get("inputs")) {
        for (double v : PyTorchFixtureTest.doubles(in.get("data"))) {
          seen.add(Math.abs(v));
        }
      }
    }
    for (double m :
        new double[] {1e300, 1e-300, 1e160, 1e-160, Double.MIN_VALUE, 1e38, 1e-38, 1e-22}) {
      assertTrue(seen.contains(m) || seen.contains((double) (float) m), "no input of " + m);
    }
  }

  /** The long run: every program of the file named by {@code gradc.extremes.long}. */
  @Test
  void randomPrograms_fromTheLongRunFile_matchPyTorch() throws IOException {
    String file = System.getProperty("gradc.extremes.long");
    if (file == null) {
      return;
    }
    JsonNode cases = JSON.readTree(Path.of(file).toFile()).get("cases");
    List<String> bad = new ArrayList<>();
    for (JsonNode c : cases) {
      bad.addAll(check(c));
    }
    System.out.println(
        "extreme magnitudes: " + cases.size() + " programs, " + bad.size() + " mismatches");
    assertTrue(bad.isEmpty(), String.join("\n", bad.subList(0, Math.min(bad.size(), 50))));
  }

  /**
   * The mismatches of one case, interpreted and compiled; empty when it matches PyTorch. An int64
   * case has no {@code program} (no gradients) and must match exactly.
   */
  private static List<String> check(JsonNode c) {
    String name = c.get("name").asText();
    Func forward = parse(name, c.get("forward"));
    JsonNode inputs = c.get("inputs");
    int n = inputs.size();
    Object[] args = new Object[n + 1];
    int[][] shapes = new int[n + 1][];
    for (int i = 0; i < n; i++) {
      args[i] = PyTorchFixtureTest.buffer(inputs.get(i));
      shapes[i] = PyTorchFixtureTest.ints(inputs.get(i).get("shape"));
    }
    Object[] xs = Arrays.copyOf(args, n);
    int[][] xShapes = Arrays.copyOf(shapes, n);
    List<String> bad = new ArrayList<>();
    boolean summed = c.get("summed").asBoolean();
    for (boolean compiled : new boolean[] {false, true}) {
      String how = name + (compiled ? " (compiled)" : " (interpreted)");
      Object[] y = run(forward, compiled).call(xs, xShapes, null);
      compare(how + " value", c.get("value"), y[0], summed, bad);
      if (c.has("program")) {
        JsonNode g = c.get("grad_output");
        args[n] = PyTorchFixtureTest.buffer(g);
        shapes[n] = PyTorchFixtureTest.ints(g.get("shape"));
        Func vjp = Verifier.verify(Autodiff.vjp(parse(name, c.get("program"))));
        Object[] out = run(vjp, compiled).call(args, shapes, null);
        JsonNode grads = c.get("grads");
        List<Param> params = vjp.gradParams();
        for (int k = 0; k < grads.size(); k++) {
          String p = grads.get(k).get("name").asText();
          assertEquals(p, params.get(k).name(), name);
          compare(how + " grad " + p, grads.get(k), out[k + 1], summed, bad);
        }
      }
    }
    if (!bad.isEmpty()) {
      bad.add(0, name + ":\n" + c.get(c.has("program") ? "program" : "forward").asText());
    }
    return bad;
  }

  private static Func parse(String name, JsonNode program) {
    return Verifier.verify(GradLanguage.parse(name + ".grad", program.asText()).func());
  }

  private static CompiledFunction run(Func f, boolean compiled) {
    return compiled ? Kernels.compile(f) : Kernels.interpret(f);
  }

  private static void compare(
      String what, JsonNode expected, Object buffer, boolean summed, List<String> bad) {
    DType dt = DType.byMnemonic(expected.get("dtype").asText());
    if (Buffers.dtypeOf(buffer) != dt) {
      bad.add(
          what + ": dtype " + Buffers.dtypeOf(buffer).mnemonic() + ", PyTorch " + dt.mnemonic());
      return;
    }
    if (dt == DType.I64) {
      long[] e = (long[]) PyTorchFixtureTest.buffer(expected);
      for (int i = 0; i < e.length; i++) {
        if (((long[]) buffer)[i] != e[i]) {
          bad.add(what + "[" + i + "]: PyTorch " + e[i] + ", gradc " + ((long[]) buffer)[i]);
        }
      }
      return;
    }
    double[] e = PyTorchFixtureTest.doubles(expected.get("data"));
    double rtol = dt == DType.F32 ? 1e-5 : 1e-12;
    double floor = 64 * (dt == DType.F32 ? Float.MIN_VALUE : Double.MIN_VALUE);
    if (summed) {
      floor += rtol * PyTorchFixtureTest.finiteScale(e);
    }
    for (int i = 0; i < e.length; i++) {
      double a = Buffers.get(buffer, i);
      boolean ok = PyTorchFixtureTest.close(a, e[i], rtol, floor);
      if (!ok) {
        bad.add(what + "[" + i + "]: PyTorch " + e[i] + ", gradc " + a);
      }
    }
  }
}
