package dev.gradc.ir;

/**
 * The reduced singular value decomposition {@code A = U diag(S) Vh} of each {@code m x n} matrix of
 * a batch, shared by the interpreter and compiled code (copied into generated classes; {@code
 * java.base} only). Each matrix is computed in f64 by one-sided Jacobi rotations (Hestenes): the
 * columns of the taller orientation ({@code A}, or {@code A^T} when {@code m < n}) are rotated
 * pairwise until every pair is orthogonal to rounding; their norms are the singular values, in
 * descending order, the normalized columns one set of singular vectors and the accumulated
 * rotations the other. The matrix is first scaled to a largest element of 1 and column products are
 * taken on columns scaled alike, so no magnitude overflows or underflows. A column of norm 0 (or
 * below {@code 2^-960} of the largest element) gets a unit vector orthogonal to the others, so
 * {@code U} and {@code Vh} always have orthonormal columns and rows. f32 operands are computed in
 * f64 and rounded once. As PyTorch's LAPACK: a matrix holding NaN is an error; one holding an
 * infinity (and no NaN) gives NaN.
 */
public final class Svd {
  private Svd() {}

  /** {@code part} of {@link #svd}: the singular values, {@code [k]} per matrix. */
  public static final int VALUES = 0;

  /** {@code part} of {@link #svd}: the left singular vectors as columns, {@code [m, k]}. */
  public static final int U = 1;

  /** {@code part} of {@link #svd}: the right singular vectors as rows, {@code [k, n]}. */
  public static final int VH = 2;

  /** PyTorch's message for a matrix holding NaN. */
  public static final String NOT_FINITE =
      "linalg.svd: The algorithm failed to converge because the input matrix contained non-finite"
          + " values.";

