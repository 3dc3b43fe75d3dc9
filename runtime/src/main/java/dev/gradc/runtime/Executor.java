package dev.gradc.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool compiled kernels split large loops onto. The thread count defaults to the system
 * property {@code gradc.threads} ({@link SystemProperties#threads}), else to all cores; results do
 * not depend on it, because chunks have a fixed size and partial results combine in chunk order.
 */
public final class Executor {
  private Executor() {}

  /** 0 until set or read from the system property. */
  private static volatile int threads;

  private static volatile ExecutorService pool;

  /**
   * The number of threads a kernel call may use, the caller's included.
   *
   * @throws IllegalArgumentException when it was never set and {@code gradc.threads} is not an
   *     integer from 1 to {@link SystemProperties#MAX_THREADS}
   */
  public static int threads() {
    int t = threads;
    if (t == 0) {
      t = SystemProperties.threads();
      threads = t;
    }
    return t;
  }

  /**
   * Sets the number of threads kernel calls use (1 runs everything on the calling thread), from 1
   * to {@link SystemProperties#MAX_THREADS}.
   */
  public static void setThreads(int n) {
    if (n < 1 || n > SystemProperties.MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads must be from 1 to " + SystemProperties.MAX_THREADS + ", got " + n);
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
