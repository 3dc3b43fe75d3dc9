package dev.gradc;

import dev.gradc.ir.GradcException;
import dev.gradc.ir.Op;
import dev.gradc.ir.Statistics;
import dev.gradc.ir.Svd;
import dev.gradc.ir.Type;

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

  /** {@code torch.linalg.matrix_norm(x, ord)} over the last two dims: 1, -1, 2, -2, inf or -inf. */
  public static Tensor matrixNorm(Tensor x, double ord) {
    return matrixNorm(x, ord, new int[] {-2, -1}, false);
  }

  /**
   * {@code torch.linalg.matrix_norm(x, ord, dim, keepdim)} for {@code ord} 1, -1 (column sums of
   * {@code |x|}), inf, -inf (row sums), recorded as PyTorch composes it: {@code
   * LinalgVectorNormBackward0} then {@code AmaxBackward0} or {@code AminBackward0}; 2 and -2 are
   * the largest and smallest singular value ({@link #svdvals}), recorded as {@code
   * PermuteBackward0}, {@code LinalgSvdBackward0}, then {@code AmaxBackward0} or {@code
   * AminBackward0} (and with keepdim {@code UnsqueezeBackward0}, {@code PermuteBackward0}).
   */
  public static Tensor matrixNorm(Tensor x, double ord, int[] dim, boolean keepdim) {
    int[] d = Statistics.matrixNormDims(x.node().type(), dim);
    if (Math.abs(ord) == 2) {
      return singularNorm(x, ord > 0 ? Op.AMAX : Op.AMIN, d, keepdim);
    }
    int[] at = Statistics.matrixNormSteps(ord, d, keepdim);
    Tensor sums = vectorNorm(x, 1, new int[] {at[0]}, keepdim);
    return ord > 0 ? sums.amax(at[1], keepdim) : sums.amin(at[1], keepdim);
  }

  /**
   * {@code torch.linalg.matrix_norm(x, ord, dim, keepdim)} with a string order: {@code "fro"} (the
   * 2-norm of the elements over both dims, {@code LinalgVectorNormBackward0}) or {@code "nuc"} (the
   * sum of the singular values, recorded as for order 2 with {@code SumBackward1}).
   */
  public static Tensor matrixNorm(Tensor x, String ord, int[] dim, boolean keepdim) {
    int[] d = Statistics.matrixNormDims(x.node().type(), dim);
    return Statistics.isNuclear(ord)
        ? singularNorm(x, Op.SUM, d, keepdim)
        : vectorNorm(x, 2, d, keepdim);
  }

  /**
   * {@code torch.linalg.svdvals(x)}: the singular values of each matrix of the last two dims of
   * {@code x} ({@code [..., m, n]}), in descending order ({@code [..., min(m, n)]}), recording
   * {@code LinalgSvdBackward0}. A matrix holding NaN is PyTorch's error when the values are
   * computed; one holding an infinity gives NaN.
   */
  public static Tensor svdvals(Tensor x) {
    Type t = x.node().type();
    if (!t.dtype().isFloat()) {
      throw new GradcException(
          "linalg.svd: Expected a floating point or complex tensor as input. Got "
              + t.dtype().scalarTypeName());
    }
    return Recorder.record(
        Op.SVD.gradFn(), Saves.RESULT_AND_OTHER, (b, in) -> b.svd(in[0], Svd.VALUES), x);
  }

  /** {@link Statistics#singularNorm} recorded op by op, as PyTorch records it. */
  private static Tensor singularNorm(Tensor x, Op reduce, int[] d, boolean keepdim) {
    Statistics.requireSingularValues(x.node().type(), reduce, d);
    int[] perm = Statistics.movedLast(x.dim(), d);
    Tensor s = svdvals(x.permute(perm));
    Tensor r =
        reduce == Op.SUM
            ? s.sum(-1, keepdim)
            : reduce == Op.AMAX ? s.amax(-1, keepdim) : s.amin(-1, keepdim);
    return keepdim ? r.unsqueeze(-1).permute(Statistics.inverse(perm)) : r;
  }
}
