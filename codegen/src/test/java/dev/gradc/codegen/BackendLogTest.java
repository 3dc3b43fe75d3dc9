package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class BackendLogTest {
  /**
   * A logging configuration made in code (a level and a handler on {@code dev.gradc}) receives the
   * backend's record, whichever thread logs it: the logger, DEBUG (FINE in java.util.logging) and
   * the message as they always were.
   */
  @Test
  void aLoggerConfiguredInCode_receivesTheRecord() throws Exception {
    Logger logger = Logger.getLogger("dev.gradc");
    Level level = logger.getLevel();
    boolean parents = logger.getUseParentHandlers();
    List<LogRecord> records = new ArrayList<>();
    List<String> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if ("gradc: a backend".equals(r.getMessage())) { // not Compiler's own record
              // The source is inferred from the logging thread's stack, as a formatter does.
              sources.add(r.getSourceClassName() + " " + r.getSourceMethodName());
              synchronized (records) {
                records.add(r);
                records.notifyAll();
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    try {
      BackendLog.later("gradc: a backend");
      long deadline = System.nanoTime() + 30_000_000_000L;
      synchronized (records) {
        while (records.isEmpty() && System.nanoTime() < deadline) {
          records.wait(100);
        }
        assertEquals(1, records.size(), "one record");
        LogRecord r = records.get(0);
        assertEquals("gradc: a backend", r.getMessage());
        assertEquals(Level.FINE, r.getLevel());
        assertEquals("dev.gradc", r.getLoggerName());
        assertEquals(List.of(Compiler.class.getName() + " backend"), sources);
      }
    } finally {
      logger.removeHandler(handler);
      logger.setLevel(level);
      logger.setUseParentHandlers(parents);
    }
  }

  @Test
  void theBackendIsNamed() {
    assertTrue(Compiler.BACKEND.contains("scalar kernels"), Compiler.BACKEND);
  }
}
