package dev.gradc;

import dev.gradc.frontend.Names;
import dev.gradc.ir.Activations;
import dev.gradc.ir.Builder;
import dev.gradc.ir.Builder.Reduction;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Distances;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Losses;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Functions of {@code torch.nn.functional}: losses, with PyTorch's keyword options as {@link
 * LossOptions}, and activations. A loss is recorded as one node with the name PyTorch records for
 * it and compiled from its stable expansion into IR primitives ({@link Losses}), which fuses with
 * the surrounding loops.
 */
public final class F {
  private F() {}

  /** {@code mean((input - target)^2)}. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    return mseLoss(input, target, LossOptions.defaults());
  }

  /** {@code mean(|input - target|)}. */
  public static Tensor l1Loss(Tensor input, Tensor target) {
    return l1Loss(input, target, LossOptions.defaults());
  }

  /** The Huber loss with {@code delta = 1}. */
  public static Tensor huberLoss(Tensor input, Tensor target) {
    return huberLoss(input, target, 1.0);
  }

  /** {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| - delta / 2)}; the mean. */
  public static Tensor huberLoss(Tensor input, Tensor target, double delta) {
    return huberLoss(input, target, LossOptions.defaults().delta(delta));
  }

  /** Binary cross entropy of logits against targets in {@code [0, 1]}, computed stably. */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    return binaryCrossEntropyWithLogits(input, target, LossOptions.defaults());
  }

  /**
   * Cross entropy of logits ({@code [C]} or {@code [N, C]}) against i64 class indices ({@code []}
   * or {@code [N]}) or against class probabilities of the logits' shape.
   */
  public static Tensor crossEntropy(Tensor input, Tensor target) {
    return crossEntropy(input, target, LossOptions.defaults());
  }

  // ---------------------------------------------------------------- losses with options

  /** {@code mse_loss} with keyword options ({@code reduction}). */
  public static Tensor mseLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("mse_loss"));
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        "MseLossBackward0", Saves.ALL_INPUTS, (b, in) -> b.mseLoss(in[0], in[1], r), input, target);
  }

  /** {@code l1_loss} with keyword options ({@code reduction}). */
  public static Tensor l1Loss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("l1_loss"));
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        reduced(r, "AbsBackward0"),
        Saves.OTHER,
        (b, in) -> b.l1Loss(in[0], in[1], r),
        input,
        target);
  }

  /** {@code huber_loss} with keyword options ({@code reduction}, {@code delta}). */
  public static Tensor huberLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("huber_loss", "delta"));
    double delta = o.delta;
    if (!(delta > 0)) {
      throw new GradcException("huber_loss does not support non-positive values for delta.");
    }
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        "HuberLossBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> b.huberLoss(in[0], in[1], delta, r),
        input,
        target);
  }

  /** {@code smooth_l1_loss} with {@code beta = 1}. */
  public static Tensor smoothL1Loss(Tensor input, Tensor target) {
    return smoothL1Loss(input, target, LossOptions.defaults());
  }

  /**
   * {@code smooth_l1_loss}: {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| - beta
   * / 2} (options {@code reduction}, {@code beta}).
   */
  public static Tensor smoothL1Loss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("smooth_l1_loss", "beta"));
    double beta = o.beta;
    warnIfSizesDiffer(input, target);
    return Recorder.record(
        "SmoothL1LossBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> Losses.smoothL1Loss(b, in[0], in[1], beta, r),
        input,
        target);
  }

  /**
   * {@code binary_cross_entropy_with_logits} with keyword options ({@code weight}, {@code
   * reduction}, {@code pos_weight}).
   */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("binary_cross_entropy_with_logits", "weight", "pos_weight"));
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(
          "Target size ("
              + Names.torchSize(type(target))
              + ") must be the same as input size ("
              + Names.torchSize(type(input))
              + ")");
    }
    Tensor w = o.weight;
    Tensor pw = o.posWeight;
    return Recorder.record(
        "BinaryCrossEntropyWithLogitsBackward0",
        Saves.ALL_INPUTS,
        (b, in) ->
            Losses.binaryCrossEntropyWithLogits(
                b,
                in[0],
                in[1],
                w == null ? null : in[2],
                pw == null ? null : in[w == null ? 2 : 3],
                r),
        present(input, target, w, pw));
  }

  /** {@code binary_cross_entropy} of probabilities in {@code [0, 1]}. */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
    return binaryCrossEntropy(input, target, LossOptions.defaults());
  }

  /**
   * {@code binary_cross_entropy}: {@code -w (y log x + (1 - y) log(1 - x))}, each log clamped at
   * {@code -100} (options {@code weight}, {@code reduction}).
   */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("binary_cross_entropy", "weight"));
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(
          "Using a target size ("
              + Names.torchSize(type(target))
              + ") that is different to the input size ("
              + Names.torchSize(type(input))
              + ") is deprecated. Please ensure they have the same size.");
    }
    Tensor w = o.weight;
    return Recorder.record(
        "BinaryCrossEntropyBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> Losses.binaryCrossEntropy(b, in[0], in[1], w == null ? null : in[2], r),
        present(input, target, w));
  }

  /** {@code nll_loss} of log-probabilities against class indices. */
  public static Tensor nllLoss(Tensor input, Tensor target) {
    return nllLoss(input, target, LossOptions.defaults());
  }

  /**
   * {@code nll_loss}: {@code -weight[y] input[y]} per sample of {@code [C]}, {@code [N, C]} or
   * {@code [N, C, d...]} log-probabilities (options {@code weight}, {@code ignore_index}, {@code
   * reduction}).
   */
  public static Tensor nllLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("nll_loss", "weight", "ignore_index"));
    Tensor w = o.weight;
    long ignore = o.ignoreIndex;
    return Recorder.record(
        nllName(input),
        Saves.ALL_INPUTS,
        (b, in) -> Losses.nllLoss(b, in[0], in[1], w == null ? null : in[2], ignore, r),
        present(input, target, w));
  }

  private static String nllName(Tensor input) {
    return input.dim() >= 3 ? "NllLoss2DBackward0" : "NllLossBackward0";
  }

  /**
   * {@code cross_entropy} with keyword options ({@code weight}, {@code ignore_index}, {@code
   * reduction}, {@code label_smoothing}), against class indices or class probabilities.
   */
  public static Tensor crossEntropy(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("cross_entropy", "weight", "ignore_index", "label_smoothing"));
    Tensor w = o.weight;
    long ignore = o.ignoreIndex;
    double smoothing = o.labelSmoothing;
    boolean indices = target.dtype() == DType.I64;
    String name =
        indices
            ? smoothing > 0 ? "AddBackward0" : nllName(input)
            : r == Reduction.MEAN ? "DivBackward1" : "NegBackward0";
    // As PyTorch's: log_softmax saves its result, the loss of probabilities the target.
    return Recorder.record(
        name,
        indices ? Saves.OTHER : Saves.SECOND_INPUT,
        (b, in) ->
            Losses.crossEntropy(b, in[0], in[1], w == null ? null : in[2], ignore, r, smoothing),
        present(input, target, w));
  }

  /** {@code kl_div} of log-probabilities against probabilities. */
  public static Tensor klDiv(Tensor input, Tensor target) {
    return klDiv(input, target, LossOptions.defaults());
  }

  /**
   * {@code kl_div}: {@code target (log target - input)} elementwise (options {@code reduction},
   * also {@code "batchmean"}, and {@code log_target}).
   */
  public static Tensor klDiv(Tensor input, Tensor target, LossOptions o) {
    o.check("kl_div", "log_target");
    boolean batchMean = o.reduction.equals("batchmean");
    Reduction r = batchMean ? Reduction.SUM : reduction(o);
    if (r == Reduction.MEAN) {
      Warnings.warn(
          "reduction: 'mean' divides the total loss by both the batch size and the support"
              + " size.'batchmean' divides only by the batch size, and aligns with the KL div math"
              + " definition.'mean' will be changed to behave the same as 'batchmean' in the next"
              + " major release.");
    }
    boolean logTarget = o.logTarget;
    String name =
        batchMean ? "DivBackward0" : reduced(r, logTarget ? "MulBackward0" : "SubBackward0");
    return Recorder.record(
        name,
        Saves.ALL_INPUTS,
        (b, in) -> Losses.klDiv(b, in[0], in[1], r, batchMean, logTarget),
        input,
        target);
  }

  /** {@code gaussian_nll_loss} with the defaults {@code full=False}, {@code eps=1e-6}. */
  public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var) {
    return gaussianNllLoss(input, target, var, LossOptions.defaults());
  }

  /**
   * {@code gaussian_nll_loss}: {@code 0.5 (log var + (input - target)^2 / var)} with {@code var}
   * clamped at {@code eps} (options {@code full}, {@code eps}, {@code reduction}).
   */
  public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var, LossOptions o) {
    Reduction r = reduction(o.check("gaussian_nll_loss", "full", "eps"));
    boolean full = o.full;
    double eps = LossOptions.or(o.eps, 1e-6);
    for (double v : var.detach().to(DType.F64).toDoubleArray()) {
      if (v < 0) {
        throw new IllegalArgumentException("var has negative entry/entries");
      }
    }
    return reducedLoss(
        r,
        full ? "AddBackward0" : "MulBackward0",
        (b, in) -> Losses.gaussianNllLoss(b, in[0], in[1], in[2], full, eps, r),
        input,
        target,
        var);
  }

  /** {@code poisson_nll_loss} of log-rates. */
  public static Tensor poissonNllLoss(Tensor input, Tensor target) {
    return poissonNllLoss(input, target, LossOptions.defaults());
  }

  /**
   * {@code poisson_nll_loss}: {@code exp(input) - target input} (or {@code input - target log(input
   * + eps)} without {@code log_input}), with Stirling's term for {@code full}.
   */
  public static Tensor poissonNllLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("poisson_nll_loss", "log_input", "full", "eps"));
    boolean logInput = o.logInput;
    boolean full = o.full;
    double eps = LossOptions.or(o.eps, 1e-8);
    return reducedLoss(
        r,
        full ? "AddBackward0" : "SubBackward0",
        (b, in) -> Losses.poissonNllLoss(b, in[0], in[1], logInput, full, eps, r),
        input,
        target);
  }

  /** {@code cosine_embedding_loss} with {@code margin = 0}. */
  public static Tensor cosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target) {
    return cosineEmbeddingLoss(input1, input2, target, LossOptions.defaults());
  }

  /**
   * {@code cosine_embedding_loss}: {@code 1 - cos} where {@code target = 1}, {@code max(0, cos -
   * margin)} where {@code target = -1} (options {@code margin}, {@code reduction}).
   */
  public static Tensor cosineEmbeddingLoss(
      Tensor input1, Tensor input2, Tensor target, LossOptions o) {
    return marginLoss(
        "cosine_embedding_loss",
        o,
        0,
        "AddBackward0",
        (b, in, margin, r) -> Losses.cosineEmbeddingLoss(b, in[0], in[1], in[2], margin, r),
        input1,
        input2,
        target);
  }

  /** {@code triplet_margin_loss} with {@code margin = 1}, {@code p = 2}. */
  public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative) {
    return tripletMarginLoss(anchor, positive, negative, LossOptions.defaults());
  }

  /**
   * {@code triplet_margin_loss}: {@code max(0, margin + d(a, p) - d(a, n))} with the {@code p}-norm
   * distance (options {@code margin}, {@code p}, {@code eps}, {@code swap}, {@code reduction}).
   */
  public static Tensor tripletMarginLoss(
      Tensor anchor, Tensor positive, Tensor negative, LossOptions o) {
    Reduction r = reduction(o.check("triplet_margin_loss", "margin", "p", "eps", "swap"));
    double margin = LossOptions.or(o.margin, 1);
    double p = o.p;
    double eps = LossOptions.or(o.eps, 1e-6);
    boolean swap = o.swap;
    return reducedLoss(
        r,
        "ClampMinBackward0",
        (b, in) -> Losses.tripletMarginLoss(b, in[0], in[1], in[2], margin, p, eps, swap, r),
        anchor,
        positive,
        negative);
  }

  /** {@code margin_ranking_loss} with {@code margin = 0}. */
  public static Tensor marginRankingLoss(Tensor input1, Tensor input2, Tensor target) {
    return marginRankingLoss(input1, input2, target, LossOptions.defaults());
  }

  /** {@code margin_ranking_loss}: {@code max(0, -target (input1 - input2) + margin)}. */
  public static Tensor marginRankingLoss(
      Tensor input1, Tensor input2, Tensor target, LossOptions o) {
    return marginLoss(
        "margin_ranking_loss",
        o,
        0,
        "ClampMinBackward0",
        (b, in, margin, r) -> Losses.marginRankingLoss(b, in[0], in[1], in[2], margin, r),
        input1,
        input2,
        target);
  }

  /** {@code hinge_embedding_loss} with {@code margin = 1}. */
  public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target) {
    return hingeEmbeddingLoss(input, target, LossOptions.defaults());
  }

  /**
   * {@code hinge_embedding_loss}: {@code input} where {@code target = 1}, {@code max(0, margin -
   * input)} where {@code target = -1}.
   */
  public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target, LossOptions o) {
    return marginLoss(
        "hinge_embedding_loss",
        o,
        1,
        "AddBackward0",
        (b, in, margin, r) -> Losses.hingeEmbeddingLoss(b, in[0], in[1], margin, r),
        input,
        target);
  }

  /** {@code soft_margin_loss}. */
  public static Tensor softMarginLoss(Tensor input, Tensor target) {
    return softMarginLoss(input, target, LossOptions.defaults());
  }

  /** {@code soft_margin_loss}: {@code log(1 + exp(-target input))}. */
  public static Tensor softMarginLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("soft_margin_loss"));
    return Recorder.record(
        "SoftMarginLossBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> Losses.softMarginLoss(b, in[0], in[1], r),
        input,
        target);
  }

  /** {@code multilabel_soft_margin_loss}. */
  public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target) {
    return multilabelSoftMarginLoss(input, target, LossOptions.defaults());
  }

  /**
   * {@code multilabel_soft_margin_loss}: the mean over classes of {@code -(y log sigmoid(x) + (1 -
   * y) log sigmoid(-x))} (options {@code weight}, {@code reduction}).
   */
  public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("multilabel_soft_margin_loss", "weight"));
    Tensor w = o.weight;
    return reducedLoss(
        r,
        "DivBackward0",
        (b, in) -> Losses.multilabelSoftMarginLoss(b, in[0], in[1], w == null ? null : in[2], r),
        present(input, target, w));
  }

  /** {@code multi_margin_loss} with {@code p = 1}, {@code margin = 1}, no weight. */
  public static Tensor multiMarginLoss(Tensor input, Tensor target) {
    return multiMarginLoss(input, target, LossOptions.defaults());
  }

  /**
   * {@code multi_margin_loss} ({@code p} 1 or 2, {@code margin}, {@code weight} per class): per
   * sample the mean over classes {@code i != y} of {@code max(0, margin - input[y] + input[i])^p *
   * weight[y]}; one node, {@code MultiMarginLossBackward0}.
   */
  public static Tensor multiMarginLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("multi_margin_loss", "p", "margin", "weight"));
    double p = o.has("p") ? o.p : 1;
    double margin = LossOptions.or(o.margin, 1);
    Tensor w = o.weight;
    requireClasses(input, target, 0, "target out of range");
    return Recorder.record(
        "MultiMarginLossBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> Losses.multiMarginLoss(b, in[0], in[1], p, margin, w == null ? null : in[2], r),
        present(input, target, w));
  }

  /** {@code multilabel_margin_loss}. */
  public static Tensor multilabelMarginLoss(Tensor input, Tensor target) {
    return multilabelMarginLoss(input, target, LossOptions.defaults());
  }

  /**
   * {@code multilabel_margin_loss}: per sample the sum over its target classes {@code j} (the
   * leading entries of {@code target} before the first -1) and the other classes {@code i} of
   * {@code max(0, 1 - input[j] + input[i])}, divided by the classes; one node, {@code
   * MultilabelMarginLossBackward0}.
   */
  public static Tensor multilabelMarginLoss(Tensor input, Tensor target, LossOptions o) {
    Reduction r = reduction(o.check("multilabel_margin_loss"));
    requireClasses(input, target, -1, "argument #2 'target' is out of range");
    return Recorder.record(
        "MultilabelMarginLossBackward0",
        Saves.ALL_INPUTS,
        (b, in) -> Losses.multilabelMarginLoss(b, in[0], in[1], r),
        input,
        target);
  }

  /**
   * PyTorch's {@code message} at the call unless every class index of an i64 {@code target} lies in
   * {@code [lowest, C)}, {@code C} the last dim of {@code input} (other dtypes are refused when the
   * loss is built).
   */
  private static void requireClasses(Tensor input, Tensor target, long lowest, String message) {
    long classes = input.dim() == 0 ? 0 : input.shape()[input.dim() - 1];
    if (target.dtype() != DType.I64) {
      return;
    }
    for (long t : target.toLongArray()) {
      if (t < lowest || t >= classes) {
        throw new GradcException(message);
      }
    }
  }

  /** A margin loss's recipe, given the margin and the reduction as well. */
  @FunctionalInterface
  private interface MarginRecipe {
    Value apply(Builder b, Value[] in, double margin, Reduction r);
  }

  /**
   * A loss whose one option besides {@code reduction} is {@code margin} ({@code byDefault} when not
   * given), as {@link #reducedLoss} records it.
   */
  private static Tensor marginLoss(
      String name,
      LossOptions o,
      double byDefault,
      String none,
      MarginRecipe recipe,
      Tensor... inputs) {
    Reduction r = reduction(o.check(name, "margin"));
    double margin = LossOptions.or(o.margin, byDefault);
    return reducedLoss(r, none, (b, in) -> recipe.apply(b, in, margin, r), inputs);
  }

  /**
   * A loss that saves all its inputs, recorded with the name of its reduction ({@link #reduced}).
   */
  private static Tensor reducedLoss(Reduction r, String none, Recipe recipe, Tensor... inputs) {
    return Recorder.record(reduced(r, none), Saves.ALL_INPUTS, recipe, inputs);
  }

  /**
   * The name PyTorch records for a loss reduced by {@code mean} or {@code sum}, else {@code none}.
   */
  private static String reduced(Reduction r, String none) {
    return switch (r) {
      case MEAN -> Op.MEAN.gradFn();
      case SUM -> Op.SUM.gradFn();
      case NONE -> none;
    };
  }

  private static Reduction reduction(LossOptions o) {
    for (Reduction r : Reduction.values()) {
      if (r.keyword().equals(o.reduction)) {
        return r;
      }
    }
    throw new IllegalArgumentException(o.reduction + " is not a valid value for reduction");
  }

  /** The tensors given, in order, without the absent optional ones. */
  private static Tensor[] present(Tensor... ts) {
    return Arrays.stream(ts).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
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

  /**
   * {@code glu(input, dim=-1)}: the first half along the last dim times the sigmoid of the second.
   */
  public static Tensor glu(Tensor input) {
    return glu(input, -1);
  }

  /** {@code glu(input, dim)}: the first half along {@code dim} times the sigmoid of the second. */
  public static Tensor glu(Tensor input, int dim) {
    return activation(
        input, "GluBackward0", Saves.INPUT, (b, in) -> Activations.glu(b, in[0], dim));
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
      Warnings.warn(
          "Using a target size ("
              + Names.torchSize(type(target))
              + ") that is different to the input size ("
              + Names.torchSize(type(input))
              + "). This will likely lead to incorrect results due to broadcasting. Please ensure"
              + " they have the same size.");
    }
  }

  // ------------------------------------------------------------------ normalization, distances

  /** {@code F.layer_norm(x, normalized_shape)}: no weight or bias, {@code eps = 1e-5}. */
  public static Tensor layerNorm(Tensor input, long[] normalizedShape) {
    return layerNorm(input, normalizedShape, null, null, 1e-5);
  }

  /**
   * {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}: over the last dims, {@code (x -
   * mean) / sqrt(var + eps) * weight + bias} with the biased variance ({@code weight}, {@code bias}
   * null when absent), recording {@code NativeLayerNormBackward0}.
   */
  public static Tensor layerNorm(
      Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    List<Dim> shape = new ArrayList<>();
    for (long d : normalizedShape) {
      shape.add(Dim.of(Math.toIntExact(d)));
    }
    return affine(
        "NativeLayerNormBackward0",
        input,
        weight,
        bias,
        (b, x, w, s) -> Distances.layerNorm(b, x, shape, w, s, eps));
  }

  /** A normalization of {@code x} with an optional weight and bias (null when absent). */
  private interface AffineBody {
    Value build(Builder b, Value x, Value weight, Value bias);
  }

  /** Records {@code body} over the input and those of the weight and bias that are given. */
  private static Tensor affine(
      String name, Tensor input, Tensor weight, Tensor bias, AffineBody body) {
    List<Tensor> ins = new ArrayList<>(List.of(input));
    int w = weight == null ? -1 : ins.size();
    if (weight != null) {
      ins.add(weight);
    }
    int s = bias == null ? -1 : ins.size();
    if (bias != null) {
      ins.add(bias);
    }
    return Recorder.record(
        name,
        Saves.ALL_INPUTS,
        (b, in) -> body.build(b, in[0], w < 0 ? null : in[w], s < 0 ? null : in[s]),
        ins.toArray(Tensor[]::new));
  }

  /** {@code F.group_norm(x, num_groups)}: no weight or bias, {@code eps = 1e-5}. */
  public static Tensor groupNorm(Tensor input, int numGroups) {
    return groupNorm(input, numGroups, null, null, 1e-5);
  }

  /**
   * {@code F.group_norm(x, num_groups, weight, bias, eps)}: {@code x} ({@code [N, C, *]})
   * normalized over each group of channels, then scaled and shifted per channel ({@code weight},
   * {@code bias} null when absent), recording {@code NativeGroupNormBackward0}.
   */
  public static Tensor groupNorm(
      Tensor input, int numGroups, Tensor weight, Tensor bias, double eps) {
    return affine(
        "NativeGroupNormBackward0",
        input,
        weight,
        bias,
        (b, x, w, s) -> Distances.groupNorm(b, x, numGroups, w, s, eps));
  }

  /** {@code F.instance_norm(x)}: the input's own statistics, no weight or bias. */
  public static Tensor instanceNorm(Tensor input) {
    return instanceNorm(input, null, null, 1e-5);
  }

  /**
   * {@code F.instance_norm(x, weight=weight, bias=bias, eps=eps)}: each channel of each sample of
   * {@code x} ({@code [N, C, *]}) normalized over its other dims with its own statistics (no
   * running statistics), recording {@code ViewBackward0} as PyTorch's composition.
   */
  public static Tensor instanceNorm(Tensor input, Tensor weight, Tensor bias, double eps) {
    return affine(
        "ViewBackward0",
        input,
        weight,
        bias,
        (b, x, w, s) -> Distances.instanceNorm(b, x, w, s, eps));
  }

  /**
   * {@code F.batch_norm(x, running_mean, running_var)}: evaluation mode, no weight or bias, {@code
   * eps = 1e-5}.
   */
  public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar) {
    return batchNorm(input, runningMean, runningVar, null, null, false, 0.1, 1e-5);
  }

  /**
   * {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)} on
   * {@code [N, C, *]}, recording {@code NativeBatchNormBackward0}. In training each channel is
   * normalized with the batch's mean and biased variance, and the running statistics, when given,
   * are updated in place as PyTorch's: {@code running_mean = (1 - momentum) * running_mean +
   * momentum * mean}, {@code running_var} the same with the unbiased variance. In evaluation the
   * running statistics normalize (both required). {@code weight}, {@code bias} null when absent.
   */
  public static Tensor batchNorm(
      Tensor input,
      Tensor runningMean,
      Tensor runningVar,
      Tensor weight,
      Tensor bias,
      boolean training,
      double momentum,
      double eps) {
    List<Tensor> ins = new ArrayList<>(List.of(input));
    int[] at = new int[4];
    Tensor[] optional = {runningMean, runningVar, weight, bias};
    int saved = 1; // the input, the weight, and in evaluation the running statistics
    for (int i = 0; i < optional.length; i++) {
      at[i] = optional[i] == null ? -1 : ins.size();
      if (optional[i] != null) {
        if (i == 2 || (i < 2 && !training)) {
          saved |= 1 << ins.size();
        }
        ins.add(optional[i]);
      }
    }
    Tensor out =
        Recorder.record(
            "NativeBatchNormBackward0",
            new Saves(saved, false, false, false),
            (b, in) ->
                Distances.batchNorm(
                    b,
                    in[0],
                    at[0] < 0 ? null : in[at[0]],
                    at[1] < 0 ? null : in[at[1]],
                    at[2] < 0 ? null : in[at[2]],
                    at[3] < 0 ? null : in[at[3]],
                    training,
                    eps),
            ins.toArray(Tensor[]::new));
    if (training && (runningMean != null || runningVar != null)) {
      updateRunningStats(input, runningMean, runningVar, momentum);
    }
    return out;
  }

  /** The in-place update of batch norm's running statistics in training, under no-grad. */
  @SuppressWarnings("try") // the scope is used for its effect
  private static void updateRunningStats(
      Tensor input, Tensor runningMean, Tensor runningVar, double momentum) {
    int rank = input.shape().length;
    int[] over = new int[rank - 1];
    for (int i = 2; i < rank; i++) {
      over[i - 1] = i;
    }
    try (NoGrad g = Autograd.noGrad()) {
      Tensor x = input.detach();
      if (runningMean != null) {
        runningMean.mul_(1 - momentum).add_(x.mean(over, false).mul(momentum));
      }
      if (runningVar != null) {
        runningVar.mul_(1 - momentum).add_(x.var(over, true, false).mul(momentum));
      }
    }
  }

  /** {@code F.normalize(x)}: {@code p = 2}, {@code dim = 1}, {@code eps = 1e-12}. */
  public static Tensor normalize(Tensor input) {
    return normalize(input, 2, 1, 1e-12);
  }

  /** {@code F.normalize(x, p, dim)} with {@code eps = 1e-12}. */
  public static Tensor normalize(Tensor input, double p, int dim) {
    return normalize(input, p, dim, 1e-12);
  }

  /**
   * {@code F.normalize(x, p, dim, eps)}: {@code x / max(norm_p(x, dim), eps)}, recording {@code
   * DivBackward0} (the node PyTorch's composition ends in).
   */
  public static Tensor normalize(Tensor input, double p, int dim, double eps) {
    return Recorder.record(
        "DivBackward0", Saves.INPUT, (b, in) -> Distances.normalize(b, in[0], p, dim, eps), input);
  }

  /**
   * {@code F.local_response_norm(x, size)}: {@code alpha = 1e-4}, {@code beta = 0.75}, {@code k =
   * 1}.
   */
  public static Tensor localResponseNorm(Tensor input, int size) {
    return localResponseNorm(input, size, 1e-4, 0.75, 1.0);
  }

  /**
   * {@code F.local_response_norm(x, size, alpha, beta, k)}: {@code x} ({@code [N, C, *]}) divided
   * by {@code (k + alpha * mean of x^2 over size neighbouring channels)^beta}, the channels past
   * either end counting as zeros, recording {@code DivBackward0} as PyTorch's composition.
   */
  public static Tensor localResponseNorm(
      Tensor input, int size, double alpha, double beta, double k) {
    return Recorder.record(
        "DivBackward0",
        Saves.INPUT,
        (b, in) -> Distances.localResponseNorm(b, in[0], size, alpha, beta, k),
        input);
  }

  /** {@code F.cosine_similarity(x1, x2)}: {@code dim = 1}, {@code eps = 1e-8}. */
  public static Tensor cosineSimilarity(Tensor x1, Tensor x2) {
    return cosineSimilarity(x1, x2, 1, 1e-8);
  }

  /**
   * {@code F.cosine_similarity(x1, x2, dim, eps)} with PyTorch 1.13's formula (each operand over
   * the square root of its sum of squares, raised to {@code eps^2} without changing its gradient),
   * recording {@code SumBackward1}.
   */
  public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int dim, double eps) {
    return Recorder.record(
        "SumBackward1",
        Saves.NOTHING,
        (b, in) -> Distances.cosineSimilarity(b, in[0], in[1], dim, eps),
        x1,
        x2);
  }

  /** {@code F.pairwise_distance(x1, x2)}: {@code p = 2}, {@code eps = 1e-6}. */
  public static Tensor pairwiseDistance(Tensor x1, Tensor x2) {
    return pairwiseDistance(x1, x2, 2, 1e-6, false);
  }

  /**
   * {@code F.pairwise_distance(x1, x2, p, eps, keepdim)}: {@code norm(x1 - x2 + eps, p)} over the
   * last dim, recording {@code NormBackward1}.
   */
  public static Tensor pairwiseDistance(
      Tensor x1, Tensor x2, double p, double eps, boolean keepdim) {
    return Recorder.record(
        "NormBackward1",
        Saves.ALL_INPUTS_AND_RESULT,
        (b, in) -> Distances.pairwiseDistance(b, in[0], in[1], p, eps, keepdim),
        x1,
        x2);
  }
}
