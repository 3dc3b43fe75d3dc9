package dev.gradc.ir.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.FiniteDifferenceTest.Case;
import dev.gradc.ir.opt.Pipeline;
import dev.gradc.ir.testing.Gradients;
import dev.gradc.ir.testing.RandomFuncs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Batching against a loop: for every op (each of its finite-difference cases) and for seeded random
 * programs, the vmapped function run by the interpreter on stacked inputs (seeded {@code in_dims},
 * some inputs unbatched, {@code out_dims} anywhere) equals the original function run on each slice,
 * stacked along {@code out_dims}; before and after the optimization pipeline, with the verifier
 * after every pass. Then the composed transforms: {@code jacrev} and {@code jacfwd} agree with each
 * other and with the rows of reverse mode, {@code hessian} with forward over reverse.
 */
class VmapTest {
  private static final int BATCH = 3;

  @TestFactory
  Stream<DynamicTest> everyOp() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : Op.values()) {
      List<Case> cs = FiniteDifferenceTest.cases(op);
      assertFalse(cs.isEmpty(), "no case for " + op);
      for (Case k : cs) {
        tests.add(
            DynamicTest.dynamicTest(
                op + ": " + k.name(),
                () -> {
                  assertTrue(
                      k.f().insts().stream().map(Inst::op).anyMatch(o -> o == op),
                      k.name() + " does not contain " + op.mnemonic());
                  long seed = k.name().hashCode();
                  for (int trial = 0; trial < 3; trial++) {
                    SplittableRandom rng = new SplittableRandom(seed + trial);
                    List<List<NdArray>> slices = new ArrayList<>();
                    for (int i = 0; i < BATCH; i++) {
                      slices.add(FiniteDifferenceTest.sample(k, rng));
                    }
                    check("op " + op.mnemonic() + ", case " + k.name(), k.f(), slices, rng);
                  }
                }));
      }
    }
    return tests.stream();
  }

  @Test
  void randomPrograms_matchALoopOfCalls() {
    for (long seed = 0; seed < 150; seed++) {
      Func f = JvpTest.everyValue(RandomFuncs.generate(seed, RandomFuncs.Options.ALL));
      // symbolic dims are bound per draw of inputs: the other slices shuffle the first's elements
      List<NdArray> first = RandomFuncs.inputs(f, seed);
      SplittableRandom rng = new SplittableRandom(seed);
      List<List<NdArray>> slices = new ArrayList<>();
      slices.add(new ArrayList<>(first));
      for (int i = 1; i < BATCH; i++) {
        List<NdArray> s = new ArrayList<>();
        for (NdArray a : first) {
          s.add(shuffled(a, rng));
        }
        slices.add(s);
      }
      check(RandomFuncs.describe(seed, f), f, slices, rng);
    }
  }

  @Test
  void vmapOfGrad_isThePerSampleGradient() {
    // a logistic regression's loss on one example: the per-sample gradients are the rows of the
    // gradients of each example's loss
    Builder b = new Builder("loss");
    Param w = b.param("w", Type.of(DType.F64, 3));
    Param x = b.input("x", Type.of(DType.F64, 3));
    Param y = b.input("y", Type.scalar(DType.F64));
    Value z = b.matmul(x, w);
    Value p = b.unary(Op.SIGMOID, z);
    Value l =
        b.neg(
            b.add(
                b.mul(y, b.log(p)),
                b.mul(
                    b.sub(Builder.lit(1, DType.F64), y),
                    b.log(b.sub(Builder.lit(1, DType.F64), p)))));
    b.ret(l);
    Func f = b.build();
    Func perSample =
        Verifier.verify(
            Vmap.vmap(Transforms.grad(f, 0), Arrays.asList(null, 0, 0), List.of(0), Dim.of(4)));
    assertEquals(Type.of(DType.F64, 4, 3), perSample.result(0).type());
    SplittableRandom rng = new SplittableRandom(7);
    NdArray wv = random(rng, 3);
    List<List<NdArray>> slices = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      slices.add(List.of(wv, random(rng, 3), NdArray.scalar(DType.F64, i % 2)));
    }
    List<NdArray> r =
        Interpreter.run(
            perSample, List.of(wv, stack(column(slices, 1), 0), stack(column(slices, 2), 0)));
    Func vjp = Autodiff.vjp(f);
    for (int i = 0; i < 4; i++) {
      double[] expected = Interpreter.run(vjp, slices.get(i)).get(1).toDoubleArray();
      double[] actual = Arrays.copyOfRange(r.get(0).toDoubleArray(), 3 * i, 3 * i + 3);
      assertEquals(null, Gradients.compare(List.of(expected), List.of(actual), 1e-14));
    }
  }

  @Test
  void jacrevAndJacfwd_agreeWithReverseModeRows() {
    for (long seed = 0; seed < 40; seed++) {
      Func f = RandomFuncs.generate(seed, RandomFuncs.Options.SMOOTH_F64);
      List<NdArray> args = RandomFuncs.inputs(f, seed);
      int[] argnums = floatParams(f);
      if (argnums.length == 0 || !f.params().stream().allMatch(p -> p.type().isStatic())) {
        continue;
      }
      String what = RandomFuncs.describe(seed, f);
      List<NdArray> rev = Interpreter.run(Verifier.verify(Transforms.jacrev(f, argnums)), args);
      List<NdArray> fwd = Interpreter.run(Verifier.verify(Transforms.jacfwd(f, argnums)), args);
      assertEquals(rev.size(), fwd.size(), what);
      for (int i = 0; i < rev.size(); i++) {
        assertEquals(
            null,
            Gradients.compare(
                List.of(rev.get(i).toDoubleArray()), List.of(fwd.get(i).toDoubleArray()), 1e-10),
            what);
      }
      // the row of result 0's (flattened) element e is the vjp along the e-th basis cotangent
      Func vjp = Autodiff.vjp(withParams(f, argnums), true);
      Type y = f.result(0).type();
      int rows = y.staticNumel();
      for (int e = 0; e < rows; e++) {
        List<NdArray> in = new ArrayList<>(args);
        for (int k = 0; k < f.results().size(); k++) {
          Type yk = f.result(k).type();
          double[] u = new double[yk.staticNumel()];
          if (k == 0) {
            u[e] = 1;
          }
          in.add(NdArray.of(yk.dtype(), yk.shape(Map.of()), u));
        }
        List<NdArray> g = Interpreter.run(vjp, in);
        for (int j = 0; j < argnums.length; j++) {
          double[] expected = g.get(f.results().size() + j).toDoubleArray();
          double[] block = rev.get(j).toDoubleArray();
          double[] row = Arrays.copyOfRange(block, e * expected.length, (e + 1) * expected.length);
          assertEquals(null, Gradients.compare(List.of(expected), List.of(row), 1e-12), what);
        }
      }
    }
  }

  @Test
  void hessian_matchesForwardOverReverseColumns() {
    Builder b = new Builder("rosenbrock");
    Param x = b.param("x", Type.of(DType.F64, 4));
    Value head = b.slice(x, 0, 0, 1, 3);
    Value tail = b.slice(x, 0, 1, 1, 3);
    Value t1 = b.mul(b.square(b.sub(tail, b.square(head))), 100.0);
    Value t2 = b.square(b.sub(Builder.lit(1, DType.F64), head));
    b.ret(b.sum(b.add(t1, t2)));
    Func f = b.build();
    Func h = Verifier.verify(Transforms.hessian(f, 0));
    assertEquals(Type.of(DType.F64, 4, 4), h.result(0).type());
    NdArray at = NdArray.of(DType.F64, new int[] {4}, 0.3, -1.2, 0.8, 1.1);
    double[] actual = Interpreter.run(h, at).get(0).toDoubleArray();
    Func hvp = Autodiff.jvp(Autodiff.vjp(f));
    for (int j = 0; j < 4; j++) {
      double[] v = new double[4];
      v[j] = 1;
      double[] column =
          Interpreter.run(hvp, at, NdArray.of(DType.F64, new int[] {4}, v)).get(3).toDoubleArray();
      for (int i = 0; i < 4; i++) {
        assertEquals(column[i], actual[i * 4 + j], 1e-12 * Math.max(1, Math.abs(column[i])));
      }
    }
  }

  @Test
  void badInDims_areClearErrors() {
    Builder b = new Builder("f");
    Param x = b.param("x", Type.of(DType.F64, 3));
    b.ret(b.sum(x));
    Func f = b.build();
    GradcException e =
        assertThrows(GradcException.class, () -> Vmap.vmap(f, List.of(2), List.of(0), Dim.of(4)));
    assertEquals(
        "vmap: in_dims[0]=2 is out of range for a value of 1 dims (expected a dim in [-2, 1])",
        e.getMessage());
    e =
        assertThrows(
            GradcException.class,
            () -> Vmap.vmap(f, Arrays.asList((Integer) null), List.of(0), Dim.of(4)));
    assertTrue(e.getMessage().startsWith("vmap: at least one input must be batched"));
  }

  // ---------------------------------------------------------------- the loop

  /**
   * Vmaps {@code f} with seeded dims and checks it against a loop over {@code slices} (one list of
   * arguments per batch element; unbatched inputs take slice 0's value).
   */
  private static void check(String what, Func f, List<List<NdArray>> slices, SplittableRandom rng) {
    int n = f.params().size();
    List<Integer> inDims = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int rank = f.params().get(i).type().rank();
      inDims.add(rng.nextInt(4) == 0 ? null : rng.nextInt(-rank - 1, rank + 1));
    }
    if (n > 0 && inDims.stream().allMatch(d -> d == null)) {
      inDims.set(0, 0);
    }
    if (n == 0) {
      return;
    }
    List<Integer> outDims = new ArrayList<>();
    for (Value r : f.results()) {
      outDims.add(rng.nextInt(r.type().rank() + 1));
    }
    List<NdArray> batchedArgs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Integer d = inDims.get(i);
      if (d == null) {
        for (List<NdArray> s : slices) {
          s.set(i, slices.get(0).get(i));
        }
        batchedArgs.add(slices.get(0).get(i));
      } else {
        int rank = f.params().get(i).type().rank();
        batchedArgs.add(stack(column(slices, i), d < 0 ? d + rank + 1 : d));
      }
    }
    List<List<NdArray>> each = new ArrayList<>();
    for (List<NdArray> s : slices) {
      each.add(Interpreter.run(f, s));
    }
    Func v = Verifier.verify(Vmap.vmap(f, inDims, outDims, Dim.of(BATCH)));
    String where = what + " with in_dims " + inDims + ", out_dims " + outDims + "\n";
    for (Func g : List.of(v, Pipeline.run(v, (pass, out) -> Verifier.verify(out)))) {
      List<NdArray> actual = Interpreter.run(g, batchedArgs);
      for (int k = 0; k < f.results().size(); k++) {
        List<NdArray> results = new ArrayList<>();
        for (List<NdArray> r : each) {
          results.add(r.get(k));
        }
        NdArray expected = stack(results, outDims.get(k));
        assertTrue(
            Arrays.equals(expected.shape(), actual.get(k).shape()),
            where + "result " + k + " shape " + Arrays.toString(actual.get(k).shape()));
        // a batched f32 matmul may sum in another order than the loop's: an f32 rounding apart
        double tol = f.results().get(k).type().dtype() == DType.F32 ? 1e-6 : 1e-12;
        String problem =
            Gradients.compare(
                List.of(expected.toDoubleArray()), List.of(actual.get(k).toDoubleArray()), tol);
        if (problem != null) {
          throw new AssertionError(where + "result " + k + ": " + problem + "\n" + f + "\n" + g);
        }
      }
    }
  }

  private static List<NdArray> column(List<List<NdArray>> slices, int i) {
    List<NdArray> out = new ArrayList<>();
    for (List<NdArray> s : slices) {
      out.add(s.get(i));
    }
    return out;
  }

  /** The arrays stacked along a new dim {@code at}. */
  static NdArray stack(List<NdArray> items, int at) {
    int[] shape = items.get(0).shape();
    int outer = 1;
    for (int i = 0; i < at; i++) {
      outer *= shape[i];
    }
    int inner = NdArray.numel(shape) / Math.max(outer, 1);
    if (outer == 0) {
      inner = 0;
    }
    int count = items.size();
    double[] data = new double[outer * count * inner];
    for (int b = 0; b < count; b++) {
      double[] d = items.get(b).toDoubleArray();
      for (int o = 0; o < outer; o++) {
        System.arraycopy(d, o * inner, data, (o * count + b) * inner, inner);
      }
    }
    int[] out = new int[shape.length + 1];
    for (int i = 0, j = 0; i < out.length; i++) {
      out[i] = i == at ? count : shape[j++];
    }
    return NdArray.of(items.get(0).dtype(), out, data);
  }

  private static NdArray shuffled(NdArray a, SplittableRandom rng) {
    double[] d = a.toDoubleArray();
    for (int i = d.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      double t = d[i];
      d[i] = d[j];
      d[j] = t;
    }
    return NdArray.of(a.dtype(), a.shape(), d);
  }

  private static NdArray random(SplittableRandom rng, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = rng.nextDouble(-1, 1);
    }
    return NdArray.of(DType.F64, new int[] {n}, d);
  }

  private static int[] floatParams(Func f) {
    return f.params().stream()
        .filter(p -> p.type().dtype().isFloat())
        .mapToInt(Param::id)
        .toArray();
  }

  /** {@code f} with exactly the parameters {@code argnums} requiring grad. */
  private static Func withParams(Func f, int[] argnums) {
    Builder b = new Builder(f.name());
    List<Value> args = new ArrayList<>();
    for (Param p : f.params()) {
      boolean grad = Arrays.stream(argnums).anyMatch(a -> a == p.id());
      args.add(grad ? b.param(p.name(), p.type()) : b.input(p.name(), p.type()));
    }
    b.ret(b.inline(f, args).toArray(new Value[0]));
    return b.build();
  }
}
