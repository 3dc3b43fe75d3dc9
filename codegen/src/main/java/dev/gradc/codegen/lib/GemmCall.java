package dev.gradc.codegen.lib;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * A compiled {@code matmul}: {@link Gemm}'s products run over blocks of C on the caller's pool,
 * with the scalar form or the Vector API form chosen once per generated class (an int64 product
 * runs {@link Gemm#matmulI64} on the calling thread). Generated classes copy these methods ({@code
 * LibraryCopier}), so they use only {@code java.base}.
 *
 * <p>A product with one row or one column (a matrix-vector product, {@code mv} or {@code vm}) runs
 * as {@code gemv} over blocks of {@link #GEMV_ROWS} rows; any other as tiles of C. Each element of
 * C is computed by one block, in the one order of {@link Gemm}, so the bits do not depend on how
 * the blocks are split over threads nor on which form runs.
 *
 * <p>The vector forms live in a companion class of the generated class holding copies of {@code
 * lib.vector.GemmVector}'s methods: {@link #gemmVectorForms} finds it (a hidden class's companion
 * is its class data; a named class's is the class {@code <name>$Vector}) when {@link
 * VectorSupport#enabled}, and returns handles to its {@code matmulF32}, {@code matmulF64}, {@code
 * gemvF32} and {@code gemvF64}; the generated class keeps them in a static final field. The
 * products' handles are bound to a {@code ThreadLocal} each, whose per-thread arrays they pack
 * into, so a call allocates no packing buffers once each thread's are large enough. Without the
 * module, or without the companion, the copied scalar forms run.
 */
public final class GemmCall {
  private GemmCall() {}

  /** Rows of a matrix-vector product per block. */
  public static final int GEMV_ROWS = 256;

  /** Below this many multiply-adds a product runs on the calling thread only. */
  public static final long PARALLEL_MIN = 1L << 17;

  /** The name of the class holding the vector forms of the class named {@code name}. */
  public static String gemmCompanion(String name) {
    return name + "$Vector";
  }

