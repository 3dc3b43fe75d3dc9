package dev.gradc.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool compiled kernels split large loops onto. The thread count defaults to the system
 * property {@code gradc.threads}, else to all cores; results do not depend on it, because chunks
 * have a fixed size and partial results combine in chunk order.
 */
public final class Executor {
  private Executor() {}

  private static volatile int threads = defaultThreads();
  private static volatile ExecutorService pool;

  private static int defaultThreads() {
    String p = System.getProperty("gradc.threads");
    if (p != null) {
      try {
        return Math.max(1, Integer.parseInt(p.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("gradc.threads must be a positive integer, got " + p, e);
      }
    }
    return java.lang.Runtime.getRuntime().availableProcessors();
  }

  /** The number of threads a kernel call may use, the caller's included. */
  public static int threads() {
    return threads;
  }

  /** Sets the number of threads kernel calls use (1 runs everything on the calling thread). */
  public static void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + n);
    }
    threads = n;
  }

  /** The shared pool of daemon worker threads, created on first use. */
  static ExecutorService pool() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (Executor.class) {
        p = pool;
        if (p == null) {
          AtomicInteger count = new AtomicInteger();
          p =
              Executors.newCachedThreadPool(
                  r -> {
                    Thread t = new Thread(r, "gradc-worker-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
          pool = p;
        }
      }
    }
    return p;
  }
}
