package dev.gradc;

import java.util.ArrayList;
import java.util.List;

/**
 * The backward node that produced a non-leaf tensor, PyTorch's {@code grad_fn}. Two handles are
 * equal when they name the same node.
 */
public final class GradFn {
  private static final String ACCUMULATE_GRAD = "AccumulateGrad";

  private final Node node;
  private final String name;

  GradFn(Node node) {
    this(node, node.gradFn());
  }

  private GradFn(Node node, String name) {
    this.node = node;
    this.name = name;
  }

  /** PyTorch's class name of the node: {@code AddBackward0}, {@code MulBackward0}, ... */
  public String name() {
    return name;
  }

  /**
   * PyTorch's {@code next_functions}: per input of the op, the node its gradient goes to (a
   * recorded op's node, or {@code AccumulateGrad} for a leaf that requires grad), or null for an
   * input that does not require grad.
   */
  public List<GradFn> nextFunctions() {
    List<GradFn> out = new ArrayList<>();
    if (name.equals(ACCUMULATE_GRAD)) {
      return out;
    }
    for (int i = 0; i < node.inputCount(); i++) {
      Node in = node.input(i);
      if (in.gradFn() != null) {
        out.add(new GradFn(in));
      } else if (in.sink() != null && in.requiresGrad()) {
        out.add(new GradFn(in, ACCUMULATE_GRAD));
      } else {
        out.add(null);
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GradFn && ((GradFn) o).node == node && ((GradFn) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(node);
  }

  /** As Python prints it: {@code <AddBackward0 object at 0x7f...>}. */
  @Override
  public String toString() {
    return "<"
        + name()
        + " object at 0x7f"
        + String.format("%010x", System.identityHashCode(node) & 0xffffffffL)
        + ">";
  }
}
