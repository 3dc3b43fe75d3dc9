package dev.gradc.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's normalization and distance functions ({@code layer_norm}, {@code normalize}, {@code
 * cosine_similarity}, {@code pairwise_distance}, {@code cdist}, {@code pdist}) as compositions of
 * IR ops, shared by the Java API and the {@code .grad} builtins, each with PyTorch 1.13's formula,
 * so that values and gradients at small norms, zeros and non-finite elements are PyTorch's.
 */
public final class Distances {
  private Distances() {}

  private static Lit lit(double v) {
    return Builder.lit(v, DType.F64);
  }

  /**
   * {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}: over the last {@code
   * normalizedShape.size()} dims, {@code (x - mean) / sqrt(var + eps) * weight + bias} with the
   * biased variance; {@code weight} and {@code bias} (either null) have the normalized shape.
   */
  public static Value layerNorm(
      Builder b, Value x, List<Dim> normalizedShape, Value weight, Value bias, double eps) {
    int k = normalizedShape.size();
    int r = x.type().rank();
    if (k == 0) {
      throw new GradcException(
          "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one"
              + " element, but got normalized_shape = []");
    }
    List<Dim> dims = x.type().dims();
    if (r < k || !dims.subList(r - k, r).equals(normalizedShape)) {
      throw new GradcException(
          "Given normalized_shape="
              + normalizedShape
              + ", expected input with shape [*, "
              + String.join(", ", normalizedShape.stream().map(Dim::toString).toList())
              + "], but got input of size"
              + x.type().shapeString());
    }
    checkAffine("weight", weight, normalizedShape);
    checkAffine("bias", bias, normalizedShape);
    if (!x.type().dtype().isFloat()) {
      throw new GradcException(
          "\"LayerNormKernelImpl\" not implemented for '"
              + x.type().dtype().scalarTypeName()
              + "'");
    }
    int[] over = new int[k];
    for (int i = 0; i < k; i++) {
      over[i] = r - k + i;
    }
    Value out = standardize(b, x, over, eps, true);
    if (weight != null) {
      out = b.mul(out, weight);
    }
    return bias == null ? out : b.add(out, bias);
  }

  /**
   * {@code (x - mean) / sqrt(var + eps)} over {@code over}, the biased variance; with {@code
   * onePass} a variance that overflows is NaN, as PyTorch's one-pass moments of {@code layer_norm}
   * and {@code group_norm} give it ({@code instance_norm}'s batch-norm kernel gives infinity).
   */
  private static Value standardize(Builder b, Value x, int[] over, double eps, boolean onePass) {
    Value centered = b.sub(x, b.reduce(Op.MEAN, x, over, true));
    Value squares = b.reduce(Op.MEAN, b.mul(centered, centered), over, true);
    Value var =
        onePass
            ? b.where(
                b.binary(Op.LT, squares, lit(Double.POSITIVE_INFINITY)), squares, lit(Double.NaN))
            : squares;
    return b.mul(centered, b.unary(Op.RSQRT, b.add(var, lit(eps))));
  }

  /**
   * {@code F.group_norm(x, num_groups, weight, bias, eps)}: {@code x} ({@code [N, C, *]})
   * normalized over each group of {@code C / num_groups} channels and the other dims with the
   * biased variance, then scaled and shifted per channel ({@code weight}, {@code bias} of size C,
   * either null).
   */
  public static Value groupNorm(
      Builder b, Value x, int groups, Value weight, Value bias, double eps) {
    return groupNorm(b, x, groups, weight, bias, eps, true);
  }

  private static Value groupNorm(
      Builder b, Value x, int groups, Value weight, Value bias, double eps, boolean onePass) {
    List<Dim> dims = x.type().dims();
    if (dims.size() < 2) {
      throw new GradcException(
          "Expected at least 2 dimensions for input tensor but received " + dims.size());
    }
    Dim c = dims.get(1);
    if (groups <= 0 || !c.isStatic() || c.size() % groups != 0) {
      throw new GradcException(
          "Expected number of channels in input to be divisible by num_groups, but got input of"
              + " shape "
              + x.type().shapeString()
              + " and num_groups="
              + groups);
    }
    for (String name : List.of("weight", "bias")) {
      Value v = name.equals("weight") ? weight : bias;
      if (v != null && !v.type().dims().equals(List.of(c))) {
        throw new GradcException(
            "Expected "
                + name
                + " to be a vector of size equal to the number of channels in input, but got "
                + name
                + " of shape "
                + v.type().shapeString()
                + " and input of shape "
                + x.type().shapeString());
      }
    }
    List<Dim> grouped =
        new ArrayList<>(List.of(dims.get(0), Dim.of(groups), Dim.of(c.size() / groups)));
    grouped.addAll(dims.subList(2, dims.size()));
    int[] over = new int[grouped.size() - 2];
    for (int i = 0; i < over.length; i++) {
      over[i] = i + 2;
    }
    Value out = b.reshape(standardize(b, b.reshape(x, grouped), over, eps, onePass), dims);
    return perChannelAffine(b, out, weight, bias);
  }

