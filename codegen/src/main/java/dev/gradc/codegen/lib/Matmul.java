package dev.gradc.codegen.lib;

/**
 * Batched matrix products for generated classes, which copy these methods into themselves: they use
 * only {@code java.base}. Every operand is addressed with strides, so a transposed operand is read
 * in place. Each element of the result is accumulated in f64 over the shared dim in ascending
 * order, as the reference interpreter does, so results agree bit for bit; the loop order (row of A
 * times rows of B into a row of C) keeps the innermost loop contiguous so that C2 vectorizes it.
 *
 * <p>Geometry {@code g}: {@code [batchRank, n, k, m, aRow, aCol, bRow, bCol, (size, aBatch, bBatch)
 * per batch dim]}; C is contiguous {@code [batch..., n, m]}.
 */
public final class Matmul {
  private Matmul() {}

  public static void matmulF64(double[] a, double[] b, double[] c, int[] g) {
    int rank = g[0];
    int n = g[1];
    int k = g[2];
    int m = g[3];
    int batches = 1;
    for (int d = 0; d < rank; d++) {
      batches *= g[8 + 3 * d];
    }
    double[] bt = null;
    for (int t = 0; t < batches; t++) {
      int aOff = 0;
      int bOff = 0;
      int rem = t;
      for (int d = rank - 1; d >= 0; d--) {
        int size = g[8 + 3 * d];
        int i = rem % size;
        rem /= size;
        aOff += i * g[9 + 3 * d];
        bOff += i * g[10 + 3 * d];
      }
      int bRow = g[6];
      int bCol = g[7];
      double[] bb = b;
      if (bCol != 1 && m > 1) {
        // Copy a transposed B into rows so the inner loop stays contiguous.
        if (bt == null) {
          bt = new double[k * m];
        }
        for (int p = 0; p < k; p++) {
          for (int j = 0; j < m; j++) {
            bt[p * m + j] = b[bOff + p * bRow + j * bCol];
          }
        }
        bb = bt;
        bOff = 0;
        bRow = m;
      }
      rowsF64(a, aOff, g[4], g[5], bb, bOff, bRow, c, t * n * m, n, k, m);
    }
  }

  private static void rowsF64(
      double[] a,
      int aOff,
      int aRow,
      int aCol,
      double[] b,
      int bOff,
      int bRow,
      double[] c,
      int cOff,
      int n,
      int k,
      int m) {
    for (int i = 0; i < n; i++) {
      int ci = cOff + i * m;
      for (int j = 0; j < m; j++) {
        c[ci + j] = 0;
      }
      int ai = aOff + i * aRow;
      for (int p = 0; p < k; p++) {
        double av = a[ai + p * aCol];
        int bp = bOff + p * bRow;
        for (int j = 0; j < m; j++) {
          c[ci + j] += av * b[bp + j];
        }
      }
    }
  }

  public static void matmulF32(float[] a, float[] b, float[] c, int[] g) {
    int rank = g[0];
    int n = g[1];
    int k = g[2];
    int m = g[3];
    int batches = 1;
    for (int d = 0; d < rank; d++) {
      batches *= g[8 + 3 * d];
    }
    double[] acc = new double[m];
    float[] bt = null;
    for (int t = 0; t < batches; t++) {
      int aOff = 0;
      int bOff = 0;
      int rem = t;
      for (int d = rank - 1; d >= 0; d--) {
        int size = g[8 + 3 * d];
        int i = rem % size;
        rem /= size;
        aOff += i * g[9 + 3 * d];
        bOff += i * g[10 + 3 * d];
      }
      int bRow = g[6];
      int bCol = g[7];
      float[] bb = b;
      if (bCol != 1 && m > 1) {
        if (bt == null) {
          bt = new float[k * m];
        }
        for (int p = 0; p < k; p++) {
          for (int j = 0; j < m; j++) {
            bt[p * m + j] = b[bOff + p * bRow + j * bCol];
          }
        }
        bb = bt;
        bOff = 0;
        bRow = m;
      }
      int aRow = g[4];
      int aCol = g[5];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          acc[j] = 0;
        }
        int ai = aOff + i * aRow;
        for (int p = 0; p < k; p++) {
          double av = a[ai + p * aCol];
          int bp = bOff + p * bRow;
          for (int j = 0; j < m; j++) {
            acc[j] += av * bb[bp + j];
          }
        }
        int ci = (t * n + i) * m;
        for (int j = 0; j < m; j++) {
          c[ci + j] = (float) acc[j];
        }
      }
    }
  }
}
