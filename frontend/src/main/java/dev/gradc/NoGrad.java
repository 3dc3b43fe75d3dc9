package dev.gradc;

/**
 * A region where ops are not recorded, as PyTorch's {@code with torch.no_grad():}. Results computed
 * inside do not require grad, and leaves that require grad may be updated in place (that is how an
 * optimizer steps):
 *
 * <pre>
 * try (NoGrad g = Autograd.noGrad()) {
 *   w.sub_(w.grad().mul(0.1));
 * }
 * </pre>
 */
public final class NoGrad extends GradModeScope {
  NoGrad() {
    super(false);
  }
}
