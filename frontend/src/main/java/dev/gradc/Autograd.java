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

  /**
   * {@code torch.autograd.functional}: {@code Autograd.functional.jvp(f, inputs, v)}, {@code vjp},
   * {@code hvp}, {@code hessian}, each compiled ({@link Functional}).
   */
  public static final Functional functional = new Functional();

  /** Turns recording off until the returned scope is closed: {@code try (NoGrad g = ...)}. */
  public static NoGrad noGrad() {
    return new NoGrad();
  }

  /** Turns recording on until the returned scope is closed. */
  public static EnableGrad enableGrad() {
    return new EnableGrad();
  }

  /**
   * Sets grad mode for this thread, as {@code torch.set_grad_enabled}; closing the returned scope
   * restores the previous mode ({@code try (GradEnabled g = Autograd.setGradEnabled(false))}).
   */
  public static GradEnabled setGradEnabled(boolean enabled) {
    return new GradEnabled(enabled);
  }

  /**
   * Anomaly mode until the returned scope is closed, as {@code torch.autograd.detect_anomaly()}:
   * ops remember the Java line that recorded them, and the first NaN or infinity computed in the
   * forward or backward pass is an {@link dev.gradc.ir.AnomalyException} naming the op and that
   * line ({@link DetectAnomaly}).
   */
  public static DetectAnomaly detectAnomaly() {
    return new DetectAnomaly(true);
  }

  /**
   * As {@link #detectAnomaly()}; with {@code checkNan} false, as PyTorch's {@code
   * detect_anomaly(check_nan=False)}, ops remember their call sites but values are computed by the
   * usual compiled kernels, unchecked.
   */
  public static DetectAnomaly detectAnomaly(boolean checkNan) {
    return new DetectAnomaly(checkNan);
  }

  /** Turns recording off until the returned scope is closed, as {@code torch.inference_mode()}. */
  public static InferenceMode inferenceMode() {
    return new InferenceMode();
  }

  /**
   * {@code torch.autograd.grad} with {@code retain_graph} defaulting to {@code create_graph}, as in
   * PyTorch.
   */
  public static List<Tensor> grad(
      List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs, boolean createGraph) {
    return grad(outputs, inputs, gradOutputs, createGraph, createGraph, false);
  }

  /**
   * {@code torch.nn.utils.clip_grad_norm_}: scales the gradients of {@code parameters} in place so
   * that their joint {@code normType}-norm is at most {@code maxNorm}; returns the norm before
   * clipping. Parameters without a gradient are skipped.
   */
  public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm, double normType) {
    List<Tensor> grads = new ArrayList<>();
    for (Tensor p : parameters) {
      if (p.grad() != null) {
        grads.add(p.grad());
      }
    }
    if (grads.isEmpty()) {
      return Tensor.scalar(0.0);
    }
    return withGrad(
        false,
        () -> {
          Tensor total;
          if (normType == Double.POSITIVE_INFINITY) {
            total = null;
            for (Tensor g : grads) {
              Tensor m = g.abs().amax();
              total = total == null ? m : total.maximum(m.to(total.dtype()));
            }
          } else {
            Tensor sum = null;
            for (Tensor g : grads) {
              Tensor n = g.abs().pow(normType).sum().pow(1 / normType);
              Tensor term = n.pow(normType);
              sum = sum == null ? term : sum.add(term.to(sum.dtype()));
            }
            total = sum.pow(1 / normType);
          }
          Tensor coef =
              total.add(1e-6).reciprocal().mul(maxNorm).clamp(Double.NEGATIVE_INFINITY, 1.0);
          for (Tensor g : grads) {
            g.mul_(coef.to(g.dtype()));
          }
          return total;
        });
  }

  /** {@link #clipGradNorm_(List, double, double)} with the 2-norm. */
  public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm) {
    return clipGradNorm_(parameters, maxNorm, 2.0);
  }

  /**
   * {@code torch.nn.utils.clip_grad_value_}: clamps every gradient of {@code parameters} to {@code
   * [-clipValue, clipValue]} in place.
   */
  public static void clipGradValue_(List<Tensor> parameters, double clipValue) {
    withGrad(
        false,
        () -> {
          for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g != null) {
              g.copy_(g.clamp(-clipValue, clipValue));
            }
          }
          return null;
        });
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
