package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.codegen.lib.VectorSupport;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compiled matrix products give the same bits with 1, 2 and 7 threads and with the vector forms on
 * and off ({@code -Dgradc.vector=false}, read when a class initializes), and equal the interpreter
 * bit for bit: shapes around the tile (12 x 512), micro-kernel (4, 6, 12 rows) and packing (256
 * products) boundaries, in f32 and f64, for plain, transposed (the adjoint's {@code A^T G} and
 * {@code G B^T}), batched, broadcast and matrix-vector forms.
 */
class GemmBitsTest {
  static ExecutorService pool;

  @BeforeAll
  static void start() {
    pool = Executors.newFixedThreadPool(7);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  /** {@code a b} with a's and b's shapes; {@code transA}/{@code transB}: given transposed. */
  private static Func product(DType dt, int[] as, int[] bs, boolean transA, boolean transB) {
    Builder b = new Builder("mm");
    Value a = b.param("a", Type.of(dt, transA ? swapLast(as) : as));
    Value c = b.param("b", Type.of(dt, transB ? swapLast(bs) : bs));
    Value x = transA ? b.transposeLast(a) : a;
    Value y = transB ? b.transposeLast(c) : c;
    b.ret(b.matmul(x, y));
    return b.build();
  }

  private static int[] swapLast(int[] s) {
    int[] t = s.clone();
    int r = s.length;
    t[r - 1] = s[r - 2];
    t[r - 2] = s[r - 1];
    return t;
  }

  /** The bits of each element, every NaN as the one canonical NaN (payloads are not kept). */
  private static long[] bits(NdArray x) {
    double[] d = x.toDoubleArray();
    long[] out = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = Double.doubleToLongBits(d[i]);
    }
    return out;
  }

  private static Loaded compile(Func f, boolean vector) {
    String old = System.getProperty("gradc.vector");
    System.setProperty("gradc.vector", Boolean.toString(vector));
    try {
      Loaded k = Loaded.of(f);
      assertNotNull(k.compiled.vectorBytes(), "a class running a product has its vector forms");
      return k;
    } finally {
      if (old == null) {
        System.clearProperty("gradc.vector");
      } else {
        System.setProperty("gradc.vector", old);
      }
    }
  }

  private static void assertSameBits(Func f, List<NdArray> args) {
    long[] want = bits(Interpreter.run(f, args).get(0));
    for (boolean vector : new boolean[] {true, false}) {
      Loaded k = compile(f, vector);
      for (int threads : new int[] {1, 2, 7}) {
        List<NdArray> got = threads == 1 ? k.run(args) : k.run(args, pool, threads);
        long[] g = bits(got.get(0));
        assertEquals(want.length, g.length);
        for (int i = 0; i < want.length; i++) {
          if (want[i] != g[i]) {
            throw new AssertionError(
                "element "
                    + i
                    + " with vector="
                    + vector
                    + ", "
                    + threads
                    + " threads: interpreter "
                    + Double.longBitsToDouble(want[i])
                    + ", compiled "
                    + Double.longBitsToDouble(g[i])
                    + "\n"
                    + f);
          }
        }
      }
    }
  }

  private static void check(int seed, int[] as, int[] bs, BiFunction<int[], int[], Func> fn) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Func f = fn.apply(as, bs);
    List<NdArray> args = new ArrayList<>();
    for (var p : f.params()) {
      int[] shape = new int[p.type().rank()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = p.type().dim(i).size();
      }
      args.add(CompilerTest.random(rnd, p.type().dtype(), shape));
    }
    assertSameBits(f, args);
  }

  @Test
  void vectorFormsAreAvailableHere() {
    // The tests run with --add-modules jdk.incubator.vector: "on" really is the vector form.
    assertTrue(VectorSupport.enabled());
  }

  @Test
  void matrixProducts_sameBitsForThreadsAndVectorForm_equalToInterpreter() {
    int[][] shapes = {
      {2, 3, 2},
      {5, 7, 3},
      {13, 1, 17},
      {47, 255, 33},
      {49, 257, 65},
      {97, 31, 513},
      {12, 300, 24},
      {50, 512, 6},
      {6, 9, 1030},
      {100, 300, 10},
      {70, 33, 8}
    };
    int seed = 1;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      for (int[] s : shapes) {
        int[] as = {s[0], s[1]};
        int[] bs = {s[1], s[2]};
        for (int t = 0; t < 4; t++) {
          boolean ta = (t & 1) != 0;
          boolean tb = (t & 2) != 0;
          check(seed++, as, bs, (x, y) -> product(dt, x, y, ta, tb));
        }
      }
    }
  }

  @Test
  void batchedBroadcastAndMatrixVectorProducts_sameBitsForThreadsAndVectorForm() {
    int seed = 100;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      int[][][] pairs = {
        {{3, 49, 40}, {3, 40, 70}}, // bmm
        {{2, 3, 13, 260}, {260, 9}}, // B broadcast over the batch
        {{4, 300, 50}, {4, 50, 1}}, // batched matrix-vector
        {{4, 1, 50}, {4, 50, 300}}, // batched vector-matrix
        {{5, 7}, {2, 7, 600}} // A broadcast
      };
      for (int[][] p : pairs) {
        check(seed++, p[0], p[1], (x, y) -> product(dt, x, y, false, false));
        check(seed++, p[0], p[1], (x, y) -> product(dt, x, y, true, false));
      }
    }
  }

  @Test
  void outerProducts_sharedDimOfOne_sameBitsAsTheInterpreter() {
    int seed = 200;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      int[][][] pairs = {
        {{256, 32, 1}, {256, 1, 64}}, // per-sample weight gradients
        {{3, 13, 1}, {3, 1, 600}}, // two column tiles
        {{7, 1}, {1, 9}},
        {{2, 5, 1}, {1, 11}} // B broadcast over the batch
      };
      for (int[][] p : pairs) {
        check(seed++, p[0], p[1], (x, y) -> product(dt, x, y, false, false));
        check(seed++, p[0], p[1], (x, y) -> product(dt, x, y, true, true));
      }
    }
  }

  @Test
  void outerProducts_signedZerosUnderflowAndNonFinite_sameBitsAsTheInterpreter() {
    // fma(a, b, +0.0): an exact zero product is +0.0, a product that underflows keeps its sign
    double[] f64 = {0.0, -0.0, 1e-200, -1e-200, 3, -2.5, Double.POSITIVE_INFINITY, Double.NaN};
    double[] f32 = {0.0, -0.0, 1e-30, -1e-30, 3, -2.5, Double.NEGATIVE_INFINITY, Double.NaN};
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      double[] v = dt == DType.F64 ? f64 : f32;
      int n = v.length;
      double[] a = new double[2 * n];
      double[] b = new double[2 * n];
      for (int i = 0; i < n; i++) {
        a[i] = v[i];
        a[n + i] = -v[n - 1 - i];
        b[i] = v[n - 1 - i];
        b[n + i] = v[i];
      }
      Func f = product(dt, new int[] {2, n, 1}, new int[] {2, 1, n}, false, false);
      assertSameBits(
          f,
          List.of(NdArray.of(dt, new int[] {2, n, 1}, a), NdArray.of(dt, new int[] {2, 1, n}, b)));
    }
  }
}
