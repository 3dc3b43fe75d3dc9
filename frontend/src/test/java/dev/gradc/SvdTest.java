package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Linalg.svdvals} and the singular matrix norms where the fixtures do not reach: special
 * values and extreme magnitudes, a zero matrix, and a second derivative at a known point. Every
 * expected number is PyTorch 1.13's ({@code torch.linalg.svdvals}, {@code matrix_norm}), printed
 * with {@code repr}; a matrix holding NaN is PyTorch's error ({@code MisuseTest}'s {@code
 * svdvals_nan}).
 */
class SvdTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void anInfiniteElement_givesNaNForItsMatrixOnly_inF64AndF32() {
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      Tensor a =
          Tensor.tensor(new double[][][] {{{1, INF}, {0, 1}, {2, 3}}, {{3, 0}, {4, 5}, {0, 0}}})
              .to(dt);
      double[] s = Linalg.svdvals(a).toDoubleArray();
      assertTrue(Double.isNaN(s[0]) && Double.isNaN(s[1]), dt + " " + s[0] + " " + s[1]);
      double tol = dt == DType.F64 ? 1e-15 : 1e-6;
      // torch: [6.7082, 2.2361] (3 sqrt(5) and sqrt(5))
      assertEquals(3 * Math.sqrt(5), s[2], tol * 7);
      assertEquals(Math.sqrt(5), s[3], tol * 3);
      double[] nuc = Linalg.matrixNorm(a, "nuc", new int[] {-2, -1}, false).toDoubleArray();
      assertTrue(Double.isNaN(nuc[0]));
      assertEquals(4 * Math.sqrt(5), nuc[1], tol * 9);
      double[] two = Linalg.matrixNorm(a, 2).toDoubleArray();
      assertTrue(Double.isNaN(two[0]));
      assertEquals(3 * Math.sqrt(5), two[1], tol * 7);
    }
  }

  @Test
  void extremeMagnitudes_andAZeroMatrix() {
    assertArrayEquals(
        new double[] {5.464985704219043e+300, 3.659661906262575e+299},
        Linalg.svdvals(Tensor.tensor(DType.F64, new double[][] {{1e300, 2e300}, {3e300, 4e300}}))
            .toDoubleArray(),
        1e286);
    assertArrayEquals(
        new double[] {5.464985704219043e-300, 3.659661906262577e-301},
        Linalg.svdvals(
                Tensor.tensor(DType.F64, new double[][] {{1e-300, 2e-300}, {3e-300, 4e-300}}))
            .toDoubleArray(),
        1e-314);
    assertArrayEquals(
        new double[] {0, 0}, Linalg.svdvals(Tensor.zeros(DType.F64, 2, 3)).toDoubleArray());
  }

  @Test
  void nuclearNorm_secondDerivative_isPyTorchs() {
    Tensor a = Tensor.tensor(DType.F64, new double[][] {{3, 0}, {4, 5}}).requiresGrad_();
    Tensor n = Linalg.matrixNorm(a, "nuc", new int[] {-2, -1}, false);
    Tensor g = Autograd.grad(List.of(n), List.of(a), null, true, true, false).get(0);
    assertArrayEquals(
        new double[] {
          0.8944271909999157, -0.4472135954999577, 0.44721359549995776, 0.8944271909999156
        },
        g.toDoubleArray(),
        1e-15);
    Tensor h = Autograd.grad(g.select(0, 0).select(0, 1), a).get(0);
    assertArrayEquals(
        new double[] {
          0.04472135954999576, 0.08944271909999155, -0.08944271909999155, 0.04472135954999576
        },
        h.toDoubleArray(),
        1e-15);
  }
}
