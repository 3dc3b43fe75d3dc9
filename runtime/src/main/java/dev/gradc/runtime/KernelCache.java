package dev.gradc.runtime;

import dev.gradc.ir.Func;
import dev.gradc.ir.StructuralKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
  private final ConcurrentHashMap<StructuralKey, CompletableFuture<CompiledFunction>> inFlight =
      new ConcurrentHashMap<>();
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
    CompletableFuture<CompiledFunction> mine = new CompletableFuture<>();
    CompletableFuture<CompiledFunction> theirs = inFlight.putIfAbsent(key, mine);
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
        mine.complete(c);
        return c;
      }
      c = compiler.apply(source.get());
      compilations.incrementAndGet();
      synchronized (entries) {
        entries.put(key, c);
      }
      mine.complete(c);
      return c;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
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
