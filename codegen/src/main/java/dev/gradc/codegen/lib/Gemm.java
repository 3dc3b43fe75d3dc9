package dev.gradc.codegen.lib;

/**
 * Matrix products {@code C = A B} (batched, transposed or broadcast operands read through strides)
 * and matrix-vector products, in the one summation order every form of them shares: each element of
 * C starts at {@code +0.0} and takes the products of the shared dim in ascending order, each with
 * one fused multiply-add ({@code c = fma(a[i][p], b[p][j], c)}, rounded to the element type: f32
 * sums in f32 as BLAS does). The order does not depend on blocking, vector width or threads, so
 * this scalar form and the Vector API form ({@code lib.vector.GemmVector}) give the same bits, on
 * any machine, with any split of the work.
 *
 * <p>Work splits into <b>tiles</b> of C: blocks of {@link #TILE_ROWS} rows by {@link #TILE_COLS}
 * columns of one product of the batch, numbered batch-major, then by column block, then by row
 * block (so consecutive tiles share B's columns). {@link #tiles} counts them; {@code matmulF32(a,
 * b, c, g, from, to, bias, act)} computes tiles {@code [from, to)}, so a caller can run any ranges
 * on any threads: each element of C is written by one tile.
 *
 * <p>The <b>epilogue</b> of a tile, applied to each row segment of C once its sums are final, is
 * the static method {@code epilogueF32} / {@code epilogueF64}: {@code c = act(c + bias[col])} with
 * {@code bias} optional (null) and {@code act} 0 (identity) or 1 ({@code relu}, NaN kept). Code
 * generation copies these methods into a generated class by name ({@code LibraryCopier}); a
 * generated class may define its own method of the same name and descriptor instead, and the copied
 * product then calls that one: the hook through which a fused elementwise epilogue runs on C while
 * it is in cache.
 *
 * <p>This scalar form is plain Java that C2 vectorizes: four rows of C accumulate in row arrays
 * against rows of B gathered into arrays, two products per pass. A product whose shared dim has
 * size 1 (an outer product, such as per-sample weight gradients) writes its one {@code fma(a, b,
 * +0.0)} per element straight into C instead. Geometry {@code g} is {@link Matmul}'s: {@code
 * [batchRank, n, k, m, aRow, aCol, bRow, bCol, (size, aBatch, bBatch) per batch dim]}; C is
 * contiguous {@code [batch..., n, m]}.
 *
 * <p>Its f32 and f64 methods are twins on purpose, line for line: Java has no generics over
 * primitive arrays, boxing or a shared method taking {@code double} per element would cost the
 * vectorized loop its speed, and {@code LibraryCopier} copies each method into a generated class by
 * name, so a method must stand alone. A change to one twin is made to the other in the same commit;
 * the bit-identity tests ({@code GemmBitsTest}, {@code ReduceTest}) run both.
 */
public final class Gemm {
  private Gemm() {}

  /**
   * Rows of C per tile: a multiple of every micro-kernel's row count (4, 6 and 12), and small, so
   * that tiles split over threads evenly (a 256-row product over 2 threads: 132 and 124 rows).
   * Consecutive tiles of one range run as one block, so single-threaded work is not cut up.
   */
  public static final int TILE_ROWS = 12;

  /** Columns of C per tile: a multiple of every micro-kernel's column count. */
  public static final int TILE_COLS = 512;

  /** The number of products in the batch. */
  public static int batches(int[] g) {
    int b = 1;
    for (int d = 0; d < g[0]; d++) {
      b *= g[8 + 3 * d];
    }
    return b;
  }

  /** The offset of batch {@code t} in A ({@code which = 9}) or B ({@code which = 10}). */
  public static int batchOffset(int[] g, int t, int which) {
    int off = 0;
    int rem = t;
    for (int d = g[0] - 1; d >= 0; d--) {
      int size = g[8 + 3 * d];
      off += (rem % size) * g[which + 3 * d];
      rem /= size;
    }
    return off;
  }

