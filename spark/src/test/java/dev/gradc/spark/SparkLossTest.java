package dev.gradc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.optim.Adam;
import dev.gradc.optim.Lbfgs;
import dev.gradc.optim.Result;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logistic and softmax regression fitted over a {@code local[2]} Spark dataset: the same bits as
 * the fit over the same blocks in one JVM, and MLlib's {@code LogisticRegression} within its
 * tolerance.
 */
class SparkLossTest {
  static final int ROWS = 3000;
  static final int PARTITIONS = 4;
  static final int BLOCK_ROWS = 256;

  static SparkSession spark;
  static List<Data.Example> examples2;
  static List<Data.Example> examples3;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("SparkLossTest")
            .config("spark.ui.enabled", "false")
            .config("spark.serializer.extraDebugInfo", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    examples2 = Data.examples(ROWS, 2, 7);
    examples3 = Data.examples(ROWS, 3, 11);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static StructType schema() {
    return new StructType()
        .add("x", SQLDataTypes.VectorType())
        .add("y", DataTypes.DoubleType)
        .add("onehot", DataTypes.createArrayType(DataTypes.DoubleType));
  }

  /** The examples as a dataset partitioned as {@link Data#slices} says. */
  static Dataset<Row> dataset(List<Data.Example> examples) {
    List<Row> rows = new ArrayList<>();
    for (Data.Example e : examples) {
      rows.add(RowFactory.create(Vectors.dense(e.x()), e.label(), e.onehot()));
    }
    JavaRDD<Row> rdd =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, PARTITIONS);
    return spark.createDataFrame(rdd, schema());
  }

  static Lbfgs lbfgs() {
    return new Lbfgs().maxIterations(200).gradientTolerance(1e-11).functionTolerance(0);
  }

  /** MLlib's fit of the same loss: mean log-loss plus {@code 0.1 / 2 |w|^2}, intercept free. */
  static LogisticRegressionModel mllib(String family, Dataset<Row> data) {
    return new LogisticRegression()
        .setFamily(family)
        .setFeaturesCol("x")
        .setLabelCol("y")
        .setRegParam(0.1)
        .setElasticNetParam(0)
        .setStandardization(false)
        .setTol(1e-12)
        .setMaxIter(300)
        .fit(data);
  }

  @Test
  void adamOverSampledBlocks_sameBitsAsOneJvm() {
    BlockKernel k = BlockKernel.compile("logistic.grad", Data.LOGISTIC, BlockKernel.Reduction.MEAN);
    Adam adam = new Adam().learningRate(0.05).weightDecay(0.01).steps(6);
    Result local =
        adam.minimize(
            new LocalLoss(k, Data.blocks(Data.slices(examples2, PARTITIONS), false, BLOCK_ROWS))
                .minibatch(0.5, 42),
            new double[6]);
    Result distributed;
    try (SparkLoss loss = SparkLoss.of(k, dataset(examples2), BLOCK_ROWS)) {
      distributed = adam.minimize(loss.minibatch(0.5, 42), new double[6]);
    }
    assertArrayEquals(local.x(), distributed.x());
    assertEquals(local.loss(), distributed.loss());
    assertTrue(local.loss() < Math.log(2), "six steps lower the loss from log 2: " + local);
  }

