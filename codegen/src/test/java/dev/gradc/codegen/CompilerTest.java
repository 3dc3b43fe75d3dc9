package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompilerTest {
  static NdArray random(SplittableRandom rnd, DType dt, int... shape) {
    double[] d = new double[NdArray.numel(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextDouble(-2, 2);
    }
    return new NdArray(dt, shape, d);
  }

  /** Compiled results equal the interpreter's, within {@code tol} relative. */
  static void assertMatches(Func f, List<NdArray> args, double tol) {
    assertMatches(f, Loaded.of(f), args, tol);
  }

  static void assertMatches(Func f, Loaded compiled, List<NdArray> args, double tol) {
    List<NdArray> want = Interpreter.run(f, args);
    List<NdArray> got = compiled.run(args);
    for (int i = 0; i < want.size(); i++) {
      NdArray w = want.get(i);
      NdArray g = got.get(i);
      assertArrayEquals(w.shape(), g.shape(), "shape of result " + i);
      for (int k = 0; k < w.size(); k++) {
        double a = w.get(k);
        double b = g.get(k);
        if (a == b || (Double.isNaN(a) && Double.isNaN(b))) {
          continue; // equal infinities too
        }
        double err = Math.abs(a - b) / Math.max(1, Math.abs(a));
        if (!(err <= tol)) {
          throw new AssertionError(
              "result "
                  + i
                  + " element "
                  + k
                  + ": interpreter "
                  + a
                  + ", compiled "
                  + b
                  + "\n"
                  + f
                  + compiled.compiled.plan());
        }
      }
    }
  }

  static Func mse(String n) {
    return Parser.parse(
        "func @mse(%a: f64["
            + n
            + "], %b: f64["
            + n
            + "], %c: f64["
            + n
            + "], input %d: f64["
            + n
            + "]) -> f64 {\n"
            + "  %0: f64["
            + n
            + "] = mul %a, %b\n"
            + "  %1: f64["
            + n
            + "] = add %0, %c\n"
            + "  %2: f64["
            + n
            + "] = sub %1, %d\n"
            + "  %3: f64["
            + n
            + "] = pow %2, 2.0\n"
            + "  %4: f64 = mean %3\n"
            + "  ret %4\n"
            + "}\n");
  }

  @Test
  void mseValueAndGradient_isOneLoop() {
    Plan p = Compiler.plan(Autodiff.vjp(mse("N")));
    assertEquals(1, p.kernelCount(), p.text());
    assertEquals(0, p.libraryCallCount(), p.text());
  }

  @Test
  void mseValueAndGradient_matchesInterpreter() {
    SplittableRandom rnd = new SplittableRandom(1);
    Func g = Autodiff.vjp(mse("N"));
    for (int n : new int[] {1, 7, 100_003}) {
      List<NdArray> args =
          List.of(
              random(rnd, DType.F64, n),
              random(rnd, DType.F64, n),
              random(rnd, DType.F64, n),
              random(rnd, DType.F64, n));
      assertMatches(g, args, 1e-12);
    }
  }

  @Test
  void logsumexpWithGradient_hasTheLoopsItsDependenciesForce() {
    Builder b = new Builder("lse");
    Value x = b.param("x", Type.of(DType.F64, 1000));
    b.ret(b.reduce(dev.gradc.ir.Op.LOGSUMEXP, x, new int[0], false));
    Func g = Autodiff.vjp(b.build());
    Plan p = Compiler.plan(g);
    // max, then sum of exp(x - max), then the gradient exp(x - lse): each needs the previous.
    assertEquals(3, p.kernelCount(), p.text());
    SplittableRandom rnd = new SplittableRandom(2);
    assertMatches(g, List.of(random(rnd, DType.F64, 1000)), 1e-12);
  }

  @Test
  void rowSoftmaxCrossEntropyAndMatmul_matchInterpreter() {
    Builder b = new Builder("mlp");
    Value x = b.input("x", Type.of(DType.F32, 5, 7));
    Value w = b.param("w", Type.of(DType.F32, 7, 3));
    Value bias = b.param("bias", Type.of(DType.F32, 3));
    Value t = b.input("t", Type.of(DType.I64, 5));
    Value logits = b.add(b.matmul(x, w), bias);
    b.ret(b.crossEntropy(b.unary(dev.gradc.ir.Op.RELU, logits), t));
    Func g = Autodiff.vjp(b.build());
    SplittableRandom rnd = new SplittableRandom(3);
    NdArray labels = new NdArray(DType.I64, new int[] {5}, new double[] {0, 2, 1, 1, 0});
    assertMatches(
        g,
        List.of(
            random(rnd, DType.F32, 5, 7),
            random(rnd, DType.F32, 7, 3),
            random(rnd, DType.F32, 3),
            labels),
        1e-5);
  }
}
