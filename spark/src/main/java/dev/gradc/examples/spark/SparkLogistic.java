package dev.gradc.examples.spark;

import dev.gradc.optim.IterationListener;
import dev.gradc.optim.Lbfgs;
import dev.gradc.optim.Result;
import dev.gradc.spark.BlockKernel;
import dev.gradc.spark.SparkLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Logistic regression with L2 penalty fitted by L-BFGS over a Parquet dataset on Spark. Generates
 * the dataset first when its directory does not exist ({@code --rows} rows of {@code --features}
 * Gaussian features, labels drawn from a known linear model), then prints the fit's progress and
 * the coefficients next to the true ones.
 *
 * <pre>
 * SparkLogistic [--data DIR] [--rows N] [--features F] [--partitions P] [--block-rows B]
 *               [--master URL] [--iterations K]
 * </pre>
 */
public final class SparkLogistic {
  private SparkLogistic() {}

  /** The program: mean logistic loss of {@code features} features plus {@code 1e-3/2 |w|^2}. */
  public static String program(int features) {
    return "input x: f64[N, "
        + features
        + "]\n"
        + "input y: f64[N]\n"
        + "param w: f64["
        + features
        + "]\n"
        + "param b: f64\n"
        + "return binary_cross_entropy_with_logits(x @ w + b, y) + 0.0005 * sum(w ** 2)\n";
  }

  /** The model the labels are drawn from: coefficient j is {@code (-1)^j (1 + j / F)}. */
  static double truth(int j, int features) {
    return (j % 2 == 0 ? 1 : -1) * (1 + (double) j / features);
  }

  /** {@code rows} rows in {@code partitions} partitions, each seeded by its index. */
  public static Dataset<Row> generate(SparkSession spark, long rows, int features, int partitions) {
    List<Integer> parts = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      parts.add(p);
    }
    JavaRDD<Row> data =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(parts, partitions)
            .flatMap(
                p -> {
                  long lo = rows * p / partitions;
                  long hi = rows * (p + 1) / partitions;
                  SplittableRandom r = new SplittableRandom(1234 + p);
                  List<Row> out = new ArrayList<>();
                  for (long i = lo; i < hi; i++) {
                    double[] x = new double[features];
                    double z = 0.25;
                    for (int j = 0; j < features; j++) {
                      x[j] = r.nextGaussian() / Math.sqrt(features);
                      z += truth(j, features) * x[j];
                    }
                    double y = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
                    out.add(RowFactory.create(Vectors.dense(x), y));
                  }
                  return out.iterator();
                });
    StructType schema =
        new StructType().add("x", SQLDataTypes.VectorType()).add("y", DataTypes.DoubleType);
    return spark.createDataFrame(data, schema);
  }

  public static void main(String[] args) throws Exception {
    String data = "target/spark-logistic.parquet";
    long rows = 1_000_000;
    int features = 32;
    int partitions = 8;
    int blockRows = 256;
    int iterations = 100;
    String master = null;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        usage("missing value of " + args[i]);
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--data" -> data = v;
        case "--rows" -> rows = Long.parseLong(v);
        case "--features" -> features = Integer.parseInt(v);
        case "--partitions" -> partitions = Integer.parseInt(v);
        case "--block-rows" -> blockRows = Integer.parseInt(v);
        case "--iterations" -> iterations = Integer.parseInt(v);
        case "--master" -> master = v;
        default -> usage("unknown option " + args[i]);
      }
    }
    SparkSession.Builder builder = SparkSession.builder().appName("SparkLogistic");
    if (master != null) {
      builder.master(master);
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      if (!Files.exists(Path.of(data)) || data.contains("://")) {
        long start = System.nanoTime();
        generate(spark, rows, features, partitions).write().mode("ignore").parquet(data);
        System.out.printf(
            Locale.ROOT,
            "wrote %s: %d rows x %d features in %.1f s%n",
            data,
            rows,
            features,
            (System.nanoTime() - start) / 1e9);
      }
      Dataset<Row> ds = spark.read().parquet(data);
      BlockKernel kernel =
          BlockKernel.compile("logistic.grad", program(features), BlockKernel.Reduction.MEAN);
      long start = System.nanoTime();
      Result r;
      try (SparkLoss loss = SparkLoss.of(kernel, ds, blockRows)) {
        r =
            new Lbfgs()
                .maxIterations(iterations)
                .gradientTolerance(1e-7)
                .listener(IterationListener.progress(System.out, 2000))
                .minimize(loss, new double[kernel.dimension()]);
      }
      System.out.printf(Locale.ROOT, "%s in %.1f s%n", r, (System.nanoTime() - start) / 1e9);
      double[] x = r.x();
      System.out.println("coefficient  fitted      true");
      for (int j = 0; j < Math.min(features, 8); j++) {
        System.out.printf(Locale.ROOT, "w[%d]%9s%+.5f  %+.5f%n", j, "", x[j], truth(j, features));
      }
      System.out.printf(Locale.ROOT, "b%12s%+.5f  %+.5f%n", "", x[features], 0.25);
    } finally {
      spark.stop();
    }
  }

  private static void usage(String problem) {
    System.err.println("SparkLogistic: " + problem);
    System.err.println(
        "usage: SparkLogistic [--data DIR] [--rows N] [--features F] [--partitions P]"
            + " [--block-rows B] [--master URL] [--iterations K]");
    System.exit(2);
  }
}
