package dev.gradc.spark;

import java.util.List;

/**
 * A {@link BlockKernel}'s loss over blocks held in this JVM, partitioned as a Spark dataset would
 * be: it computes exactly what {@link SparkLoss} computes over the same partitions and blocks, with
 * the same partials combined along the same {@link TreeSum}, so the two give the same bits.
 */
public final class LocalLoss implements BlockedLoss {
  private final BlockKernel kernel;
  private final List<List<Block>> partitions;

  public LocalLoss(BlockKernel kernel, List<List<Block>> partitions) {
    this.kernel = kernel;
    this.partitions = List.copyOf(partitions);
  }

  @Override
  public int dimension() {
    return kernel.dimension();
  }

  @Override
  public double valueAndGradient(double[] x, double[] grad, BlockSample sample) {
    TreeSum t = TreeSum.empty(partitions.size());
    for (int p = 0; p < partitions.size(); p++) {
      t =
          t.merge(
              TreeSum.leaf(
                  partitions.size(),
                  p,
                  kernel.partial(p, partitions.get(p).iterator(), x, sample)));
    }
    return kernel.finish(t.total(), x, grad);
  }
}
