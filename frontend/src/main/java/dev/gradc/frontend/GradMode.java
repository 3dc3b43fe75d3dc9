package dev.gradc.frontend;

/** Whether ops are recorded for autograd, per thread (PyTorch's grad mode); on by default. */
public final class GradMode {
  private GradMode() {}

  private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

  public static boolean isEnabled() {
    return ENABLED.get();
  }

  public static void set(boolean enabled) {
    ENABLED.set(enabled);
  }
}
