package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.AnomalyException;
import org.junit.jupiter.api.Test;

/**
 * {@link Autograd#detectAnomaly()}: the first non-finite value of the forward or backward pass
 * names its IR node, its op or grad_fn, and this file's line that recorded the op (computed at run
 * time, so editing the file cannot make the test pass by accident).
 */
@SuppressWarnings("try") // the scope is used for its effect
class AnomalyModeTest {
  private static final String FILE = "AnomalyModeTest.java:";

  /** The line of the caller of this method. */
  private static int lineHere() {
    return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber();
  }

  private static Tensor leaf(double... v) {
    return Tensor.tensor(DType.F64, v).requiresGrad_();
  }

  @Test
  void logOfZeroInForward_namesTheNodeTheOpAndTheJavaLine() {
    Tensor x = leaf(1.0, 0.0, 2.0);
    AnomalyException e;
    int line;
    try (DetectAnomaly a = Autograd.detectAnomaly()) {
      Tensor y = x.mul(3);
      line = lineHere() + 1;
      Tensor z = y.log();
      Tensor loss = z.add(1).sum();
      e = assertThrows(AnomalyException.class, loss::backward);
    }
    String m = e.getMessage();
    assertTrue(m.contains("anomaly detected in forward: 'log' returned -inf values"), m);
    assertTrue(m.contains("= log %"), m);
    assertTrue(e.node().matches("%\\d+: f64\\[3] = log %\\d+"), e.node());
    assertTrue(m.endsWith("the op was recorded at " + FILE + line), m);
    assertEquals(line, e.pos().line());
    assertEquals(null, x.grad(), "backward did not deliver gradients");
  }

  @Test
  void logOfZero_foundWhenTheValueIsAskedFor() {
    Tensor x = Tensor.tensor(DType.F32, 0.0f, 1.0f);
    try (DetectAnomaly a = Autograd.detectAnomaly()) {
      int line = lineHere() + 1;
      Tensor y = x.log();
      AnomalyException e = assertThrows(AnomalyException.class, y::toString);
      assertTrue(e.getMessage().endsWith(FILE + line), e.getMessage());
    }
  }

  @Test
  void nanOnlyInBackward_namesTheForwardOpAndItsGradFn() {
    // sqrt'(0) = inf, times the zero gradient that reaches it: nan, only in the backward pass.
    Tensor x = leaf(0.0, 4.0);
    AnomalyException e;
    int line;
    try (DetectAnomaly a = Autograd.detectAnomaly()) {
      line = lineHere() + 1;
      Tensor r = x.pow(0.5);
      Tensor loss = r.mul(0.0).sum();
      assertEquals(0.0, loss.item(), "the forward pass is finite");
      e = assertThrows(AnomalyException.class, loss::backward);
    }
    String m = e.getMessage();
    assertTrue(
        m.contains(
            "anomaly detected in backward: Function 'PowBackward0' returned nan values in its 0th"
                + " output"),
        m);
    assertTrue(m.contains("the backward of 'pow'"), m);
    assertTrue(m.endsWith("the op was recorded at " + FILE + line), m);
    assertEquals("PowBackward0", e.origin().gradFn());
  }

  @Test
  void outsideTheScope_noCheckRunsAndTheCompiledKernelsAreUsed() {
    Tensor x = leaf(0.0, 4.0);
    long compiled = Gradc.compilations() + Gradc.cacheHits();
    Tensor loss = x.pow(0.5).mul(0.0).sum();
    loss.backward();
    assertTrue(Double.isNaN(x.grad().toDoubleArray()[0]), "PyTorch's nan, unchecked");
    assertTrue(Gradc.compilations() + Gradc.cacheHits() > compiled, "a compiled kernel ran");

    // Inside the scope the interpreter runs: the kernel cache is not consulted.
    Tensor w = leaf(0.0, 4.0);
    long before = Gradc.compilations() + Gradc.cacheHits();
    try (DetectAnomaly a = Autograd.detectAnomaly()) {
      Tensor l = w.pow(0.5).mul(0.0).sum();
      assertThrows(AnomalyException.class, l::backward);
    }
    assertEquals(before, Gradc.compilations() + Gradc.cacheHits(), "no kernel was used");
  }

  @Test
  void withoutCheckNan_callSitesDoNotChangeTheKernel() {
    Tensor x = leaf(0.5, 2.0, 3.0);
    x.exp().mul(x).sum().backward();
    long compilations = Gradc.compilations();
    Tensor w = leaf(0.5, 2.0, 3.0);
    try (DetectAnomaly a = Autograd.detectAnomaly(false)) {
      w.exp().mul(w).sum().backward();
    }
    assertEquals(compilations, Gradc.compilations(), "the same kernel, from the cache");
    assertEquals(x.grad().toString(), w.grad().toString());
  }

  @Test
  void closingTheScope_restoresTheModeItFound() {
    Tensor x = Tensor.tensor(DType.F64, 0.0);
    try (DetectAnomaly outer = Autograd.detectAnomaly()) {
      try (DetectAnomaly inner = Autograd.detectAnomaly(false)) {
        assertEquals("tensor([-inf], dtype=torch.float64)", x.log().toString());
      }
      assertThrows(AnomalyException.class, () -> x.log().toString());
    }
    assertEquals("tensor([-inf], dtype=torch.float64)", x.log().toString());
  }
}
