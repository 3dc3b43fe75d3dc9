package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.GradcException;
import org.junit.jupiter.api.Test;

/**
 * {@code flatten}, {@code sumToSize}, {@code linspace} and {@code fullLike} where PyTorch returns
 * the tensor itself or raises; their values and gradients are in {@code functions.json}. The
 * messages are PyTorch 1.13's.
 */
class ShapeFunctionsTest {
  private static Tensor x() {
    return Tensor.ones(DType.F64, 2, 3, 4).requiresGrad_();
  }

  @Test
  void flatten_ofOneDim_isTheTensorItself_andOfAScalar_oneElement() {
    Tensor x = x();
    assertSame(x, x.flatten(1, 1));
    Tensor v = Tensor.ones(3).requiresGrad_();
    assertSame(v, v.flatten());
    Tensor s = Tensor.scalar(2.0).requiresGrad_();
    Tensor f = s.flatten();
    assertArrayEquals(new long[] {1}, f.shape());
    assertEquals("ReshapeAliasBackward0", f.gradFn().name());
    assertArrayEquals(new long[] {2, 12}, x.flatten(1).shape());
    assertArrayEquals(new long[] {6, 4}, x.flatten(-3, -2).shape());
  }

  @Test
  void flatten_withStartAfterEnd_isPyTorchsError() {
    assertEquals(
        "flatten() has invalid args: start_dim cannot come after end_dim",
        assertThrows(GradcException.class, () -> x().flatten(2, 1)).getMessage());
  }

  @Test
  void sumToSize_ofItsOwnShape_isTheTensorItself_andOthersArePyTorchsError() {
    Tensor x = x();
    assertSame(x, x.sumToSize(2, 3, 4));
    assertEquals("SumBackward1", x.sumToSize(1, 3, 1).gradFn().name());
    assertEquals("ViewBackward0", x.sumToSize(3, 1).gradFn().name());
    assertArrayEquals(new double[] {8, 8, 8}, x.sumToSize(3, 1).toDoubleArray());
    assertEquals(
        "size {[3, 5]} is not expandable to size {[2, 3, 4]}.",
        assertThrows(GradcException.class, () -> x.sumToSize(3, 5)).getMessage());
    assertEquals(
        "size {[2, 2, 3, 4]} is not expandable to size {[2, 3, 4]}.",
        assertThrows(GradcException.class, () -> x.sumToSize(2, 2, 3, 4)).getMessage());
    assertEquals(
        "size {[-1, 4]} is not expandable to size {[2, 3, 4]}.",
        assertThrows(GradcException.class, () -> x.sumToSize(-1, 4)).getMessage());
  }

  @Test
  void linspace_ofNoneOrOneStep_andItsErrors_areTorchs() {
    assertArrayEquals(new double[] {0.0}, Tensor.linspace(0, 1, 1).toDoubleArray());
    assertArrayEquals(new long[] {0}, Tensor.linspace(0, 1, 0).shape());
    assertArrayEquals(
        new double[] {2.0, 3.5, 5.0}, Tensor.linspace(DType.F64, 2, 5, 3).toDoubleArray());
    assertEquals(DType.F32, Tensor.linspace(0, 1, 5).dtype());
    assertEquals(
        "number of steps must be non-negative",
        assertThrows(GradcException.class, () -> Tensor.linspace(0, 1, -1)).getMessage());
  }

  @Test
  void fullLike_takesTheShapeAndDtype_andNeverRequiresGrad() {
    Tensor f = Tensor.fullLike(x(), -0.5);
    assertEquals(DType.F64, f.dtype());
    assertArrayEquals(new long[] {2, 3, 4}, f.shape());
    assertFalse(f.requiresGrad());
    assertEquals(-0.5, f.toDoubleArray()[23]);
    assertEquals(DType.I64, Tensor.fullLike(x(), 7, DType.I64).dtype());
  }
}
