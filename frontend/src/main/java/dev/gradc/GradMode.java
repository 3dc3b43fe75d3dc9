package dev.gradc;

/** Whether ops are recorded for autograd, per thread (PyTorch's grad mode); on by default. */
final class GradMode {
  private GradMode() {}

  private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

  /**
   * Whether any thread of this JVM ever turned grad mode off: until then it is on everywhere and
   * recording an op need not read the thread-local.
   */
  private static volatile boolean everDisabled;

  static boolean isEnabled() {
    return !everDisabled || ENABLED.get();
  }

  static void set(boolean enabled) {
    if (!enabled) {
      everDisabled = true;
    }
    ENABLED.set(enabled);
  }
}
