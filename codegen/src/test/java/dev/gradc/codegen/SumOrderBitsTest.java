package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.codegen.lib.Reduce;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.SumOrder;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sum reductions of fused loops (full, per row, per column; sum, mean, sum_to, and inside
 * gradients) follow {@link SumOrder}: compiled results equal the interpreter bit for bit with 1, 2
 * and 7 threads, at lengths around the logical block (15, 16, 17, 31, 32, 33) and the chunk ({@code
 * 2^15}), in f64 and f32.
 */
class SumOrderBitsTest {
  static ExecutorService pool;

  static final int C = SumOrder.CHUNK;

  static final int[] LENGTHS = {1, 15, 16, 17, 31, 32, 33, C - 1, C, C + 1, 2 * C + 15, 3 * C + 33};

  @BeforeAll
  static void start() {
    pool = Executors.newFixedThreadPool(7);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  @Test
  void flatSum_isReduceSumPerChunkAddedInChunkOrder() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int n : LENGTHS) {
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = rnd.nextDouble(-2, 2) * Math.scalb(1.0, rnd.nextInt(-20, 20));
      }
      double want = 0;
      for (int c0 = 0; c0 < n; c0 += C) {
        want += Reduce.sumF64(x, c0, Math.min(n, c0 + C));
      }
      double[] got = SumOrder.sums(i -> x[i], n, new int[n], 1, 1);
      assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[0]), "n=" + n);
    }
  }

  @Test
  void fullSumsAndMeans_equalInterpreter() {
    int seed = 10;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      for (int n : LENGTHS) {
        check(seed++, dt, new int[][] {{n}}, x -> sumPlusMean(x[0]));
      }
      // a loop of rank 2 (the broadcast bias keeps it from collapsing), rows of 32
      for (int r : new int[] {1, 17, C / 32 + 1, 3 * C / 32 + 5}) {
        check(
            seed++,
            dt,
            new int[][] {{r, 32}, {32}},
            x -> {
              Builder b = x[0].builder;
              return b.sum(b.exp(b.add(x[0].v, b.broadcastTo(x[1].v, x[0].v.type().dims()))));
            });
      }
    }
  }

  @Test
  void rowAndColumnSums_equalInterpreter() {
    int seed = 100;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      for (int c : new int[] {1, 15, 16, 17, 31, 32, 33}) {
        for (int r : new int[] {1, 15, 16, 17, 33, C / c + 1, 2 * C / c + 17}) {
          int[][] shape = {{r, c}};
          check(seed++, dt, shape, x -> rowSums(x[0], 1));
          check(seed++, dt, shape, x -> rowSums(x[0], 0));
        }
      }
      // rows longer than a chunk are never split
      check(seed++, dt, new int[][] {{3, C + 17}}, x -> rowSums(x[0], 1));
    }
  }

  @Test
  void gradientsOfSums_equalInterpreter() {
    int seed = 200;
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      for (int r : new int[] {1, 16, 33, C / 16 + 3}) {
        // bias gradient: sum_to over the rows; weight gradient of a matrix-vector product
        Builder b = new Builder("layer");
        Value x = b.input("x", Type.of(dt, r, 16));
        Value w = b.param("w", Type.of(dt, 16));
        Value bias = b.param("bias", Type.of(dt, 16));
        Value h = b.add(b.mul(x, b.broadcastTo(w, x.type().dims())), bias);
        b.ret(b.mean(b.unary(Op.TANH, h)));
        Func f = Autodiff.vjp(b.build());
        assertSameBits(f, args(seed++, f));
      }
    }
  }

  /** A builder and one of its parameters, for the programs below. */
  private record Param(Builder builder, Value v) {}

  private static Value sumPlusMean(Param x) {
    Builder b = x.builder;
    return b.add(b.sum(b.mul(x.v, x.v)), b.mean(b.unary(Op.TANH, x.v)));
  }

  private static Value rowSums(Param x, int dim) {
    Builder b = x.builder;
    return b.sum(b.exp(x.v), new int[] {dim}, false);
  }

  private static void check(int seed, DType dt, int[][] shapes, Function<Param[], Value> body) {
    Builder b = new Builder("f");
    Param[] ps = new Param[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      List<Dim> dims = new ArrayList<>();
      for (int d : shapes[i]) {
        dims.add(Dim.of(d));
      }
      ps[i] = new Param(b, b.param("p" + i, new Type(dt, dims)));
    }
    b.ret(body.apply(ps));
    Func f = b.build();
    assertSameBits(f, args(seed, f));
  }

  private static List<NdArray> args(int seed, Func f) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<NdArray> args = new ArrayList<>();
    for (var p : f.params()) {
      int[] shape = new int[p.type().rank()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = p.type().dim(i).size();
      }
      args.add(CompilerTest.random(rnd, p.type().dtype(), shape));
    }
    return args;
  }

  private static void assertSameBits(Func f, List<NdArray> args) {
    List<NdArray> want = Interpreter.run(f, args);
    Loaded k = Loaded.of(f);
    for (int threads : new int[] {1, 2, 7}) {
      List<NdArray> got = threads == 1 ? k.run(args) : k.run(args, pool, threads);
      for (int r = 0; r < want.size(); r++) {
        double[] w = want.get(r).toDoubleArray();
        double[] g = got.get(r).toDoubleArray();
        assertEquals(w.length, g.length);
        for (int i = 0; i < w.length; i++) {
          if (Double.doubleToRawLongBits(w[i]) != Double.doubleToRawLongBits(g[i])) {
            throw new AssertionError(
                "result "
                    + r
                    + " element "
                    + i
                    + " with "
                    + threads
                    + " threads: interpreter "
                    + w[i]
                    + ", compiled "
                    + g[i]
                    + " for shapes "
                    + shapesOf(args)
                    + "\n"
                    + f);
          }
        }
      }
    }
  }

  private static String shapesOf(List<NdArray> args) {
    StringBuilder sb = new StringBuilder();
    for (NdArray a : args) {
      sb.append(java.util.Arrays.toString(a.shape()));
    }
    return sb.toString();
  }
}
