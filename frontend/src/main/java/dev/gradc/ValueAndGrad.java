package dev.gradc;

import java.util.List;

/**
 * The value of a compiled function and its gradient with respect to each argument (null for an
 * argument that does not require grad).
 */
public record ValueAndGrad(Tensor value, List<Tensor> grads) {
  public ValueAndGrad {
    grads = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(grads));
  }

  /** The gradient with respect to argument {@code i}. */
  public Tensor grad(int i) {
    return grads.get(i);
  }
}
