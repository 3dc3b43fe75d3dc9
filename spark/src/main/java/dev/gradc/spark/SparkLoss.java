package dev.gradc.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * A {@link BlockKernel}'s loss over a partitioned Spark dataset: each evaluation is one job whose
 * tasks run the kernel over their partition's blocks in order ({@link BlockKernel#partial}) and
 * whose partials a {@code treeAggregate} combines along a {@link TreeSum} by partition index. The
 * result is the same bits on every run with the same partitions and blocks, and the same as {@link
 * LocalLoss} over them; a task that is retried computes the same partial again. The kernel's class
 * files travel once per executor as a broadcast variable and are defined once per executor JVM.
 *
 * <p>The blocks are packed once and cached ({@link #close} unpersists them).
 */
public final class SparkLoss implements BlockedLoss, AutoCloseable {
  private final BlockKernel kernel;
  private final JavaRDD<Block> blocks;
  private final Broadcast<BlockKernel> shipped;
  private final int partitions;
  private final int depth;

  private SparkLoss(BlockKernel kernel, JavaRDD<Block> blocks, boolean cache) {
    this.kernel = kernel;
    this.blocks = cache ? blocks.persist(StorageLevel.MEMORY_AND_DISK()) : blocks;
    this.partitions = blocks.getNumPartitions();
    this.shipped = JavaSparkContext.fromSparkContext(blocks.context()).broadcast(kernel);
    this.depth = Math.max(2, (int) Math.ceil(Math.log(Math.max(partitions, 2)) / Math.log(8)));
  }

  /** The loss over blocks that are already packed (the caller partitions and caches them). */
  public static SparkLoss overBlocks(BlockKernel kernel, JavaRDD<Block> blocks) {
    return new SparkLoss(kernel, blocks, false);
  }

  /**
   * The loss over a dataset whose columns are the kernel's row inputs by name: a numeric column for
   * an input of one value per row ({@code f64[N]}, or {@code f64[N, 1]}), an array of numbers or an
   * ML {@code Vector} column for more. The types are checked against the schema here, before any
   * task runs; a row whose array or vector has the wrong length fails its task, naming the column.
   */
  public static SparkLoss of(BlockKernel kernel, Dataset<Row> data, int blockRows) {
    return new SparkLoss(kernel, pack(kernel, data, blockRows), true);
  }

  /** The blocks of a dataset's rows, partition by partition (see {@link #of}). */
  public static JavaRDD<Block> pack(BlockKernel kernel, Dataset<Row> data, int blockRows) {
    if (blockRows < 1) {
      throw new IllegalArgumentException("blocks of at least one row, not " + blockRows);
    }
    List<String> names = kernel.rowInputs();
    int[] sizes = kernel.rowSizes();
    List<List<Integer>> shapes = kernel.rowShapes();
    StructType schema = data.schema();
    List<Column> columns = new ArrayList<>();
    boolean[] vector = new boolean[names.size()];
    for (int j = 0; j < names.size(); j++) {
      String name = names.get(j);
      StructField field = find(schema, name);
      DataType t = field.dataType();
      boolean scalarRow = sizes[j] == 1 && shapes.get(j).size() <= 1;
      if (t instanceof NumericType) {
        if (!scalarRow) {
          throw new IllegalArgumentException(
              "column "
                  + name
                  + " holds one number per row, input %"
                  + name
                  + " needs "
                  + shapes.get(j)
                  + " values per row (an array or vector column)");
        }
      } else if (t.equals(SQLDataTypes.VectorType())) {
        vector[j] = true;
        int declared = AttributeGroup.fromStructField(field).size();
        if (declared >= 0 && declared != sizes[j]) {
          throw new IllegalArgumentException(
              "column "
                  + name
                  + " holds vectors of "
                  + declared
                  + " values, input %"
                  + name
                  + " needs "
                  + sizes[j]);
        }
      } else if (!(t instanceof ArrayType
          && ((ArrayType) t).elementType() instanceof NumericType)) {
        throw new IllegalArgumentException(
            "column "
                + name
                + " has type "
                + t.simpleString()
                + ": input %"
                + name
                + " needs numbers, arrays of numbers or ML vectors");
      }
      columns.add(data.col(name));
    }
    RowPacker.Reader<Row> reader =
        (row, j, dst, offset, size) -> read(row, j, vector[j], names.get(j), dst, offset, size);
    return data.select(columns.toArray(new Column[0]))
        .javaRDD()
        .mapPartitions(rows -> RowPacker.pack(rows, sizes, blockRows, reader), true);
  }

  private static StructField find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "the dataset has no column "
            + name
            + " for input %"
            + name
            + "; its columns: "
            + String.join(", ", schema.fieldNames()));
  }

  private static void read(
      Row row, int j, boolean vector, String name, double[] dst, int offset, int size) {
    if (row.isNullAt(j)) {
      throw new IllegalArgumentException("column " + name + " is null in row " + row);
    }
    if (vector) {
      Vector v = (Vector) row.get(j);
      if (v.size() != size) {
        throw new IllegalArgumentException(
            "column "
                + name
                + " holds a vector of "
                + v.size()
                + " values, input %"
                + name
                + " needs "
                + size);
      }
      if (v instanceof DenseVector) {
        System.arraycopy(((DenseVector) v).values(), 0, dst, offset, size);
      } else {
        System.arraycopy(v.toArray(), 0, dst, offset, size);
      }
      return;
    }
    Object o = row.get(j);
    if (o instanceof Number) {
      dst[offset] = ((Number) o).doubleValue();
      return;
    }
    List<Object> list = row.getList(j);
    if (list.size() != size) {
      throw new IllegalArgumentException(
          "column "
              + name
              + " holds an array of "
              + list.size()
              + " values, input %"
              + name
              + " needs "
              + size);
    }
    for (int i = 0; i < size; i++) {
      dst[offset + i] = ((Number) list.get(i)).doubleValue();
    }
  }

  @Override
  public int dimension() {
    return kernel.dimension();
  }

  /** The number of partitions of the blocks. */
  public int partitions() {
    return partitions;
  }

  @Override
  public double valueAndGradient(double[] x, double[] grad, BlockSample sample) {
    double[] params = x.clone();
    Broadcast<BlockKernel> k = shipped;
    int n = partitions;
    TreeSum total =
        blocks
            .mapPartitionsWithIndex(
                (Integer p, Iterator<Block> it) ->
                    List.of(TreeSum.leaf(n, p, k.value().partial(p, it, params, sample)))
                        .iterator(),
                true)
            .treeAggregate(TreeSum.empty(n), TreeSum::merge, TreeSum::merge, depth);
    return kernel.finish(total.total(), x, grad);
  }

  @Override
  public void close() {
    blocks.unpersist(false);
    shipped.destroy();
  }
}
