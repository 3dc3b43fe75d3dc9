package dev.gradc.ir.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.FiniteDifferenceTest.Case;
import dev.gradc.ir.opt.Pipeline;
import dev.gradc.ir.testing.Domain;
import dev.gradc.ir.testing.Gradients;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Higher-order gradients: the vjp of a function built from a vjp (inlined with {@link
 * Builder#inline}) verifies, runs, and gives Hessian-vector products that match central differences
 * of the gradient. Every finite-difference case of every op is checked this way, so every gradient
 * rule is itself differentiated.
 */
class HigherOrderTest {
  private static final DType F = DType.F64;

  @TestFactory
  Stream<DynamicTest> hessianVector_everyOpCase() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : Op.values()) {
      for (Case k : FiniteDifferenceTest.cases(op)) {
        // Detach has no finite-difference oracle; casts through f32 are too coarse for one.
        if (k.oracle() == null && k.h() <= 1e-6) {
          tests.add(DynamicTest.dynamicTest(k.name(), () -> check(k)));
        }
      }
    }
    for (Case k : FiniteDifferenceTest.losses()) {
      tests.add(DynamicTest.dynamicTest(k.name(), () -> check(k)));
    }
    return tests.stream();
  }

  private static void check(Case k) {
    List<NdArray> args = FiniteDifferenceTest.sample(k);
    SplittableRandom rng = new SplittableRandom(~k.name().hashCode());
    List<NdArray> v = new ArrayList<>();
    for (Param p : k.f().gradParams()) {
      NdArray x = args.get(p.id());
      v.add(NdArray.of(F, x.shape(), new Domain(-1, 1, 0).sample(rng, F, x.size())));
    }
    Gradients.checkHessianVector(k.f(), args, v, 1e-5, 2e-5);
  }

  /** {@code f(x) = sum(x^4)}, whose derivatives are known in closed form. */
  private static Func quartic() {
    Builder b = new Builder("quartic");
    Param x = b.param("x", Type.of(F, 3));
    b.ret(b.sum(b.pow(x, Builder.lit(4, F))));
    return b.build();
  }

  @Test
  void hessianVector_ofQuartic_isClosedForm() {
    Func hvp = Verifier.verify(Autodiff.vjp(Gradients.gradientDot(quartic())));
    double[] x = {1, -2, 0.5};
    double[] v = {1, 0.5, -2};
    List<NdArray> r =
        Interpreter.run(hvp, NdArray.of(F, new int[] {3}, x), NdArray.of(F, new int[] {3}, v));
    double[] hv = r.get(1).toDoubleArray();
    for (int i = 0; i < 3; i++) {
      assertEquals(12 * x[i] * x[i] * v[i], hv[i], 1e-12);
    }
  }

  @Test
  void thirdOrder_vjpOfAVjpOfAVjp_isClosedForm() {
    // The gradient of sum(H(x) v * u) for f = sum(x^4) is 24 x v u.
    Func h2 = Gradients.gradientDot(Gradients.gradientDot(quartic()));
    Func third = Verifier.verify(Autodiff.vjp(h2));
    Func opt = Pipeline.run(third, (p, out) -> Verifier.verify(out));
    double[] x = {1, -2, 0.5};
    double[] v = {1, 0.5, -2};
    double[] u = {2, 1, 1};
    for (Func g : List.of(third, opt)) {
      List<NdArray> r =
          Interpreter.run(
              g,
              NdArray.of(F, new int[] {3}, x),
              NdArray.of(F, new int[] {3}, v),
              NdArray.of(F, new int[] {3}, u));
      double[] d = r.get(1).toDoubleArray();
      for (int i = 0; i < 3; i++) {
        assertEquals(24 * x[i] * v[i] * u[i], d[i], 1e-12);
      }
    }
  }

  @Test
  void vjpOfVjp_seededByGradOutput_matchesFiniteDifferences() {
    // g(x, go, w) = sum(vjp(softmax(x * x), go) * w): a vjp seeded by an input, differentiated.
    Builder fb = new Builder("f");
    Param fx = fb.param("x", Type.of(F, 2, 3));
    fb.ret(fb.softmax(fb.mul(fx, fx), 1));
    Func vjp = Verifier.verify(Autodiff.vjp(fb.build(), true));
    assertEquals(Autodiff.GRAD_OUTPUT, vjp.params().get(1).name());
    Builder b = new Builder("g");
    Param x = b.param("x", Type.of(F, 2, 3));
    Param go = b.input("go", Type.of(F, 2, 3));
    Param w = b.input("w", Type.of(F, 2, 3));
    List<Value> r = b.inline(vjp, List.of(x, go));
    b.ret(b.sum(b.mul(r.get(1), w)));
    Func g = b.build();
    SplittableRandom rng = new SplittableRandom(7);
    List<NdArray> args = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      args.add(NdArray.of(F, new int[] {2, 3}, Domain.ANY.sample(rng, F, 6)));
    }
    Gradients.check(g, args, 1e-6);
  }
}
