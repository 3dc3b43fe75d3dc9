package dev.gradc;

import dev.gradc.ir.GradcException;

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
}
