package dev.gradc;

import dev.gradc.ir.GradcException;
import dev.gradc.ir.Statistics;

/** PyTorch's {@code torch.linalg} functions of the Java API. */
public final class Linalg {
  private Linalg() {}

  /** {@code torch.linalg.vector_norm(x)}: the 2-norm of all elements. */
  public static Tensor vectorNorm(Tensor x) {
    return vectorNorm(x, 2, new int[0], false);
  }

  /** {@code torch.linalg.vector_norm(x, ord)}: {@code ord} 2, 1, 0, {@code +-inf} or any other. */
  public static Tensor vectorNorm(Tensor x, double ord) {
    return vectorNorm(x, ord, new int[0], false);
  }

  /**
   * {@code torch.linalg.vector_norm(x, ord, dims, keepdim)} (all dims when empty), recording {@code
   * LinalgVectorNormBackward0}; its gradient is PyTorch's, 0 at a zero vector.
   */
  public static Tensor vectorNorm(Tensor x, double ord, int[] dims, boolean keepdim) {
    if (!x.dtype().isFloatingPoint()) {
      throw new GradcException(
          "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
              + x.dtype().ir().scalarTypeName());
    }
    return x.vectorNorm("LinalgVectorNormBackward0", ord, dims, keepdim);
  }

  /** {@code torch.linalg.matrix_norm(x)}: the Frobenius norm over the last two dims. */
  public static Tensor matrixNorm(Tensor x) {
    return matrixNorm(x, "fro", new int[] {-2, -1}, false);
  }

  /** {@code torch.linalg.matrix_norm(x, ord)} over the last two dims: 1, -1, inf or -inf. */
  public static Tensor matrixNorm(Tensor x, double ord) {
    return matrixNorm(x, ord, new int[] {-2, -1}, false);
  }

  /**
   * {@code torch.linalg.matrix_norm(x, ord, dim, keepdim)} for {@code ord} 1, -1 (column sums of
   * {@code |x|}), inf, -inf (row sums), recorded as PyTorch composes it: {@code
   * LinalgVectorNormBackward0} then {@code AmaxBackward0} or {@code AminBackward0}.
   */
  public static Tensor matrixNorm(Tensor x, double ord, int[] dim, boolean keepdim) {
    int[] at =
        Statistics.matrixNormSteps(ord, Statistics.matrixNormDims(x.node().type(), dim), keepdim);
    Tensor sums = vectorNorm(x, 1, new int[] {at[0]}, keepdim);
    return ord > 0 ? sums.amax(at[1], keepdim) : sums.amin(at[1], keepdim);
  }

  /**
   * {@code torch.linalg.matrix_norm(x, ord, dim, keepdim)} with a string order: {@code "fro"} (the
   * 2-norm of the elements over both dims, {@code LinalgVectorNormBackward0}); {@code "nuc"} needs
   * singular values and is refused.
   */
  public static Tensor matrixNorm(Tensor x, String ord, int[] dim, boolean keepdim) {
    int[] d = Statistics.matrixNormDims(x.node().type(), dim);
    Statistics.requireFrobenius(ord);
    return vectorNorm(x, 2, d, keepdim);
  }
}
