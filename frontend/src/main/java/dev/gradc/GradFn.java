package dev.gradc;

/**
 * The backward node that produced a non-leaf tensor, PyTorch's {@code grad_fn}. Two handles are
 * equal when they name the same node.
 */
public final class GradFn {
  private final Node node;

  GradFn(Node node) {
    this.node = node;
  }

  /** PyTorch's class name of the node: {@code AddBackward0}, {@code MulBackward0}, ... */
  public String name() {
    return node.gradFn();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GradFn && ((GradFn) o).node == node;
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
