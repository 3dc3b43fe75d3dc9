package dev.gradc.bench.baseline;

/**
 * {@code mean((a*b + c - d)**2)} and its gradients in one pass: with {@code g = 2 (a*b + c - d) /
 * n}, {@code da = g b}, {@code db = g a}, {@code dc = g}.
 */
public final class Mse implements Baseline, ChunkPool.Body {
  private final double[] a;
  private final double[] b;
  private final double[] c;
  private final double[] d;
  private final double[] value;
  private final double[] da;
  private final double[] db;
  private final double[] dc;
  private final ChunkPool pool;
  private final double[] partial;

  public Mse(Object[] args, Object[] outs, ChunkPool pool) {
    a = (double[]) args[0];
    b = (double[]) args[1];
    c = (double[]) args[2];
    d = (double[]) args[3];
    value = (double[]) outs[0];
    da = (double[]) outs[1];
    db = (double[]) outs[2];
    dc = (double[]) outs[3];
    this.pool = pool;
    partial = new double[pool.threads()];
  }

  @Override
  public void run() {
    pool.forEach(a.length, this);
    double s = 0;
    for (double p : partial) {
      s += p;
    }
    value[0] = s / a.length;
  }

  @Override
  public void run(int chunk, int lo, int hi) {
    double scale = 2.0 / a.length;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = lo;
    for (; i + 3 < hi; i += 4) {
      double r0 = a[i] * b[i] + c[i] - d[i];
      double r1 = a[i + 1] * b[i + 1] + c[i + 1] - d[i + 1];
      double r2 = a[i + 2] * b[i + 2] + c[i + 2] - d[i + 2];
      double r3 = a[i + 3] * b[i + 3] + c[i + 3] - d[i + 3];
      s0 += r0 * r0;
      s1 += r1 * r1;
      s2 += r2 * r2;
      s3 += r3 * r3;
      gradients(i, scale * r0);
      gradients(i + 1, scale * r1);
      gradients(i + 2, scale * r2);
      gradients(i + 3, scale * r3);
    }
    for (; i < hi; i++) {
      double r = a[i] * b[i] + c[i] - d[i];
      s0 += r * r;
      gradients(i, scale * r);
    }
    partial[chunk] = (s0 + s1) + (s2 + s3);
  }

  private void gradients(int i, double g) {
    da[i] = g * b[i];
    db[i] = g * a[i];
    dc[i] = g;
  }
}
