package dev.gradc.ir;

/**
 * Where an instruction's value came from, kept beside the function rather than in the instruction
 * ({@link Func#origin}): the source position that created it (a {@code .grad} expression, or the
 * Java call site that recorded the op), and, for a value reverse mode computed, the forward op it
 * differentiates, as PyTorch's anomaly mode names the {@code grad_fn} whose backward produced a
 * NaN.
 *
 * @param pos the source position, or null when none is known
 * @param gradFn PyTorch's {@code grad_fn} name of the forward op this value is part of the backward
 *     of ({@code LogBackward0}), or null for a forward value
 * @param forwardOp the mnemonic of that forward op ({@code log}), or null for a forward value
 * @param output which output of the backward function this value is (the gradient of the forward
 *     op's operand {@code output}), or -1 for a forward value and a backward intermediate
 */
public record Origin(SourcePos pos, String gradFn, String forwardOp, int output) {
  /** A forward value created at {@code pos}. */
  public static Origin at(SourcePos pos) {
    return new Origin(pos, null, null, -1);
  }

  /** True for a value computed by the backward of a forward op. */
  public boolean isBackward() {
    return gradFn != null;
  }

  /** The same origin, as output {@code k} of the backward function. */
  public Origin asOutput(int k) {
    return new Origin(pos, gradFn, forwardOp, k);
  }
}
