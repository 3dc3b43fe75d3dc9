package dev.gradc;

import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Explicit compilation and the counters of the kernel cache.
 *
 * <pre>
 * CompiledFn loss = Gradc.compile((w, x) -&gt; x.matmul(w).square().mean(), w0, x0);
 * ValueAndGrad vg = loss.valueAndGrad(w, x);
 * </pre>
 */
public final class Gradc {
  private Gradc() {}

  /** A function of several tensors, for {@link #compile(Traceable, List)}. */
  @FunctionalInterface
  public interface Traceable {
    Tensor apply(Tensor[] args);
  }

  /** Traces {@code f} once on arguments shaped like {@code example} and compiles it. */
  public static CompiledFn compile(Function<Tensor, Tensor> f, Tensor example) {
    return compile(args -> f.apply(args[0]), List.of(example));
  }

  /** Traces {@code f} once on arguments shaped like {@code a} and {@code b} and compiles it. */
  public static CompiledFn compile(BiFunction<Tensor, Tensor, Tensor> f, Tensor a, Tensor b) {
    return compile(args -> f.apply(args[0], args[1]), List.of(a, b));
  }

  /**
   * Traces {@code f} once on placeholders with the dtypes, shapes and {@code requiresGrad} of the
   * examples, and compiles it. Tensors the function uses besides its arguments are captured as
   * constants with their current values.
   */
  public static CompiledFn compile(Traceable f, List<Tensor> examples) {
    Tensor[] placeholders = new Tensor[examples.size()];
    List<Node> args = new ArrayList<>();
    for (int i = 0; i < placeholders.length; i++) {
      Node e = examples.get(i).node();
      Object data = Capture.valueOf(e);
      Node p =
          e.requiresGrad() ? Node.leaf(e.type(), data, (g, c) -> {}) : Node.data(e.type(), data);
      args.add(p);
      placeholders[i] = Tensor.of(p);
    }
    Tensor out = Autograd.withGrad(true, () -> f.apply(placeholders));
    return new CompiledFn(Trace.of(args, out.node()));
  }

  /** How many functions the kernel cache has compiled in this JVM. */
  public static long compilations() {
    return Kernels.cache().compilations();
  }

  /** How many lookups in the kernel cache found an existing compilation. */
  public static long cacheHits() {
    return Kernels.cache().hits();
  }
}
