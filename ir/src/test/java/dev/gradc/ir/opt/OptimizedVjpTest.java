package dev.gradc.ir.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.testing.RandomFuncs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the passes: on a few hundred random functions, the optimized vjp (verified
 * after every pass) gives the numbers of the unoptimized one. Only simplify's {@code logsumexp}
 * rewrite may change rounding, so the tolerance is a few ulps in f64 and f32.
 */
class OptimizedVjpTest {
  static final int SEEDS = 300;

  @Test
  void optimizedVjp_givesTheNumbersOfTheUnoptimized() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Func f = RandomFuncs.generate(seed);
      Func vjp = Verifier.verify(Autodiff.vjp(f));
      Func opt = Pipeline.run(vjp, (pass, out) -> Verifier.verify(out));
      List<NdArray> args = RandomFuncs.inputs(f, seed);
      List<NdArray> plain = Interpreter.run(vjp, args);
      List<NdArray> fast = Interpreter.run(opt, args);
      String why = RandomFuncs.describe(seed, f) + "optimized vjp:\n" + opt;
      assertEquals(
          Interpreter.run(f, args).get(0).item(), plain.get(0).item(), "forward value; " + why);
      assertEquals(plain.size(), fast.size(), why);
      for (int k = 0; k < plain.size(); k++) {
        double[] a = plain.get(k).toDoubleArray();
        double[] b = fast.get(k).toDoubleArray();
        double tol = plain.get(k).dtype() == DType.F32 ? 1e-4 : 1e-11;
        for (int i = 0; i < a.length; i++) {
          if (Double.compare(a[i], b[i]) != 0
              && !(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(a[i])))) {
            throw new AssertionError(
                "result "
                    + k
                    + " element "
                    + i
                    + ": "
                    + a[i]
                    + " before, "
                    + b[i]
                    + " after; "
                    + why);
          }
        }
      }
    }
  }
}