  @Test
  void logisticGradient_equalsOneJvmBitsAndOneBlockClosely() {
    BlockKernel k = BlockKernel.compile("logistic.grad", Data.LOGISTIC, BlockKernel.Reduction.MEAN);
    double[] x = {0.3, -0.2, 0.1, 0.5, -0.4, 0.05};
    double[] local = new double[6];
    double lv =
        new LocalLoss(k, Data.blocks(Data.slices(examples2, PARTITIONS), false, BLOCK_ROWS))
            .valueAndGradient(x, local);
    double[] one = new double[6];
    double ov =
        new LocalLoss(k, Data.blocks(List.of(examples2), false, ROWS)).valueAndGradient(x, one);
    try (SparkLoss loss = SparkLoss.of(k, dataset(examples2), BLOCK_ROWS)) {
      assertEquals(PARTITIONS, loss.partitions());
      double[] g = new double[6];
      double v = loss.valueAndGradient(x, g);
      int defined = BlockKernel.definedKernels();
      double[] g2 = new double[6];
      double v2 = loss.valueAndGradient(x, g2);
      assertEquals(defined, BlockKernel.definedKernels(), "the kernel is defined once per JVM");
      assertEquals(Double.doubleToRawLongBits(lv), Double.doubleToRawLongBits(v));
      assertArrayEquals(local, g);
      assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(v2));
      assertArrayEquals(g, g2);
    }
    assertEquals(ov, lv, 1e-14 * Math.abs(ov));
    for (int i = 0; i < 6; i++) {
      assertEquals(one[i], local[i], 1e-13 * (1 + Math.abs(one[i])), "gradient " + i);
    }
    // The value the program means: the mean log-loss plus the penalty, computed here directly.
    double expected = 0;
    for (Data.Example e : examples2) {
      double z = x[5];
      for (int j = 0; j < 5; j++) {
        z += e.x()[j] * x[j];
      }
      expected += Math.max(z, 0) - z * e.label() + Math.log1p(Math.exp(-Math.abs(z)));
    }
    expected /= ROWS;
    for (int j = 0; j < 5; j++) {
      expected += 0.05 * x[j] * x[j];
    }
    assertEquals(expected, lv, 1e-13);
  }

  @Test
  void logisticFit_sameBitsAsOneJvm_andMllibWithin1e6() {
    BlockKernel k = BlockKernel.compile("logistic.grad", Data.LOGISTIC, BlockKernel.Reduction.MEAN);
    double[] x0 = new double[6];
    Result local =
        lbfgs()
            .minimize(
                new LocalLoss(
                    k, Data.blocks(Data.slices(examples2, PARTITIONS), false, BLOCK_ROWS)),
                x0);
    Dataset<Row> data = dataset(examples2).cache();
    Result distributed;
    try (SparkLoss loss = SparkLoss.of(k, data, BLOCK_ROWS)) {
      distributed = lbfgs().minimize(loss, x0);
    }
    assertArrayEquals(local.x(), distributed.x());
    assertEquals(local.iterations(), distributed.iterations());
    assertTrue(local.gradientNorm() < 1e-8, local.toString());

    LogisticRegressionModel mllib = mllib("binomial", data);
    double[] w = mllib.coefficients().toArray();
    double[] x = distributed.x();
    for (int j = 0; j < 5; j++) {
      assertEquals(w[j], x[j], 1e-6 * Math.abs(w[j]), "coefficient " + j);
    }
    assertEquals(mllib.intercept(), x[5], 1e-6 * Math.abs(mllib.intercept()), "intercept");
    data.unpersist();
  }

  @Test
  void softmaxFit_sameBitsAsOneJvm_andMllibWithin1e6() {
    BlockKernel k = BlockKernel.compile("softmax.grad", Data.SOFTMAX, BlockKernel.Reduction.MEAN);
    assertEquals(18, k.dimension());
    double[] x0 = new double[18];
    Result local =
        lbfgs()
            .minimize(
                new LocalLoss(k, Data.blocks(Data.slices(examples3, PARTITIONS), true, BLOCK_ROWS)),
                x0);
    Dataset<Row> data = dataset(examples3).cache();
    Result distributed;
    try (SparkLoss loss = SparkLoss.of(k, data, BLOCK_ROWS)) {
      distributed = lbfgs().minimize(loss, x0);
    }
    assertArrayEquals(local.x(), distributed.x());
    assertTrue(local.gradientNorm() < 1e-8, local.toString());

    LogisticRegressionModel mllib = mllib("multinomial", data);
    Matrix w = mllib.coefficientMatrix(); // classes x features
    double[] x = distributed.x(); // w: [5, 3] row-major, then b: [3]
    for (int c = 0; c < 3; c++) {
      for (int j = 0; j < 5; j++) {
        double m = w.apply(c, j);
        assertEquals(m, x[j * 3 + c], 1e-6 * Math.abs(m), "coefficient " + c + ", " + j);
      }
    }
    // The loss does not change when a constant is added to every intercept; MLlib centres them.
    double mean = (x[15] + x[16] + x[17]) / 3;
    double[] b = mllib.interceptVector().toArray();
    for (int c = 0; c < 3; c++) {
      assertEquals(b[c], x[15 + c] - mean, 1e-6 * Math.abs(b[c]), "intercept " + c);
    }
    data.unpersist();
  }
}
