package dev.gradc.bench.baseline;

/**
 * The sum of European call prices and the closed-form gradients of each price: delta {@code N(d1)},
 * vega {@code S phi(d1) sqrt(T)}, rho {@code K T exp(-rT) N(d2)} and {@code dC/dT = S phi(d1) sigma
 * / (2 sqrt(T)) + r K exp(-rT) N(d2)}. The normal CDF goes through the table-driven {@link Erf}.
 */
public final class BlackScholes implements Baseline, ChunkPool.Body {
  private static final double INV_SQRT_2 = Math.sqrt(0.5);
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

  private final double[] s;
  private final double[] sigma;
  private final double[] r;
  private final double[] time;
  private final double[] k;
  private final double[] value;
  private final double[] delta;
  private final double[] vega;
  private final double[] rho;
  private final double[] dTime;
  private final ChunkPool pool;
  private final double[] partial;

  public BlackScholes(Object[] args, Object[] outs, ChunkPool pool) {
    s = (double[]) args[0];
    sigma = (double[]) args[1];
    r = (double[]) args[2];
    time = (double[]) args[3];
    k = (double[]) args[4];
    value = (double[]) outs[0];
    delta = (double[]) outs[1];
    vega = (double[]) outs[2];
    rho = (double[]) outs[3];
    dTime = (double[]) outs[4];
    this.pool = pool;
    partial = new double[pool.threads()];
  }

  @Override
  public void run() {
    pool.forEach(s.length, this);
    double sum = 0;
    for (double p : partial) {
      sum += p;
    }
    value[0] = sum;
  }

  @Override
  public void run(int chunk, int lo, int hi) {
    double c0 = 0;
    double c1 = 0;
    for (int i = lo; i < hi; i++) {
      double sqrtT = Math.sqrt(time[i]);
      double volTime = sigma[i] * sqrtT;
      double d1 = (Math.log(s[i] / k[i]) + (r[i] + 0.5 * sigma[i] * sigma[i]) * time[i]) / volTime;
      double d2 = d1 - volTime;
      double nd1 = 0.5 * (1 + Erf.erf(d1 * INV_SQRT_2));
      double nd2 = 0.5 * (1 + Erf.erf(d2 * INV_SQRT_2));
      double discounted = k[i] * Math.exp(-r[i] * time[i]);
      double price = s[i] * nd1 - discounted * nd2;
      if ((i & 1) == 0) {
        c0 += price;
      } else {
        c1 += price;
      }
      double sPdf = s[i] * INV_SQRT_2PI * Math.exp(-0.5 * d1 * d1);
      delta[i] = nd1;
      vega[i] = sPdf * sqrtT;
      rho[i] = time[i] * discounted * nd2;
      dTime[i] = sPdf * sigma[i] / (2 * sqrtT) + r[i] * discounted * nd2;
    }
    partial[chunk] = c0 + c1;
  }
}
