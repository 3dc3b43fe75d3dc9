package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Forward and reverse mode of whole programs against {@code torch.autograd.functional} in PyTorch
 * 1.13 ({@code tools/fixtures/generate.py} writes the fixtures under {@code
 * src/test/resources/transforms/}): 20 seeded random programs (16 in f64, 4 in f32) whose results
 * have various shapes, Rosenbrock's function and the cross-entropy loss of a small MLP. For each,
 * {@link Autodiff#jvp} along the fixture's tangents and {@link Autodiff#vjp} of its cotangent,
 * interpreted and compiled, give PyTorch's value, jvp and vjp; where the fixture has a Hessian, the
 * jvp of the gradient program (forward over reverse) gives its Hessian-vector product and, along
 * each basis vector, each column of the Hessian. Bounds as {@link PyTorchFixtureTest}'s, with an
 * absolute floor of {@code rtol} for derivatives that cancel to nearly zero.
 */
class TransformFixtureTest {
  static final Path TRANSFORMS = Path.of("src/test/resources/transforms");
  private static final ObjectMapper JSON = new ObjectMapper();

  static List<Path> fixtures() throws IOException {
    try (Stream<Path> s = Files.list(TRANSFORMS)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void twentyRandomProgramsRosenbrockAnMlpAndSingularValues() throws IOException {
    List<String> names = fixtures().stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(23, names.size(), names.toString());
    assertTrue(names.contains("hessian_rosenbrock.json"), names.toString());
    assertTrue(names.contains("hessian_svdvals.json"), names.toString());
    assertTrue(names.contains("hessian_mlp_cross_entropy.json"), names.toString());
  }

  @TestFactory
  Stream<DynamicTest> transforms() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : fixtures()) {
      String name = p.getFileName().toString();
      JsonNode root = JSON.readTree(p.toFile());
      Func f =
          Verifier.verify(GradLanguage.parse(name + ".grad", root.get("program").asText()).func());
      List<Object> inputs = new ArrayList<>();
      boolean f32 = false;
      for (JsonNode in : root.get("inputs")) {
        inputs.add(PyTorchFixtureTest.buffer(in));
        f32 |= in.get("dtype").asText().equals("f32");
      }
      double rtol = f32 ? PyTorchFixtureTest.RTOL_F32 : PyTorchFixtureTest.RTOL_F64;
      List<Object> tangents = buffers(root.get("tangents"));
      List<Object> cotangent = List.of(PyTorchFixtureTest.buffer(root.get("cotangent")));
      Func jvp = Verifier.verify(Autodiff.jvp(f));
      Func vjp = Verifier.verify(Autodiff.vjp(f, true));
      for (String kind : List.of("interpreted", "compiled")) {
        Function<Func, CompiledFunction> how =
            kind.equals("compiled") ? Kernels::compile : Kernels::interpret;
        String mode = " (" + kind + ")";
        tests.add(
            DynamicTest.dynamicTest(
                name + " jvp" + mode,
                () -> {
                  Object[] out = run(how.apply(jvp), inputs, tangents);
                  expect(name + ": value", root.get("value"), out[0], rtol);
                  expect(name + ": jvp", root.get("jvp"), out[1], rtol);
                }));
        tests.add(
            DynamicTest.dynamicTest(
                name + " vjp" + mode,
                () -> {
                  Object[] out = run(how.apply(vjp), inputs, cotangent);
                  expect(name + ": value", root.get("value"), out[0], rtol);
                  List<Param> ps = f.gradParams();
                  for (int k = 0; k < ps.size(); k++) {
                    JsonNode g = root.get("vjp").get(k);
                    assertEquals(g.get("name").asText(), ps.get(k).name());
                    expect(name + ": vjp " + ps.get(k).name(), g, out[1 + k], rtol);
                  }
                }));
      }
      if (root.has("hessian")) {
        Func grad = Autodiff.vjp(f);
        Func hvp = Verifier.verify(Autodiff.jvp(grad, grad.gradParams()));
        // the value, the gradients, the value's tangent, then the gradients' tangents: H v
        int first = f.gradParams().size() + 2;
        tests.add(
            DynamicTest.dynamicTest(
                name + " hvp, forward over reverse",
                () -> {
                  Object[] out = run(Kernels.compile(hvp), inputs, tangents);
                  for (int i = 0; i < f.gradParams().size(); i++) {
                    JsonNode h = root.get("hvp").get(i);
                    expect(name + ": hvp " + h.get("name").asText(), h, out[first + i], rtol);
                  }
                }));
        tests.add(
            DynamicTest.dynamicTest(
                name + " hessian, column by column", () -> hessian(root, f, hvp, inputs, rtol)));
      }
    }
    return tests.stream();
  }

  /**
   * The Hessian, one column per element of each param: the forward-over-reverse program along a
   * basis tangent, against PyTorch's blocks {@code [i][j]} (param {@code i} by param {@code j}).
   */
  private static void hessian(JsonNode root, Func f, Func hvp, List<Object> inputs, double rtol) {
    List<Param> ps = f.gradParams();
    int n = ps.size();
    CompiledFunction kernel = Kernels.compile(hvp);
    int[] sizes = new int[n];
    double[][][] actual = new double[n][n][];
    for (int j = 0; j < n; j++) {
      sizes[j] = ps.get(j).type().numel().size();
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        actual[i][j] = new double[sizes[i] * sizes[j]];
      }
    }
    for (int j = 0; j < n; j++) {
      for (int e = 0; e < sizes[j]; e++) {
        List<Object> basis = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          double[] t = new double[sizes[k]];
          if (k == j) {
            t[e] = 1;
          }
          basis.add(t);
        }
        Object[] out = run(kernel, inputs, basis);
        for (int i = 0; i < n; i++) {
          for (int r = 0; r < sizes[i]; r++) {
            actual[i][j][r * sizes[j] + e] = Buffers.get(out[n + 2 + i], r);
          }
        }
      }
    }
    JsonNode blocks = root.get("hessian");
    assertEquals(n * n, blocks.size(), "Hessian blocks");
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        JsonNode block = blocks.get(i * n + j);
        assertEquals(ps.get(i).name(), block.get("row").asText());
        assertEquals(ps.get(j).name(), block.get("column").asText());
        expect(
            "Hessian block " + ps.get(i).name() + ", " + ps.get(j).name(),
            block,
            actual[i][j],
            rtol);
      }
    }
  }

  private static List<Object> buffers(JsonNode tensors) {
    List<Object> out = new ArrayList<>();
    for (JsonNode t : tensors) {
      out.add(PyTorchFixtureTest.buffer(t));
    }
    return out;
  }

  private static Object[] run(CompiledFunction c, List<Object> inputs, List<Object> extra) {
    List<Object> args = new ArrayList<>(inputs);
    args.addAll(extra);
    return c.call(args.toArray());
  }

  /** {@code buffer} against a fixture tensor, with an absolute floor of {@code rtol}. */
  private static void expect(String what, JsonNode expected, Object buffer, double rtol) {
    double[] e = PyTorchFixtureTest.doubles(expected.get("data"));
    double atol = rtol * Math.max(1, PyTorchFixtureTest.finiteScale(e));
    assertEquals(expected.get("dtype").asText(), Buffers.dtypeOf(buffer).mnemonic(), what);
    for (int i = 0; i < e.length; i++) {
      double a = Buffers.get(buffer, i);
      assertTrue(
          PyTorchFixtureTest.close(a, e[i], rtol, atol),
          what + "[" + i + "]: expected " + e[i] + " (PyTorch), got " + a);
    }
    assertEquals(e.length, Buffers.length(buffer), what + " elements");
  }
}
