package dev.gradc.examples.spark;

import dev.gradc.spark.BlockKernel;
import dev.gradc.spark.SparkLoss;
import java.util.Locale;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Time per full-batch gradient evaluation of logistic regression on one cached dataset: gradc's
 * {@link SparkLoss} against MLlib's own {@code LogisticRegression}, whose time per L-BFGS iteration
 * is taken as the difference of a fit of {@code 1 + K} iterations and a fit of 1 (that cancels its
 * set-up: summary statistics, standardizing and caching its blocks). Not a test: run it by hand
 * (docs/spark.md) on an otherwise idle machine.
 *
 * <pre>
 * SparkGradientBench [--rows N] [--features F] [--partitions P] [--masters local[1],local[2]]
 * </pre>
 */
public final class SparkGradientBench {
  private SparkGradientBench() {}

  public static void main(String[] args) {
    long rows = 1_000_000;
    int features = 32;
    int partitions = 4;
    int evaluations = 10;
    String masters = "local[1],local[2]";
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(v);
        case "--features" -> features = Integer.parseInt(v);
        case "--partitions" -> partitions = Integer.parseInt(v);
        case "--evaluations" -> evaluations = Integer.parseInt(v);
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
      try {
        Dataset<Row> ds = SparkLogistic.generate(spark, rows, features, partitions).cache();
        ds.count();
        double gradc = gradc(ds, features, evaluations);
        double mllib = mllib(ds, evaluations);
        System.out.printf(
            Locale.ROOT,
            "%s: gradc %.1f ms per evaluation, MLlib %.1f ms per iteration: %.2fx%n",
            master,
            gradc,
            mllib,
            mllib / gradc);
        ds.unpersist();
      } finally {
        spark.stop();
      }
    }
  }

  static double gradc(Dataset<Row> ds, int features, int evaluations) {
    BlockKernel kernel =
        BlockKernel.compile(
            "logistic.grad", SparkLogistic.program(features), BlockKernel.Reduction.MEAN);
    try (SparkLoss loss = SparkLoss.of(kernel, ds, 4096)) {
      double[] x = new double[kernel.dimension()];
      double[] g = new double[x.length];
      for (int i = 0; i < 3; i++) {
        loss.valueAndGradient(x, g); // packs and caches the blocks, warms the kernel
      }
      long start = System.nanoTime();
      for (int i = 0; i < evaluations; i++) {
        x[0] = 0.001 * i;
        loss.valueAndGradient(x, g);
      }
      return (System.nanoTime() - start) / 1e6 / evaluations;
    }
  }

  static double mllib(Dataset<Row> ds, int iterations) {
    fit(ds, 2); // warm-up
    long t0 = System.nanoTime();
    LogisticRegressionModel one = fit(ds, 1);
    long t1 = System.nanoTime();
    LogisticRegressionModel many = fit(ds, 1 + iterations);
    long t2 = System.nanoTime();
    int extra = many.summary().objectiveHistory().length - one.summary().objectiveHistory().length;
    if (extra <= 0) {
      throw new IllegalStateException("MLlib ran no extra iterations");
    }
    return ((t2 - t1) - (t1 - t0)) / 1e6 / extra;
  }

  static LogisticRegressionModel fit(Dataset<Row> ds, int iterations) {
    return new LogisticRegression()
        .setFeaturesCol("x")
        .setLabelCol("y")
        .setRegParam(1e-3)
        .setStandardization(false)
        .setTol(0)
        .setMaxIter(iterations)
        .fit(ds);
  }
}
