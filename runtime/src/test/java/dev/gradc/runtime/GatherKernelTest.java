package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Parser;
import dev.gradc.ir.ad.Autodiff;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Compiled {@code gather} and {@code scatter_add} with indices that are data: an index out of range
 * is PyTorch's error as a {@link GradcException}, raised before anything is read or written (never
 * an {@link ArrayIndexOutOfBoundsException}), and repeated indices sum in index order.
 */
class GatherKernelTest {
  private static final Func PICK =
      Parser.parse(
          """
          func @pick(%x: f32[N, 3], input %i: i64[N, 1]) -> f32 {
            %0: f32[N, 1] = gather %x, %i, dims=[1]
            %1: f32 = sum %0
            ret %1
          }
          """);

  @Test
  void gather_indexOutOfRange_isPyTorchsError() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(PICK));
    float[] x = {1, 2, 3, 4, 5, 6};
    for (long bad : new long[] {3, -1, Long.MAX_VALUE, Integer.MIN_VALUE}) {
      GradcException e =
          assertThrows(
              GradcException.class,
              () ->
                  k.call(
                      new Object[] {x, new long[] {0, bad}}, new int[][] {{2, 3}, {2, 1}}, null));
      assertEquals(
          "index " + bad + " is out of bounds for dimension 1 with size 3", e.getMessage());
    }
  }

  @Test
  void gather_vjp_addsRepeatsInIndexOrder() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(PICK));
    float[] x = {1, 2, 3, 4, 5, 6};
    Object[] out = k.call(new Object[] {x, new long[] {2, 0}}, new int[][] {{2, 3}, {2, 1}}, null);
    assertEquals(7f, ((float[]) out[0])[0]);
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, (float[]) out[1]);
  }

  @Test
  void scatterAdd_sumsInIndexOrder_sameBitsEveryRun() {
    Func f =
        Parser.parse(
            """
            func @acc(input %x: f32[2], input %i: i64[N], input %s: f32[N]) -> f32[2] {
              %0: f32[2] = scatter_add %x, %i, %s, dims=[0]
              ret %0
            }
            """);
    CompiledFunction k = Kernels.compile(f);
    int n = 10_000;
    long[] idx = new long[n];
    float[] s = new float[n];
    float want = 0;
    for (int j = 0; j < n; j++) {
      idx[j] = j % 3 == 0 ? 1 : 0;
      s[j] = (float) Math.scalb(1.0 + (j % 17), -(j % 23));
      if (idx[j] == 1) {
        want += s[j];
      }
    }
    for (int run = 0; run < 3; run++) {
      Object[] out = k.call(new Object[] {new float[2], idx, s}, new int[][] {{2}, {n}, {n}}, null);
      assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(((float[]) out[0])[1]));
    }
    idx[n - 1] = 2;
    GradcException e =
        assertThrows(
            GradcException.class,
            () -> k.call(new Object[] {new float[2], idx, s}, new int[][] {{2}, {n}, {n}}, null));
    assertEquals("index 2 is out of bounds for dimension 0 with size 2", e.getMessage());
  }

  /**
   * An embedding bag, {@code ((t.index_select(0, ids).reshape(B, 2, D).sum(1) @ w - y)**2).mean()}
   * in {@code dt}: the index a broadcast of the ids and the gradient's source a reshape of a
   * broadcast, both read in place, and the zeros of the table's gradient filled by the scatter.
   */
  private static Func bag(String dt) {
    return bag(dt, 2);
  }

  /** {@link #bag(String)} with bags of {@code len} ids. */
  private static Func bag(String dt, int len) {
    return Parser.parse(
        """
        func @bag(%t: DT[R, 4], input %ids: i64[B, 2], %w: DT[4], input %y: DT[B]) -> DT {
          %0: i64[2*B] = reshape %ids
          %1: i64[2*B, 1] = reshape %0
          %2: i64[2*B, 4] = broadcast %1
          %3: DT[2*B, 4] = gather %t, %2, dims=[0]
          %4: DT[B, 2, 4] = reshape %3
          %5: DT[B, 4] = sum %4, dims=[1]
          %6: DT[B] = matmul %5, %w
          %7: DT[B] = sub %6, %y
          %8: DT[B] = mul %7, %7
          %9: DT = mean %8
          ret %9
        }
        """
            .replace("DT", dt)
            .replace("2*B", len + "*B")
            .replace("B, 2", "B, " + len));
  }

  private static Object[] bagArgs(String dt, int rows, long[] ids, SplittableRandom rnd) {
    return bagArgs(dt, rows, ids, 2, rnd);
  }

  private static Object[] bagArgs(String dt, int rows, long[] ids, int len, SplittableRandom rnd) {
    int bags = ids.length / len;
    double[] t = new double[rows * 4];
    double[] w = new double[4];
    double[] y = new double[bags];
    for (double[] a : new double[][] {t, w, y}) {
      for (int i = 0; i < a.length; i++) {
        a[i] = rnd.nextDouble(-1, 1);
      }
    }
    return dt.equals("f32")
        ? new Object[] {floats(t), ids, floats(w), floats(y)}
        : new Object[] {t, ids, w, y};
  }

  private static float[] floats(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  private static double[] doubles(Object a) {
    if (a instanceof double[] d) {
      return d;
    }
    float[] f = (float[]) a;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** The raw bits of every element of every result, f32 as float bits. */
  private static long[][] bits(Object[] results) {
    long[][] b = new long[results.length][];
    for (int r = 0; r < results.length; r++) {
      Object a = results[r];
      double[] d = doubles(a);
      b[r] = new long[d.length];
      for (int i = 0; i < d.length; i++) {
        b[r][i] =
            a instanceof float[] f
                ? Float.floatToRawIntBits(f[i])
                : Double.doubleToRawLongBits(d[i]);
      }
    }
    return b;
  }

  @Test
  void embeddingBag_vjp_compiledHasTheInterpretersBits_atAnyThreadCount() {
    SplittableRandom rnd = new SplittableRandom(13);
    int rows = 5;
    // repeated ids, ids at 0 and rows - 1, both ids of a bag alike, rows 1 and 3 never selected
    long[] ids = {0, 4, 4, 4, 2, 0, 0, 0, 4, 2};
    int[][] shapes = {{rows, 4}, {5, 2}, {4}, {5}};
    int before = Executor.threads();
    try {
      for (String dt : new String[] {"f32", "f64"}) {
        Func vjp = Autodiff.vjp(bag(dt));
        Object[] args = bagArgs(dt, rows, ids, rnd);
        long[][] want = bits(Kernels.interpret(vjp).call(args, shapes, null));
        CompiledFunction k = Kernels.compile(vjp);
        for (int threads : new int[] {1, 2, 7}) {
          Executor.setThreads(threads);
          Object[] outs = k.call(args, shapes, null);
          assertArrayEquals(want, bits(outs), dt + " at " + threads + " threads");
          // the output arrays of a call before: filled again, not added to
          assertArrayEquals(want, bits(k.call(args, shapes, outs)), dt + ", outputs reused");
        }
        double[] grad = doubles(k.call(args, shapes, null)[1]);
        for (int c = 0; c < 4; c++) {
          assertEquals(0.0, grad[4 + c]);
          assertEquals(0.0, grad[12 + c]);
          assertTrue(grad[c] != 0 && grad[8 + c] != 0 && grad[16 + c] != 0);
        }
      }
    } finally {
      Executor.setThreads(before);
    }
  }

  @Test
  void embeddingBag_bagsOfSix_matchTheInterpreter_f32Bitwise() {
    // bags longer than the rows taken four at a time, and 3 bags: 18 rows, 4 groups and 2 more
    SplittableRandom rnd = new SplittableRandom(17);
    int rows = 7;
    long[] ids = new long[18];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i % 5 == 0 ? 6 : rnd.nextInt(3);
    }
    int[][] shapes = {{rows, 4}, {3, 6}, {4}, {3}};
    for (String dt : new String[] {"f32", "f64"}) {
      Func vjp = Autodiff.vjp(bag(dt, 6));
      Object[] args = bagArgs(dt, rows, ids, 6, rnd);
      Object[] interpreted = Kernels.interpret(vjp).call(args, shapes, null);
      CompiledFunction k = Kernels.compile(vjp);
      Object[] outs = k.call(args, shapes, null);
      if (dt.equals("f32")) {
        // sums of six f32 rows in f64 are exact: every order gives the interpreter's bits
        assertArrayEquals(bits(interpreted), bits(outs), dt);
      } else {
        // the loop's order, not the interpreter's blocks (SumOrder): equal up to rounding
        for (int r = 0; r < outs.length; r++) {
          assertArrayEquals(doubles(interpreted[r]), doubles(outs[r]), 1e-12, dt);
        }
      }
      assertArrayEquals(bits(outs), bits(k.call(args, shapes, outs)), dt + ", outputs reused");
      double[] grad = doubles(outs[1]);
      for (int c = 0; c < 4; c++) {
        assertEquals(0.0, grad[3 * 4 + c]); // rows 3 to 5 never selected
        assertEquals(0.0, grad[5 * 4 + c]);
        assertTrue(grad[6 * 4 + c] != 0);
      }
    }
  }

  @Test
  void bagSum_hasTheBitsOfTheLoopOverGatheredRows() {
    // The same bag sum, once fused (the gathered rows read by the sum alone) and once a loop over
    // the stored rows (the rows a result too): the same f64 sums, bit for bit.
    String body =
        """
        func @f(%t: f64[R, 4], input %ids: i64[6*B]) -> RESULT {
          %0: i64[6*B, 1] = reshape %ids
          %1: i64[6*B, 4] = broadcast %0
          %2: f64[6*B, 4] = gather %t, %1, dims=[0]
          %3: f64[B, 6, 4] = reshape %2
          %4: f64[B, 4] = sum %3, dims=[1]
          ret RETS
        }
        """;
    Func fused = Parser.parse(body.replace("RESULT", "f64[B, 4]").replace("RETS", "%4"));
    Func loop =
        Parser.parse(body.replace("RESULT", "(f64[B, 4], f64[6*B, 4])").replace("RETS", "%4, %2"));
    SplittableRandom rnd = new SplittableRandom(3);
    double[] t = new double[9 * 4];
    for (int i = 0; i < t.length; i++) {
      t[i] = rnd.nextDouble(-1, 1) * Math.scalb(1.0, rnd.nextInt(-20, 20));
    }
    long[] ids = new long[6 * 5];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rnd.nextInt(9);
    }
    Object[] args = {t, ids};
    int[][] shapes = {{9, 4}, {30}};
    Object a = Kernels.compile(fused).call(args, shapes, null)[0];
    Object b = Kernels.compile(loop).call(args, shapes, null)[0];
    assertArrayEquals(bits(new Object[] {b}), bits(new Object[] {a}));
  }

  @Test
  void embeddingBag_vjp_matchesFiniteDifferences() {
    SplittableRandom rnd = new SplittableRandom(5);
    int rows = 6;
    long[] ids = {5, 1, 1, 0, 5, 5, 3, 0};
    int[][] shapes = {{rows, 4}, {4, 2}, {4}, {4}};
    Func f = bag("f64");
    CompiledFunction value = Kernels.compile(f);
    CompiledFunction vjp = Kernels.compile(Autodiff.vjp(f));
    Object[] args = bagArgs("f64", rows, ids, rnd);
    Object[] got = vjp.call(args, shapes, null);
    for (int p : new int[] {0, 2}) {
      double[] x = (double[]) args[p];
      double[] grad = (double[]) got[p == 0 ? 1 : 2];
      for (int i = 0; i < x.length; i++) {
        double h = 1e-6;
        double keep = x[i];
        x[i] = keep + h;
        double up = ((double[]) value.call(args, shapes, null)[0])[0];
        x[i] = keep - h;
        double down = ((double[]) value.call(args, shapes, null)[0])[0];
        x[i] = keep;
        assertEquals((up - down) / (2 * h), grad[i], 1e-7, "param " + p + " element " + i);
      }
    }
  }

  @Test
  void embeddingBag_noBags_gradientIsZeros() {
    Func vjp = Autodiff.vjp(bag("f32"));
    int rows = 3;
    Object[] args = bagArgs("f32", rows, new long[0], new SplittableRandom(1));
    int[][] shapes = {{rows, 4}, {0, 2}, {4}, {0}};
    Object[] outs = {null, new float[rows * 4], null};
    java.util.Arrays.fill((float[]) outs[1], 7f);
    Object[] got = Kernels.compile(vjp).call(args, shapes, outs);
    assertArrayEquals(new float[rows * 4], (float[]) got[1]);
    assertArrayEquals(bits(Kernels.interpret(vjp).call(args, shapes, null)), bits(got), "no bags");
  }

  @Test
  void bagSum_emptyBags_areZeros() {
    Func f =
        Parser.parse(
            """
            func @f(%t: f32[R, 4], input %ids: i64[0]) -> f32[3, 4] {
              %0: i64[0, 1] = reshape %ids
              %1: i64[0, 4] = broadcast %0
              %2: f32[0, 4] = gather %t, %1, dims=[0]
              %3: f32[3, 0, 4] = reshape %2
              %4: f32[3, 4] = sum %3, dims=[1]
              ret %4
            }
            """);
    float[] out = new float[12];
    java.util.Arrays.fill(out, 7f);
    Object[] got =
        Kernels.compile(f)
            .call(
                new Object[] {new float[8], new long[0]},
                new int[][] {{2, 4}, {0}},
                new Object[] {out});
    assertArrayEquals(new float[12], (float[]) got[0]);
  }

  @Test
  void embeddingBag_idOutOfRange_isPyTorchsError_beforeAnythingIsWritten() {
    Func vjp = Autodiff.vjp(bag("f32"));
    int rows = 4;
    long[] ids = {0, 3, 1, 4};
    Object[] args = bagArgs("f32", rows, ids, new SplittableRandom(2));
    int[][] shapes = {{rows, 4}, {2, 2}, {4}, {2}};
    float[] grad = new float[rows * 4];
    java.util.Arrays.fill(grad, 7f);
    GradcException e =
        assertThrows(
            GradcException.class,
            () -> Kernels.compile(vjp).call(args, shapes, new Object[] {null, grad, null}));
    assertEquals("index 4 is out of bounds for dimension 0 with size 4", e.getMessage());
    for (float v : grad) {
      assertEquals(7f, v);
    }
  }
}