  /**
   * Writes {@code part} of the decomposition of each of the {@code batch} row-major {@code m x n}
   * matrices of {@code x} ({@code double[]} or {@code float[]}) into {@code out} (the same type).
   */
  public static void svd(Object x, Object out, int batch, int m, int n, int part) {
    int k = Math.min(m, n);
    int size = part == VALUES ? k : part == U ? m * k : k * n;
    double[] a = new double[m * n];
    double[] s = new double[k];
    double[] u = new double[m * k];
    double[] vh = new double[k * n];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < m * n; i++) {
        a[i] = x instanceof double[] d ? d[b * m * n + i] : ((float[]) x)[b * m * n + i];
      }
      svdMatrix(a, m, n, s, u, vh);
      double[] r = part == VALUES ? s : part == U ? u : vh;
      for (int i = 0; i < size; i++) {
        if (out instanceof double[] d) {
          d[b * size + i] = r[i];
        } else {
          ((float[]) out)[b * size + i] = (float) r[i];
        }
      }
    }
  }

  /**
   * The decomposition of the row-major {@code m x n} matrix {@code a}: {@code s} ({@code k}),
   * {@code u} ({@code m x k}) and {@code vh} ({@code k x n}), row-major.
   */
  static void svdMatrix(double[] a, int m, int n, double[] s, double[] u, double[] vh) {
    int k = Math.min(m, n);
    double scale = 0;
    boolean infinite = false;
    for (double v : a) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException(NOT_FINITE);
      }
      infinite |= Double.isInfinite(v);
      scale = Math.max(scale, Math.abs(v));
    }
    if (infinite) {
      java.util.Arrays.fill(s, Double.NaN);
      java.util.Arrays.fill(u, Double.NaN);
      java.util.Arrays.fill(vh, Double.NaN);
      return;
    }
    if (k == 0) {
      return;
    }
    boolean tall = m >= n;
    int rows = tall ? m : n;
    // w: the columns of the tall orientation (column-major, rows x k); r: its rotations (k x k)
    double[] w = new double[rows * k];
    double[] r = new double[k * k];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double v = scale == 0 ? 0 : a[i * n + j] / scale;
        if (tall) {
          w[j * rows + i] = v;
        } else {
          w[i * rows + j] = v;
        }
      }
    }
    for (int j = 0; j < k; j++) {
      r[j * k + j] = 1;
    }
    svdRotate(w, r, rows, k);
    double[] norms = new double[k];
    int[] order = new int[k];
    for (int j = 0; j < k; j++) {
      double big = svdMaxAbs(w, rows, j);
      double sum = 0;
      for (int i = 0; big > 0 && i < rows; i++) {
        double v = w[j * rows + i] / big;
        sum += v * v;
      }
      norms[j] = big * Math.sqrt(sum);
      order[j] = j;
    }
    // descending, stable: an insertion sort of at most min(m, n) values
    for (int j = 1; j < k; j++) {
      int o = order[j];
      int p = j;
      while (p > 0 && norms[order[p - 1]] < norms[o]) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = o;
    }
    // left: the normalized columns of w (rows x k, column-major), completed where a norm is 0
    double[] left = new double[rows * k];
    for (int j = 0; j < k; j++) {
      int c = order[j];
      s[j] = norms[c] * scale;
      // a column that shrank into subnormal numbers has lost the bits of its direction (rotations
      // of a rank-deficient matrix drive its null columns there): completed like a zero one
      if (norms[c] > 0x1p-960) {
        for (int i = 0; i < rows; i++) {
          left[j * rows + i] = w[c * rows + i] / norms[c];
        }
      } else {
        svdComplete(left, rows, j);
      }
    }
    for (int j = 0; j < k; j++) {
      int c = order[j];
      for (int i = 0; i < rows; i++) {
        // tall: U = left (m x k), V = r; wide: A^T = left S r^T, so U = r and Vh = left^T
        if (tall) {
          u[i * k + j] = left[j * rows + i];
        } else {
          vh[j * n + i] = left[j * rows + i];
        }
      }
      for (int i = 0; i < k; i++) {
        double v = r[c * k + i];
        if (tall) {
          vh[j * n + i] = v;
        } else {
          u[i * k + j] = v;
        }
      }
    }
  }

  /**
   * Rotates pairs of the {@code k} columns of {@code w} (column-major, {@code rows} long) until
   * each pair is orthogonal to rounding, applying each rotation to the columns of {@code r} too.
   */
  private static void svdRotate(double[] w, double[] r, int rows, int k) {
    double eps = 0x1p-52;
    for (int sweep = 0; sweep < 100; sweep++) {
      boolean rotated = false;
      for (int p = 0; p < k - 1; p++) {
        for (int q = p + 1; q < k; q++) {
          // the dot products of the columns scaled to a largest element of 1, so that columns
          // of very different or very small magnitudes neither underflow nor overflow
          double sp = svdMaxAbs(w, rows, p);
          double sq = svdMaxAbs(w, rows, q);
          if (sp == 0 || sq == 0) {
            continue;
          }
          double alpha = 0;
          double beta = 0;
          double gamma = 0;
          for (int i = 0; i < rows; i++) {
            double wp = w[p * rows + i] / sp;
            double wq = w[q * rows + i] / sq;
            alpha += wp * wp;
            beta += wq * wq;
            gamma += wp * wq;
          }
          if (gamma == 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha) * Math.sqrt(beta)) {
            continue;
          }
          rotated = true;
          double ratio = sq / sp;
          double zeta = (ratio * beta - alpha / ratio) / (2 * gamma);
          double t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
          double c = 1 / Math.sqrt(1 + t * t);
          double sn = c * t;
          svdApply(w, rows, p, q, c, sn);
          svdApply(r, k, p, q, c, sn);
        }
      }
      if (!rotated) {
        return;
      }
    }
  }

  /** The largest magnitude of column {@code j} of {@code w} (column-major, {@code rows} long). */
  private static double svdMaxAbs(double[] w, int rows, int j) {
    double m = 0;
    for (int i = 0; i < rows; i++) {
      m = Math.max(m, Math.abs(w[j * rows + i]));
    }
    return m;
  }

  /** Columns p and q of {@code x} (column-major, {@code rows} long) rotated by (c, s). */
  private static void svdApply(double[] x, int rows, int p, int q, double c, double s) {
    for (int i = 0; i < rows; i++) {
      double xp = x[p * rows + i];
      double xq = x[q * rows + i];
      x[p * rows + i] = c * xp - s * xq;
      x[q * rows + i] = s * xp + c * xq;
    }
  }

  /**
   * Column {@code j} of {@code left} (column-major, {@code rows} long): the unit vector of the
   * standard basis vector farthest from the first {@code j} columns, made orthogonal to them.
   */
  private static void svdComplete(double[] left, int rows, int j) {
    double best = -1;
    int pick = 0;
    for (int e = 0; e < rows; e++) {
      double sum = 1;
      for (int l = 0; l < j; l++) {
        sum -= left[l * rows + e] * left[l * rows + e];
      }
      if (sum > best) {
        best = sum;
        pick = e;
      }
    }
    for (int i = 0; i < rows; i++) {
      left[j * rows + i] = i == pick ? 1 : 0;
    }
    for (int pass = 0; pass < 2; pass++) {
      for (int l = 0; l < j; l++) {
        double dot = 0;
        for (int i = 0; i < rows; i++) {
          dot += left[l * rows + i] * left[j * rows + i];
        }
        for (int i = 0; i < rows; i++) {
          left[j * rows + i] -= dot * left[l * rows + i];
        }
      }
      double norm = 0;
      for (int i = 0; i < rows; i++) {
        norm += left[j * rows + i] * left[j * rows + i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < rows; i++) {
        left[j * rows + i] /= norm;
      }
    }
  }
}
