package dev.gradc.codegen.lib;

/**
 * Batched matrix products, the routine generated classes copied before {@link Gemm}; kept as the
 * baseline {@code GemmBench} measures {@link Gemm} against, and used by nothing else. They use only
 * {@code java.base}. Operands are addressed with strides, so a transposed or broadcast operand is
 * read in place. {@link Gemm}'s block kernel has the same four-by-two shape but a different
 * arithmetic (one {@code fma} chain, tiles of C, an epilogue), so the two are not one routine.
 *
 * <p>The product runs four rows of A at a time against two rows of B at a time, accumulating into
 * four row arrays: each pass over a row of C then does four multiply-adds per load and store of C
 * (4 x 2 measured fastest here: 4 x 1 took 40% longer, 4 x 4 spills registers and takes 4 times as
 * long). B's rows are first gathered into separate arrays: C2 vectorizes the inner loop only when
 * every array in it is indexed by the loop variable itself, and one-array-per-row gives exactly
 * that (measured here: about 15 GFLOP/s in f32 against 3 for the strided single-array loop). Each
 * element accumulates over the shared dim in ascending order: in f64 this equals the reference
 * interpreter bit for bit; f32 accumulates in f32, as BLAS does.
 *
 * <p>Geometry {@code g}: {@code [batchRank, n, k, m, aRow, aCol, bRow, bCol, (size, aBatch, bBatch)
 * per batch dim]}; C is contiguous {@code [batch..., n, m]}.
 *
 * <p>Its f32 and f64 methods are twins on purpose, line for line: Java has no generics over
 * primitive arrays, boxing or a shared method taking {@code double} per element would cost the
 * vectorized loop its speed, and {@code LibraryCopier} copies each method into a generated class by
 * name, so a method must stand alone. A change to one twin is made to the other in the same commit;
 * the bit-identity tests ({@code GemmBitsTest}, {@code ReduceTest}) run both.
 */
public final class Matmul {
  private Matmul() {}

  /** The number of products in the batch. */
  private static int batches(int[] g) {
    int b = 1;
    for (int d = 0; d < g[0]; d++) {
      b *= g[8 + 3 * d];
    }
    return b;
  }

  /** The offset of batch {@code t} in A ({@code which = 9}) or B ({@code which = 10}). */
  private static int batchOffset(int[] g, int t, int which) {
    int off = 0;
    int rem = t;
    for (int d = g[0] - 1; d >= 0; d--) {
      int size = g[8 + 3 * d];
      off += (rem % size) * g[which + 3 * d];
      rem /= size;
    }
    return off;
  }

  /** True when batch {@code t} reads the same B as batch {@code t - 1} (B broadcast over it). */
  private static boolean sameB(int[] g, int t) {
    return t > 0 && batchOffset(g, t, 10) == batchOffset(g, t - 1, 10);
  }

  public static void matmulF64(double[] a, double[] b, double[] c, int[] g) {
    int n = g[1];
    int k = g[2];
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    double[][] rows = new double[k][];
    double[] c0 = new double[m];
    double[] c1 = new double[m];
    double[] c2 = new double[m];
    double[] c3 = new double[m];
    int batches = batches(g);
    for (int t = 0; t < batches; t++) {
      if (!sameB(g, t)) {
        int bOff = batchOffset(g, t, 10);
        for (int p = 0; p < k; p++) {
          double[] r = rows[p] == null ? new double[m] : rows[p];
          int bp = bOff + p * g[6];
          for (int j = 0; j < m; j++) {
            r[j] = b[bp + j * g[7]];
          }
          rows[p] = r;
        }
      }
      int aOff = batchOffset(g, t, 9);
      int cOff = t * n * m;
      int i = 0;
      for (; i + 3 < n; i += 4) {
        java.util.Arrays.fill(c0, 0);
        java.util.Arrays.fill(c1, 0);
        java.util.Arrays.fill(c2, 0);
        java.util.Arrays.fill(c3, 0);
        int ai = aOff + i * aRow;
        int p = 0;
        for (; p + 1 < k; p += 2) {
          int ap = ai + p * aCol;
          int aq = ap + aCol;
          double a00 = a[ap];
          double a01 = a[aq];
          double a10 = a[ap + aRow];
          double a11 = a[aq + aRow];
          double a20 = a[ap + 2 * aRow];
          double a21 = a[aq + 2 * aRow];
          double a30 = a[ap + 3 * aRow];
          double a31 = a[aq + 3 * aRow];
          double[] r0 = rows[p];
          double[] r1 = rows[p + 1];
          for (int j = 0; j < m; j++) {
            double b0 = r0[j];
            double b1 = r1[j];
            // Left to right: the same order as one product at a time.
            c0[j] = c0[j] + a00 * b0 + a01 * b1;
            c1[j] = c1[j] + a10 * b0 + a11 * b1;
            c2[j] = c2[j] + a20 * b0 + a21 * b1;
            c3[j] = c3[j] + a30 * b0 + a31 * b1;
          }
        }
        for (; p < k; p++) {
          int ap = ai + p * aCol;
          double a0 = a[ap];
          double a1 = a[ap + aRow];
          double a2 = a[ap + 2 * aRow];
          double a3 = a[ap + 3 * aRow];
          double[] r = rows[p];
          for (int j = 0; j < m; j++) {
            double bv = r[j];
            c0[j] += a0 * bv;
            c1[j] += a1 * bv;
            c2[j] += a2 * bv;
            c3[j] += a3 * bv;
          }
        }
        System.arraycopy(c0, 0, c, cOff + i * m, m);
        System.arraycopy(c1, 0, c, cOff + (i + 1) * m, m);
        System.arraycopy(c2, 0, c, cOff + (i + 2) * m, m);
        System.arraycopy(c3, 0, c, cOff + (i + 3) * m, m);
      }
      for (; i < n; i++) {
        java.util.Arrays.fill(c0, 0);
        int ai = aOff + i * aRow;
        for (int p = 0; p < k; p++) {
          double a0 = a[ai + p * aCol];
          double[] r = rows[p];
          for (int j = 0; j < m; j++) {
            c0[j] += a0 * r[j];
          }
        }
        System.arraycopy(c0, 0, c, cOff + i * m, m);
      }
    }
  }

