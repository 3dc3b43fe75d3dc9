package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The three parts of {@code svd} as the interpreter computes them ({@link Svd}): for square, tall,
 * wide, rank-deficient and batched matrices, {@code U diag(S) Vh} is the matrix, {@code U} has
 * orthonormal columns and {@code Vh} orthonormal rows, and {@code S} descends and is not negative;
 * a matrix holding NaN is PyTorch's error.
 */
class SvdPartsTest {
  private static List<NdArray> parts(NdArray a) {
    Builder b = new Builder("f");
    Value x = b.input("a", new Type(DType.F64, dimsOf(a.shape())));
    b.ret(b.svd(x, Svd.VALUES), b.svd(x, Svd.U), b.svd(x, Svd.VH));
    return Interpreter.run(b.build(), a);
  }

  private static List<Dim> dimsOf(int[] shape) {
    return java.util.Arrays.stream(shape).mapToObj(Dim::of).toList();
  }

  @Test
  void partsReconstructTheMatrix_withOrthonormalVectors() {
    Random rng = new Random(14);
    int[][] shapes = {{3, 3}, {5, 2}, {2, 6}, {2, 4, 3}, {1, 1}, {4, 4}};
    for (int[] shape : shapes) {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      double[] data = new double[n];
      for (int i = 0; i < n; i++) {
        data[i] = rng.nextGaussian();
      }
      if (shape[0] == 4 && shape.length == 2) {
        // rank 2: rows 2 and 3 repeat rows 0 and 1, so two singular values are 0
        System.arraycopy(data, 0, data, 8, 8);
      }
      check(NdArray.of(DType.F64, shape, data), shape);
    }
  }

  private static void check(NdArray a, int[] shape) {
    List<NdArray> p = parts(a);
    int r = shape.length;
    int m = shape[r - 2];
    int n = shape[r - 1];
    int k = Math.min(m, n);
    int batch = a.size() / (m * n);
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < k; j++) {
        double s = p.get(0).get(b * k + j);
        assertTrue(s >= 0 && (j == 0 || s <= p.get(0).get(b * k + j - 1)), "descending " + s);
      }
      for (int i = 0; i < m; i++) {
        for (int c = 0; c < n; c++) {
          double sum = 0;
          for (int j = 0; j < k; j++) {
            sum +=
                p.get(1).get(b * m * k + i * k + j)
                    * p.get(0).get(b * k + j)
                    * p.get(2).get(b * k * n + j * n + c);
          }
          assertEquals(a.get(b * m * n + i * n + c), sum, 1e-13, "U S Vh of " + shapeText(shape));
        }
      }
      for (int j = 0; j < k; j++) {
        for (int l = 0; l < k; l++) {
          double uu = 0;
          for (int i = 0; i < m; i++) {
            uu += p.get(1).get(b * m * k + i * k + j) * p.get(1).get(b * m * k + i * k + l);
          }
          double vv = 0;
          for (int c = 0; c < n; c++) {
            vv += p.get(2).get(b * k * n + j * n + c) * p.get(2).get(b * k * n + l * n + c);
          }
          assertEquals(j == l ? 1 : 0, uu, 1e-13, "U^T U of " + shapeText(shape));
          assertEquals(j == l ? 1 : 0, vv, 1e-13, "Vh Vh^T of " + shapeText(shape));
        }
      }
    }
  }

  private static String shapeText(int[] shape) {
    return java.util.Arrays.toString(shape);
  }

  @Test
  void aMatrixHoldingNaN_isPyTorchsError() {
    NdArray a = NdArray.of(DType.F64, new int[] {2, 2}, 1, Double.NaN, 0, 1);
    assertEquals(
        "linalg.svd: The algorithm failed to converge because the input matrix contained"
            + " non-finite values.",
        assertThrows(GradcException.class, () -> parts(a)).getMessage());
  }
}
