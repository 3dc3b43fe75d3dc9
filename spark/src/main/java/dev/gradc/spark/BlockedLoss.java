package dev.gradc.spark;

import dev.gradc.optim.DifferentiableFunction;
import dev.gradc.optim.StochasticFunction;

/** A loss over partitions of blocks of rows, in full or over a sample of the blocks. */
public interface BlockedLoss extends DifferentiableFunction {
  /** The loss over the blocks of {@code sample} (all blocks when it is null). */
  double valueAndGradient(double[] x, double[] grad, BlockSample sample);

  @Override
  default double valueAndGradient(double[] x, double[] grad) {
    return valueAndGradient(x, grad, null);
  }

  /** The loss over the rows of a random fraction of the blocks, drawn anew at each step. */
  default StochasticFunction minibatch(double fraction, long seed) {
    return StochasticFunction.of(
        dimension(),
        (x, grad, step) -> valueAndGradient(x, grad, new BlockSample(fraction, seed, step)));
  }
}
