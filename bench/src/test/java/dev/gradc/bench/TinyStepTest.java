package dev.gradc.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The tiny step computes the tutorial's gradients, and zeroing them keeps every step the same; its
 * parts compute the same value and gradients.
 */
class TinyStepTest {
  private static final double[] EXPECTED = {44, 42, 23};

  @Test
  void step_givesTutorialGradients_everyStep() {
    TinyStep s = new TinyStep();
    s.setUp();
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(new double[] {42, 23}, s.step(), "step " + i);
    }
  }

  @Test
  void firstSteps_runsStepsOnFreshLeaves_lastGradients() {
    assertArrayEquals(new double[] {42, 23}, FirstSteps.run(5));
  }

  @Test
  void parts_computeTheStepsValues() {
    TinyStepPartsBench bench = new TinyStepPartsBench();
    TinyStepPartsBench.Parts p = new TinyStepPartsBench.Parts();
    p.setUp();
    assertEquals(44, bench.record(p).item());
    assertArrayEquals(EXPECTED, TinyStepPartsBench.results(bench.buildAndCall(p)));
    assertArrayEquals(EXPECTED, TinyStepPartsBench.results(bench.kernel(p)));
  }
}
