package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.GradcException;
import org.junit.jupiter.api.Test;

/**
 * {@code F.glu} records PyTorch's one {@code GluBackward0} node over its fusing composition, whose
 * value and gradients are those of the halves written out ({@code glu.json} checks them against
 * PyTorch through the .grad builtin), with PyTorch's errors.
 */
class GluTest {
  private static Tensor x() {
    return Tensor.tensor(DType.F64, new double[][] {{1.3, -2.6, 0.7, -0.4}, {3.3, 2.2, 0.0, -30}})
        .requiresGrad_();
  }

  @Test
  void glu_isTheFirstHalfTimesTheSigmoidOfTheSecond_asOneNode() {
    for (int dim : new int[] {-1, 0}) {
      Tensor x = x();
      Tensor y = F.glu(x, dim);
      assertEquals("GluBackward0", y.gradFn().name());
      y.mul(y).sum().backward();
      Tensor u = x();
      long half = u.shape()[dim < 0 ? 1 : 0] / 2;
      int d = dim < 0 ? 1 : 0;
      Tensor z = u.narrow(d, 0, half).mul(u.narrow(d, half, half).sigmoid());
      z.mul(z).sum().backward();
      assertArrayEquals(z.toDoubleArray(), y.toDoubleArray(), 1e-15);
      assertArrayEquals(u.grad().toDoubleArray(), x.grad().toDoubleArray(), 1e-15);
    }
    assertArrayEquals(F.glu(x()).toDoubleArray(), F.glu(x(), 1).toDoubleArray());
  }

  @Test
  void glu_ofAnOddSizeOrAScalar_isPyTorchsError() {
    Tensor odd = Tensor.tensor(DType.F64, new double[][] {{1, 2, 3}});
    assertEquals(
        "Halving dimension must be even, but dimension 1 is size 3",
        assertThrows(GradcException.class, () -> F.glu(odd)).getMessage());
    assertEquals(
        "glu does not support scalars because halving size must be even",
        assertThrows(GradcException.class, () -> F.glu(Tensor.scalar(2.0))).getMessage());
  }
}
