package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Values are lazy but never stale: a pending value captured before an in-place update of one of its
 * inputs computes from the data it saw. Capture and backward walk the graph iteratively.
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class LazinessTest {

  @Test
  void pendingValue_seesDataFromBeforeAnInPlaceUpdate() {
    Tensor x = Tensor.tensor(1, 2, 3);
    Tensor y = x.mul(2);
    x.add_(10);
    assertEquals("tensor([2., 4., 6.])", y.toString());
    assertEquals("tensor([11., 12., 13.])", x.toString());
    assertEquals(1, x.version());
  }

  @Test
  void pendingValue_seesDataFromBeforeAnUpdateThroughADetachedAlias() {
    Tensor w = Tensor.tensor(1, 2).requiresGrad_();
    Tensor y = w.mul(3);
    w.detach().zero_();
    assertEquals("tensor([3., 6.], grad_fn=<MulBackward0>)", y.toString());
    assertEquals("tensor([0., 0.], requires_grad=True)", w.toString());
    y.sum().backward();
    assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray());
  }

  @Test
  void leafUpdatedUnderNoGrad_betweenTwoUses_collectsBothGradients() {
    Tensor x = Tensor.tensor(1, 2).requiresGrad_();
    Tensor y = x.add(1);
    try (NoGrad g = Autograd.noGrad()) {
      x.mul_(10);
    }
    Tensor z = y.add(x).sum();
    assertEquals(35, z.item(), 0);
    z.backward();
    assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
  }

  @Test
  void chainOfHundredThousandOps_capturesDifferentiatesAndRuns() {
    Tensor x = Tensor.tensor(DType.F64, 1, 2).requiresGrad_();
    Tensor y = x;
    for (int i = 0; i < 100_000; i++) {
      y = (i % 2 == 0) ? y.add(0.001) : y.mul(1.0000001);
    }
    double[] v = y.toDoubleArray();
    double expected = 1;
    double scale = 1;
    for (int i = 0; i < 100_000; i++) {
      expected = (i % 2 == 0) ? expected + 0.001 : expected * 1.0000001;
      scale = (i % 2 == 0) ? scale : scale * 1.0000001;
    }
    assertEquals(expected, v[0], 0);
    y.sum().backward();
    assertArrayEquals(new double[] {scale, scale}, x.grad().toDoubleArray(), 1e-9);
  }
}
