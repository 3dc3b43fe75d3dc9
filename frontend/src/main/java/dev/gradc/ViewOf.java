package dev.gradc;

import dev.gradc.ir.Value;

/**
 * What makes a tensor a view, as PyTorch's views: the base tensor whose storage it shares (never
 * itself a view: a view of a view points at the first base), how its value follows from the base's
 * and how a new value of the view writes back into the base. Reads of a view after an in-place
 * update of its base (or of another view of it) see the update; an in-place update of the view
 * writes through to the base.
 *
 * @param base the tensor whose storage the view shares
 * @param fromBase the view's value from the base's ({@code in[0]})
 * @param toBase the base's new value from its old one ({@code in[0]}) and the view's new value
 *     ({@code in[1]})
 * @param overlapping whether several elements of the view are one element of the base ({@code
 *     expand}): PyTorch refuses to write through such a view
 * @param detached whether the view was detached: its value follows the base's, its gradient does
 *     not flow into the base
 * @param output null, or which output of a function that returns several views it is ({@code Output
 *     0 of SplitBackward0}): PyTorch refuses to write through it with grad
 */
record ViewOf(
    Tensor base,
    Recipe fromBase,
    Recipe toBase,
    boolean overlapping,
    boolean detached,
    String output) {

  /**
   * The inverse of one view step: the step's operand rewritten so that the step gives {@code v}.
   */
  @FunctionalInterface
  interface Inverse {
    /**
     * The inverse of a view step that keeps every element once: the view reshaped back. Made when a
     * view first asks for it (an interface's constants are), not when ops are first recorded.
     */
    Inverse RESHAPE_BACK = (b, operand, v) -> b.reshape(v, operand.type().dims());

    Value apply(dev.gradc.ir.Builder b, Value operand, Value v);
  }

  /** The view of {@code in} by one step {@code step}, whose inverse is {@code inverse}. */
  static ViewOf of(Tensor in, Recipe step, Inverse inverse, boolean overlapping, String output) {
    ViewOf prev = in.viewOf;
    if (prev == null) {
      return new ViewOf(
          in, step, (b, v) -> inverse.apply(b, v[0], v[1]), overlapping, false, output);
    }
    Recipe from = (b, v) -> step.apply(b, new Value[] {prev.fromBase.apply(b, v)});
    Recipe to =
        (b, v) -> {
          Value mid = prev.fromBase.apply(b, new Value[] {v[0]});
          Value newMid = inverse.apply(b, mid, v[1]);
          return prev.toBase.apply(b, new Value[] {v[0], newMid});
        };
    return new ViewOf(
        prev.base,
        from,
        to,
        overlapping || prev.overlapping,
        prev.detached,
        output != null ? output : prev.output);
  }

  /** The same view, detached from the base's history. */
  ViewOf detach() {
    return new ViewOf(base, fromBase, toBase, overlapping, true, output);
  }
}