  /**
   * {@code C = A B} of int64 elements, all of it: exact products summed in 64-bit arithmetic that
   * wraps, as PyTorch's int64 (wrapping addition is associative, so the order does not matter).
   */
  public static void matmulI64(long[] a, long[] b, long[] c, int[] g) {
    int n = g[1];
    int k = g[2];
    int m = g[3];
    int batches = batches(g);
    for (int t = 0; t < batches; t++) {
      int aOff = batchOffset(g, t, 9);
      int bOff = batchOffset(g, t, 10);
      int cOff = t * n * m;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          long s = 0;
          for (int p = 0; p < k; p++) {
            s += a[aOff + i * g[4] + p * g[5]] * b[bOff + p * g[6] + j * g[7]];
          }
          c[cOff + i * m + j] = s;
        }
      }
    }
  }

  /** Row blocks per product. */
  public static int rowTiles(int[] g) {
    return Math.max(1, (g[1] + TILE_ROWS - 1) / TILE_ROWS);
  }

  /** Column blocks per product. */
  public static int colTiles(int[] g) {
    return Math.max(1, (g[3] + TILE_COLS - 1) / TILE_COLS);
  }

  /** The number of tiles of C. */
  public static int tiles(int[] g) {
    return batches(g) * rowTiles(g) * colTiles(g);
  }

  /**
   * Decodes the run of tiles from {@code t} (below {@code to}) that share one product and one
   * column block, whose rows therefore form one range that B's packing serves once: writes {@code
   * {aOff, bOff, cOff, i0, i1, j0, w}} (A's, B's and C's offsets of the product, its rows {@code
   * [i0, i1)}, columns {@code [j0, j0 + w)}) to {@code run} and returns the tile after the run.
   */
  public static int run(int[] g, int t, int to, int[] run) {
    int n = g[1];
    int m = g[3];
    int rt = rowTiles(g);
    int ct = colTiles(g);
    int end = Math.min(to, (t / rt + 1) * rt);
    int batch = t / (rt * ct);
    run[0] = batchOffset(g, batch, 9);
    run[1] = batchOffset(g, batch, 10);
    run[2] = batch * n * m;
    run[3] = t % rt * TILE_ROWS;
    run[4] = Math.min(n, (end - 1) % rt * TILE_ROWS + TILE_ROWS);
    run[5] = (t / rt) % ct * TILE_COLS;
    run[6] = Math.max(0, Math.min(TILE_COLS, m - run[5]));
    return end;
  }

  /** The full product, no epilogue. */
  public static void matmulF32(float[] a, float[] b, float[] c, int[] g) {
    matmulF32(a, b, c, g, 0, tiles(g), null, 0);
  }

  /** The full product, no epilogue. */
  public static void matmulF64(double[] a, double[] b, double[] c, int[] g) {
    matmulF64(a, b, c, g, 0, tiles(g), null, 0);
  }

  /** Tiles {@code [from, to)} of C, each finished by {@code epilogueF32(.., bias, act)}. */
  public static void matmulF32(
      float[] a, float[] b, float[] c, int[] g, int from, int to, float[] bias, int act) {
    int[] r = new int[7];
    for (int t = from; t < to; ) {
      t = run(g, t, to, r);
      if (r[6] > 0 && r[4] > r[3]) {
        blockF32(a, b, c, g, r[0], r[1], r[2], r[3], r[4], r[5], r[6], g[2], bias, act);
      }
    }
  }

  /** Rows {@code [i0, i1)} and columns {@code [j0, j0 + w)} of one product. */
  private static void blockF32(
      float[] a,
      float[] b,
      float[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      int k,
      float[] bias,
      int act) {
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    // B's rows as separate arrays: C2 vectorizes the inner loop when every array in it is indexed
    // by the loop variable itself.
    float[][] rows = new float[k][w];
    for (int p = 0; p < k; p++) {
      float[] r = rows[p];
      int bp = bOff + p * g[6] + j0 * g[7];
      for (int j = 0; j < w; j++) {
        r[j] = b[bp + j * g[7]];
      }
    }
    if (k == 1) {
      // One product per element (an outer product): fma(a, b, +0.0), written straight into C.
      float[] r = rows[0];
      for (int i = i0; i < i1; i++) {
        float a0 = a[aOff + i * aRow];
        int ci = cOff + i * m + j0;
        for (int j = 0; j < w; j++) {
          c[ci + j] = Math.fma(a0, r[j], 0f);
        }
        epilogueF32(c, ci, w, j0, bias, act);
      }
      return;
    }
    float[] c0 = new float[w];
    float[] c1 = new float[w];
    float[] c2 = new float[w];
    float[] c3 = new float[w];
    int i = i0;
    for (; i + 3 < i1; i += 4) {
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
        for (int j = 0; j < w; j++) {
          float b0 = r0[j];
          float b1 = r1[j];
          c0[j] = Math.fma(a01, b1, Math.fma(a00, b0, c0[j]));
          c1[j] = Math.fma(a11, b1, Math.fma(a10, b0, c1[j]));
          c2[j] = Math.fma(a21, b1, Math.fma(a20, b0, c2[j]));
          c3[j] = Math.fma(a31, b1, Math.fma(a30, b0, c3[j]));
        }
      }
      for (; p < k; p++) {
        int ap = ai + p * aCol;
        float a0 = a[ap];
        float a1 = a[ap + aRow];
        float a2 = a[ap + 2 * aRow];
        float a3 = a[ap + 3 * aRow];
        float[] r = rows[p];
        for (int j = 0; j < w; j++) {
          float bv = r[j];
          c0[j] = Math.fma(a0, bv, c0[j]);
          c1[j] = Math.fma(a1, bv, c1[j]);
          c2[j] = Math.fma(a2, bv, c2[j]);
          c3[j] = Math.fma(a3, bv, c3[j]);
        }
      }
      int ci = cOff + i * m + j0;
      System.arraycopy(c0, 0, c, ci, w);
      System.arraycopy(c1, 0, c, ci + m, w);
      System.arraycopy(c2, 0, c, ci + 2 * m, w);
      System.arraycopy(c3, 0, c, ci + 3 * m, w);
      for (int r = 0; r < 4; r++) {
        epilogueF32(c, ci + r * m, w, j0, bias, act);
      }
    }
    for (; i < i1; i++) {
      java.util.Arrays.fill(c0, 0);
      int ai = aOff + i * aRow;
      for (int p = 0; p < k; p++) {
        float a0 = a[ai + p * aCol];
        float[] r = rows[p];
        for (int j = 0; j < w; j++) {
          c0[j] = Math.fma(a0, r[j], c0[j]);
        }
      }
      int ci = cOff + i * m + j0;
      System.arraycopy(c0, 0, c, ci, w);
      epilogueF32(c, ci, w, j0, bias, act);
    }
  }

  /**
   * The default epilogue: {@code c[off + j] = act(c[off + j] + bias[col + j])} for {@code j} in
   * {@code [0, len)}; no bias when {@code bias} is null; {@code act} 0 is the identity, 1 is {@code
   * relu} ({@code x <= 0 ? 0 : x}, so NaN stays NaN, as {@code ScalarMath.relu}).
   */
  public static void epilogueF32(float[] c, int off, int len, int col, float[] bias, int act) {
    if (bias != null) {
      for (int j = 0; j < len; j++) {
        c[off + j] += bias[col + j];
      }
    }
    if (act == 1) {
      for (int j = 0; j < len; j++) {
        float v = c[off + j];
        c[off + j] = v <= 0 ? 0 : v;
      }
    }
  }

  /** Tiles {@code [from, to)} of C, each finished by {@code epilogueF64(.., bias, act)}. */
  public static void matmulF64(
      double[] a, double[] b, double[] c, int[] g, int from, int to, double[] bias, int act) {
    int[] r = new int[7];
    for (int t = from; t < to; ) {
      t = run(g, t, to, r);
      if (r[6] > 0 && r[4] > r[3]) {
        blockF64(a, b, c, g, r[0], r[1], r[2], r[3], r[4], r[5], r[6], g[2], bias, act);
      }
    }
  }

  /** Rows {@code [i0, i1)} and columns {@code [j0, j0 + w)} of one product. */
  private static void blockF64(
      double[] a,
      double[] b,
      double[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      int k,
      double[] bias,
      int act) {
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    double[][] rows = new double[k][w];
    for (int p = 0; p < k; p++) {
      double[] r = rows[p];
      int bp = bOff + p * g[6] + j0 * g[7];
      for (int j = 0; j < w; j++) {
        r[j] = b[bp + j * g[7]];
      }
    }
    if (k == 1) {
      // One product per element (an outer product): fma(a, b, +0.0), written straight into C.
      double[] r = rows[0];
      for (int i = i0; i < i1; i++) {
        double a0 = a[aOff + i * aRow];
        int ci = cOff + i * m + j0;
        for (int j = 0; j < w; j++) {
          c[ci + j] = Math.fma(a0, r[j], 0.0);
        }
        epilogueF64(c, ci, w, j0, bias, act);
      }
      return;
    }
    double[] c0 = new double[w];
    double[] c1 = new double[w];
    double[] c2 = new double[w];
    double[] c3 = new double[w];
    int i = i0;
    for (; i + 3 < i1; i += 4) {
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
        for (int j = 0; j < w; j++) {
          double b0 = r0[j];
          double b1 = r1[j];
          c0[j] = Math.fma(a01, b1, Math.fma(a00, b0, c0[j]));
          c1[j] = Math.fma(a11, b1, Math.fma(a10, b0, c1[j]));
          c2[j] = Math.fma(a21, b1, Math.fma(a20, b0, c2[j]));
          c3[j] = Math.fma(a31, b1, Math.fma(a30, b0, c3[j]));
        }
      }
      for (; p < k; p++) {
        int ap = ai + p * aCol;
        double a0 = a[ap];
        double a1 = a[ap + aRow];
        double a2 = a[ap + 2 * aRow];
        double a3 = a[ap + 3 * aRow];
        double[] r = rows[p];
        for (int j = 0; j < w; j++) {
          double bv = r[j];
          c0[j] = Math.fma(a0, bv, c0[j]);
          c1[j] = Math.fma(a1, bv, c1[j]);
          c2[j] = Math.fma(a2, bv, c2[j]);
          c3[j] = Math.fma(a3, bv, c3[j]);
        }
      }
      int ci = cOff + i * m + j0;
      System.arraycopy(c0, 0, c, ci, w);
      System.arraycopy(c1, 0, c, ci + m, w);
      System.arraycopy(c2, 0, c, ci + 2 * m, w);
      System.arraycopy(c3, 0, c, ci + 3 * m, w);
      for (int r = 0; r < 4; r++) {
        epilogueF64(c, ci + r * m, w, j0, bias, act);
      }
    }
    for (; i < i1; i++) {
      java.util.Arrays.fill(c0, 0);
      int ai = aOff + i * aRow;
      for (int p = 0; p < k; p++) {
        double a0 = a[ai + p * aCol];
        double[] r = rows[p];
        for (int j = 0; j < w; j++) {
          c0[j] = Math.fma(a0, r[j], c0[j]);
        }
      }
      int ci = cOff + i * m + j0;
      System.arraycopy(c0, 0, c, ci, w);
      epilogueF64(c, ci, w, j0, bias, act);
    }
  }

  /** {@link #epilogueF32} in f64. */
  public static void epilogueF64(double[] c, int off, int len, int col, double[] bias, int act) {
    if (bias != null) {
      for (int j = 0; j < len; j++) {
        c[off + j] += bias[col + j];
      }
    }
    if (act == 1) {
      for (int j = 0; j < len; j++) {
        double v = c[off + j];
        c[off + j] = v <= 0 ? 0 : v;
      }
    }
  }

  /**
   * Matrix-vector product rows {@code [from, to)}: {@code y[yOff + i] = fma(a[i][k-1], x[k-1], ...
   * fma(a[i][0], x[0], s))} with {@code a[i][p] = a[aOff + i * aRow + p * aCol]}, {@code x[p] =
   * x[xOff + p * xStep]} and {@code s} the element's current value when {@code accumulate}, else
   * {@code +0.0}: the order of {@link #matmulF64} with one column, so {@code mv} and {@code mm}
   * agree. With {@code accumulate}, a caller can split a long shared dim into ranges run in order.
   */
  public static void gemvF64(
      double[] a,
      int aOff,
      int aRow,
      int aCol,
      double[] x,
      int xOff,
      int xStep,
      double[] y,
      int yOff,
      int from,
      int to,
      int k,
      boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(y, yOff + from, yOff + to, 0.0);
    }
    if (aRow == 1) {
      // Columns of A are contiguous: one pass over each, every row's chain one step further.
      for (int p = 0; p < k; p++) {
        double xp = x[xOff + p * xStep];
        int ap = aOff + p * aCol;
        for (int i = from; i < to; i++) {
          y[yOff + i] = Math.fma(a[ap + i], xp, y[yOff + i]);
        }
      }
      return;
    }
    int i = from;
    for (; i + 3 < to; i += 4) {
      // Four chains at once: each is latency-bound on its own.
      int a0 = aOff + i * aRow;
      double s0 = y[yOff + i];
      double s1 = y[yOff + i + 1];
      double s2 = y[yOff + i + 2];
      double s3 = y[yOff + i + 3];
      for (int p = 0; p < k; p++) {
        double xp = x[xOff + p * xStep];
        int ap = a0 + p * aCol;
        s0 = Math.fma(a[ap], xp, s0);
        s1 = Math.fma(a[ap + aRow], xp, s1);
        s2 = Math.fma(a[ap + 2 * aRow], xp, s2);
        s3 = Math.fma(a[ap + 3 * aRow], xp, s3);
      }
      y[yOff + i] = s0;
      y[yOff + i + 1] = s1;
      y[yOff + i + 2] = s2;
      y[yOff + i + 3] = s3;
    }
    for (; i < to; i++) {
      double s = y[yOff + i];
      for (int p = 0; p < k; p++) {
        s = Math.fma(a[aOff + i * aRow + p * aCol], x[xOff + p * xStep], s);
      }
      y[yOff + i] = s;
    }
  }

  /** {@link #gemvF64} in f32: products and sums in f32, as {@link #matmulF32}. */
  public static void gemvF32(
      float[] a,
      int aOff,
      int aRow,
      int aCol,
      float[] x,
      int xOff,
      int xStep,
      float[] y,
      int yOff,
      int from,
      int to,
      int k,
      boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(y, yOff + from, yOff + to, 0f);
    }
    if (aRow == 1) {
      // Columns of A are contiguous: one pass over each, every row's chain one step further.
      for (int p = 0; p < k; p++) {
        float xp = x[xOff + p * xStep];
        int ap = aOff + p * aCol;
        for (int i = from; i < to; i++) {
          y[yOff + i] = Math.fma(a[ap + i], xp, y[yOff + i]);
        }
      }
      return;
    }
    int i = from;
    for (; i + 3 < to; i += 4) {
      // Four chains at once: each is latency-bound on its own.
      int a0 = aOff + i * aRow;
      float s0 = y[yOff + i];
      float s1 = y[yOff + i + 1];
      float s2 = y[yOff + i + 2];
      float s3 = y[yOff + i + 3];
      for (int p = 0; p < k; p++) {
        float xp = x[xOff + p * xStep];
        int ap = a0 + p * aCol;
        s0 = Math.fma(a[ap], xp, s0);
        s1 = Math.fma(a[ap + aRow], xp, s1);
        s2 = Math.fma(a[ap + 2 * aRow], xp, s2);
        s3 = Math.fma(a[ap + 3 * aRow], xp, s3);
      }
      y[yOff + i] = s0;
      y[yOff + i + 1] = s1;
      y[yOff + i + 2] = s2;
      y[yOff + i + 3] = s3;
    }
    for (; i < to; i++) {
      float s = y[yOff + i];
      for (int p = 0; p < k; p++) {
        s = Math.fma(a[aOff + i * aRow + p * aCol], x[xOff + p * xStep], s);
      }
      y[yOff + i] = s;
    }
  }
}
