package dev.gradc.codegen;

/**
 * Logs {@link Compiler#BACKEND} at DEBUG to the logger {@code dev.gradc}, once, without starting
 * the platform's logging on the first compile's path. Looking a logger up starts it (the service
 * lookup of a {@code System.LoggerFinder}, then {@code java.util.logging}'s {@code LogManager}
 * reading its configuration): tens of milliseconds in a fresh JVM, all of it before the first
 * kernel runs.
 *
 * <p>When logging is configured up front (a {@code java.util.logging} configuration or manager
 * named by a system property, or a {@code System.LoggerFinder} provider in a module), the record is
 * logged at once, on the compiling thread, as it always was. Otherwise it is logged from a daemon
 * thread started here, so that a configuration made in code (a level and a handler set on {@code
 * java.util.logging}'s logger, as tests do) or a provider on the class path still receives it; the
 * record is the same (logger, level, message, source class and method), only the thread that logs
 * it differs.
 */
final class BackendLog extends Thread {
  private static final String FINDER = "java.lang.System$LoggerFinder";

  private final String message;

  private BackendLog(String message) {
    super("gradc backend log");
    this.message = message;
    setDaemon(true);
  }

  /** Logs {@code message} ({@link Compiler#backend(String)}) from a new daemon thread. */
  static void later(String message) {
    new BackendLog(message).start();
  }

  @Override
  public void run() {
    Compiler.backend(message);
  }

  /**
   * Whether a logging configuration was named before the program ran: the system properties of
   * {@code java.util.logging}, or a provider of {@code System.LoggerFinder} (which replaces {@code
   * java.util.logging} as the platform's logging backend) in a module. A provider on the class path
   * is not looked for (the lookup alone costs milliseconds): its record comes from the thread.
   */
  static boolean configuredUpFront() {
    if (System.getProperty("java.util.logging.config.file") != null
        || System.getProperty("java.util.logging.config.class") != null
        || System.getProperty("java.util.logging.manager") != null) {
      return true;
    }
    for (Module m : ModuleLayer.boot().modules()) {
      java.lang.module.ModuleDescriptor d = m.getDescriptor();
      if (d != null) {
        for (java.lang.module.ModuleDescriptor.Provides p : d.provides()) {
          if (p.service().equals(FINDER)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
