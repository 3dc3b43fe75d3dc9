package dev.gradc;

import dev.gradc.frontend.Names;
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
