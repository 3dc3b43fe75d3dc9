package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.GradcException;
import org.junit.jupiter.api.Test;

/**
 * {@code x.index(...)} with tensors among other indices: shapes as PyTorch places the index dims,
 * and PyTorch 1.13's errors (its values and gradients are in {@code functions.json}).
 */
class MixedIndexTest {
  private static final Tensor X = Tensor.arange(DType.F64, 0, 24, 1).reshape(2, 3, 4);

  private static Tensor longs(double... v) {
    return Tensor.tensor(DType.I64, v);
  }

  @Test
  void shapes_arePyTorchs() {
    Tensor i = longs(0, 2);
    Tensor j = longs(1, 3).reshape(2, 1);
    assertArrayEquals(new long[] {2, 2, 4}, X.index(":", i).shape());
    assertArrayEquals(new long[] {3, 2}, X.index(0, ":", i).shape());
    assertArrayEquals(new long[] {2, 2, 3}, X.index(longs(0, 0), ":", j).shape());
    assertArrayEquals(new long[] {2, 2, 2}, X.index(":", i, j).shape());
    assertArrayEquals(new long[] {2, 3, 2}, X.index("...", i).shape());
    assertArrayEquals(new long[] {1, 2, 2, 4}, X.index("None, :", i).shape());
    assertArrayEquals(new long[] {1, 2}, X.index("1:", i, 1).shape());
    assertArrayEquals(new double[] {12, 14, 16, 18, 20, 22}, X.index(1, ":", i).toDoubleArray());
    assertEquals("IndexBackward0", X.requiresGrad_().index(":", i).gradFn().name());
  }

  @Test
  void errors_arePyTorchs() {
    assertEquals(
        "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]",
        assertThrows(GradcException.class, () -> X.index(":", longs(0, 1), longs(0, 1, 2)))
            .getMessage());
    assertEquals(
        "index 4 is out of bounds for dimension 0 with size 4",
        assertThrows(GradcException.class, () -> X.index(":", ":", longs(4))).getMessage());
    assertEquals(
        "index -5 is out of bounds for dimension 1 with size 4",
        assertThrows(GradcException.class, () -> X.index(":", longs(0), longs(-5))).getMessage());
    assertEquals(
        "tensors used as indices must be long, byte or bool tensors",
        assertThrows(GradcException.class, () -> X.index(":", Tensor.tensor(DType.F64, 0.5)))
            .getMessage());
  }
}
