package dev.gradc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.bench.baseline.Erf;
import dev.gradc.ir.math.MathF64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The baselines' fast erf agrees with the project's own erf (within an ulp of the exact value). The
 * generator checks the table-driven one against the C library to 7e-16 relative, hence the
 * tolerance.
 */
class ErfTest {
  @Test
  void erf_matchesMathF64() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < 200_000; i++) {
      double x = i < 100_000 ? rnd.nextDouble(-7, 7) : Math.scalb(rnd.nextDouble(-1, 1), -i % 60);
      double expected = MathF64.erf(x);
      assertEquals(expected, Erf.erf(x), 2e-15 * Math.abs(expected) + 1e-300, "erf(" + x + ")");
    }
  }

  @Test
  void erf_specialValues() {
    assertEquals(0.0, Erf.erf(0.0));
    assertEquals(-0.0, Erf.erf(-0.0));
    assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, Erf.erf(-6.5));
    assertEquals(Double.NaN, Erf.erf(Double.NaN));
  }
}
