package dev.gradc.examples.spark;

import dev.gradc.spark.BlockKernel;
import dev.gradc.spark.SparkLoss;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Time per full-batch gradient evaluation of logistic regression on one cached dataset, with the
 * same partitions: gradc's {@link SparkLoss} against MLlib's {@code LogisticRegression}, whose
 * L-BFGS evaluates its loss and gradient with its own aggregator as one {@code treeAggregate} job
 * per evaluation ({@code RDDLossFunction}). Both are timed the same way, as the median duration of
 * those jobs, from a listener; gradc's wall time per {@code valueAndGradient} call (driver
 * included) is printed too. Each side first warms up in the same JVM, as a JMH fork would: gradc
 * with {@code W} evaluations at changing parameters, MLlib with a fit of {@code W} iterations; then
 * the timed round runs. Not a test: run it by hand (docs/spark.md) on an otherwise idle machine.
 *
 * <pre>
 * SparkGradientBench [--rows N] [--features F] [--partitions P] [--evaluations K]
 *                    [--warmup W] [--masters local[1],local[2]]
 * </pre>
 */
public final class SparkGradientBench {
  private SparkGradientBench() {}

  /** Blocks of 256 rows of 32 features (64 KiB) stay in the core's caches between passes. */
  static final int BLOCK_ROWS = 256;

  /** Durations in milliseconds of finished jobs, with the names of their stages. */
  static final class JobTimes extends SparkListener {
    private final Map<Integer, Long> started = new ConcurrentHashMap<>();
    private final Map<Integer, String> sites = new ConcurrentHashMap<>();
    private final List<String[]> finished = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onJobStart(SparkListenerJobStart e) {
      started.put(e.jobId(), e.time());
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < e.stageInfos().size(); i++) {
        names.append(e.stageInfos().apply(i).name()).append('\n');
      }
      sites.put(e.jobId(), names.toString());
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd e) {
      Long t0 = started.remove(e.jobId());
      if (t0 != null) {
        finished.add(new String[] {sites.remove(e.jobId()), Long.toString(e.time() - t0)});
      }
    }

    void clear() {
      finished.clear();
    }

    /** The median duration of the jobs with a stage named at {@code site}, and their count. */
    double[] median(String site) {
      List<Long> d = new ArrayList<>();
      synchronized (finished) {
        for (String[] f : finished) {
          if (f[0].contains(site)) {
            d.add(Long.parseLong(f[1]));
          }
        }
      }
      if (d.isEmpty()) {
        throw new IllegalStateException("no job at " + site);
      }
      Collections.sort(d);
      return new double[] {d.get(d.size() / 2), d.size()};
    }
  }

  public static void main(String[] args) {
    long rows = 1_000_000;
    int features = 32;
    int partitions = 4;
    int evaluations = 15;
    int warmup = 15;
    String masters = "local[1],local[2]";
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(v);
        case "--features" -> features = Integer.parseInt(v);
        case "--partitions" -> partitions = Integer.parseInt(v);
        case "--evaluations" -> evaluations = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--masters" -> masters = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "dataset: %d rows x %d features (f64, an ML vector column), %d partitions, cached%n",
        rows,
        features,
        partitions);
    for (String master : masters.split(",", -1)) {
      SparkSession spark =
          SparkSession.builder()
              .master(master)
              .appName("SparkGradientBench")
              .config("spark.ui.enabled", "false")
              .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
      JobTimes times = new JobTimes();
      spark.sparkContext().addSparkListener(times);
      try {
        Dataset<Row> ds = SparkLogistic.generate(spark, rows, features, partitions).cache();
        ds.count();
        double wall = gradc(ds, features, warmup, evaluations, times);
        double[] gradc = times.median("SparkLoss");
        mllib(warmup).fit(ds);
        times.clear();
        mllib(evaluations).fit(ds);
        double[] mllib = times.median("RDDLossFunction");
        System.out.printf(
            Locale.ROOT,
            "%s: gradc %.0f ms per evaluation job (median of %d; %.0f ms per call), MLlib %.0f ms"
                + " (median of %d): %.2fx%n",
            master,
            gradc[0],
            (int) gradc[1],
            wall,
            mllib[0],
            (int) mllib[1],
            mllib[0] / gradc[0]);
        ds.unpersist();
      } finally {
        spark.stop();
      }
    }
  }

  /** MLlib's logistic regression of {@code iterations} L-BFGS iterations at most. */
  static LogisticRegression mllib(int iterations) {
    return new LogisticRegression()
        .setFeaturesCol("x")
        .setLabelCol("y")
        .setRegParam(1e-3)
        .setStandardization(false)
        .setTol(0)
        .setMaxIter(iterations);
  }

  /**
   * Wall milliseconds per call, after {@code warmup} calls (the first packs and caches the blocks)
   * at parameters that change from call to call, as an optimizer's do.
   */
  static double gradc(Dataset<Row> ds, int features, int warmup, int evaluations, JobTimes times) {
    BlockKernel kernel =
        BlockKernel.compile(
            "logistic.grad", SparkLogistic.program(features), BlockKernel.Reduction.MEAN);
    try (SparkLoss loss = SparkLoss.of(kernel, ds, BLOCK_ROWS)) {
      double[] x = new double[kernel.dimension()];
      double[] g = new double[x.length];
      for (int i = 0; i < Math.max(1, warmup); i++) {
        x[i % x.length] = 0.01 * (i + 1);
        loss.valueAndGradient(x, g);
      }
      times.clear();
      long start = System.nanoTime();
      for (int i = 0; i < evaluations; i++) {
        x[0] = 0.001 * i;
        loss.valueAndGradient(x, g);
      }
      return (System.nanoTime() - start) / 1e6 / evaluations;
    }
  }
}