  /** {@code v} ({@code [C]}) shaped to broadcast along dim 1 of a {@code [N, C, *]} tensor. */
  private static Value perChannel(Builder b, Value v, List<Dim> dims) {
    List<Dim> shape = new ArrayList<>(List.of(dims.get(1)));
    for (int i = 2; i < dims.size(); i++) {
      shape.add(Dim.of(1));
    }
    return b.reshape(v, shape);
  }

  /** {@code out * weight + bias} per channel, either absent (null). */
  private static Value perChannelAffine(Builder b, Value out, Value weight, Value bias) {
    List<Dim> dims = out.type().dims();
    if (weight != null) {
      out = b.mul(out, perChannel(b, weight, dims));
    }
    return bias == null ? out : b.add(out, perChannel(b, bias, dims));
  }

  /**
   * {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, eps)} on {@code [N,
   * C, *]}: in training, each channel normalized with the batch's mean and biased variance over
   * every dim but 1 (two passes, as PyTorch's CPU kernel); in evaluation, with the running
   * statistics ({@code [C]}, required). Then scaled and shifted per channel. The running
   * statistics' update in training is the caller's (an in-place write, not part of the function).
   */
  public static Value batchNorm(
      Builder b,
      Value x,
      Value runningMean,
      Value runningVar,
      Value weight,
      Value bias,
      boolean training,
      double eps) {
    List<Dim> dims = x.type().dims();
    if (dims.size() < 2) {
      throw new GradcException(
          "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    }
    Dim c = dims.get(1);
    String[] names = {"running_mean", "running_var", "weight", "bias"};
    Value[] vs = {runningMean, runningVar, weight, bias};
    for (int i = 0; i < names.length; i++) {
      Value v = vs[i];
      if (v == null) {
        if (!training && i < 2) {
          throw new GradcException(names[i] + " must be defined in evaluation mode");
        }
        continue;
      }
      if (v.type().rank() != 1 || !v.type().dims().get(0).equals(c)) {
        throw new GradcException(
            names[i] + " should contain " + c + " elements not " + Type.product(v.type().dims()));
      }
      if (v.type().dtype() != x.type().dtype()) {
        throw new GradcException(
            "mixed dtype (CPU): expect parameter to have scalar type of "
                + x.type().dtype().scalarTypeName());
      }
    }
    if (!x.type().dtype().isFloat()) {
      throw new GradcException(
          "\"batch_norm\" not implemented for '" + x.type().dtype().scalarTypeName() + "'");
    }
    int[] over = new int[dims.size() - 1];
    over[0] = 0;
    for (int i = 2; i < dims.size(); i++) {
      over[i - 1] = i;
    }
    Value out;
    if (training) {
      if (perChannelCount(dims).equals(Dim.of(1))) {
        throw new GradcException(
            "Expected more than 1 value per channel when training, got input size torch.Size("
                + x.type().shapeString()
                + ")");
      }
      out = standardize(b, x, over, eps, false);
    } else {
      Value centered = b.sub(x, perChannel(b, runningMean, dims));
      Value scale = b.unary(Op.RSQRT, b.add(runningVar, lit(eps)));
      out = b.mul(centered, perChannel(b, scale, dims));
    }
    return perChannelAffine(b, out, weight, bias);
  }

  /** The values of one channel of a {@code [N, C, *]} tensor: N times the spatial size. */
  private static Dim perChannelCount(List<Dim> dims) {
    List<Dim> rest = new ArrayList<>(List.of(dims.get(0)));
    rest.addAll(dims.subList(2, dims.size()));
    return Type.product(rest);
  }

  /**
   * {@code F.instance_norm(x, weight=weight, bias=bias, eps=eps)} with the input's own statistics:
   * each channel of each sample normalized over the other dims, {@link #groupNorm} with one group
   * per channel.
   */
  public static Value instanceNorm(Builder b, Value x, Value weight, Value bias, double eps) {
    List<Dim> dims = x.type().dims();
    Dim spatial = dims.size() < 2 ? Dim.of(1) : Type.product(dims.subList(2, dims.size()));
    if (dims.size() < 2 || Dim.of(1).equals(spatial) || !dims.get(1).isStatic()) {
      throw new GradcException(
          "Expected more than 1 spatial element when training, got input size torch.Size("
              + x.type().shapeString()
              + ")");
    }
    return groupNorm(b, x, dims.get(1).size(), weight, bias, eps, false);
  }

  /**
   * {@code F.local_response_norm(x, size, alpha, beta, k)} as PyTorch 1.13 composes it: {@code x /
   * (k + alpha * avg)^beta}, {@code avg} the mean of {@code x^2} over the window of {@code size}
   * channels (dim 1) from {@code c - size / 2} to {@code c + (size - 1) / 2}, channels past either
   * end counting as zeros (its average pool of the zero-padded squares), summed in window order.
   * {@code x} has at least 3 dims, a float dtype and a static number of channels.
   */
  public static Value localResponseNorm(
      Builder b, Value x, int size, double alpha, double beta, double k) {
    List<Dim> dims = x.type().dims();
    if (dims.size() < 3) {
      // PyTorch's message, with the indentation its source continues the string with
      throw new GradcException(
          "Expected 3D or higher dimensionality"
              + " ".repeat(26)
              + "input (got "
              + dims.size()
              + " dimensions)");
    }
    if (size <= 0) {
      throw new GradcException(
          "kernel size should be greater than zero, but got kH: " + size + " kW: 1");
    }
    if (!x.type().dtype().isFloat()) {
      throw new GradcException(
          "local_response_norm: expected a floating point input, got "
              + x.type().dtype().scalarTypeName());
    }
    Dim channels = dims.get(1);
    if (!channels.isStatic()) {
      throw new GradcException(
          "local_response_norm: the number of channels (dim 1) must be static, got " + channels);
    }
    int n = channels.size();
    Value squares = b.mul(x, x);
    Value sum = null;
    for (int offset = -(size / 2); offset <= (size - 1) / 2; offset++) {
      // channel c adds channel c + offset where that exists
      int from = Math.max(0, offset);
      int to = Math.min(n, n + offset);
      if (from >= to) {
        continue;
      }
      Value part = b.slice(squares, 1, from, 1, to - from);
      Value placed = b.sliceBackward(part, dims, 1, from - offset, 1);
      sum = sum == null ? placed : b.add(sum, placed);
    }
    if (sum == null) {
      return x; // no channels: PyTorch returns the empty input
    }
    Value avg = b.div(sum, lit(size));
    Value div = b.pow(b.add(b.mul(avg, lit(alpha)), lit(k)), lit(beta));
    return b.div(x, div);
  }

  private static void checkAffine(String name, Value v, List<Dim> shape) {
    if (v != null && !v.type().dims().equals(shape)) {
      throw new GradcException(
          "Expected "
              + name
              + " to be of same shape as normalized_shape, but got "
              + name
              + " of shape "
              + v.type().shapeString()
              + " and normalized_shape = "
              + shape);
    }
  }

  /**
   * {@code F.normalize(x, p, dim, eps)}: {@code x / max(norm_p(x, dim), eps)}, the norm PyTorch's
   * {@code norm} (its gradient 0 at a zero vector), the clamp's gradient 0 below {@code eps}.
   */
  public static Value normalize(Builder b, Value x, double p, int dim, double eps) {
    if (!x.type().dtype().isFloat()) {
      throw new GradcException(
          "norm(): input dtype should be either floating point or complex. Got "
              + x.type().dtype().scalarTypeName()
              + " instead.");
    }
    int d = Builder.normalizeDim(dim, x.type().rank());
    Value norm = Statistics.vectorNorm(b, x, p, new int[] {d}, true);
    Value clamped = b.clamp(norm, lit(eps), null);
    return b.div(x, b.broadcastTo(clamped, x.type().dims()));
  }

  /**
   * {@code F.cosine_similarity(x1, x2, dim, eps)} as PyTorch 1.13 computes it: both broadcast, each
   * divided by the square root of its sum of squares over {@code dim}, that sum raised to {@code
   * eps^2} without changing its gradient (PyTorch clamps it in place under no_grad), and the
   * products summed over {@code dim}.
   */
  public static Value cosineSimilarity(Builder b, Value x1, Value x2, int dim, double eps) {
    List<Dim> shape = Typing.broadcast(x1.type().dims(), x2.type().dims(), "cosine_similarity");
    Value a = b.broadcastTo(x1, shape);
    Value c = b.broadcastTo(x2, shape);
    int d = Builder.normalizeDim(dim, shape.size());
    return b.reduce(
        Op.SUM,
        b.mul(b.div(a, rootOfSquares(b, a, d, eps)), b.div(c, rootOfSquares(b, c, d, eps))),
        new int[] {d},
        false);
  }

  /** {@code sqrt(max(sum(x^2, dim), eps^2))}, the max passing the gradient through unchanged. */
  private static Value rootOfSquares(Builder b, Value x, int dim, double eps) {
    Value s = b.reduce(Op.SUM, b.unary(Op.SQUARE, x), new int[] {dim}, true);
    Value floor = lit(eps * eps);
    Value raised = b.add(b.maximum(b.detach(s), floor), b.sub(s, b.detach(s)));
    Value small = b.binary(Op.LT, b.detach(s), floor);
    // below eps^2 the sum is finite, so s - detach(s) is 0 and the value eps^2 exactly
    Value value = b.where(small, raised, s);
    return b.broadcastTo(b.unary(Op.SQRT, value), x.type().dims());
  }

  /**
   * {@code F.pairwise_distance(x1, x2, p, eps, keepdim)}: {@code norm(x1 - x2 + eps, p)} over the
   * last dim of the broadcast shape, PyTorch's formula.
   */
  public static Value pairwiseDistance(
      Builder b, Value x1, Value x2, double p, double eps, boolean keepdim) {
    Value diff = b.add(b.sub(x1, x2), lit(eps));
    int r = diff.type().rank();
    return Statistics.vectorNorm(b, diff, p, r == 0 ? new int[0] : new int[] {r - 1}, keepdim);
  }

  /**
   * {@code torch.cdist(x1, x2, p)}: the p-norm distances between the rows of {@code x1} ({@code
   * [..., P, M]}) and of {@code x2} ({@code [..., R, M]}), {@code [..., P, R]}, batch dims
   * broadcast; the gradient is 0 where a distance is 0, as PyTorch's {@code _cdist_backward}.
   */
  public static Value cdist(Builder b, Value x1, Value x2, double p) {
    int r1 = x1.type().rank();
    int r2 = x2.type().rank();
    if (r1 < 2 || r2 < 2) {
      throw new GradcException(
          "cdist only supports at least 2D tensors, X"
              + (r1 < 2 ? 1 : 2)
              + " got: "
              + (r1 < 2 ? r1 : r2)
              + "D");
    }
    Dim m1 = x1.type().dim(r1 - 1);
    Dim m2 = x2.type().dim(r2 - 1);
    if (!m1.equals(m2)) {
      throw new GradcException(
          "X1 and X2 must have the same number of columns. X1: " + m1 + " X2: " + m2);
    }
    if (!x1.type().dtype().isFloat() || !x2.type().dtype().isFloat()) {
      throw new GradcException(
          "cdist only supports floating-point dtypes, X"
              + (x1.type().dtype().isFloat() ? 2 : 1)
              + " got: "
              + (x1.type().dtype().isFloat() ? x2 : x1).type().dtype().scalarTypeName());
    }
    if (p < 0 || Double.isNaN(p)) {
      throw new GradcException("cdist only supports non-negative p values");
    }
    // [..., P, 1, M] - [..., 1, R, M], the norm over M
    Value rows = b.unsqueeze(x1, r1 - 1);
    Value cols = b.unsqueeze(x2, r2 - 2);
    Value diff = b.sub(rows, cols);
    int last = diff.type().rank() - 1;
    return Double.isInfinite(p)
        ? largestDifference(b, diff, last)
        : Statistics.vectorNorm(b, diff, p, new int[] {last}, false);
  }

  /**
   * {@code torch.pdist(input, p)}: the p-norm distances between the rows of {@code input} ({@code
   * [N, M]}), for each pair {@code i < j} in row-major order, {@code [N * (N - 1) / 2]}; the
   * gradient is 0 where a distance is 0, as PyTorch's {@code _pdist_backward}. The rows of each
   * pair are gathered by index: pair {@code k}'s first row {@code i} counts the row starts at or
   * before {@code k} (a cumulative sum over ones scattered at the starts), its second {@code j} is
   * {@code k - start(i) + i + 1}.
   */
  public static Value pdist(Builder b, Value x, double p) {
    int r = x.type().rank();
    if (r != 2) {
      throw new GradcException("pdist only supports 2D tensors, got: " + r + "D");
    }
    if (!x.type().dtype().isFloat()) {
      throw new GradcException("pdist only supports floating-point dtypes");
    }
    if (p < 0 || Double.isNaN(p)) {
      throw new GradcException("pdist only supports non-negative p values");
    }
    Dim rows = x.type().dim(0);
    if (!rows.isStatic()) {
      throw new GradcException(
          "pdist: the number of rows must be a fixed size, got "
              + rows
              + " (the result has "
              + rows
              + " * ("
              + rows
              + " - 1) / 2 elements)");
    }
    int n = rows.size();
    long pairs = (long) n * (n - 1) / 2;
    if (pairs > Indices.MAX_ELEMENTS) {
      throw new GradcException(
          "pdist: " + pairs + " pairs of rows are more than " + Indices.MAX_ELEMENTS);
    }
    int count = (int) pairs;
    Dim m = x.type().dim(1);
    if (count == 0) {
      return b.full(0, new Type(x.type().dtype(), List.of(Dim.of(0))));
    }
    Value k = counting(b, count);
    Value first = b.full(0, new Type(DType.I64, List.of(Dim.of(count))));
    if (n > 2) {
      // ones at the starts of rows 1 .. n-2
      Value starts = start(b, b.add(counting(b, n - 2), Builder.lit(1, DType.I64)), n);
      Value ones = b.full(1, new Type(DType.I64, List.of(Dim.of(n - 2))));
      first = b.scan(Op.CUMSUM, b.scatterAdd(first, 0, starts, ones), 0, false);
    }
    Value second = b.add(b.add(b.sub(k, start(b, first, n)), first), Builder.lit(1, DType.I64));
    List<Dim> shape = List.of(Dim.of(count), m);
    Value xi = b.gather(x, 0, b.expand(b.unsqueeze(first, 1), shape));
    Value xj = b.gather(x, 0, b.expand(b.unsqueeze(second, 1), shape));
    Value d = b.sub(xi, xj);
    return Double.isInfinite(p)
        ? largestDifference(b, d, 1)
        : Statistics.vectorNorm(b, d, p, new int[] {1}, false);
  }

  /**
   * The largest {@code |d|} along {@code dim}, with the gradient of PyTorch's pdist and cdist
   * kernels: every element equal to the largest gets the whole gradient (times its sign), where
   * {@code vector_norm} divides it among them. The value is the largest plus a sum of zeros ({@code
   * |d| - detach(|d|)} at those elements), whose derivative is the indicator. An infinite
   * difference (an overflow) adds no zero, which would be NaN, so its gradient is 0 where PyTorch's
   * kernel gives NaN.
   */
  private static Value largestDifference(Builder b, Value d, int dim) {
    Value a = b.abs(d);
    // the comparison with the largest itself, not a detached copy: finite differences that hold
    // detached values fixed then still see which elements are the largest
    Value largest = b.reduce(Op.AMAX, a, new int[] {dim}, true);
    Value zero = Builder.lit(0, d.type().dtype());
    Value finite = b.binary(Op.LT, a, Builder.lit(Double.POSITIVE_INFINITY, d.type().dtype()));
    Value zeroSlope = b.where(finite, b.sub(a, b.detach(a)), zero);
    Value slope = b.where(b.binary(Op.EQ, a, largest), zeroSlope, zero);
    return b.add(
        b.detach(b.squeeze(largest, dim)), b.reduce(Op.SUM, slope, new int[] {dim}, false));
  }

  /** {@code 0, 1, ..., n - 1} as {@code i64[n]}, a cumulative sum of ones (of any length). */
  private static Value counting(Builder b, int n) {
    Value ones = b.full(1, new Type(DType.I64, List.of(Dim.of(n))));
    return b.sub(b.scan(Op.CUMSUM, ones, 0, false), Builder.lit(1, DType.I64));
  }

  /** The index of the first pair of row {@code i} of {@code n}: {@code i * (2n - 1 - i) / 2}. */
  private static Value start(Builder b, Value i, int n) {
    Value twice = b.mul(i, b.sub(Builder.lit(2.0 * n - 1, DType.I64), i));
    // an even product: halved exactly in f64 below 2^53
    return b.cast(b.mul(b.cast(twice, DType.F64), Builder.lit(0.5, DType.F64)), DType.I64);
  }
}
