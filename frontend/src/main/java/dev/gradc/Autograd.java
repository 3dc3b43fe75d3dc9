package dev.gradc;

import dev.gradc.ir.GradcException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Grad mode and functional autograd, as PyTorch's {@code torch.no_grad}, {@code torch.enable_grad},
 * {@code torch.set_grad_enabled} and {@code torch.autograd.grad}. Grad mode is per thread.
 */
public final class Autograd {
  private Autograd() {}

  /** Turns recording off until the returned scope is closed: {@code try (NoGrad g = ...)}. */
  public static NoGrad noGrad() {
    return new NoGrad();
  }

  /** Turns recording on until the returned scope is closed. */
  public static EnableGrad enableGrad() {
    return new EnableGrad();
  }

  /** Sets grad mode for this thread, as {@code torch.set_grad_enabled}. */
  public static void setGradEnabled(boolean enabled) {
    GradMode.set(enabled);
  }

  /** Whether ops are recorded on this thread. */
  public static boolean isGradEnabled() {
    return GradMode.isEnabled();
  }

  /** {@code f} run with recording off, as Python's {@code @torch.no_grad()} decorator. */
  public static Function<Tensor, Tensor> noGrad(Function<Tensor, Tensor> f) {
    return x -> withGrad(false, () -> f.apply(x));
  }

  /** {@code f} run with recording off. */
  public static <T> Supplier<T> noGrad(Supplier<T> f) {
    return () -> withGrad(false, f);
  }

  /** Runs {@code f} with grad mode set to {@code enabled}, then restores the mode. */
  static <T> T withGrad(boolean enabled, Supplier<T> f) {
    boolean previous = GradMode.isEnabled();
    GradMode.set(enabled);
    try {
      return f.get();
    } finally {
      GradMode.set(previous);
    }
  }

  /** The gradients of the scalar {@code output} with respect to {@code inputs}. */
  public static List<Tensor> grad(Tensor output, Tensor... inputs) {
    return grad(List.of(output), Arrays.asList(inputs), null, false, false, false);
  }

  /**
   * {@code torch.autograd.grad}: the sum of the gradients of {@code outputs}, each weighted by its
   * entry of {@code gradOutputs} (null, or a null entry, for the implicit 1 of a scalar), with
   * respect to each of {@code inputs}, without touching any {@code .grad}. An input the outputs do
   * not depend on gives null with {@code allowUnused}, else an error.
   */
  public static List<Tensor> grad(
      List<Tensor> outputs,
      List<Tensor> inputs,
      List<Tensor> gradOutputs,
      boolean retainGraph,
      boolean createGraph,
      boolean allowUnused) {
    List<Node> roots = roots(outputs);
    List<Node> seeds = seeds(outputs, gradOutputs);
    List<Node> targets = new ArrayList<>();
    for (Tensor t : inputs) {
      targets.add(t.node());
    }
    List<Node> gs = Backward.run(roots, seeds, targets, retainGraph, createGraph);
    List<Tensor> out = new ArrayList<>();
    for (Node g : gs) {
      if (g == null && !allowUnused) {
        throw new GradcException(
            "One of the differentiated Tensors appears to not have been used in the graph. Set"
                + " allow_unused=True if this is the desired behavior.");
      }
      out.add(g == null ? null : Tensor.of(g));
    }
    return out;
  }

  /** {@code torch.autograd.backward}: backward from several tensors at once. */
  public static void backward(
      List<Tensor> tensors, List<Tensor> gradTensors, boolean retainGraph, boolean createGraph) {
    Backward.run(roots(tensors), seeds(tensors, gradTensors), null, retainGraph, createGraph);
  }

  private static List<Node> roots(List<Tensor> outputs) {
    List<Node> roots = new ArrayList<>();
    for (Tensor t : outputs) {
      roots.add(t.node());
    }
    return roots;
  }

  private static List<Node> seeds(List<Tensor> outputs, List<Tensor> gradOutputs) {
    if (gradOutputs != null && gradOutputs.size() != outputs.size()) {
      throw new IllegalArgumentException(
          "grad_outputs has " + gradOutputs.size() + " entries, outputs " + outputs.size());
    }
    List<Node> seeds = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      Tensor g = gradOutputs == null ? null : gradOutputs.get(i);
      seeds.add(g == null ? null : g.to(outputs.get(i).dtype()).node());
    }
    return seeds;
  }
}
