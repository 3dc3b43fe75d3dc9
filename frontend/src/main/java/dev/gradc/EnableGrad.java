package dev.gradc;

/** A region where ops are recorded again, as PyTorch's {@code with torch.enable_grad():}. */
public final class EnableGrad extends GradModeScope {
  EnableGrad() {
    super(true);
  }
}
