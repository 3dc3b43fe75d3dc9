package dev.gradc.ir;

import dev.gradc.ir.Builder.Reduction;
import java.util.List;

/**
 * The losses of {@code torch.nn.functional} with every option of PyTorch 1.13, as fusing
 * compositions of IR ops: each is the formula PyTorch's own implementation computes (its stable
 * forms, clamps and masks included), so values and gradients follow PyTorch, and the compiler fuses
 * it with the surrounding loops. Optional tensors ({@code weight}, {@code pos_weight}) are null
 * when absent.
 */
public final class Losses {
  private Losses() {}

  /** PyTorch's default {@code ignore_index}. */
  public static final long IGNORE_INDEX = -100;

  private static Lit lit(double v) {
    return Builder.lit(v, DType.F64);
  }

  /** The elements of a loss reduced as {@code r} says. */
  public static Value reduce(Builder b, Value elements, Reduction r) {
    return switch (r) {
      case NONE -> elements;
      case MEAN -> b.mean(elements);
      case SUM -> b.sum(elements);
    };
  }

  private static int last(Value v) {
    return v.type().rank() - 1;
  }

  private static int[] lastDim(Value v) {
    return new int[] {last(v)};
  }

  /** {@code x} with its class dim (dim 1 of a rank of at least 3) moved last. */
  private static Value classesLast(Builder b, Value x) {
    int r = x.type().rank();
    if (r < 3) {
      return x;
    }
    int[] order = new int[r];
    order[0] = 0;
    for (int i = 1; i < r - 1; i++) {
      order[i] = i + 1;
    }
    order[r - 1] = 1;
    return b.permute(x, order);
  }

  private static int classes(String fn, Value input) {
    int rank = input.type().rank();
    if (rank < 1) {
      throw new GradcException(fn + " expects an input of at least 1 dimension, got a scalar");
    }
    Dim c = input.type().dim(rank == 1 ? 0 : 1);
    if (!c.isStatic()) {
      throw new GradcException(fn + " needs a static number of classes, got " + c);
    }
    return c.size();
  }

  /** Checks class-index targets against an input of shape {@code [C]}, {@code [N, C, d...]}. */
  private static void checkIndexTarget(Value input, Value target) {
    int rank = input.type().rank();
    List<Dim> in = input.type().dims();
    List<Dim> t = target.type().dims();
    if (rank >= 2 && t.size() >= 1 && !t.get(0).equals(in.get(0))) {
      throw new GradcException(
          "Expected input batch_size ("
              + in.get(0)
              + ") to match target batch_size ("
              + t.get(0)
              + ").");
    }
    List<Dim> expected = rank == 1 ? List.of() : rank == 2 ? in.subList(0, 1) : without(in, 1);
    if (!t.equals(expected)) {
      throw new GradcException(
          "Expected target of shape " + expected + " for input of shape " + in + ", got " + t);
    }
  }

  private static List<Dim> without(List<Dim> dims, int k) {
    List<Dim> out = new java.util.ArrayList<>(dims);
    out.remove(k);
    return out;
  }

  private static void checkWeight(String fn, Value weight, int classes) {
    if (weight != null
        && (weight.type().rank() != 1 || !weight.type().dim(0).equals(Dim.of(classes)))) {
      throw new GradcException(
          fn
              + ": weight tensor should be defined either for all "
              + classes
              + " classes or no classes but got weight tensor of shape: "
              + weight.type().shapeString());
    }
  }

  /** The per-sample parts of an index-target loss: the target's mask, weight and selection. */
  private record Picked(Value valid, Value weightOfTarget, Value mask) {}

  private static Picked pick(
      Builder b, Value target, Value weight, long ignoreIndex, int classes, DType dt) {
    Value valid = b.binary(Op.NE, target, Builder.lit((double) ignoreIndex, DType.I64));
    Value safe = b.where(valid, target, Builder.lit(0, DType.I64));
    Value mask = b.binary(Op.EQ, b.oneHot(safe, classes), Builder.lit(1, DType.I64));
    Value zero = Builder.lit(0, dt);
    Value w =
        weight == null
            ? b.cast(valid, dt)
            : b.where(
                valid, b.sum(b.where(mask, b.cast(weight, dt), zero), new int[] {-1}, false), zero);
    return new Picked(valid, w, mask);
  }

