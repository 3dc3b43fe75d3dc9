package dev.gradc.bench.baseline;

import java.util.Arrays;

/**
 * {@code mean(softplus(-y * (x @ w)))} and its gradient in one pass over the rows of {@code x}:
 * with {@code m = -y (x_i . w)}, the row adds {@code softplus'(m) (-y) / rows * x_i} to {@code dw}
 * (softplus' is the sigmoid, and 1 above PyTorch's threshold of 20).
 */
public final class Logistic implements Baseline, ChunkPool.Body {
  private final double[] x;
  private final double[] y;
  private final double[] w;
  private final double[] value;
  private final double[] dw;
  private final ChunkPool pool;
  private final double[] partialLoss;
  private final double[][] partialDw;

  public Logistic(Object[] args, Object[] outs, ChunkPool pool) {
    x = (double[]) args[0];
    y = (double[]) args[1];
    w = (double[]) args[2];
    value = (double[]) outs[0];
    dw = (double[]) outs[1];
    this.pool = pool;
    partialLoss = new double[pool.threads()];
    partialDw = new double[pool.threads()][w.length];
  }

  @Override
  public void run() {
    pool.forEach(y.length, this);
    double loss = 0;
    Arrays.fill(dw, 0);
    for (int c = 0; c < partialLoss.length; c++) {
      loss += partialLoss[c];
      double[] p = partialDw[c];
      for (int j = 0; j < dw.length; j++) {
        dw[j] += p[j];
      }
    }
    value[0] = loss / y.length;
  }

  @Override
  public void run(int chunk, int lo, int hi) {
    int k = w.length;
    double invRows = 1.0 / y.length;
    double[] g = partialDw[chunk];
    Arrays.fill(g, 0);
    double l0 = 0;
    double l1 = 0;
    for (int i = lo; i < hi; i++) {
      int row = i * k;
      double z0 = 0;
      double z1 = 0;
      double z2 = 0;
      double z3 = 0;
      int j = 0;
      for (; j + 3 < k; j += 4) {
        z0 += x[row + j] * w[j];
        z1 += x[row + j + 1] * w[j + 1];
        z2 += x[row + j + 2] * w[j + 2];
        z3 += x[row + j + 3] * w[j + 3];
      }
      for (; j < k; j++) {
        z0 += x[row + j] * w[j];
      }
      double m = -y[i] * ((z0 + z1) + (z2 + z3));
      double slope;
      double loss;
      if (m > 20) {
        loss = m;
        slope = 1;
      } else {
        double e = Math.exp(m);
        loss = Math.log1p(e);
        slope = e / (1 + e);
      }
      if ((i & 1) == 0) {
        l0 += loss;
      } else {
        l1 += loss;
      }
      double dz = -y[i] * slope * invRows;
      for (j = 0; j < k; j++) {
        g[j] += dz * x[row + j];
      }
    }
    partialLoss[chunk] = l0 + l1;
  }
}
