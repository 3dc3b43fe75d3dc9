package dev.gradc.codegen.lib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.codegen.lib.vector.GemmVector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm} and {@link GemmVector} compute every element of C as the same chain of fused
 * multiply-adds in ascending order of the shared dim: equal bit for bit to a one-element-at-a-time
 * reference, for every remainder of the tiles and of the vector micro-kernel's blocks, with
 * transposed and batch-broadcast operands, any split of the tiles into ranges, the epilogue, and
 * special values. The ranges pack into per-thread scratch arrays shared by every product of the
 * class, so each packs into arrays holding what products of other shapes left there.
 */
class GemmTest {
  private static final ThreadLocal<float[][]> SCRATCH_F32 = new ThreadLocal<>();
  private static final ThreadLocal<double[][]> SCRATCH_F64 = new ThreadLocal<>();

  /** Sizes around every block boundary: micro-kernel rows (6, 12), columns, tiles, KC. */
  private static final int[] NS = {1, 5, 6, 7, 12, 13, 47, 48, 49, 97};

  private static final int[] KS = {0, 1, 2, 3, 17, 255, 256, 257, 600};
  private static final int[] MS = {1, 7, 8, 15, 16, 17, 31, 32, 33, 64, 65, 511, 513};

  @Test
  void f32_everyShape_equalsReference() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int n : NS) {
      for (int k : KS) {
        int m = MS[rnd.nextInt(MS.length)];
        int[] g = {0, n, k, m, k, 1, m, 1};
        float[] a = randomF32(rnd, n * k);
        float[] b = randomF32(rnd, k * m);
        checkF32(a, b, g, null, 0, rnd);
      }
    }
  }

  @Test
  void f64_everyShape_equalsReference() {
    SplittableRandom rnd = new SplittableRandom(2);
    for (int n : NS) {
      for (int k : KS) {
        int m = MS[rnd.nextInt(MS.length)];
        int[] g = {0, n, k, m, k, 1, m, 1};
        double[] a = randomF64(rnd, n * k);
        double[] b = randomF64(rnd, k * m);
        checkF64(a, b, g, null, 0, rnd);
      }
    }
  }

  @Test
  void transposedOperands_biasAndRelu_equalReference() {
    SplittableRandom rnd = new SplittableRandom(3);
    int n = 50;
    int k = 70;
    int m = 40;
    // A^T and B^T stored as [k, n] and [m, k]: strides swap.
    int[] g = {0, n, k, m, 1, n, 1, k};
    float[] a = randomF32(rnd, n * k);
    float[] b = randomF32(rnd, k * m);
    float[] bias = randomF32(rnd, m);
    checkF32(a, b, g, bias, 1, rnd);
    double[] a64 = randomF64(rnd, n * k);
    double[] b64 = randomF64(rnd, k * m);
    double[] bias64 = randomF64(rnd, m);
    checkF64(a64, b64, g, bias64, 1, rnd);
    // Narrow C (fewer columns than half a sliver), computed transposed, with A^T as the weight
    // gradient reads it and with A as is.
    int wide = 100;
    int narrow = 10;
    int[] gt = {0, wide, k, narrow, 1, wide, 1, k};
    int[] gn = {0, wide, k, narrow, k, 1, narrow, 1};
    for (int[] gg : new int[][] {gt, gn}) {
      checkF32(
          randomF32(rnd, wide * k), randomF32(rnd, k * narrow), gg, randomF32(rnd, narrow), 1, rnd);
      checkF64(
          randomF64(rnd, wide * k), randomF64(rnd, k * narrow), gg, randomF64(rnd, narrow), 1, rnd);
    }
  }

  @Test
  void batchWithBroadcastB_equalsReference() {
    SplittableRandom rnd = new SplittableRandom(4);
    int n = 13;
    int k = 9;
    int m = 35;
    // Batch of 3 with B broadcast (batch stride 0).
    int[] g = {1, n, k, m, k, 1, m, 1, 3, n * k, 0};
    checkF32(randomF32(rnd, 3 * n * k), randomF32(rnd, k * m), g, null, 0, rnd);
    checkF64(randomF64(rnd, 3 * n * k), randomF64(rnd, k * m), g, null, 0, rnd);
  }

  @Test
  void specialValues_propagateAsTheReference() {
    SplittableRandom rnd = new SplittableRandom(5);
    float[] specials = {
      Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE, 3e38f
    };
    int n = 14;
    int k = 20;
    int m = 33;
    float[] a = randomF32(rnd, n * k);
    float[] b = randomF32(rnd, k * m);
    for (int i = 0; i < 40; i++) {
      a[rnd.nextInt(a.length)] = specials[rnd.nextInt(specials.length)];
      b[rnd.nextInt(b.length)] = specials[rnd.nextInt(specials.length)];
    }
    int[] g = {0, n, k, m, k, 1, m, 1};
    checkF32(a, b, g, randomF32(rnd, m), 1, rnd);
    // Products of -0: every element of C is +0 + (-0) = +0, as in the reference.
    float[] zeros = new float[n * k];
    java.util.Arrays.fill(zeros, -0f);
    checkF32(zeros, b, g, null, 0, rnd);
  }

  /** The reference, the scalar form, the vector form, and the vector form over random ranges. */
  private static void checkF32(
      float[] a, float[] b, int[] g, float[] bias, int act, SplittableRandom rnd) {
    int batches = Gemm.batches(g);
    int n = g[1];
    int k = g[2];
    int m = g[3];
    float[] want = new float[batches * n * m];
    for (int t = 0; t < batches; t++) {
      int ao = Gemm.batchOffset(g, t, 9);
      int bo = Gemm.batchOffset(g, t, 10);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          float s = 0;
          for (int p = 0; p < k; p++) {
            s = Math.fma(a[ao + i * g[4] + p * g[5]], b[bo + p * g[6] + j * g[7]], s);
          }
          if (bias != null) {
            s += bias[j];
          }
          want[(t * n + i) * m + j] = act == 1 && s <= 0 ? 0 : s;
        }
      }
    }
    String shape = "n=" + n + " k=" + k + " m=" + m;
    float[] scalar = new float[want.length];
    Gemm.matmulF32(a, b, scalar, g, 0, Gemm.tiles(g), bias, act);
    assertArrayEquals(want, scalar, "scalar, " + shape);
    float[] vector = new float[want.length];
    GemmVector.matmulF32(a, b, vector, g, 0, Gemm.tiles(g), bias, act);
    assertArrayEquals(want, vector, "vector, " + shape);
    float[] split = new float[want.length];
    int tiles = Gemm.tiles(g);
    for (int t = 0; t < tiles; ) {
      int next = t + 1 + rnd.nextInt(tiles - t);
      GemmVector.matmulF32(SCRATCH_F32, a, b, split, g, t, next, bias, act);
      t = next;
    }
    assertArrayEquals(want, split, "vector in ranges, packing into used arrays, " + shape);
  }

  private static void checkF64(
      double[] a, double[] b, int[] g, double[] bias, int act, SplittableRandom rnd) {
    int batches = Gemm.batches(g);
    int n = g[1];
    int k = g[2];
    int m = g[3];
    double[] want = new double[batches * n * m];
    for (int t = 0; t < batches; t++) {
      int ao = Gemm.batchOffset(g, t, 9);
      int bo = Gemm.batchOffset(g, t, 10);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            s = Math.fma(a[ao + i * g[4] + p * g[5]], b[bo + p * g[6] + j * g[7]], s);
          }
          if (bias != null) {
            s += bias[j];
          }
          want[(t * n + i) * m + j] = act == 1 && s <= 0 ? 0 : s;
        }
      }
    }
    String shape = "n=" + n + " k=" + k + " m=" + m;
    double[] scalar = new double[want.length];
    Gemm.matmulF64(a, b, scalar, g, 0, Gemm.tiles(g), bias, act);
    assertArrayEquals(want, scalar, "scalar, " + shape);
    double[] vector = new double[want.length];
    GemmVector.matmulF64(a, b, vector, g, 0, Gemm.tiles(g), bias, act);
    assertArrayEquals(want, vector, "vector, " + shape);
    double[] split = new double[want.length];
    int tiles = Gemm.tiles(g);
    for (int t = 0; t < tiles; ) {
      int next = t + 1 + rnd.nextInt(tiles - t);
      GemmVector.matmulF64(SCRATCH_F64, a, b, split, g, t, next, bias, act);
      t = next;
    }
    assertArrayEquals(want, split, "vector in ranges, packing into used arrays, " + shape);
  }

  @Test
  void gemv_rowAndColumnLayouts_equalReference() {
    SplittableRandom rnd = new SplittableRandom(6);
    for (int n : new int[] {1, 3, 4, 7, 8, 16, 31, 32, 33, 64, 65, 100}) {
      for (int k : new int[] {0, 1, 5, 32, 33}) {
        // rows contiguous (x @ w), columns contiguous (x^T @ g), and a padded stride
        for (int[] strides : new int[][] {{k, 1}, {1, n}, {k + 3, 1}}) {
          int aRow = strides[0];
          int aCol = strides[1];
          int size = 2 + Math.max((n - 1) * aRow + (k - 1) * aCol + 1, 1);
          double[] a = randomF64(rnd, size);
          double[] x = randomF64(rnd, 2 * k + 1);
          double[] y0 = randomF64(rnd, n + 1);
          float[] a32 = randomF32(rnd, size);
          float[] x32 = randomF32(rnd, 2 * k + 1);
          float[] y032 = randomF32(rnd, n + 1);
          for (boolean accumulate : new boolean[] {false, true}) {
            double[] want = y0.clone();
            float[] want32 = y032.clone();
            for (int i = 0; i < n; i++) {
              double s = accumulate ? want[1 + i] : 0;
              float s32 = accumulate ? want32[1 + i] : 0;
              for (int p = 0; p < k; p++) {
                s = Math.fma(a[2 + i * aRow + p * aCol], x[1 + 2 * p], s);
                s32 = Math.fma(a32[2 + i * aRow + p * aCol], x32[1 + 2 * p], s32);
              }
              want[1 + i] = s;
              want32[1 + i] = s32;
            }
            String what = "n=" + n + " k=" + k + " aRow=" + aRow + " acc=" + accumulate;
            int mid = rnd.nextInt(n + 1);
            double[] scalar = y0.clone();
            Gemm.gemvF64(a, 2, aRow, aCol, x, 1, 2, scalar, 1, 0, mid, k, accumulate);
            Gemm.gemvF64(a, 2, aRow, aCol, x, 1, 2, scalar, 1, mid, n, k, accumulate);
            assertArrayEquals(want, scalar, "scalar f64, " + what);
            double[] vector = y0.clone();
            GemmVector.gemvF64(a, 2, aRow, aCol, x, 1, 2, vector, 1, 0, mid, k, accumulate);
            GemmVector.gemvF64(a, 2, aRow, aCol, x, 1, 2, vector, 1, mid, n, k, accumulate);
            assertArrayEquals(want, vector, "vector f64, " + what);
            float[] scalar32 = y032.clone();
            Gemm.gemvF32(a32, 2, aRow, aCol, x32, 1, 2, scalar32, 1, 0, n, k, accumulate);
            assertArrayEquals(want32, scalar32, "scalar f32, " + what);
            float[] vector32 = y032.clone();
            GemmVector.gemvF32(a32, 2, aRow, aCol, x32, 1, 2, vector32, 1, 0, n, k, accumulate);
            assertArrayEquals(want32, vector32, "vector f32, " + what);
          }
        }
      }
    }
  }

  @Test
  void tiles_coverEveryElementOnce() {
    int[] g = {1, 100, 3, 1100, 3, 1, 1100, 1, 2, 300, 0};
    // 2 batches x 100 rows x 1100 columns: columns in 3 tiles of at most 512
    assertEquals(2 * ((100 + Gemm.TILE_ROWS - 1) / Gemm.TILE_ROWS) * 3, Gemm.tiles(g));
  }

  static float[] randomF32(SplittableRandom rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextDouble(-1, 1);
    }
    return x;
  }

  static double[] randomF64(SplittableRandom rnd, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextDouble(-1, 1);
    }
    return x;
  }
}