  /**
   * {@code nll_loss}: {@code -weight[y] * input[y]} per sample over class dim 1 ({@code [C]},
   * {@code [N, C]} or {@code [N, C, d...]} inputs), samples whose target is {@code ignoreIndex}
   * skipped; the mean divides by the summed weights of the samples kept, as PyTorch.
   */
  public static Value nllLoss(
      Builder b, Value input, Value target, Value weight, long ignoreIndex, Reduction r) {
    int c = classes("nll_loss", input);
    requireIndices("nll_loss", target);
    checkIndexTarget(input, target);
    checkWeight("nll_loss", weight, c);
    return nll(b, classesLast(b, input), target, weight, ignoreIndex, r, c);
  }

  /** {@link #nllLoss} of an input whose classes are its last dim. */
  private static Value nll(
      Builder b, Value x, Value target, Value weight, long ignoreIndex, Reduction r, int c) {
    DType dt = x.type().dtype();
    Picked p = pick(b, target, weight, ignoreIndex, c, dt);
    Value chosen = b.sum(b.where(p.mask(), x, Builder.lit(0, dt)), new int[] {-1}, false);
    Value per = b.where(p.valid(), b.neg(b.mul(p.weightOfTarget(), chosen)), Builder.lit(0, dt));
    return switch (r) {
      case NONE -> per;
      case SUM -> b.sum(per);
      case MEAN -> b.div(b.sum(per), b.sum(p.weightOfTarget()));
    };
  }

  private static void requireIndices(String fn, Value target) {
    if (target.type().dtype() != DType.I64) {
      throw new GradcException(
          fn
              + " expects class indices of dtype Long, got "
              + target.type().dtype().scalarTypeName());
    }
  }

