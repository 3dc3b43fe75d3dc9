package dev.gradc;

/**
 * What an op's backward node saves, as PyTorch's {@code derivatives.yaml} decides: some of its
 * inputs ({@code inputs}, bit {@code k} for input {@code k}), each of two inputs when the other
 * requires grad ({@code crossed}, the rule of {@code mul} and {@code matmul}), its result, or
 * something that is not a tensor the user holds ({@code other}: a number, an intermediate). A node
 * that saves nothing can be backpropagated through again after its graph was freed.
 */
record Saves(int inputs, boolean crossed, boolean result, boolean other) {
  static final Saves NOTHING = new Saves(0, false, false, false);

  /** The first input ({@code abs}, {@code log}, {@code pow} by a number, ...). */
  static final Saves INPUT = new Saves(1, false, false, false);

  /** The second input. */
  static final Saves SECOND_INPUT = new Saves(2, false, false, false);

  /** The second and third inputs ({@code index_add}: its index and source). */
  static final Saves INDEX_AND_SOURCE = new Saves(6, false, false, false);

  /** Every input ({@code maximum}, {@code clamp} by tensors, the losses). */
  static final Saves ALL_INPUTS = new Saves(~0, false, false, false);

  /** The result ({@code exp}, {@code sqrt}, {@code tanh}, {@code softmax}, ...). */
  static final Saves RESULT = new Saves(0, false, true, false);

  /** The first input and the result ({@code amax}, {@code logsumexp}). */
  static final Saves INPUT_AND_RESULT = new Saves(1, false, true, false);

  /** The result and intermediates ({@code linalg.svdvals}: S, U and Vh). */
  static final Saves RESULT_AND_OTHER = new Saves(0, false, true, true);

  /** Every input and the result ({@code pow} by a tensor). */
  static final Saves ALL_INPUTS_AND_RESULT = new Saves(~0, false, true, false);

  /** Each of two inputs when the other requires grad ({@code mul}, {@code matmul}). */
  static final Saves CROSSED = new Saves(0, true, false, false);

  /** The second input, and the first when the second requires grad ({@code div}). */
  static final Saves SECOND_AND_CROSSED = new Saves(2, true, false, false);

  /** Something that is not a tensor the user holds ({@code mul} by a number, ...). */
  static final Saves OTHER = new Saves(0, false, false, true);

  /** Whether the node saves anything, so that a freed graph cannot be run through again. */
  boolean any() {
    return inputs != 0 || crossed || result || other;
  }

  /**
   * Whether input {@code i} of {@code count} is saved, given which inputs require grad (bit {@code
   * k} of {@code requiresGrad} for input {@code k}).
   */
  boolean input(int i, int count, int requiresGrad) {
    if ((inputs & (1 << i)) != 0) {
      return true;
    }
    return crossed && count == 2 && (requiresGrad & (1 << (1 - i))) != 0;
  }
}
