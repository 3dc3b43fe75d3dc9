package dev.gradc;

/**
 * Where the gradient of a leaf (or of a non-leaf that retains its gradient) is delivered by a
 * backward pass: PyTorch's {@code AccumulateGrad}.
 */
@FunctionalInterface
interface GradSink {
  /**
   * Adds {@code grad} to the tensor's {@code .grad}. With {@code createGraph} the gradient is a
   * captured graph that can be differentiated again; otherwise it is a materialized value.
   */
  void accumulate(Node grad, boolean createGraph);
}
