package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.Func;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * For every op of the API: the gradient {@code backward()} gives for {@code sum(op(x) * c)} matches
 * central finite differences in f64 and the reference interpreter running the traced function's
 * vector-Jacobian product. Inputs are the shapes of the PyTorch fixture (scalars, 1-d to 3-d,
 * broadcasting) with seeded noise, in f64.
 */
class GradCheckTest {
  private static final JsonNode FIXTURE = Fixtures.load("ops.json");
  private static final double H = 1e-6;

  /**
   * Cases whose gradient is PyTorch's rule rather than the derivative: {@code scatter} with a
   * repeated index gives every source element the gradient of the position it names, though only
   * the last write reaches the result (PyTorch's gradient is exact for unique indices only); so do
   * {@code index_put} and {@code x[idx] = v} with a repeated place.
   */
  private static final Set<String> NOT_A_DERIVATIVE =
      Set.of(
          "scatter", "index_put", "index_put_two_indices", "setitem_tensor", "setitem_add_tensor");

  @TestFactory
  Stream<DynamicTest> backward_matchesFiniteDifferencesAndInterpreter() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("ops")) {
      if (!c.get("requires_grad").asBoolean()) {
        continue;
      }
      String name = c.get("name").asText();
      Function<Tensor[], Tensor> op = OpsFixtureTest.OPS.get(name);
      for (long seed = 1; seed <= 2; seed++) {
        long s = seed;
        tests.add(DynamicTest.dynamicTest(name + " seed " + s, () -> check(c, op, s)));
      }
    }
    return tests.stream();
  }

  private static void check(JsonNode c, Function<Tensor[], Tensor> op, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Tensor> xs = new ArrayList<>();
    for (JsonNode t : c.get("inputs")) {
      DType dt = Fixtures.dtype(t);
      boolean grad = t.get("requires_grad").asBoolean();
      double[] v = Fixtures.data(t);
      if (grad) {
        for (int i = 0; i < v.length; i++) {
          v[i] += 0.01 * r.nextGaussian();
        }
      }
      Tensor x = Tensors.of(dt.isFloatingPoint() ? DType.F64 : dt, Fixtures.shape(t), v);
      xs.add(grad ? x.requiresGrad_() : x);
    }
    Tensor[] args = xs.toArray(new Tensor[0]);
    Tensor y = op.apply(args);
    Tensor cot = Tensor.randn(DType.F64, y.shape()).mul(1.0);
    Gradc.Traceable loss = a -> op.apply(a).mul(cot).sum();
    loss.apply(args).backward();

    CompiledFn compiled = Gradc.compile(loss, xs);
    List<Object> buffers = new ArrayList<>();
    for (Tensor x : args) {
      buffers.add(x.dtype() == DType.F64 ? x.toDoubleArray() : bufferOf(x));
    }
    buffers.addAll(compiled.constants());
    Func vjp = compiled.vjpFunc();
    Object[] oracle = Kernels.interpret(vjp).call(buffers.toArray());

    int k = 1;
    for (int i = 0; i < args.length; i++) {
      if (!args[i].requiresGrad()) {
        continue;
      }
      Tensor g = args[i].grad();
      assertNotNull(g, "grad of input " + i);
      double[] api = g.toDoubleArray();
      Tensors.assertClose((double[]) oracle[k++], api, 1e-12, "interpreter vs API, input " + i);
      if (y.dtype() == DType.F64 && !NOT_A_DERIVATIVE.contains(c.get("name").asText())) {
        // (An op that rounds to f32, as to(F32), is checked against the interpreter only.)
        Tensors.assertClose(
            finiteDifferences(compiled, args, i), api, 1e-6, "FD vs API, input " + i);
      }
    }
    assertEquals(vjp.results().size(), k, "gradients returned");
  }

  private static Object bufferOf(Tensor x) {
    return x.dtype() == DType.BOOL ? toBooleans(x.toLongArray()) : x.toLongArray();
  }

  private static boolean[] toBooleans(long[] v) {
    boolean[] b = new boolean[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = v[i] != 0;
    }
    return b;
  }

  /** Central differences of the compiled loss with respect to every element of input {@code i}. */
  private static double[] finiteDifferences(CompiledFn f, Tensor[] args, int i) {
    double[] x = args[i].toDoubleArray();
    double[] d = new double[x.length];
    long[] shape = args[i].shape();
    for (int j = 0; j < x.length; j++) {
      double[] plus = x.clone();
      double[] minus = x.clone();
      plus[j] += H;
      minus[j] -= H;
      d[j] = (eval(f, args, i, plus, shape) - eval(f, args, i, minus, shape)) / (2 * H);
    }
    return d;
  }

  private static double eval(CompiledFn f, Tensor[] args, int i, double[] xi, long[] shape) {
    Tensor[] a = Arrays.copyOf(args, args.length);
    a[i] = Tensors.of(DType.F64, shape, xi);
    return f.value(a).item();
  }
}
