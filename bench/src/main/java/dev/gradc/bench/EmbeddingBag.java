package dev.gradc.bench;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * An embedding-bag loss, the workload of integer-tensor indexing: the rows of an f32 embedding
 * table [100,000, 64] at 4,096 bags of 16 i64 ids ({@code index_select}, a {@code gather}), summed
 * per bag (a reshape and a sum over the bag), a dot product with a weight vector and the mean
 * squared error against targets: {@code ((table[ids].reshape(B, L, D).sum(1) @ w - y)**2).mean()}.
 * The gradient of the table adds each row's gradient at its id ({@code scatter_add} into zeros of
 * the table's shape); ids repeat, as in real data. {@code bench/pytorch_bench.py} runs the same
 * function ({@code embedding_bag}).
 */
@State(Scope.Benchmark)
public class EmbeddingBag {
  /** {@code full} or {@code small} (a hundredth of the table and of the bags). */
  @Param({"full"})
  public String size;

  public static final int DIM = 64;
  public static final int BAG = 16;

  public Object[] args;
  public int[][] shapes;
  public Object[] outs;
  public CompiledFunction compiled;

  @Setup
  public void setUp() {
    Size s = Size.parse(size);
    int rows = s.of(100_000);
    int bags = s.of(4096);
    args = args(rows, bags);
    shapes = new int[][] {{rows, DIM}, {bags * BAG}, {DIM}, {bags}};
    Problem p = new Problem(null, forward(rows, bags), args, shapes, 0);
    Func vjp = p.vjp();
    outs = p.newOutputs(vjp);
    compiled = Kernels.compile(vjp);
  }

  /** Value and gradients (of the table, then of {@code w}) into {@link #outs}. */
  public Object[] call() {
    return compiled.call(args, shapes, outs);
  }

  /** The loss of {@code bags} bags of {@link #BAG} ids into a table of {@code rows} rows. */
  static Func forward(int rows, int bags) {
    Builder b = new Builder("embedding_bag");
    Value table = b.param("table", Type.of(DType.F32, rows, DIM));
    Value ids = b.input("ids", Type.of(DType.I64, bags * BAG));
    Value w = b.param("w", Type.of(DType.F32, DIM));
    Value y = b.input("y", Type.of(DType.F32, bags));
    // index_select(table, 0, ids): the ids broadcast along the row, gathered along dim 0
    Value index =
        b.broadcastTo(b.reshape(ids, bags * BAG, 1), List.of(Dim.of(bags * BAG), Dim.of(DIM)));
    Value rowsAt = b.gather(table, 0, index);
    Value perBag = b.sum(b.reshape(rowsAt, bags, BAG, DIM), new int[] {1}, false);
    Value r = b.sub(b.matmul(perBag, w), y);
    b.ret(b.mean(b.mul(r, r)));
    return b.build();
  }

  /** The table, ids, weight and targets, from a fixed seed. */
  static Object[] args(int rows, int bags) {
    SplittableRandom rnd = new SplittableRandom(7);
    float[] table = new float[rows * DIM];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) rnd.nextDouble(-0.1, 0.1);
    }
    long[] ids = new long[bags * BAG];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rnd.nextInt(rows);
    }
    float[] w = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      w[i] = (float) rnd.nextDouble(-0.5, 0.5);
    }
    float[] y = new float[bags];
    for (int i = 0; i < bags; i++) {
      y[i] = (float) rnd.nextDouble(-1, 1);
    }
    return new Object[] {table, ids, w, y};
  }
}
