package dev.gradc;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Value;

/**
 * How a captured op computes its value: given the builder of the function being captured and the
 * values of the op's inputs, emit the op with the builder's PyTorch semantics and return its
 * result. A recipe is replayed every time a graph is captured, so it must be deterministic: the
 * same inputs give the same instructions, which is what lets a training loop hit the kernel cache.
 */
@FunctionalInterface
interface Recipe {
  Value apply(Builder b, Value[] in);

  /**
   * A value that equals another recipe's signature exactly when the two emit the same instructions
   * for the same input types, or null when the recipe cannot say (a lambda). Graphs whose recipes
   * all have signatures are recognized without replaying them.
   */
  default Object signature() {
    return null;
  }
}
