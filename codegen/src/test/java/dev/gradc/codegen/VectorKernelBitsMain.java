package dev.gradc.codegen;

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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * Runs, in this JVM, every elementwise op the vector backend takes and full sums of it, in f64 and
 * f32, at lengths around the logical block (and for some, the chunk), with 1, 2 and 7 threads, and
 * prints three lines: how many of the programs' kernels run in vector form here, how many result
 * elements differ from the interpreter's bits (NaNs compare equal, their payload is unspecified),
 * and a digest of all results' bits. {@link VectorKernelBitsTest} runs it in fresh JVMs with and
 * without the vector module and with 128-, 256- and 512-bit vectors.
 */
public final class VectorKernelBitsMain {
  private VectorKernelBitsMain() {}

  static final int C = SumOrder.CHUNK;

  /** Lengths around the logical block, for every program. */
  static final int[] LENGTHS = {1, 2, 7, 15, 16, 17, 31, 33, 100};

  /** Lengths around the chunk, for the programs of {@link #CHUNKED}. */
  static final int[] CHUNK_LENGTHS = {C - 1, C, C + 1, 2 * C + 15};

  static final java.util.Set<String> CHUNKED =
      java.util.Set.of("exp", "mul", "where_lt", "erf", "black_scholes");

  /** Lengths around the vector backend's block ({@link VectorBlocks#BLOCK}), for its programs. */
  static final int[] BLOCK_LENGTHS = {127, 128, 129, 300};

  /** The functions of kernels in blocks ({@link VectorBlocks}), in f64 programs. */
  static final Op[] FUNCTIONS = {
    Op.EXPM1, Op.LOG, Op.LOG1P, Op.SIGMOID, Op.TANH, Op.ERF, Op.ERFC, Op.SIN, Op.COS
  };

  static final Op[] UNARY = {Op.NEG, Op.ABS, Op.SQRT, Op.EXP, Op.RSQRT, Op.RECIPROCAL, Op.SQUARE};

