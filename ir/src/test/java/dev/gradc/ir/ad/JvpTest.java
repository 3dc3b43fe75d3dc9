package dev.gradc.ir.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.FiniteDifferenceTest.Case;
import dev.gradc.ir.opt.Pipeline;
import dev.gradc.ir.testing.Gradients;
import dev.gradc.ir.testing.RandomFuncs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Forward mode against reverse mode and finite differences, in f64: for every op (each of its
 * finite-difference cases) and for random programs, the jvp along a random direction {@code v}
 * matches central differences along {@code v}, and satisfies the adjoint identity {@code <vjp(u),
 * v> == <u, jvp(v)>} for a random output cotangent {@code u}; both before and after the
 * optimization pipeline.
 */
class JvpTest {
  /** Relative tolerance of the adjoint identity: both sides are the same bilinear form. */
  private static final double ADJOINT_TOL = 1e-10;

  /** The same where a function computes in f32. */
  private static final double F32_ADJOINT_TOL = 1e-4;

  @TestFactory
  Stream<DynamicTest> everyOp() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : Op.values()) {
      List<Case> cs = FiniteDifferenceTest.cases(op);
      assertFalse(cs.isEmpty(), "no case for " + op);
      for (Case k : cs) {
        tests.add(DynamicTest.dynamicTest(op + ": " + k.name(), () -> runCase(op, k)));
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> everyLoss() {
    return FiniteDifferenceTest.losses().stream()
        .map(k -> DynamicTest.dynamicTest(k.name(), () -> runCase(null, k)));
  }

  private static void runCase(Op op, Case k) {
    Func f = k.f();
    if (op != null) {
      assertTrue(
          f.insts().stream().map(Inst::op).anyMatch(o -> o == op),
          k.name() + " does not contain " + op.mnemonic());
    }
    String what = (op == null ? "" : "op " + op.mnemonic() + ", ") + "case " + k.name();
    List<NdArray> args = FiniteDifferenceTest.sample(k);
    List<NdArray> v = directions(f, args, k.name().hashCode());
    // Each case returns a scalar: its directional derivative is <gradient, v>, with the gradient
    // from central differences (or the case's oracle where they do not apply).
    List<double[]> grads =
        k.oracle() != null ? k.oracle().apply(args) : Gradients.numeric(f, args, k.h());
    double expected = 0;
    for (int i = 0; i < grads.size(); i++) {
      expected += dot(grads.get(i), v.get(i).toDoubleArray());
    }
    for (Func jvp : jvps(f)) {
      List<NdArray> r = run(jvp, args, v);
      double actual = r.get(1).item();
      if (!Gradients.close(expected, actual, k.tol() * 10)) {
        throw new AssertionError(
            what
                + ": jvp "
                + actual
                + ", finite differences along v "
                + expected
                + "\n"
                + Printer.print(jvp));
      }
    }
    checkAdjoint(what, f, args, v, k.name().hashCode(), false);
  }

  @Test
  void randomPrograms_matchFiniteDifferencesAndVjp() {
    for (long seed = 0; seed < 220; seed++) {
      Func f = everyValue(RandomFuncs.generate(seed, RandomFuncs.Options.SMOOTH_F64));
      List<NdArray> args = RandomFuncs.inputs(f, seed);
      List<NdArray> v = directions(f, args, seed);
      String what = RandomFuncs.describe(seed, f);
      List<double[]> expected = directional(f, args, v, 1e-6);
      for (Func jvp : jvps(f)) {
        List<NdArray> r = run(jvp, args, v);
        int m = f.results().size();
        List<double[]> primal = new ArrayList<>();
        List<double[]> actual = new ArrayList<>();
        for (int j = 0; j < m; j++) {
          primal.add(r.get(j).toDoubleArray());
          actual.add(r.get(m + j).toDoubleArray());
        }
        assertEquals(null, Gradients.compare(values(f, args), primal, 1e-12), what);
        String problem = Gradients.compare(expected, actual, 1e-5);
        if (problem != null) {
          throw new AssertionError(problem + " (result k)\n" + what + "jvp:\n" + jvp);
        }
      }
      checkAdjoint(what, f, args, v, seed, false);
    }
  }

  @Test
  void randomProgramsWithKinks_satisfyTheAdjointIdentity() {
    // Kinks, ties, comparisons, detach, f32 values: finite differences do not apply, but forward
    // and reverse mode must still be transposes of each other wherever they are finite.
    for (long seed = 0; seed < 100; seed++) {
      Func f = RandomFuncs.generate(seed, RandomFuncs.Options.ALL);
      List<NdArray> args = RandomFuncs.inputs(f, seed);
      checkAdjoint(RandomFuncs.describe(seed, f), f, args, directions(f, args, seed), seed, true);
    }
  }

  @Test
  void tangentsOfSomeParameters() {
    Builder b = new Builder("f");
    Param x = b.param("x", Type.of(DType.F64, 3));
    Param y = b.param("y", Type.of(DType.F64, 3));
    b.ret(b.mul(b.exp(x), y));
    Func f = b.build();
    Func jvp = Verifier.verify(Autodiff.jvp(f, List.of(y)));
    assertEquals(List.of("x", "y", "tangent_y"), jvp.params().stream().map(Param::name).toList());
    NdArray xs = NdArray.of(DType.F64, new int[] {3}, 0, 1, 2);
    NdArray ys = NdArray.of(DType.F64, new int[] {3}, 5, 6, 7);
    NdArray ts = NdArray.of(DType.F64, new int[] {3}, 1, -1, 2);
    double[] t = Interpreter.run(jvp, xs, ys, ts).get(1).toDoubleArray();
    for (int i = 0; i < 3; i++) {
      assertEquals(Math.exp(i) * ts.get(i), t[i], 1e-12);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The jvp of {@code f}, verified, and its optimized form, verified after every pass. */
  private static List<Func> jvps(Func f) {
    Func jvp = Verifier.verify(Autodiff.jvp(f));
    return List.of(jvp, Pipeline.run(jvp, (pass, out) -> Verifier.verify(out)));
  }

  /**
   * {@code f} returning every float value it computes (instructions and params), then its own
   * results: tangents of intermediate values of every shape, not only of the scalar result.
   */
  static Func everyValue(Func f) {
    Builder b = new Builder(f.name());
    List<Value> args = new ArrayList<>();
    for (Param p : f.params()) {
      args.add(b.addParam(p.name(), p.type(), p.role()));
    }
    Value[] map = new Value[f.valueCount()];
    for (int i = 0; i < args.size(); i++) {
      map[i] = args.get(i);
    }
    List<Value> out = new ArrayList<>();
    for (Inst inst : f.insts()) {
      map[inst.id()] = b.emitLike(inst, Builder.mapped(inst.operands(), map));
      if (inst.type().dtype().isFloat()) {
        out.add(map[inst.id()]);
      }
    }
    for (Value r : f.results()) {
      out.add(r instanceof Inst || r instanceof Param ? map[r.id()] : r);
    }
    b.ret(out.toArray(new Value[0]));
    return b.build();
  }

  private static List<double[]> values(Func f, List<NdArray> args) {
    return Interpreter.run(f, args).stream().map(NdArray::toDoubleArray).toList();
  }

  /** A direction in {@code [-1, 1]} per parameter that requires grad, shaped as its argument. */
  private static List<NdArray> directions(Func f, List<NdArray> args, long seed) {
    SplittableRandom rng = new SplittableRandom(seed * 31 + 17);
    List<NdArray> v = new ArrayList<>();
    for (Param p : f.gradParams()) {
      NdArray a = args.get(p.id());
      double[] d = new double[a.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = a.dtype().round(2 * rng.nextDouble() - 1);
      }
      v.add(NdArray.of(a.dtype(), a.shape(), d));
    }
    return v;
  }

  private static List<NdArray> run(Func f, List<NdArray> args, List<NdArray> extra) {
    List<NdArray> all = new ArrayList<>(args);
    all.addAll(extra);
    return Interpreter.run(f, all);
  }

  /** Central differences of every result of {@code f} along {@code v}, step {@code h}. */
  private static List<double[]> directional(Func f, List<NdArray> args, List<NdArray> v, double h) {
    List<NdArray> up = Interpreter.run(f, Gradients.moved(f, args, v, h));
    List<NdArray> down = Interpreter.run(f, Gradients.moved(f, args, v, -h));
    List<double[]> out = new ArrayList<>();
    for (int j = 0; j < up.size(); j++) {
      double[] u = up.get(j).toDoubleArray();
      double[] d = down.get(j).toDoubleArray();
      double[] g = new double[u.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = (u[i] - d[i]) / (2 * h);
      }
      out.add(g);
    }
    return out;
  }

  /**
   * Asserts {@code <vjp(u), v> == <u, jvp(v)>} for a random cotangent {@code u} of every result,
   * relative to the sum of the magnitudes of the terms; skipped where either side is not finite.
   */
  private static void checkAdjoint(
      String what, Func f, List<NdArray> args, List<NdArray> v, long seed, boolean kinks) {
    int m = f.results().size();
    SplittableRandom rng = new SplittableRandom(seed * 7919 + 3);
    List<NdArray> primal = Interpreter.run(f, args);
    List<NdArray> u = new ArrayList<>();
    for (int j = 0; j < m; j++) {
      NdArray y = primal.get(j);
      double[] d = new double[y.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = y.dtype().round(2 * rng.nextDouble() - 1);
      }
      u.add(NdArray.of(y.dtype(), y.shape(), d));
    }
    boolean f32 =
        java.util.stream.IntStream.range(0, f.valueCount())
            .anyMatch(i -> f.value(i).type().dtype() == DType.F32);
    double tol = f32 ? F32_ADJOINT_TOL : ADJOINT_TOL;
    Func vjp = Verifier.verify(Autodiff.vjp(f, true));
    List<NdArray> g = run(vjp, args, u);
    double[] lhs = {0, 0};
    for (int k = 0; k < v.size(); k++) {
      accumulate(lhs, g.get(m + k).toDoubleArray(), v.get(k).toDoubleArray());
    }
    for (Func jvp : jvps(f)) {
      List<NdArray> t = run(jvp, args, v);
      double[] rhs = {0, 0};
      for (int j = 0; j < m; j++) {
        accumulate(rhs, u.get(j).toDoubleArray(), t.get(m + j).toDoubleArray());
      }
      if (!Double.isFinite(lhs[0]) || !Double.isFinite(rhs[0])) {
        if (kinks && Double.isNaN(lhs[0]) != Double.isNaN(rhs[0])) {
          // At a kink one mode may divide 0 by 0 where the other masks it: atan2(0, 0) behind
          // relu is NaN in forward mode (as PyTorch's formula) and masked in reverse mode.
          continue;
        }
        assertEquals(
            Double.isNaN(lhs[0]), Double.isNaN(rhs[0]), what + ": NaN in one mode only\n" + jvp);
        continue;
      }
      double scale = 1 + Math.max(lhs[1], rhs[1]);
      if (Math.abs(lhs[0] - rhs[0]) > tol * scale) {
        throw new AssertionError(
            what + ": <vjp(u), v> = " + lhs[0] + " but <u, jvp(v)> = " + rhs[0] + "\n" + jvp);
      }
    }
  }

  /** Adds {@code <a, b>} to {@code acc[0]} and {@code sum |a_i b_i|} to {@code acc[1]}. */
  private static void accumulate(double[] acc, double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      acc[0] += a[i] * b[i];
      acc[1] += Math.abs(a[i] * b[i]);
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
