package dev.gradc;

/**
 * What {@link Autograd#setGradEnabled} returns: grad mode is set at once, as PyTorch's {@code
 * torch.set_grad_enabled(mode)} called as a function, and closing the scope restores the mode it
 * found, as {@code with torch.set_grad_enabled(mode):} does:
 *
 * <pre>
 * try (GradEnabled g = Autograd.setGradEnabled(training)) {
 *   loss = model(x);
 * }
 * </pre>
 */
public final class GradEnabled extends GradModeScope {
  GradEnabled(boolean enabled) {
    super(enabled);
  }
}
