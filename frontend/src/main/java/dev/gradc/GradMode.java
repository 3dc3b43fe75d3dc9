package dev.gradc;

/** Whether ops are recorded for autograd, per thread (PyTorch's grad mode); on by default. */
final class GradMode {
  private GradMode() {}

  private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

  static boolean isEnabled() {
    return ENABLED.get();
  }

  static void set(boolean enabled) {
    ENABLED.set(enabled);
  }
}
