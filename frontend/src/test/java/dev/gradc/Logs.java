package dev.gradc;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what the {@code dev.gradc} logger logs while open; quiet on the console meanwhile. */
final class Logs implements AutoCloseable {
  private final Logger logger = Logger.getLogger("dev.gradc");
  private final boolean parents = logger.getUseParentHandlers();
  private final List<String> messages = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          synchronized (messages) {
            messages.add(r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  Logs() {
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
  }

  List<String> messages() {
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(parents);
  }
}
