package dev.gradc.runtime;

import dev.gradc.ir.Func;
import dev.gradc.ir.Printer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Compiled functions keyed by structure: two functions with the same instructions, dtypes and
 * static dims share one compilation whatever their names. Symbolic dims are bound per call, so one
 * entry serves every batch size. Safe for concurrent use; counts compilations and hits.
 */
public final class KernelCache {
  private final Function<Func, CompiledFunction> compiler;
  private final ConcurrentHashMap<String, CompiledFunction> entries = new ConcurrentHashMap<>();
  private final AtomicLong compilations = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();

  public KernelCache(Function<Func, CompiledFunction> compiler) {
    this.compiler = compiler;
  }

  public CompiledFunction get(Func f) {
    String key = key(f);
    CompiledFunction c = entries.get(key);
    if (c != null) {
      hits.incrementAndGet();
      return c;
    }
    return entries.computeIfAbsent(
        key,
        k -> {
          compilations.incrementAndGet();
          return compiler.apply(f);
        });
  }

  /** The structural key: the printed function without its name. */
  static String key(Func f) {
    String text = Printer.print(f);
    int open = text.indexOf('(');
    return text.substring(open);
  }

  /** How many functions were compiled (cache misses). */
  public long compilations() {
    return compilations.get();
  }

  /** How many lookups found an existing compilation. */
  public long hits() {
    return hits.get();
  }

  public int size() {
    return entries.size();
  }
}
