package dev.gradc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.codegen.AotCompiler;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.Func;
import dev.gradc.optim.Lbfgs;
import dev.gradc.optim.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on {@code local[2,3]} (a failed task is tried up to 3 times): retried tasks, non-finite
 * partials, empty partitions, columns that do not fit the program; and the other ways in: a sum
 * loss, blocks given as an RDD, a kernel from a jar on the executors' class path.
 */
class SparkFaultsTest {
  static final int PARTITIONS = 3;
  static final int BLOCK_ROWS = 100;

  static SparkSession spark;
  static JavaSparkContext sc;
  static List<Data.Example> examples;
  static BlockKernel logistic;

  /** Tasks failed on purpose (the executors run in this JVM). */
  static final AtomicInteger INJECTED = new AtomicInteger();

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2,3]")
            .appName("SparkFaultsTest")
            .config("spark.ui.enabled", "false")
            .config("spark.serializer.extraDebugInfo", "false")
            .getOrCreate();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    examples = Data.examples(900, 2, 3);
    logistic = BlockKernel.compile("logistic.grad", Data.LOGISTIC, BlockKernel.Reduction.MEAN);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static List<List<Block>> localBlocks(List<Data.Example> rows, int partitions) {
    return Data.blocks(Data.slices(rows, partitions), false, BLOCK_ROWS);
  }

  /** The same blocks as {@link #localBlocks}, one list per partition, as an RDD. */
  static JavaRDD<Block> rddBlocks(List<Data.Example> rows, int partitions) {
    List<List<Block>> local = localBlocks(rows, partitions);
    return sc.parallelize(local, partitions).flatMap(List::iterator);
  }

  static Lbfgs lbfgs() {
    return new Lbfgs().maxIterations(100).gradientTolerance(1e-10).functionTolerance(0);
  }

  @Test
  void taskFailingOnFirstAttempt_isRetried_andTheFitIsUnchanged() {
    Result local =
        lbfgs().minimize(new LocalLoss(logistic, localBlocks(examples, PARTITIONS)), new double[6]);
    JavaRDD<Block> flaky =
        rddBlocks(examples, PARTITIONS)
            .mapPartitionsWithIndex(
                (Integer p, Iterator<Block> it) -> {
                  if (p == 1 && TaskContext.get().attemptNumber() == 0) {
                    INJECTED.incrementAndGet();
                    throw new IllegalStateException("injected failure of partition 1");
                  }
                  return it;
                },
                true);
    int before = INJECTED.get();
    Result distributed = lbfgs().minimize(SparkLoss.overBlocks(logistic, flaky), new double[6]);
    assertTrue(INJECTED.get() - before >= distributed.evaluations(), "every evaluation retried");
    assertArrayEquals(local.x(), distributed.x());
    assertEquals(local.loss(), distributed.loss());
  }

  @Test
  void nonFinitePartial_namesPartitionAndBlock() {
    List<Data.Example> bad = new ArrayList<>(examples);
    // Row 750 is in partition 2 (rows 600..899), block 1 (rows 700..799).
    bad.set(750, new Data.Example(new double[] {1, Double.NaN, 0, 0, 0}, 1, new double[] {0, 1}));
    try (SparkLoss loss = SparkLoss.overBlocks(logistic, rddBlocks(bad, PARTITIONS))) {
      SparkException e =
          assertThrows(
              SparkException.class, () -> loss.valueAndGradient(new double[6], new double[6]));
      assertTrue(
          e.getMessage().contains("partition 2, block 1 (100 rows): the loss NaN is not finite"),
          e.getMessage());
    }
  }

  @Test
  void emptyPartitions_countNothing() {
    List<Data.Example> few = examples.subList(0, 3);
    double[] x = {0.3, -0.2, 0.1, 0.5, -0.4, 0.05};
    double[] expected = new double[6];
    double ev = new LocalLoss(logistic, localBlocks(few, 1)).valueAndGradient(x, expected);
    try (SparkLoss loss = SparkLoss.overBlocks(logistic, rddBlocks(few, 7))) {
      double[] g = new double[6];
      double v = loss.valueAndGradient(x, g);
      double[] lg = new double[6];
      double lv = new LocalLoss(logistic, localBlocks(few, 7)).valueAndGradient(x, lg);
      assertEquals(lv, v);
      assertArrayEquals(lg, g);
      assertEquals(ev, v, 1e-15);
      assertArrayEquals(expected, g, 1e-15);
    }
  }

  @Test
  void mismatchedColumns_failBeforeAnyTask_namingTheColumn() {
    int jobs = sc.statusTracker().getJobIdsForGroup(null).length;
    StructType schema =
        new StructType().add("x", DataTypes.StringType).add("y", DataTypes.DoubleType);
    Dataset<Row> strings =
        spark.createDataFrame(List.of(RowFactory.create("1,2,3,4,5", 1.0)), schema);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SparkLoss.of(logistic, strings, 10));
    assertEquals(
        "column x has type string: input %x needs numbers, arrays of numbers or ML vectors",
        e.getMessage());

    StructType scalar =
        new StructType().add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
    Dataset<Row> numbers = spark.createDataFrame(List.of(RowFactory.create(1.0, 1.0)), scalar);
    e = assertThrows(IllegalArgumentException.class, () -> SparkLoss.of(logistic, numbers, 10));
    assertEquals(
        "column x holds one number per row, input %x needs [5] values per row (an array or vector"
            + " column)",
        e.getMessage());

    StructType noLabel = new StructType().add("x", SQLDataTypes.VectorType());
    Dataset<Row> unlabelled =
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2, 3, 4, 5))), noLabel);
    e = assertThrows(IllegalArgumentException.class, () -> SparkLoss.of(logistic, unlabelled, 10));
    assertEquals("the dataset has no column y for input %y; its columns: x", e.getMessage());
    assertEquals(jobs, sc.statusTracker().getJobIdsForGroup(null).length, "no job ran");
  }

  @Test
  void vectorOfWrongLength_failsItsTask_namingTheColumn() {
    StructType schema =
        new StructType().add("x", SQLDataTypes.VectorType()).add("y", DataTypes.DoubleType);
    Dataset<Row> rows =
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2, 3), 1.0)), schema);
    try (SparkLoss loss = SparkLoss.of(logistic, rows, 10)) {
      SparkException e =
          assertThrows(
              SparkException.class, () -> loss.valueAndGradient(new double[6], new double[6]));
      assertTrue(
          e.getMessage().contains("column x holds a vector of 3 values, input %x needs 5"),
          e.getMessage());
    }
  }

  @Test
  void sumLoss_countsThePenaltyOnce() {
    String program =
        """
        input x: f64[N, 5]
        input y: f64[N]
        param w: f64[5]
        param b: f64
        z = x @ w + b
        return sum(softplus(z) - y * z) + 0.5 * sum(w ** 2)
        """;
    BlockKernel k = BlockKernel.compile("sum.grad", program, BlockKernel.Reduction.SUM);
    double[] x = {0.3, -0.2, 0.1, 0.5, -0.4, 0.05};
    double[] g = new double[6];
    double v;
    try (SparkLoss loss = SparkLoss.overBlocks(k, rddBlocks(examples, PARTITIONS))) {
      v = loss.valueAndGradient(x, g);
    }
    // One partition of 9 blocks: the penalty is taken out of 8 of them.
    double[] one = new double[6];
    double ov = new LocalLoss(k, localBlocks(examples, 1)).valueAndGradient(x, one);
    // One block of all rows, computed by hand.
    double expected = 0;
    double[] eg = new double[6];
    for (Data.Example e : examples) {
      double z = x[5];
      for (int j = 0; j < 5; j++) {
        z += e.x()[j] * x[j];
      }
      expected += Math.log1p(Math.exp(z)) - e.label() * z;
      double s = 1 / (1 + Math.exp(-z)) - e.label();
      for (int j = 0; j < 5; j++) {
        eg[j] += s * e.x()[j];
      }
      eg[5] += s;
    }
    for (int j = 0; j < 5; j++) {
      expected += 0.5 * x[j] * x[j];
      eg[j] += x[j];
    }
    assertEquals(expected, v, 1e-10 * Math.abs(expected));
    assertArrayEquals(eg, g, 1e-10);
    assertEquals(expected, ov, 1e-10 * Math.abs(expected));
    assertArrayEquals(eg, one, 1e-10);
  }

  @Test
  void kernelFromJarOnExecutorClassPath_givesTheSameBits(@TempDir Path dir) throws IOException {
    Func f = GradLanguage.parse("logistic.grad", Data.LOGISTIC).func();
    Map<String, byte[]> classes = AotCompiler.compile(f, "example/LogisticKernel");
    Path jar = dir.resolve("kernels.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : classes.entrySet()) {
        j.putNextEntry(new JarEntry(e.getKey() + ".class"));
        j.write(e.getValue());
        j.closeEntry();
      }
    }
    sc.addJar(jar.toString());
    BlockKernel k =
        BlockKernel.onClasspath(f, "example.LogisticKernel", BlockKernel.Reduction.MEAN);
    double[] x = {0.3, -0.2, 0.1, 0.5, -0.4, 0.05};
    double[] g = new double[6];
    double[] shipped = new double[6];
    try (SparkLoss a = SparkLoss.overBlocks(k, rddBlocks(examples, PARTITIONS));
        SparkLoss b = SparkLoss.overBlocks(logistic, rddBlocks(examples, PARTITIONS))) {
      assertEquals(b.valueAndGradient(x, shipped), a.valueAndGradient(x, g));
    }
    assertArrayEquals(shipped, g);
  }
}