  /**
   * {@code cross_entropy} against class indices (i64, {@code ignoreIndex} skipped) or class
   * probabilities (the input's shape), with {@code weight} per class and {@code labelSmoothing}, as
   * PyTorch 1.13 computes it.
   */
  public static Value crossEntropy(
      Builder b,
      Value input,
      Value target,
      Value weight,
      long ignoreIndex,
      Reduction r,
      double labelSmoothing) {
    int c = classes("cross_entropy", input);
    checkWeight("cross_entropy", weight, c);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new GradcException(
          "label_smoothing must be between 0.0 and 1.0. Got: " + labelSmoothing);
    }
    Value x = input.type().dtype().isFloat() ? input : b.cast(input, Builder.DEFAULT_FLOAT);
    int classDim = x.type().rank() == 1 ? 0 : 1;
    Value lsm = classesLast(b, b.logSoftmax(x, classDim));
    DType dt = lsm.type().dtype();
    Value w = weight == null ? null : b.cast(weight, dt);
    int[] cls = lastDim(lsm);
    if (target.type().dtype() != DType.I64) {
      if (!target.type().dims().equals(input.type().dims())) {
        throw new GradcException(
            "Expected input batch_size and target batch_size to match: input "
                + input.type().dims()
                + ", target "
                + target.type().dims());
      }
      if (ignoreIndex >= 0) {
        throw new GradcException("ignore_index is not supported for floating point target");
      }
      Value t = classesLast(b, b.cast(target, dt));
      if (labelSmoothing > 0) {
        t = b.add(b.mul(t, 1 - labelSmoothing), labelSmoothing / c);
      }
      Value terms = b.mul(lsm, t);
      if (w != null) {
        terms = b.mul(terms, w);
      }
      Value per = b.neg(b.sum(terms, cls, false));
      return r == Reduction.MEAN ? b.mean(per) : reduce(b, per, r);
    }
    requireIndices("cross_entropy", target);
    checkIndexTarget(input, target);
    Value nll = nll(b, lsm, target, w, ignoreIndex, r, c);
    if (labelSmoothing == 0) {
      return nll;
    }
    Picked p = pick(b, target, weight, ignoreIndex, c, dt);
    Value smooth = b.neg(b.sum(w == null ? lsm : b.mul(lsm, w), cls, false));
    smooth = b.where(p.valid(), smooth, Builder.lit(0, dt));
    Value reduced =
        switch (r) {
          case NONE -> smooth;
          case SUM -> b.sum(smooth);
          case MEAN -> b.div(b.sum(smooth), b.sum(p.weightOfTarget()));
        };
    return b.add(b.mul(nll, 1 - labelSmoothing), b.mul(reduced, labelSmoothing / c));
  }

  /**
   * {@code binary_cross_entropy} of probabilities: {@code -w (y log x + (1 - y) log(1 - x))} with
   * each log clamped at {@code -100}, as PyTorch. Its gradient is PyTorch's, {@code (x - y) / max(x
   * (1 - x), 1e-12)}, not the clamped logs' derivative: the value is the clamped formula (detached)
   * plus {@code h - detach(h)} for an {@code h} with that derivative (and PyTorch's second
   * derivative): the unclamped formula where {@code x (1 - x) >= 1e-12}, else {@code (x^2 / 2 - y
   * x) / 1e-12}.
   */
  public static Value binaryCrossEntropy(
      Builder b, Value input, Value target, Value weight, Reduction r) {
    sameSize(input, target);
    Value lo = lit(-100);
    Value one = lit(1);
    Value logX = b.clamp(b.log(input), lo, null);
    Value log1mX = b.clamp(b.unary(Op.LOG1P, b.neg(input)), lo, null);
    Value value = b.neg(b.add(b.mul(target, logX), b.mul(b.sub(one, target), log1mX)));
    double eps = 1e-12f; // PyTorch's EPSILON is a float
    Value small = b.binary(Op.LT, b.mul(input, b.sub(one, input)), lit(eps));
    Value safe = b.where(small, lit(0.5), input);
    Value natural =
        b.neg(
            b.add(
                b.mul(target, b.log(safe)),
                b.mul(b.sub(one, target), b.unary(Op.LOG1P, b.neg(safe)))));
    Value flat = b.mul(b.sub(b.mul(b.square(input), 0.5), b.mul(target, input)), 1 / eps);
    Value h = b.where(small, flat, natural);
    Value l = b.add(b.detach(value), b.sub(h, b.detach(h)));
    if (weight != null) {
      l = b.mul(l, weight);
    }
    return reduce(b, l, r);
  }

  private static void sameSize(Value input, Value target) {
    if (!input.type().dims().equals(target.type().dims())) {
      throw new GradcException(
          "Using a target size ("
              + target.type().shapeString()
              + ") that is different to the input size ("
              + input.type().shapeString()
              + ") is deprecated. Please ensure they have the same size.");
    }
  }

  /**
   * {@code binary_cross_entropy_with_logits} in PyTorch's stable form, with {@code weight} per
   * element and {@code posWeight} per class (broadcast over the last dim).
   */
  public static Value binaryCrossEntropyWithLogits(
      Builder b, Value x, Value y, Value weight, Value posWeight, Reduction r) {
    if (!x.type().dims().equals(y.type().dims())) {
      throw new GradcException(
          "Target size ("
              + y.type().shapeString()
              + ") must be the same as input size ("
              + x.type().shapeString()
              + ")");
    }
    Value m = b.unary(Op.RELU, b.neg(x));
    Value one = lit(1);
    Value logTerm = b.log(b.add(b.exp(b.neg(m)), b.exp(b.sub(b.neg(x), m))));
    Value l;
    if (posWeight == null) {
      l = b.add(b.add(b.mul(b.sub(one, y), x), m), logTerm);
    } else {
      Value logWeight = b.add(b.mul(b.sub(posWeight, one), y), one);
      l = b.add(b.mul(b.sub(one, y), x), b.mul(logWeight, b.add(logTerm, m)));
    }
    if (weight != null) {
      l = b.mul(l, weight);
    }
    return reduce(b, l, r);
  }

  /**
   * {@code smooth_l1_loss}: {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| -
   * beta/2}.
   */
  public static Value smoothL1Loss(Builder b, Value input, Value target, double beta, Reduction r) {
    if (beta < 0) {
      throw new GradcException("smooth_l1_loss does not support negative values for beta.");
    }
    Typing.broadcast(input.type().dims(), target.type().dims(), "smooth_l1_loss");
    if (beta == 0) {
      return reduce(b, b.abs(b.sub(input, target)), r);
    }
    return reduce(b, b.mul(huber(b, input, target, beta), 1 / beta), r);
  }

  /**
   * {@code huber_loss}: {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| -
   * delta/2)}.
   */
  public static Value huberLoss(Builder b, Value input, Value target, double delta, Reduction r) {
    Typing.broadcast(input.type().dims(), target.type().dims(), "huber_loss");
    return reduce(b, huber(b, input, target, delta), r);
  }

  /**
   * The elements of the Huber loss. The square reads {@code d} only where it is taken, so that an
   * infinite {@code d} gives the linear part's gradient rather than {@code 0 * inf}.
   */
  private static Value huber(Builder b, Value input, Value target, double delta) {
    Value d = b.sub(input, target);
    Value ad = b.abs(d);
    Value small = b.binary(Op.LT, ad, lit(delta));
    Value inside = b.where(small, d, lit(0));
    Value quad = b.mul(b.square(inside), 0.5);
    Value lin = b.mul(b.add(ad, -0.5 * delta), delta);
    return b.where(small, quad, lin);
  }

  /**
   * {@code kl_div} of log-probabilities {@code input} against {@code target} (probabilities, or
   * log-probabilities with {@code logTarget}); {@code batchMean} divides the sum by the batch size.
   */
  public static Value klDiv(
      Builder b, Value input, Value target, Reduction r, boolean batchMean, boolean logTarget) {
    Typing.broadcast(input.type().dims(), target.type().dims(), "kl_div");
    Value l;
    if (logTarget) {
      l = b.mul(b.exp(target), b.sub(target, input));
    } else {
      Value zero = Builder.lit(0, DType.F64);
      Value xlogy = b.where(b.binary(Op.EQ, target, zero), zero, b.mul(target, b.log(target)));
      l = b.sub(xlogy, b.mul(target, input));
    }
    if (batchMean) {
      Value s = b.sum(l);
      return input.type().rank() == 0
          ? s
          : b.div(s, b.numel(input, new int[] {0}, s.type().dtype()));
    }
    return reduce(b, l, r);
  }

  /**
   * {@code gaussian_nll_loss}: {@code 0.5 (log v + (x - t)^2 / v)} with {@code v = var} clamped at
   * {@code eps} for the value only (the gradient of {@code var} passes the clamp, as PyTorch's
   * no-grad clamp of a clone), plus {@code 0.5 log(2 pi)} with {@code full}.
   */
  public static Value gaussianNllLoss(
      Builder b, Value input, Value target, Value var, boolean full, double eps, Reduction r) {
    List<Dim> in = input.type().dims();
    List<Dim> vs = var.type().dims();
    if (!vs.equals(in)) {
      if (!in.isEmpty() && in.subList(0, in.size() - 1).equals(vs)) {
        var = b.unsqueeze(var, -1);
      } else if (!(!in.isEmpty()
          && vs.size() == in.size()
          && in.subList(0, in.size() - 1).equals(vs.subList(0, vs.size() - 1))
          && vs.get(vs.size() - 1).equals(Dim.of(1)))) {
        throw new GradcException("var is of incorrect size");
      }
    }
    if (!target.type().dims().equals(in)) {
      Typing.broadcast(in, target.type().dims(), "gaussian_nll_loss");
    }
    Value frozen = b.detach(var);
    Value v = b.add(b.clamp(frozen, lit(eps), null), b.sub(var, frozen));
    Value l = b.mul(b.add(b.log(v), b.div(b.square(b.sub(input, target)), v)), 0.5);
    if (full) {
      l = b.add(l, 0.5 * Math.log(2 * Math.PI));
    }
    return reduce(b, l, r);
  }

  /**
   * {@code poisson_nll_loss}: {@code exp(x) - t x} of a log-rate, else {@code x - t log(x + eps)};
   * with {@code full}, Stirling's term {@code t log t - t + 0.5 log(2 pi t)} where {@code t > 1}.
   */
  public static Value poissonNllLoss(
      Builder b,
      Value input,
      Value target,
      boolean logInput,
      boolean full,
      double eps,
      Reduction r) {
    Typing.broadcast(input.type().dims(), target.type().dims(), "poisson_nll_loss");
    Value l =
        logInput
            ? b.sub(b.exp(input), b.mul(target, input))
            : b.sub(input, b.mul(target, b.log(b.add(input, eps))));
    if (full) {
      Value stirling =
          b.add(
              b.sub(b.mul(target, b.log(target)), target),
              b.mul(b.log(b.mul(target, 2 * Math.PI)), 0.5));
      l = b.add(l, b.where(b.binary(Op.LE, target, lit(1)), lit(0), stirling));
    }
    return reduce(b, l, r);
  }

  /**
   * {@code cosine_embedding_loss}: {@code 1 - cos(x1, x2)} where {@code y = 1}, {@code max(0, cos -
   * margin)} where {@code y = -1}, with PyTorch's {@code 1e-12} in each squared magnitude.
   */
  public static Value cosineEmbeddingLoss(
      Builder b, Value x1, Value x2, Value y, double margin, Reduction r) {
    int rank = x1.type().rank();
    if (rank != 1 && rank != 2) {
      throw new GradcException(
          "cosine_embedding_loss expects 1D or 2D inputs, got " + x1.type().shapeString());
    }
    int[] d = {rank - 1};
    double eps = 1e-12;
    Value prod = b.sum(b.mul(x1, x2), d, false);
    Value m1 = b.add(b.sum(b.mul(x1, x1), d, false), eps);
    Value m2 = b.add(b.sum(b.mul(x2, x2), d, false), eps);
    Value cos = b.div(prod, b.unary(Op.SQRT, b.mul(m1, m2)));
    Value zero = lit(0);
    Value pos = b.sub(lit(1), cos);
    Value neg = b.clamp(b.add(cos, -margin), zero, null);
    Value l =
        b.add(
            b.where(b.binary(Op.EQ, y, lit(1)), pos, zero),
            b.where(b.binary(Op.EQ, y, lit(-1)), neg, zero));
    return reduce(b, l, r);
  }

  /**
   * The {@code p}-norm of {@code x1 - x2 + eps} over the last dim, as {@code pairwise_distance}.
   */
  static Value pairwiseDistance(Builder b, Value x1, Value x2, double p, double eps) {
    Value d = b.add(b.sub(x1, x2), eps);
    int[] dim = {Math.max(d.type().rank() - 1, 0)};
    if (p == 2) {
      return b.unary(Op.SQRT, b.sum(b.square(d), dim, false));
    }
    if (p == 1) {
      return b.sum(b.abs(d), dim, false);
    }
    if (p == Double.POSITIVE_INFINITY) {
      return b.reduce(Op.AMAX, b.abs(d), dim, false);
    }
    return b.pow(b.sum(b.pow(b.abs(d), lit(p)), dim, false), lit(1 / p));
  }

  /**
   * {@code triplet_margin_loss}: {@code max(0, margin + d(a, p) - d(a, n))} with {@code d} the
   * {@code p}-norm distance; {@code swap} takes the smaller of {@code d(a, n)} and {@code d(p, n)}.
   */
  public static Value tripletMarginLoss(
      Builder b,
      Value anchor,
      Value positive,
      Value negative,
      double margin,
      double p,
      double eps,
      boolean swap,
      Reduction r) {
    int ra = anchor.type().rank();
    if (ra != positive.type().rank() || ra != negative.type().rank()) {
      throw new GradcException(
          "The anchor, positive, and negative tensors are expected to have the same number of"
              + " dimensions, but got: anchor "
              + ra
              + "D, positive "
              + positive.type().rank()
              + "D, and negative "
              + negative.type().rank()
              + "D inputs");
    }
    if (!(p > 0)) {
      throw new GradcException("triplet_margin_loss needs p > 0, got " + p);
    }
    Value dp = pairwiseDistance(b, anchor, positive, p, eps);
    Value dn = pairwiseDistance(b, anchor, negative, p, eps);
    if (swap) {
      dn = b.minimum(dn, pairwiseDistance(b, positive, negative, p, eps));
    }
    Value l = b.clamp(b.sub(b.add(dp, margin), dn), lit(0), null);
    return reduce(b, l, r);
  }

  /** {@code margin_ranking_loss}: {@code max(0, -y (x1 - x2) + margin)}. */
  public static Value marginRankingLoss(
      Builder b, Value x1, Value x2, Value y, double margin, Reduction r) {
    Value l = b.clamp(b.add(b.mul(b.neg(y), b.sub(x1, x2)), margin), lit(0), null);
    return reduce(b, l, r);
  }

  /**
   * {@code hinge_embedding_loss}: {@code x} where {@code y = 1}, {@code max(0, margin - x)} where
   * {@code y = -1}.
   */
  public static Value hingeEmbeddingLoss(Builder b, Value x, Value y, double margin, Reduction r) {
    Value zero = lit(0);
    Value marginClamp = b.clamp(b.sub(lit(margin), x), zero, null);
    Value l =
        b.add(
            b.where(b.binary(Op.NE, y, lit(1)), marginClamp, zero),
            b.where(b.binary(Op.NE, y, lit(-1)), x, zero));
    return reduce(b, l, r);
  }

  /** {@code soft_margin_loss}: {@code log(1 + exp(-y x))}, as PyTorch writes it. */
  public static Value softMarginLoss(Builder b, Value x, Value y, Reduction r) {
    Typing.broadcast(x.type().dims(), y.type().dims(), "soft_margin_loss");
    Value l = b.unary(Op.LOG1P, b.exp(b.mul(b.neg(y), x)));
    return reduce(b, l, r);
  }

  /** {@code log(sigmoid(x))}, stably: {@code min(x, 0) - log1p(exp(-|x|))}. */
  static Value logSigmoid(Builder b, Value x) {
    return b.sub(b.minimum(x, lit(0)), b.unary(Op.LOG1P, b.exp(b.neg(b.abs(x)))));
  }

  /**
   * {@code multilabel_soft_margin_loss}: the mean over classes of {@code -(y log sigmoid(x) + (1 -
   * y) log sigmoid(-x))}, each class weighted by {@code weight}.
   */
  public static Value multilabelSoftMarginLoss(
      Builder b, Value x, Value y, Value weight, Reduction r) {
    if (x.type().rank() < 1) {
      throw new GradcException("multilabel_soft_margin_loss expects an input of at least 1 dim");
    }
    Value one = lit(1);
    Value l =
        b.neg(b.add(b.mul(y, logSigmoid(b, x)), b.mul(b.sub(one, y), logSigmoid(b, b.neg(x)))));
    if (weight != null) {
      l = b.mul(l, weight);
    }
    Dim c = x.type().dim(last(x));
    Value per = b.div(b.sum(l, lastDim(x), false), b.numel(x, lastDim(x), l.type().dtype()));
    if (!c.isStatic()) {
      throw new GradcException("multilabel_soft_margin_loss needs a static number of classes");
    }
    return reduce(b, per, r);
  }

  /**
   * The classes of a margin loss's input: {@code [C]} or {@code [N, C]} with {@code C} static and
   * positive, else PyTorch's message.
   */
  private static int marginClasses(Value input) {
    int rank = input.type().rank();
    Dim c = rank == 1 || rank == 2 ? input.type().dim(rank - 1) : null;
    if (c == null || !c.isStatic() || c.size() == 0) {
      throw new GradcException(
          "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
              + input.type().dims());
    }
    return c.size();
  }

  /**
   * {@code multi_margin_loss}: per sample {@code sum over i != y of max(0, margin - x[y] + x[i])^p
   * * weight[y] / C} ({@code p} 1 or 2), a term counted where it is positive (a NaN term is not, as
   * in PyTorch's kernel). Inputs {@code [C]} with a target of one element, or {@code [N, C]} with
   * {@code [N]} targets.
   */
  public static Value multiMarginLoss(
      Builder b, Value input, Value target, double p, double margin, Value weight, Reduction r) {
    if (p != 1 && p != 2) {
      throw new GradcException("only p == 1 and p == 2 supported");
    }
    int c = marginClasses(input);
    requireIndices("multi_margin_loss", target);
    boolean vector = input.type().rank() == 1;
    Dim n = vector ? Dim.of(1) : input.type().dim(0);
    if (target.type().rank() > 1 || !Type.product(target.type().dims()).equals(n)) {
      throw new GradcException("inconsistent target size, got: " + target.type().dims());
    }
    checkWeight("multi_margin_loss", weight, c);
    DType dt = input.type().dtype();
    Value zero = lit(0);
    Value x = vector ? b.unsqueeze(input, 0) : input;
    Value y = b.reshape(target, List.of(n));
    Value mask = b.binary(Op.EQ, b.oneHot(y, c), Builder.lit(1, DType.I64));
    Value xy = b.sum(b.where(mask, x, zero), new int[] {1}, true);
    Value z = b.add(b.sub(lit(margin), xy), x);
    Value h = b.where(b.binary(Op.GT, z, zero), p == 1 ? z : b.mul(z, z), zero);
    if (weight != null) {
      Value wide = b.broadcastTo(b.cast(weight, dt), x.type().dims());
      h = b.mul(h, b.sum(b.where(mask, wide, zero), new int[] {1}, true));
    }
    Value per = b.div(b.sum(b.where(mask, zero, h), new int[] {1}, false), lit(c));
    return reduce(b, b.reshape(per, target.type().dims()), r);
  }

  /**
   * {@code multilabel_margin_loss}: per sample {@code sum over targets j, non-targets i of max(0, 1
   * - x[j] + x[i]) / C}; the targets are the leading entries of {@code target} (its shape is the
   * input's) before the first negative one.
   */
  public static Value multilabelMarginLoss(Builder b, Value input, Value target, Reduction r) {
    int c = marginClasses(input);
    requireIndices("multilabel_margin_loss", target);
    if (!target.type().dims().equals(input.type().dims())) {
      throw new GradcException(
          "inconsistent size " + target.type().dims() + " for argument #2 'target'");
    }
    Value zero = lit(0);
    boolean vector = input.type().rank() == 1;
    Value x = vector ? b.unsqueeze(input, 0) : input;
    Value y = vector ? b.unsqueeze(target, 0) : target;
    // a target counts while no negative one came before it: a running count of negatives
    Value negatives = b.cast(b.binary(Op.LT, y, Builder.lit(0, DType.I64)), DType.I64);
    Value valid =
        b.binary(Op.EQ, b.scan(Op.CUMSUM, negatives, 1, false), Builder.lit(0, DType.I64));
    Value safe = b.where(valid, y, Builder.lit(0, DType.I64));
    Value picks =
        b.mul(b.binary(Op.EQ, b.oneHot(safe, c), Builder.lit(1, DType.I64)), b.unsqueeze(valid, 2));
    Value isTarget =
        b.binary(
            Op.GT,
            b.sum(b.cast(picks, DType.I64), new int[] {1}, false),
            Builder.lit(0, DType.I64));
    Value xj = b.sum(b.where(picks, b.unsqueeze(x, 1), zero), new int[] {2}, false);
    Value z = b.add(b.sub(lit(1), b.unsqueeze(xj, 2)), b.unsqueeze(x, 1));
    Value keep =
        b.mul(
            b.mul(b.binary(Op.GT, z, zero), b.unsqueeze(valid, 2)),
            b.unsqueeze(b.binary(Op.EQ, isTarget, Builder.lit(0, DType.BOOL)), 1));
    Value per = b.div(b.sum(b.where(keep, z, zero), new int[] {1, 2}, false), lit(c));
    if (vector) {
      per = b.reshape(per, List.of());
    }
    return reduce(b, per, r);
  }
}
