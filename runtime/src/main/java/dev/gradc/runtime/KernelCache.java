package dev.gradc.runtime;

import dev.gradc.ir.Func;
import dev.gradc.ir.StructuralKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Compiled functions keyed by structure: two functions with the same instructions, dtypes and
 * static dims share one compilation whatever their names. Symbolic dims are bound per call, so one
 * entry serves every batch size.
 *
 * <p>The cache is bounded and evicts the least recently used entry; an evicted hidden class is
 * unloaded by the JVM once no caller holds its function. Concurrent requests for the same function
 * wait for one compilation. Counts compilations and hits.
 */
final class KernelCache {

  private final Function<Func, CompiledFunction> compiler;
  private final int capacity;
  private final Map<StructuralKey, CompiledFunction> entries;
  private final ConcurrentHashMap<StructuralKey, InFlight> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong compilations = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  /**
   * A cache of the capacity the system property {@code gradc.cache.size} gives ({@link
   * SystemProperties#cacheSize}).
   *
   * @throws IllegalArgumentException when that property is not a positive integer
   */
  public KernelCache(Function<Func, CompiledFunction> compiler) {
    this(compiler, SystemProperties.cacheSize());
  }

  public KernelCache(Function<Func, CompiledFunction> compiler, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.compiler = compiler;
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<StructuralKey, CompiledFunction> eldest) {
            boolean full = size() > KernelCache.this.capacity;
            if (full) {
              evictions.incrementAndGet();
            }
            return full;
          }
        };
  }

  public CompiledFunction get(Func f) {
    return get(StructuralKey.of(f), () -> f);
  }

  /**
   * The compilation cached under {@code key}, or the compilation of the function {@code source}
   * supplies (called only on a miss, so deriving it may be costly).
   */
  public CompiledFunction get(StructuralKey key, java.util.function.Supplier<Func> source) {
    synchronized (entries) {
      CompiledFunction c = entries.get(key);
      if (c != null) {
        hits.incrementAndGet();
        return c;
      }
    }
    InFlight mine = new InFlight();
    InFlight theirs = inFlight.putIfAbsent(key, mine);
    if (theirs != null) {
      hits.incrementAndGet();
      return theirs.join();
    }
    try {
      CompiledFunction c;
      synchronized (entries) {
        c = entries.get(key);
      }
      if (c != null) {
        // Another thread finished compiling between our lookup and our claim.
        hits.incrementAndGet();
        mine.complete(c, null);
        return c;
      }
      c = compiler.apply(source.get());
      compilations.incrementAndGet();
      synchronized (entries) {
        entries.put(key, c);
      }
      mine.complete(c, null);
      return c;
    } catch (RuntimeException | Error e) {
      mine.complete(null, e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /**
   * One compilation under way, which other threads asking for the same key wait for. A plain
   * monitor rather than a {@code CompletableFuture}, whose classes (and the common fork-join pool
   * it initializes) a fresh JVM would load on its first compile; {@link #join} behaves as {@code
   * CompletableFuture.join}: it waits without being interrupted and rethrows a failure wrapped in a
   * {@link CompletionException}.
   */
  private static final class InFlight {
    private CompiledFunction value;
    private Throwable failure;
    private boolean done;

    synchronized void complete(CompiledFunction c, Throwable e) {
      value = c;
      failure = e;
      done = true;
      notifyAll();
    }

    synchronized CompiledFunction join() {
      boolean interrupted = false;
      while (!done) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
      }
      return value;
    }
  }

  /** How many functions were compiled (cache misses). */
  public long compilations() {
    return compilations.get();
  }

  /** How many lookups found an existing (or in-flight) compilation. */
  public long hits() {
    return hits.get();
  }

  /** How many entries were evicted to stay within capacity. */
  public long evictions() {
    return evictions.get();
  }

  public int capacity() {
    return capacity;
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
