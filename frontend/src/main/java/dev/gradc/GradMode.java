package dev.gradc;

/** Whether ops are recorded for autograd, per thread (PyTorch's grad mode); on by default. */
final class GradMode {
  private GradMode() {}

  /** Per thread: null until set, which reads as enabled (no initial-value function to make). */
  private static final ThreadLocal<Boolean> ENABLED = new ThreadLocal<>();

  /**
   * Whether any thread of this JVM ever turned grad mode off: until then it is on everywhere and
   * recording an op need not read the thread-local.
   */
  private static volatile boolean everDisabled;

  static boolean isEnabled() {
    return !everDisabled || !Boolean.FALSE.equals(ENABLED.get());
  }

  static void set(boolean enabled) {
    if (!enabled) {
      everDisabled = true;
    }
    ENABLED.set(enabled);
  }
}
