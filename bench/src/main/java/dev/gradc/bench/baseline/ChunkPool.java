package dev.gradc.bench.baseline;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a loop into one contiguous chunk per thread; the calling thread runs chunk 0, a fixed pool
 * the others. Partial results are indexed by chunk, so callers combine them in chunk order and the
 * result does not depend on timing. With one thread nothing is allocated per call.
 */
public final class ChunkPool implements AutoCloseable {
  /** One chunk of a loop over {@code [lo, hi)}. */
  public interface Body {
    void run(int chunk, int lo, int hi);
  }

  private final int threads;
  private final ExecutorService pool;

  public ChunkPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.pool =
        threads == 1
            ? null
            : Executors.newFixedThreadPool(
                threads - 1,
                r -> {
                  Thread t = new Thread(r, "baseline-worker");
                  t.setDaemon(true);
                  return t;
                });
  }

  /** The thread count {@code gradc.threads} asks for, all cores by default. */
  public static int configuredThreads() {
    return Integer.getInteger(
        "gradc.threads", java.lang.Runtime.getRuntime().availableProcessors());
  }

  public int threads() {
    return threads;
  }

  /** Runs {@code body} over {@code [0, n)} in {@link #threads()} chunks and waits for all. */
  public void forEach(int n, Body body) {
    if (threads == 1) {
      body.run(0, 0, n);
      return;
    }
    Future<?>[] futures = new Future<?>[threads - 1];
    for (int c = 1; c < threads; c++) {
      int chunk = c;
      futures[c - 1] = pool.submit(() -> body.run(chunk, lo(n, chunk), lo(n, chunk + 1)));
    }
    body.run(0, 0, lo(n, 1));
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a chunk", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a chunk failed", e.getCause());
      }
    }
  }

  private int lo(int n, int chunk) {
    return (int) ((long) n * chunk / threads);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
