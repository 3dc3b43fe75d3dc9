package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gradc.codegen.lib.KernelVectors;
import dev.gradc.codegen.lib.VectorSupport;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A vector kernel that cannot link falls back to the scalar kernel, logged once per JVM. */
class VectorFallbackLogTest {
  @Test
  void aCompanionThatDoesNotLinkIsLoggedOnce() {
    assumeTrue(VectorSupport.enabled(), "needs --add-modules jdk.incubator.vector");
    List<LogRecord> records = new ArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger log = Logger.getLogger("dev.gradc");
    log.addHandler(h);
    boolean parents = log.getUseParentHandlers();
    log.setUseParentHandlers(false);
    String before = System.clearProperty(KernelVectors.LOGGED);
    try {
      // this test class has no vector companion
      assertNull(KernelVectors.vectorKernel(MethodHandles.lookup(), "kernel0", "()V"));
      assertNull(KernelVectors.vectorKernel(MethodHandles.lookup(), "kernel1", "()V"));
      assertEquals(1, records.size(), "one warning for two fallbacks");
      assertEquals(Level.WARNING, records.get(0).getLevel());
      String message = records.get(0).getMessage();
      assertTrue(
          message.contains(VectorFallbackLogTest.class.getName() + ".kernel0")
              && message.contains("scalar form runs"),
          message);
    } finally {
      log.removeHandler(h);
      log.setUseParentHandlers(parents);
      if (before != null) {
        System.setProperty(KernelVectors.LOGGED, before);
      }
    }
  }
}