  /**
   * The vector forms for the generated class of {@code lookup} (see the class comment), or null
   * when the scalar forms must run.
   */
  public static MethodHandle[] gemmVectorForms(MethodHandles.Lookup lookup) {
    if (!VectorSupport.enabled()) {
      return null;
    }
    try {
      Class<?> v = companion(lookup);
      MethodType mm32 =
          MethodType.methodType(
              void.class,
              float[].class,
              float[].class,
              float[].class,
              int[].class,
              int.class,
              int.class,
              float[].class,
              int.class);
      MethodType mm64 =
          MethodType.methodType(
              void.class,
              double[].class,
              double[].class,
              double[].class,
              int[].class,
              int.class,
              int.class,
              double[].class,
              int.class);
      Class<?>[] gemvInts = {int.class, int.class, int.class};
      MethodType mv32 =
          MethodType.methodType(void.class, float[].class, gemvInts)
              .appendParameterTypes(float[].class, int.class, int.class, float[].class)
              .appendParameterTypes(int.class, int.class, int.class, int.class, boolean.class);
      MethodType mv64 =
          MethodType.methodType(void.class, double[].class, gemvInts)
              .appendParameterTypes(double[].class, int.class, int.class, double[].class)
              .appendParameterTypes(int.class, int.class, int.class, int.class, boolean.class);
      // The products pack into per-thread arrays of their own ThreadLocal, bound here.
      return new MethodHandle[] {
        MethodHandles.insertArguments(
            lookup.findStatic(v, "matmulF32", mm32.insertParameterTypes(0, ThreadLocal.class)),
            0,
            new ThreadLocal<float[][]>()),
        MethodHandles.insertArguments(
            lookup.findStatic(v, "matmulF64", mm64.insertParameterTypes(0, ThreadLocal.class)),
            0,
            new ThreadLocal<double[][]>()),
        lookup.findStatic(v, "gemvF32", mv32),
        lookup.findStatic(v, "gemvF64", mv64)
      };
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /**
   * The companion of the generated class of {@code lookup}: its class data (a hidden class), else
   * the class named {@link #gemmCompanion} of its name, loaded and initialized.
   */
  public static Class<?> companion(MethodHandles.Lookup lookup)
      throws ReflectiveOperationException {
    Class<?> self = lookup.lookupClass();
    Class<?> v = MethodHandles.classData(lookup, "_", Class.class);
    if (v == null) {
      v = Class.forName(gemmCompanion(self.getName()), true, self.getClassLoader());
    }
    return v;
  }

  /** True when the product of geometry {@code g} runs as matrix-vector products. */
  private static boolean gemmIsGemv(int[] g) {
    return g[1] == 1 || g[3] == 1;
  }

  /** The number of blocks of the product: tiles of C, or gemv row blocks of each product. */
  public static int gemmBlocks(int[] g) {
    if (gemmIsGemv(g)) {
      int rows = g[3] == 1 ? g[1] : g[3];
      return Gemm.batches(g) * Math.max(1, (rows + GEMV_ROWS - 1) / GEMV_ROWS);
    }
    return Gemm.tiles(g);
  }

  /** The multiply-adds of block {@code t}, for splitting the blocks into tasks of equal work. */
  private static long gemmWork(int[] g, int t, int[] r) {
    if (gemmIsGemv(g)) {
      int rows = g[3] == 1 ? g[1] : g[3];
      int per = Math.max(1, (rows + GEMV_ROWS - 1) / GEMV_ROWS);
      int i0 = t % per * GEMV_ROWS;
      return (long) Math.max(0, Math.min(GEMV_ROWS, rows - i0)) * g[2];
    }
    Gemm.run(g, t, t + 1, r);
    return (long) Math.max(0, r[4] - r[3]) * r[6] * g[2];
  }

  /**
   * {@code C = A B} for geometry {@code g} ({@link Gemm}'s), on the calling thread and up to {@code
   * threads - 1} tasks of {@code pool} (none when {@code pool} is null), with the forms {@code vec}
   * ({@link #gemmVectorForms}) or the scalar ones when null.
   */
  public static void gemmMatmul(
      Object a, Object b, Object c, int[] g, MethodHandle[] vec, ExecutorService pool, int threads)
      throws Throwable {
    if (c instanceof long[] l) {
      // int64: exact and wrapping, on the calling thread (no vector form).
      Gemm.matmulI64((long[]) a, (long[]) b, l, g);
      return;
    }
    if (g[2] == 0) {
      // No products: every element is +0.0.
      int len = Gemm.batches(g) * g[1] * g[3];
      if (c instanceof float[] f) {
        java.util.Arrays.fill(f, 0, len, 0f);
      } else {
        java.util.Arrays.fill((double[]) c, 0, len, 0.0);
      }
      return;
    }
    Object[] frame = {a, b, c, g, vec};
    int blocks = gemmBlocks(g);
    long total = (long) Gemm.batches(g) * g[1] * g[2] * g[3];
    int tasks = pool == null || total < PARALLEL_MIN ? 1 : Math.max(1, Math.min(threads, blocks));
    if (tasks == 1) {
      gemmRun(0, blocks, frame);
      return;
    }
    // Task t takes the blocks from the first whose work so far reaches t/tasks of the total.
    int[] r = new int[7];
    int[] bounds = new int[tasks + 1];
    bounds[tasks] = blocks;
    long done = 0;
    int t = 1;
    for (int blk = 0; blk < blocks && t < tasks; blk++) {
      while (t < tasks && done * tasks >= total * t) {
        bounds[t++] = blk;
      }
      done += gemmWork(g, blk, r);
    }
    while (t < tasks) {
      bounds[t++] = blocks;
    }
    Future<?>[] futures = new Future<?>[tasks];
    for (int i = 1; i < tasks; i++) {
      futures[i] = pool.submit(gemmTask(-1, bounds[i], bounds[i + 1], frame));
    }
    gemmRun(bounds[0], bounds[1], frame);
    for (int i = 1; i < tasks; i++) {
      try {
        futures[i].get();
      } catch (ExecutionException e) {
        throw e.getCause();
      }
    }
  }

  /**
   * A pool task running {@link #gemmRun}{@code (from, to, frame)}. A generated class defines its
   * own method of this name and descriptor (an instance of itself, whose {@code run()} calls {@link
   * #gemmRun} for {@code nest == -1}), and the copier keeps that one.
   */
  static Runnable gemmTask(int nest, int from, int to, Object[] frame) {
    return () -> {
      try {
        gemmRun(from, to, frame);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /** Blocks {@code [from, to)} of the product in {@code frame = {a, b, c, g, vec}}. */
  public static void gemmRun(int from, int to, Object[] frame) throws Throwable {
    int[] g = (int[]) frame[3];
    MethodHandle[] vec = (MethodHandle[]) frame[4];
    if (frame[0] instanceof float[]) {
      float[] a = (float[]) frame[0];
      float[] b = (float[]) frame[1];
      float[] c = (float[]) frame[2];
      if (!gemmIsGemv(g)) {
        if (vec != null) {
          vec[0].invokeExact(a, b, c, g, from, to, (float[]) null, 0);
        } else {
          Gemm.matmulF32(a, b, c, g, from, to, null, 0);
        }
        return;
      }
      int[] p = new int[10];
      float[] mat = g[3] == 1 ? a : b;
      float[] x = g[3] == 1 ? b : a;
      for (int t = from; t < to; t++) {
        gemmGemvBlock(g, t, p);
        if (vec != null) {
          vec[2].invokeExact(
              mat, p[0], p[1], p[2], x, p[3], p[4], c, p[5], p[6], p[7], p[8], false);
        } else {
          Gemm.gemvF32(mat, p[0], p[1], p[2], x, p[3], p[4], c, p[5], p[6], p[7], p[8], false);
        }
      }
      return;
    }
    double[] a = (double[]) frame[0];
    double[] b = (double[]) frame[1];
    double[] c = (double[]) frame[2];
    if (!gemmIsGemv(g)) {
      if (vec != null) {
        vec[1].invokeExact(a, b, c, g, from, to, (double[]) null, 0);
      } else {
        Gemm.matmulF64(a, b, c, g, from, to, null, 0);
      }
      return;
    }
    int[] p = new int[10];
    double[] mat = g[3] == 1 ? a : b;
    double[] x = g[3] == 1 ? b : a;
    for (int t = from; t < to; t++) {
      gemmGemvBlock(g, t, p);
      if (vec != null) {
        vec[3].invokeExact(mat, p[0], p[1], p[2], x, p[3], p[4], c, p[5], p[6], p[7], p[8], false);
      } else {
        Gemm.gemvF64(mat, p[0], p[1], p[2], x, p[3], p[4], c, p[5], p[6], p[7], p[8], false);
      }
    }
  }

  /**
   * Gemv block {@code t}: writes {@code {matOff, matRow, matCol, vecOff, vecStep, yOff, from, to,
   * k}} to {@code p}. With one column ({@code mv}) the matrix is A and the vector B's column; with
   * one row ({@code vm}) the matrix is B read transposed and the vector A's row. Either way each
   * element is {@code fma} over the shared dim in ascending order from {@code +0.0}, as in {@link
   * Gemm}.
   */
  private static void gemmGemvBlock(int[] g, int t, int[] p) {
    boolean mv = g[3] == 1;
    int rows = mv ? g[1] : g[3];
    int per = Math.max(1, (rows + GEMV_ROWS - 1) / GEMV_ROWS);
    int batch = t / per;
    int aOff = Gemm.batchOffset(g, batch, 9);
    int bOff = Gemm.batchOffset(g, batch, 10);
    p[0] = mv ? aOff : bOff;
    p[1] = mv ? g[4] : g[7];
    p[2] = mv ? g[5] : g[6];
    p[3] = mv ? bOff : aOff;
    p[4] = mv ? g[6] : g[5];
    p[5] = batch * g[1] * g[3];
    p[6] = t % per * GEMV_ROWS;
    p[7] = Math.min(rows, p[6] + GEMV_ROWS);
    p[8] = g[2];
  }
}
