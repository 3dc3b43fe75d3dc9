package dev.gradc;

/**
 * A region where ops are not recorded, as PyTorch's {@code with torch.inference_mode():}. gradc
 * keeps no view or version bookkeeping that inference mode could skip, so it behaves as {@link
 * NoGrad}; unlike PyTorch, tensors made inside may later be used in recorded ops.
 */
public final class InferenceMode extends GradModeScope {
  InferenceMode() {
    super(false);
  }
}
