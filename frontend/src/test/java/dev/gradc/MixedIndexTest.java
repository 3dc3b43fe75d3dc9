package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.GradcException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code x.index(...)} and {@code x.indexPut_(List.of(...), v)} with tensors among other indices:
 * shapes as PyTorch places the index dims, written elements against loops over the indices, and
 * PyTorch 1.13's errors (its values and gradients are in {@code functions.json}).
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

  /** {@code X} with {@code v} written at {@code [a, :, c]} for each pair of a and c, by loops. */
  private static double[] writtenApart(long[] a, long[] c, double v, boolean accumulate) {
    double[] want = X.toDoubleArray();
    for (int k = 0; k < a.length; k++) {
      for (int m = 0; m < 3; m++) {
        int at = (int) (a[k] * 12L + m * 4L + Math.floorMod(c[k], 4L));
        want[at] = accumulate ? want[at] + v : v;
      }
    }
    return want;
  }

  @Test
  void writes_landWhereReadsLook() {
    Tensor i = longs(0, -1);
    Tensor y = X.mul(1);
    y.indexPut_(List.of(":", i), Tensor.scalar(DType.F64, -1));
    double[] want = X.toDoubleArray();
    for (int a = 0; a < 2; a++) {
      for (int c = 0; c < 4; c++) {
        want[a * 12 + c] = -1; // x[:, 0]
        want[a * 12 + 8 + c] = -1; // x[:, -1]
      }
    }
    assertArrayEquals(want, y.toDoubleArray());
    assertEquals(
        "CopySlices",
        X.requiresGrad_().mul(1).indexPut_(List.of(":", i), y.index(":", i)).gradFn().name());

    Tensor z = X.detach().mul(1);
    z.indexPut_(List.of(1, ":", i), longs(7, 8).to(DType.F64));
    assertArrayEquals(new double[] {7, 8, 7, 8, 7, 8}, z.index(1, ":", i).toDoubleArray());
    assertArrayEquals(X.index(0).toDoubleArray(), z.index(0).toDoubleArray());
  }

  @Test
  void accumulatedWrites_addEveryRepeat() {
    long[] a = {1, 0, 1};
    long[] c = {2, -1, 2};
    Tensor y = X.detach().mul(1);
    y.indexPut_(List.of(longs(1, 0, 1), ":", longs(2, -1, 2)), Tensor.scalar(DType.F64, 0.5), true);
    assertArrayEquals(writtenApart(a, c, 0.5, true), y.toDoubleArray());
    Tensor w = X.detach().mul(1);
    w.indexPut_(List.of(longs(1, 0, 1), ":", longs(2, -1, 2)), Tensor.scalar(DType.F64, 0.5));
    assertArrayEquals(writtenApart(a, c, 0.5, false), w.toDoubleArray());
  }

  @Test
  void writeErrors_arePyTorchs() {
    Tensor y = X.detach().mul(1);
    assertEquals(
        "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape"
            + " [2, 2, 4]",
        assertThrows(
                GradcException.class,
                () -> y.indexPut_(List.of(":", longs(0, 1)), Tensor.zeros(DType.F64, 3)))
            .getMessage());
    assertEquals(
        "index 3 is out of bounds for dimension 0 with size 3",
        assertThrows(
                GradcException.class,
                () -> y.indexPut_(List.of(0, longs(3)), Tensor.scalar(DType.F64, 1)))
            .getMessage());
    Tensor mask = Tensor.tensor(DType.BOOL, 1, 0, 1);
    assertTrue(
        assertThrows(
                GradcException.class,
                () -> y.indexPut_(List.of(0, mask), Tensor.scalar(DType.F64, 1)))
            .getMessage()
            .startsWith("a bool mask together with other indices is not supported"));
    Tensor leaf = Tensor.zeros(DType.F64, 2, 3).requiresGrad_();
    assertEquals(
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
        assertThrows(
                GradcException.class,
                () -> leaf.indexPut_(List.of(":", longs(0)), Tensor.scalar(DType.F64, 1)))
            .getMessage());
  }
}
