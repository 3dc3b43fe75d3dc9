package dev.gradc;

import dev.gradc.frontend.Names;
import dev.gradc.ir.Activations;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import java.util.Arrays;

/**
 * Functions of {@code torch.nn.functional}: losses (mean reduction, as PyTorch's default) and
 * activations. Losses are recorded as one node with PyTorch's name and compiled from their stable
 * expansion into IR primitives.
 */
public final class F {
  private F() {}

  private static final System.Logger LOG = System.getLogger("dev.gradc");

  /** {@code mean((input - target)^2)}. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        "MseLossBackward0", Saves.ALL_INPUTS, (b, in) -> b.mseLoss(in[0], in[1]), input, target);
  }

  /** {@code mean(|input - target|)}. */
  public static Tensor l1Loss(Tensor input, Tensor target) {
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        Op.MEAN.gradFn(), Saves.OTHER, (b, in) -> b.l1Loss(in[0], in[1]), input, target);
  }

  /** The Huber loss with {@code delta = 1}. */
  public static Tensor huberLoss(Tensor input, Tensor target) {
    return huberLoss(input, target, 1.0);
  }

  /** {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| - delta / 2)}; the mean. */
  public static Tensor huberLoss(Tensor input, Tensor target, double delta) {
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        "HuberLossBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> b.huberLoss(in[0], in[1], delta),
        input,
        target);
  }

  /** Binary cross entropy of logits against targets in {@code [0, 1]}, computed stably. */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(
          "Target size ("
              + Names.torchSize(type(target))
              + ") must be the same as input size ("
              + Names.torchSize(type(input))
              + ")");
    }
    return Recorder.record(
        "BinaryCrossEntropyWithLogitsBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> b.binaryCrossEntropyWithLogits(in[0], in[1]),
        input,
        target);
  }

  /**
   * Cross entropy of logits ({@code [C]} or {@code [N, C]}) against i64 class indices ({@code []}
   * or {@code [N]}) or against class probabilities of the logits' shape.
   */
  public static Tensor crossEntropy(Tensor input, Tensor target) {
    boolean indices = target.dtype() == DType.I64;
    return Recorder.record(
        indices ? "NllLossBackward0" : "DivBackward1",
        indices ? Saves.OTHER : Saves.SECOND_INPUT,
        (b, in) -> b.crossEntropy(in[0], in[1]),
        input,
        target);
  }

  /** {@code exp(x) / sum(exp(x))} along {@code dim}. */
  public static Tensor softmax(Tensor input, int dim) {
    return input.softmax(dim);
  }

  /** {@code x - logsumexp(x)} along {@code dim}. */
  public static Tensor logSoftmax(Tensor input, int dim) {
    return input.logSoftmax(dim);
  }

  /** {@code max(x, 0)}. */
  public static Tensor relu(Tensor input) {
    return input.relu();
  }

  /** {@code 1 / (1 + exp(-x))}. */
  public static Tensor sigmoid(Tensor input) {
    return input.sigmoid();
  }

  /** The hyperbolic tangent. */
  public static Tensor tanh(Tensor input) {
    return input.tanh();
  }

  /** {@code log(1 + exp(x))}, and {@code x} itself above 20, as PyTorch's default softplus. */
  public static Tensor softplus(Tensor input) {
    return input.softplus();
  }

  // ------------------------------------------------------------------ activations

  /** {@code x * Phi(x)}, with Phi the standard normal CDF. */
  public static Tensor gelu(Tensor input) {
    return gelu(input, "none");
  }

  /** {@code gelu} with {@code approximate} {@code "none"} or {@code "tanh"}. */
  public static Tensor gelu(Tensor input, String approximate) {
    if (!approximate.equals("none") && !approximate.equals("tanh")) {
      throw new GradcException("approximate argument must be either none or tanh.");
    }
    boolean tanh = approximate.equals("tanh");
    return activation(
        input, "GeluBackward0", Saves.INPUT, (b, in) -> Activations.gelu(b, in[0], tanh));
  }

  /** {@code x * sigmoid(x)}. */
  public static Tensor silu(Tensor input) {
    return activation(input, "SiluBackward0", Saves.INPUT, (b, in) -> Activations.silu(b, in[0]));
  }

  /** {@code x * tanh(softplus(x))}. */
  public static Tensor mish(Tensor input) {
    return activation(input, "MishBackward0", Saves.INPUT, (b, in) -> Activations.mish(b, in[0]));
  }

  /** {@code leakyRelu} with a negative slope of 0.01. */
  public static Tensor leakyRelu(Tensor input) {
    return leakyRelu(input, 0.01);
  }

  /** {@code x} where positive, else {@code negativeSlope * x}. */
  public static Tensor leakyRelu(Tensor input, double negativeSlope) {
    return activation(
        input,
        "LeakyReluBackward0",
        Saves.INPUT,
        (b, in) -> Activations.leakyRelu(b, in[0], negativeSlope));
  }

  /** In-place {@link #leakyRelu(Tensor, double)}. */
  public static Tensor leakyRelu_(Tensor input, double negativeSlope) {
    return Recorder.inPlace(
        input,
        "LeakyReluBackward1",
        Saves.RESULT,
        (b, in) -> Activations.leakyRelu(b, in[0], negativeSlope));
  }

  /** {@code elu} with {@code alpha = 1}. */
  public static Tensor elu(Tensor input) {
    return elu(input, 1.0);
  }

  /** {@code x} where positive, else {@code alpha * (exp(x) - 1)}. */
  public static Tensor elu(Tensor input, double alpha) {
    return activation(
        input, "EluBackward0", Saves.INPUT, (b, in) -> Activations.elu(b, in[0], alpha, 1, 1));
  }

  /** In-place {@link #elu(Tensor, double)}. */
  public static Tensor elu_(Tensor input, double alpha) {
    return Recorder.inPlace(
        input, "EluBackward1", Saves.RESULT, (b, in) -> Activations.elu(b, in[0], alpha, 1, 1));
  }

  /** {@code scale * elu(x, alpha)} with PyTorch's self-normalizing constants. */
  public static Tensor selu(Tensor input) {
    return activation(
        input,
        "EluBackward0",
        Saves.INPUT,
        (b, in) -> Activations.elu(b, in[0], Activations.SELU_ALPHA, Activations.SELU_SCALE, 1));
  }

  /** {@code celu} with {@code alpha = 1}. */
  public static Tensor celu(Tensor input) {
    return celu(input, 1.0);
  }

  /** {@code max(0, x) + min(0, alpha * (exp(x / alpha) - 1))}. */
  public static Tensor celu(Tensor input, double alpha) {
    if (alpha == 0) {
      throw new GradcException("ZeroDivisionError");
    }
    return activation(
        input,
        "CeluBackward0",
        Saves.INPUT,
        (b, in) -> Activations.elu(b, in[0], alpha, 1, 1 / alpha));
  }

  /** {@code log(sigmoid(x))}, computed stably. */
  public static Tensor logsigmoid(Tensor input) {
    return activation(
        input,
        "LogSigmoidBackward0",
        new Saves(1, false, false, true),
        (b, in) -> Activations.logsigmoid(b, in[0]));
  }

  /** {@code x / (1 + |x|)}, recorded as PyTorch's Python composition. */
  public static Tensor softsign(Tensor input) {
    return input.div(input.abs().add(1));
  }

  /** {@code hardtanh} between -1 and 1. */
  public static Tensor hardtanh(Tensor input) {
    return hardtanh(input, -1, 1);
  }

  /** {@code clamp(x, minVal, maxVal)}, whose gradient is zero at the bounds. */
  public static Tensor hardtanh(Tensor input, double minVal, double maxVal) {
    return activation(
        input,
        "HardtanhBackward0",
        Saves.INPUT,
        (b, in) -> Activations.hardtanh(b, in[0], minVal, maxVal));
  }

  /** In-place {@link #hardtanh(Tensor, double, double)}. */
  public static Tensor hardtanh_(Tensor input, double minVal, double maxVal) {
    return Recorder.inPlace(
        input,
        "HardtanhBackward0",
        Saves.RESULT,
        (b, in) -> Activations.hardtanh(b, in[0], minVal, maxVal));
  }

  /** {@code min(max(x, 0), 6)}. */
  public static Tensor relu6(Tensor input) {
    return hardtanh(input, 0, 6);
  }

  /** {@code min(max(x + 3, 0), 6) / 6}. */
  public static Tensor hardsigmoid(Tensor input) {
    return activation(
        input, "HardsigmoidBackward0", Saves.INPUT, (b, in) -> Activations.hardsigmoid(b, in[0]));
  }

  /** {@code x * hardsigmoid(x)}. */
  public static Tensor hardswish(Tensor input) {
    return activation(
        input, "HardswishBackward0", Saves.INPUT, (b, in) -> Activations.hardswish(b, in[0]));
  }

  /** {@code softmax(-x)} along {@code dim}. */
  public static Tensor softmin(Tensor input, int dim) {
    return input.neg().softmax(dim);
  }

  /** {@code value} where {@code x <= threshold}, else {@code x}. */
  public static Tensor threshold(Tensor input, double threshold, double value) {
    return Recorder.record(
        "ThresholdBackward0",
        Saves.INPUT,
        (b, in) -> Activations.threshold(b, in[0], threshold, value),
        input);
  }

  /** In-place {@link #threshold(Tensor, double, double)}. */
  public static Tensor threshold_(Tensor input, double threshold, double value) {
    return Recorder.inPlace(
        input,
        "ThresholdBackward1",
        Saves.RESULT,
        (b, in) -> Activations.threshold(b, in[0], threshold, value));
  }

  /** In-place {@code relu}. */
  public static Tensor relu_(Tensor input) {
    return input.relu_();
  }

  /** An activation of a floating-point tensor, recorded as one node named {@code name}. */
  private static Tensor activation(Tensor input, String name, Saves saves, Recipe r) {
    if (!input.dtype().isFloatingPoint()) {
      throw new GradcException(
          name.replace("Backward0", "").toLowerCase(java.util.Locale.ROOT)
              + " needs a floating-point tensor, got "
              + input.dtype());
    }
    return Recorder.record(name, saves, r, input);
  }

  /**
   * One-hot encoding of i64 class indices: a trailing dim of {@code numClasses} (or, when it is
   * {@code -1}, one more than the largest index).
   */
  public static Tensor oneHot(Tensor indices, int numClasses) {
    if (indices.dtype() != DType.I64) {
      throw new GradcException("one_hot is only applicable to index tensor.");
    }
    int classes = numClasses;
    if (classes == -1) {
      long max = -1;
      for (long v : indices.toLongArray()) {
        max = Math.max(max, v);
      }
      classes = Math.toIntExact(max + 1);
    }
    int c = classes;
    return Recorder.record(
        Op.ONE_HOT.gradFn(), Saves.NOTHING, (b, in) -> b.oneHot(in[0], c), indices);
  }

  private static Type type(Tensor t) {
    return Type.of(t.dtype().ir(), Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray());
  }

  private static void warnIfSizesDiffer(Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape(), target.shape())) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Using a target size ("
              + Names.torchSize(type(target))
              + ") that is different to the input size ("
              + Names.torchSize(type(input))
              + "). This will likely lead to incorrect results due to broadcasting. Please ensure"
              + " they have the same size.");
    }
  }
}
