package dev.gradc.bench;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.SplittableRandom;

/**
 * The forward functions of the workloads, built with {@link Builder} as a user of the IR would, and
 * their arguments, drawn from fixed seeds so every implementation sees the same numbers.
 */
final class Problems {
  private Problems() {}

  private static final long SEED = 7;

  /** {@code mean((a*b + c - d)**2)}; a, b, c params, d input. */
  static Problem mse(Size size) {
    int n = size.of(4_000_000);
    Type t = Type.of(DType.F64, n);
    Builder b = new Builder("mse");
    Value a = b.param("a", t);
    Value bb = b.param("b", t);
    Value c = b.param("c", t);
    Value d = b.input("d", t);
    Value r = b.sub(b.add(b.mul(a, bb), c), d);
    b.ret(b.mean(b.pow(r, Builder.lit(2, DType.F64))));
    SplittableRandom rnd = new SplittableRandom(SEED);
    Object[] args = {
      uniform(rnd, n, -1, 1), uniform(rnd, n, -1, 1), uniform(rnd, n, -1, 1), uniform(rnd, n, -1, 1)
    };
    int[][] shapes = {{n}, {n}, {n}, {n}};
    return new Problem(Workload.MSE, b.build(), args, shapes, 7L * 8 * n);
  }

  /** {@code mean(softplus(-y * (x @ w)))}; x [rows, 32] and y of ±1 inputs, w param. */
  static Problem logistic(Size size) {
    return logistic(size, true);
  }

  /**
   * {@link #logistic}, or with {@code softplus} left out ({@code mean(-y * (x @ w))}): the same
   * reads of {@code x} and the same partial sums, without the per-row functions ({@link
   * FloorBench#logisticLinear}).
   */
  static Problem logistic(Size size, boolean softplus) {
    int rows = size.of(200_000);
    int k = 32;
    Builder b = new Builder("logistic");
    Value x = b.input("x", Type.of(DType.F64, rows, k));
    Value y = b.input("y", Type.of(DType.F64, rows));
    Value w = b.param("w", Type.of(DType.F64, k));
    Value margin = b.mul(b.neg(y), b.matmul(x, w));
    b.ret(b.mean(softplus ? b.unary(Op.SOFTPLUS, margin) : margin));
    SplittableRandom rnd = new SplittableRandom(SEED);
    double[] ys = new double[rows];
    for (int i = 0; i < rows; i++) {
      ys[i] = rnd.nextBoolean() ? 1 : -1;
    }
    Object[] args = {uniform(rnd, rows * k, -1, 1), ys, uniform(rnd, k, -0.5, 0.5)};
    int[][] shapes = {{rows, k}, {rows}, {k}};
    // x @ w forward, x^T @ g backward: 2 rows k FLOPs each.
    return new Problem(
        Workload.LOGISTIC, b.build(), args, shapes, 8L * (rows * (k + 1L) + 2L * k), 4L * rows * k);
  }

  /**
   * The sum of European call prices {@code S N(d1) - K exp(-rT) N(d2)} over options; S, sigma, r
   * and T params (the gradients are delta, vega, rho and the derivative in T), K an input.
   */
  static Problem blackScholes(Size size) {
    int n = size.of(1_000_000);
    Type t = Type.of(DType.F64, n);
    Builder b = new Builder("black_scholes");
    Value s = b.param("S", t);
    Value sigma = b.param("sigma", t);
    Value r = b.param("r", t);
    Value time = b.param("T", t);
    Value k = b.input("K", t);
    Value volTime = b.mul(sigma, b.unary(Op.SQRT, time));
    Value drift = b.mul(b.add(r, b.mul(b.mul(sigma, sigma), 0.5)), time);
    Value d1 = b.div(b.add(b.log(b.div(s, k)), drift), volTime);
    Value d2 = b.sub(d1, volTime);
    Value discount = b.exp(b.neg(b.mul(r, time)));
    Value call = b.sub(b.mul(s, normalCdf(b, d1)), b.mul(b.mul(k, discount), normalCdf(b, d2)));
    b.ret(b.sum(call));
    SplittableRandom rnd = new SplittableRandom(SEED);
    Object[] args = {
      uniform(rnd, n, 50, 150),
      uniform(rnd, n, 0.1, 0.5),
      uniform(rnd, n, 0.01, 0.05),
      uniform(rnd, n, 0.25, 2),
      uniform(rnd, n, 50, 150)
    };
    int[][] shapes = {{n}, {n}, {n}, {n}, {n}};
    return new Problem(Workload.BLACK_SCHOLES, b.build(), args, shapes, 0);
  }

  /** {@code 0.5 (1 + erf(x / sqrt 2))}. */
  private static Value normalCdf(Builder b, Value x) {
    return b.mul(b.add(b.unary(Op.ERF, b.mul(x, Math.sqrt(0.5))), 1), 0.5);
  }

  /**
   * A two-layer perceptron in f32: {@code cross_entropy(relu(x W1 + b1) W2 + b2, labels)} with i64
   * labels; x and labels inputs.
   */
  static Problem mlp(Size size) {
    int batch = size == Size.FULL ? 256 : 32;
    int in = size == Size.FULL ? 784 : 64;
    int hidden = size == Size.FULL ? 256 : 32;
    int classes = 10;
    Builder b = new Builder("mlp");
    Value x = b.input("x", Type.of(DType.F32, batch, in));
    Value w1 = b.param("W1", Type.of(DType.F32, in, hidden));
    Value b1 = b.param("b1", Type.of(DType.F32, hidden));
    Value w2 = b.param("W2", Type.of(DType.F32, hidden, classes));
    Value b2 = b.param("b2", Type.of(DType.F32, classes));
    Value labels = b.input("labels", Type.of(DType.I64, batch));
    Value h = b.unary(Op.RELU, b.add(b.matmul(x, w1), b1));
    Value logits = b.add(b.matmul(h, w2), b2);
    b.ret(b.crossEntropy(logits, labels));
    SplittableRandom rnd = new SplittableRandom(SEED);
    long[] ls = new long[batch];
    for (int i = 0; i < batch; i++) {
      ls[i] = rnd.nextInt(classes);
    }
    double s1 = 1 / Math.sqrt(in);
    double s2 = 1 / Math.sqrt(hidden);
    Object[] args = {
      floats(uniform(rnd, batch * in, 0, 1)),
      floats(uniform(rnd, in * hidden, -s1, s1)),
      floats(uniform(rnd, hidden, -s1, s1)),
      floats(uniform(rnd, hidden * classes, -s2, s2)),
      floats(uniform(rnd, classes, -s2, s2)),
      ls
    };
    int[][] shapes = {{batch, in}, {in, hidden}, {hidden}, {hidden, classes}, {classes}, {batch}};
    // Forward x @ W1 and h @ W2; backward g @ W2^T, h^T @ g and x^T @ dh (no gradient of x).
    long flops = 2L * batch * in * hidden * 2 + 2L * batch * hidden * classes * 3;
    return new Problem(Workload.MLP, b.build(), args, shapes, 0, flops);
  }

  private static double[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = rnd.nextDouble(lo, hi);
    }
    return out;
  }

  private static float[] floats(double[] d) {
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }
}
