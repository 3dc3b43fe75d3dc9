package dev.gradc;

/**
 * PyTorch's user warnings, logged at WARNING to the logger {@code dev.gradc}. The logger is looked
 * up on the first warning, not when a tensor class loads: looking it up starts the platform's
 * logging, tens of classes that a training loop without warnings never needs.
 */
final class Warnings {
  private Warnings() {}

  /** Logs {@code message} at WARNING. */
  static void warn(String message) {
    Holder.LOG.log(System.Logger.Level.WARNING, message);
  }

  private static final class Holder {
    static final System.Logger LOG = System.getLogger("dev.gradc");
  }
}
