package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.runtime.Kernels;
import org.junit.jupiter.api.Test;

/**
 * A training loop that rebuilds the same graph every step captures the same function text, so the
 * kernel cache compiles each function once: leaves are named by position, not by identity.
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class CacheTest {

  @Test
  void hundredTrainingSteps_compileOnce() {
    Tensor.manualSeed(7);
    Tensor x = Tensor.randn(DType.F64, 16, 4);
    Tensor y = Tensor.randn(DType.F64, 16, 2);
    Tensor w = Tensor.zeros(DType.F64, 4, 2).requiresGrad_();
    Tensor b = Tensor.zeros(DType.F64, 2).requiresGrad_();
    long afterFirstStep = 0;
    long hitsAfterFirstStep = 0;
    double first = 0;
    double last = 0;
    for (int step = 0; step < 100; step++) {
      Tensor loss = F.mseLoss(x.matmul(w).add(b).tanh(), y);
      loss.backward();
      try (NoGrad g = Autograd.noGrad()) {
        w.sub_(w.grad().mul(0.5));
        b.sub_(b.grad().mul(0.5));
      }
      w.grad().zero_();
      b.grad().zero_();
      last = loss.item();
      if (step == 0) {
        first = last;
        afterFirstStep = Gradc.compilations();
        hitsAfterFirstStep = Gradc.cacheHits();
      }
    }
    assertEquals(afterFirstStep, Gradc.compilations(), "compilations after the first step");
    assertEquals(Kernels.compilations(), Gradc.compilations());
    assertTrue(Gradc.cacheHits() >= hitsAfterFirstStep + 99 * 3, "each step hits the cache");
    assertTrue(last < first, "the loop trains: " + first + " -> " + last);
  }

  @Test
  void buildingAGraph_compilesNothingUntilAValueIsRead() {
    Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
    long before = Gradc.compilations() + Gradc.cacheHits();
    Tensor y = x.mul(x).sin().add(x.exp()).sum();
    assertEquals(before, Gradc.compilations() + Gradc.cacheHits());
    double v = y.item();
    assertEquals(
        Math.sin(1) + Math.sin(4) + Math.sin(9) + Math.exp(1) + Math.exp(2) + Math.exp(3), v, 1e-5);
    assertEquals(before + 1, Gradc.compilations() + Gradc.cacheHits());
  }
}
