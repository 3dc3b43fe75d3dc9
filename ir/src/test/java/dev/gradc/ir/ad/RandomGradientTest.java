package dev.gradc.ir.ad;

import dev.gradc.ir.Func;
import dev.gradc.ir.testing.Gradients;
import dev.gradc.ir.testing.RandomFuncs;
import org.junit.jupiter.api.Test;

/**
 * Compositions of ops: the gradients of random smooth f64 functions (broadcasts, reductions with
 * keepdim, matmuls, shape ops between them) match central differences.
 */
class RandomGradientTest {
  @Test
  void smoothRandomFunctions_matchFiniteDifferences() {
    for (long seed = 0; seed < 150; seed++) {
      Func f = RandomFuncs.generate(seed, RandomFuncs.Options.SMOOTH_F64);
      try {
        Gradients.check(f, RandomFuncs.inputs(f, seed), 1e-5);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }
}