  static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAXIMUM, Op.MINIMUM};

  static final Op[] COMPARE = {Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE};

  /** The programs: {@code y = op(x[, z])}, returned with {@code sum(y)} and {@code mean(y)}. */
  static List<Func> programs() {
    List<Func> out = new ArrayList<>();
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      for (Op op : UNARY) {
        out.add(program(op.mnemonic(), dt, (b, x) -> b.unary(op, x[0])));
      }
      for (Op op : BINARY) {
        out.add(program(op.mnemonic(), dt, (b, x) -> b.binary(op, x[0], x[1])));
      }
      for (Op op : COMPARE) {
        out.add(
            program(
                "where_" + op.mnemonic(),
                dt,
                (b, x) -> b.where(b.binary(op, x[0], x[1]), x[0], b.mul(x[1], x[1]))));
      }
      out.add(program("clamp", dt, (b, x) -> b.clamp(x[0], b.neg(b.abs(x[1])), b.abs(x[1]))));
      if (dt == DType.F64) {
        for (Op op : FUNCTIONS) {
          out.add(
              program(
                  op.mnemonic(),
                  dt,
                  (b, x) -> b.add(b.unary(op, x[0]), b.mul(b.unary(op, b.sub(x[1], x[0])), x[0]))));
        }
        out.add(program("black_scholes", dt, VectorKernelBitsMain::blackScholes));
      }
      // a scalar and a literal broadcast, a cast through the other float dtype
      out.add(
          program(
              "scalar_cast",
              dt,
              (b, x) -> {
                DType other = dt == DType.F64 ? DType.F32 : DType.F64;
                Value s = b.sum(x[1]);
                return b.add(b.cast(b.mul(x[0], 0.1), other), b.cast(s, other));
              }));
    }
    return out;
  }

  /**
   * A call price {@code S N(d1) - K e^(-rT) N(d2)} and the density at {@code d1}, with {@code S =
   * |x| + 1}, {@code K = |z| + 1}, {@code sigma = |z| / 8 + 0.1}, {@code T = |x| / 4 + 0.25},
   * {@code r = 0.03}: a long loop of several passes in blocks, values crossing passes.
   */
  private static Value blackScholes(Builder b, Value[] x) {
    Value s = b.add(b.abs(x[0]), 1);
    Value k = b.add(b.abs(x[1]), 1);
    Value sigma = b.add(b.mul(b.abs(x[1]), 0.125), 0.1);
    Value time = b.add(b.mul(b.abs(x[0]), 0.25), 0.25);
    Value volTime = b.mul(sigma, b.unary(Op.SQRT, time));
    Value drift = b.mul(b.add(b.mul(b.mul(sigma, sigma), 0.5), 0.03), time);
    Value d1 = b.div(b.add(b.log(b.div(s, k)), drift), volTime);
    Value d2 = b.sub(d1, volTime);
    Value n1 = b.mul(b.add(b.unary(Op.ERF, b.mul(d1, Math.sqrt(0.5))), 1), 0.5);
    Value n2 = b.mul(b.add(b.unary(Op.ERF, b.mul(d2, Math.sqrt(0.5))), 1), 0.5);
    Value discount = b.exp(b.mul(time, -0.03));
    Value price = b.sub(b.mul(s, n1), b.mul(b.mul(k, discount), n2));
    return b.add(price, b.exp(b.mul(b.mul(d1, d1), -0.5)));
  }

  private static Func program(String name, DType dt, BiFunction<Builder, Value[], Value> body) {
    Builder b = new Builder(name);
    Type t = new Type(dt, List.of(Dim.sym("N")));
    Value[] x = {b.param("x", t), b.param("z", t)};
    Value y = body.apply(b, x);
    b.ret(y, b.sum(y), b.mean(b.mul(y, x[0])));
    return b.build();
  }

  /** Arguments of length {@code n}: random values of both signs and many sizes, special values. */
  static List<NdArray> args(int seed, DType dt, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] special = {
      0.0,
      -0.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.MIN_VALUE,
      -4.9e-310,
      1e300,
      -1e-300,
      30.0,
      -40.0,
      1.0
    };
    List<NdArray> out = new ArrayList<>();
    for (int a = 0; a < 2; a++) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] =
            rnd.nextInt(16) == 0
                ? special[rnd.nextInt(special.length)]
                : rnd.nextDouble(-3, 3) * Math.scalb(1.0, rnd.nextInt(-8, 4));
        if (dt == DType.F32) {
          v[i] = (float) v[i];
        }
      }
      out.add(NdArray.of(dt, new int[] {n}, v));
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(7);
    long digest = 17;
    long differ = 0;
    int vectorKernels = 0;
    try {
      int seed = 0;
      for (Func f : programs()) {
        Loaded k = Loaded.of(f);
        vectorKernels += k.vectorKernels();
        DType dt = f.params().get(0).type().dtype();
        int[] lengths = LENGTHS;
        if (java.util.Arrays.asList(FUNCTIONS).stream()
                .anyMatch(op -> op.mnemonic().equals(f.name()))
            || f.name().equals("black_scholes")) {
          lengths =
              java.util.stream.IntStream.concat(
                      java.util.Arrays.stream(LENGTHS), java.util.Arrays.stream(BLOCK_LENGTHS))
                  .toArray();
        }
        if (CHUNKED.contains(f.name())) {
          lengths =
              java.util.stream.IntStream.concat(
                      java.util.Arrays.stream(lengths), java.util.Arrays.stream(CHUNK_LENGTHS))
                  .toArray();
        }
        for (int n : lengths) {
          List<NdArray> in = args(seed++, dt, n);
          List<NdArray> want = Interpreter.run(f, in);
          for (int threads : new int[] {1, 2, 7}) {
            List<NdArray> got = threads == 1 ? k.run(in) : k.run(in, pool, threads);
            for (int r = 0; r < want.size(); r++) {
              double[] w = want.get(r).toDoubleArray();
              double[] g = got.get(r).toDoubleArray();
              for (int i = 0; i < w.length; i++) {
                long gb = bits(g[i]);
                if (bits(w[i]) != gb) {
                  differ++;
                  if (differ <= 5) {
                    System.err.println(
                        f.name()
                            + " "
                            + dt
                            + " n="
                            + n
                            + " threads="
                            + threads
                            + " result "
                            + r
                            + " ["
                            + i
                            + "]: interpreter "
                            + w[i]
                            + ", compiled "
                            + g[i]);
                  }
                }
                digest = digest * 31 + gb;
              }
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println(vectorKernels);
    System.out.println(differ);
    System.out.println(Long.toHexString(digest));
  }

  /** A double's bits, every NaN as the canonical NaN. */
  private static long bits(double d) {
    return Double.doubleToLongBits(d);
  }
}
