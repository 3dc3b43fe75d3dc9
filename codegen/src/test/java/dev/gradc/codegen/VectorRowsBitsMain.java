package dev.gradc.codegen;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs, in this JVM, rows kernels of row sums and column sums ({@link VectorRows}: the logistic
 * loss's value and gradient with rows of 5 to 40, row means, a row value read along the row, full
 * sums in two loops, every elementary function with a block form applied per row) over row counts
 * around the row block and the chunk, values of many sizes and special values, with 1, 2 and 7
 * threads, and prints two lines: how many of the programs' kernels run in vector form here, and a
 * digest of all results' bits. {@link VectorKernelBitsTest} runs it in fresh JVMs with and without
 * the vector module and with 128-, 256- and 512-bit vectors.
 */
public final class VectorRowsBitsMain {
  private VectorRowsBitsMain() {}

  static final int[] ROWS = {1, 2, 63, 65, 1025, 3001};

  static final int[] COLUMNS = {5, 16, 17, 32, 40};

  /** The programs with {@code rows} rows of {@code k}. */
  static List<Func> programs(int rows, int k) {
    List<Func> out = new ArrayList<>();
    out.add(RowBlocksTest.logistic(DType.F64, rows, k));
    out.add(RowBlocksTest.twoFlatSums(rows, k));
    Builder b = new Builder("row_means");
    Value x = b.input("x", Type.of(DType.F64, rows, k));
    Value w = b.param("w", Type.of(DType.F64, k));
    Value m = b.reduce(Op.MEAN, b.add(b.mul(x, w), -0.25), new int[] {1}, false);
    b.ret(b.sum(b.unary(Op.SOFTPLUS, m)));
    out.add(Autodiff.vjp(b.build()));
    // per-row functions of a dot product in passes: every function with a block form
    Builder c = new Builder("row_functions");
    Value cx = c.input("x", Type.of(DType.F64, rows, k));
    Value cw = c.param("w", Type.of(DType.F64, k));
    Value z = c.matmul(cx, cw);
    Value t = c.add(c.unary(Op.TANH, z), c.mul(c.unary(Op.ERF, z), c.unary(Op.SIN, z)));
    t = c.add(t, c.mul(c.unary(Op.COS, z), c.unary(Op.SIGMOID, c.unary(Op.EXPM1, z))));
    t = c.add(t, c.unary(Op.ERFC, c.unary(Op.LOG, c.add(c.mul(z, z), 1.0))));
    c.ret(c.sum(t));
    out.add(Autodiff.vjp(c.build()));
    return out;
  }

  /** Values of both signs and many sizes, and now and then a special value. */
  static NdArray random(SplittableRandom rnd, int[] shape) {
    double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300, -1e-300, 30.0};
    double[] v = new double[NdArray.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] =
          rnd.nextInt(64) == 0
              ? special[rnd.nextInt(special.length)]
              : rnd.nextDouble(-2, 2) * Math.scalb(1.0, rnd.nextInt(-6, 6));
    }
    return NdArray.of(DType.F64, shape, v);
  }

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(7);
    long digest = 17;
    int vectorKernels = 0;
    try {
      int seed = 0;
      for (int rows : ROWS) {
        for (int k : COLUMNS) {
          for (Func f : programs(rows, k)) {
            Loaded compiled = Loaded.of(f);
            vectorKernels += compiled.vectorKernels();
            SplittableRandom rnd = new SplittableRandom(seed++);
            List<NdArray> in = new ArrayList<>();
            for (Value p : f.params()) {
              in.add(random(rnd, p.type().shape(Map.of())));
            }
            for (int threads : new int[] {1, 2, 7}) {
              List<NdArray> got = threads == 1 ? compiled.run(in) : compiled.run(in, pool, threads);
              for (NdArray r : got) {
                for (double d : r.toDoubleArray()) {
                  digest = digest * 31 + Double.doubleToLongBits(d);
                }
              }
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println(vectorKernels);
    System.out.println(Long.toHexString(digest));
  }
}
