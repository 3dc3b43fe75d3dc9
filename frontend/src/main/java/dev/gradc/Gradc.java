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
 *
 * CompiledFn model = Gradc.compileOutputs(a -&gt; List.of(a[1].matmul(a[0]).relu()), List.of(w0, x0));
 * List&lt;Tensor&gt; predictions = model.values(w, x);
 * List&lt;Tensor&gt; grads = model.vjp(List.of(w, x), List.of(cotangent));
 * </pre>
 */
public final class Gradc {
  private Gradc() {}

  /** A function of several tensors, for {@link #compile(Traceable, List)}. */
  @FunctionalInterface
  public interface Traceable {
    Tensor apply(Tensor[] args);
  }

  /** A function of several tensors with several results, for {@link #compileOutputs}. */
  @FunctionalInterface
  public interface TraceableOutputs {
    List<Tensor> apply(Tensor[] args);
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
    return new CompiledFn(trace(args -> List.of(f.apply(args)), examples, false));
  }

  /**
   * Traces a function with several results (or one that is not a scalar loss: a model's
   * predictions) as {@link #compile(Traceable, List)} does. {@link CompiledFn#values} computes
   * every result, and {@link CompiledFn#vjp} the gradients with respect to the arguments that
   * require grad given one cotangent per result, as {@code torch.autograd.grad(results, args,
   * cotangents)}.
   */
  public static CompiledFn compileOutputs(TraceableOutputs f, List<Tensor> examples) {
    return new CompiledFn(trace(f, examples, false));
  }

  /**
   * Traces {@code f} on placeholders shaped like the examples, which require grad as their examples
   * do, or all of them with {@code allRequireGrad}.
   */
  static Trace trace(TraceableOutputs f, List<Tensor> examples, boolean allRequireGrad) {
    Tensor[] placeholders = new Tensor[examples.size()];
    List<Node> args = new ArrayList<>();
    for (int i = 0; i < placeholders.length; i++) {
      Node e = examples.get(i).node();
      Object data = Capture.valueOf(e);
      Node p =
          e.requiresGrad() || allRequireGrad
              ? Node.leaf(e.type(), data, (g, c) -> {})
              : Node.data(e.type(), data);
      args.add(p);
      placeholders[i] = Tensor.of(p);
    }
    List<Tensor> outs = Autograd.withGrad(true, () -> f.apply(placeholders));
    if (outs == null || outs.isEmpty()) {
      throw new IllegalArgumentException("the traced function returned no tensors");
    }
    List<Node> nodes = new ArrayList<>();
    for (int k = 0; k < outs.size(); k++) {
      if (outs.get(k) == null) {
        throw new IllegalArgumentException("the traced function returned null as result " + k);
      }
      nodes.add(outs.get(k).node());
    }
    return Trace.of(args, nodes);
  }

  /** How many functions the kernel cache has compiled in this JVM. */
  public static long compilations() {
    return Kernels.compilations();
  }

  /** How many lookups in the kernel cache found an existing compilation. */
  public static long cacheHits() {
    return Kernels.cacheHits();
  }
}