  public static void matmulF32(float[] a, float[] b, float[] c, int[] g) {
    int n = g[1];
    int k = g[2];
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    float[][] rows = new float[k][];
    float[] c0 = new float[m];
    float[] c1 = new float[m];
    float[] c2 = new float[m];
    float[] c3 = new float[m];
    int batches = batches(g);
    for (int t = 0; t < batches; t++) {
      if (!sameB(g, t)) {
        int bOff = batchOffset(g, t, 10);
        for (int p = 0; p < k; p++) {
          float[] r = rows[p] == null ? new float[m] : rows[p];
          int bp = bOff + p * g[6];
          for (int j = 0; j < m; j++) {
            r[j] = b[bp + j * g[7]];
          }
          rows[p] = r;
        }
      }
      int aOff = batchOffset(g, t, 9);
      int cOff = t * n * m;
      int i = 0;
      for (; i + 3 < n; i += 4) {
        java.util.Arrays.fill(c0, 0);
        java.util.Arrays.fill(c1, 0);
        java.util.Arrays.fill(c2, 0);
        java.util.Arrays.fill(c3, 0);
        int ai = aOff + i * aRow;
        int p = 0;
        for (; p + 1 < k; p += 2) {
          int ap = ai + p * aCol;
          int aq = ap + aCol;
          float a00 = a[ap];
          float a01 = a[aq];
          float a10 = a[ap + aRow];
          float a11 = a[aq + aRow];
          float a20 = a[ap + 2 * aRow];
          float a21 = a[aq + 2 * aRow];
          float a30 = a[ap + 3 * aRow];
          float a31 = a[aq + 3 * aRow];
          float[] r0 = rows[p];
          float[] r1 = rows[p + 1];
          for (int j = 0; j < m; j++) {
            float b0 = r0[j];
            float b1 = r1[j];
            // Left to right: the same order as one product at a time.
            c0[j] = c0[j] + a00 * b0 + a01 * b1;
            c1[j] = c1[j] + a10 * b0 + a11 * b1;
            c2[j] = c2[j] + a20 * b0 + a21 * b1;
            c3[j] = c3[j] + a30 * b0 + a31 * b1;
          }
        }
        for (; p < k; p++) {
          int ap = ai + p * aCol;
          float a0 = a[ap];
          float a1 = a[ap + aRow];
          float a2 = a[ap + 2 * aRow];
          float a3 = a[ap + 3 * aRow];
          float[] r = rows[p];
          for (int j = 0; j < m; j++) {
            float bv = r[j];
            c0[j] += a0 * bv;
            c1[j] += a1 * bv;
            c2[j] += a2 * bv;
            c3[j] += a3 * bv;
          }
        }
        System.arraycopy(c0, 0, c, cOff + i * m, m);
        System.arraycopy(c1, 0, c, cOff + (i + 1) * m, m);
        System.arraycopy(c2, 0, c, cOff + (i + 2) * m, m);
        System.arraycopy(c3, 0, c, cOff + (i + 3) * m, m);
      }
      for (; i < n; i++) {
        java.util.Arrays.fill(c0, 0);
        int ai = aOff + i * aRow;
        for (int p = 0; p < k; p++) {
          float a0 = a[ai + p * aCol];
          float[] r = rows[p];
          for (int j = 0; j < m; j++) {
            c0[j] += a0 * r[j];
          }
        }
        System.arraycopy(c0, 0, c, cOff + i * m, m);
      }
    }
  }
}
