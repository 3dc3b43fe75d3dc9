package dev.gradc.ir;

import java.util.function.UnaryOperator;

/**
 * PyTorch's statistics over dims ({@code var}, {@code std}, {@code nansum}, {@code nanmean}, {@code
 * count_nonzero}, {@code all}, {@code any}, vector norms) as fusing compositions of IR ops, shared
 * by the Java API and the {@code .grad} builtins. Each divides as PyTorch does, by {@code max(0, N
 * - correction)}, so one element with the unbiased correction is NaN and a correction beyond the
 * count is infinite.
 *
 * <p>Reverse mode of the plain formula would route part of the gradient through the mean, so one
 * infinite element would make its whole slice's gradient NaN, where PyTorch's {@code var_backward},
 * {@code 2 / (N - correction) * grad * (x - mean)}, is NaN only at the non-finite elements. So the
 * variance is its detached value plus terms whose value is 0 and whose derivatives are PyTorch's
 * backward and its own derivative: {@code z} is 0 with slope 1 at finite elements, and {@code 2
 * sum(z (x - mean)) - sum((z - mean z)^2)}, divided, has the gradient {@code 2 (x - mean) /
 * divisor} and the Hessian of the variance (the second term cancels the first's doubled Hessian).
 */
public final class Statistics {
  private Statistics() {}

  private static Lit lit(double v) {
    return Builder.lit(v, DType.F64);
  }

  /** The sum of squared deviations from the mean over {@code dims}, divided as PyTorch does. */
  public static Value var(Builder b, Value x, int[] dims, long correction, boolean keepdim) {
    Value d = b.sub(x, b.reduce(Op.MEAN, x, dims, true));
    Value divisor = divisor(b, x, dims, correction);
    Value plain = b.div(b.reduce(Op.SUM, b.square(d), dims, keepdim), divisor);
    if (divisor instanceof Lit l && l.value() == 0) {
      return plain; // no finite slope to follow: the value is NaN or infinite
    }
    Value finite = b.binary(Op.LT, b.abs(x), lit(Double.POSITIVE_INFINITY));
    Value kept = b.where(finite, x, lit(0));
    Value z = b.sub(kept, b.detach(kept));
    Value centered = b.sub(z, b.reduce(Op.MEAN, z, dims, true));
    Value slope =
        b.sub(
            b.mul(b.reduce(Op.SUM, b.mul(z, d), dims, keepdim), lit(2)),
            b.reduce(Op.SUM, b.square(centered), dims, keepdim));
    // NaN, as PyTorch's gradient, at non-finite elements (the value is NaN there already)
    Value nonFinite = nanWhereNonFinite(b, x, dims, keepdim);
    return b.add(b.add(b.detach(plain), b.div(slope, divisor)), nonFinite);
  }

  /**
   * The mean that {@code var_mean} and {@code std_mean} give with the spread: PyTorch computes both
   * in one Welford pass, whose mean is NaN when a slice of more than one element holds an infinity
   * (the plain mean would be infinite); its gradient is the mean's.
   */
  public static Value meanOfSpread(Builder b, Value x, int[] dims, boolean keepdim) {
    Value mean = b.reduce(Op.MEAN, x, dims, keepdim);
    Value n = b.numel(x, dims, x.type().dtype());
    if (n instanceof Lit l && l.value() <= 1) {
      return mean;
    }
    return b.add(mean, b.detach(nanWhereNonFinite(b, x, dims, keepdim)));
  }

  /** 0 over a slice of finite elements, else NaN; its gradient is NaN at the non-finite ones. */
  private static Value nanWhereNonFinite(Builder b, Value x, int[] dims, boolean keepdim) {
    Value finite = b.binary(Op.LT, b.abs(x), lit(Double.POSITIVE_INFINITY));
    Value nanMask = b.cast(b.where(finite, lit(0), lit(Double.NaN)), x.type().dtype());
    return b.reduce(Op.SUM, b.mul(x, nanMask), dims, keepdim);
  }

  /**
   * The square root of {@link #var}; where it is 0 its gradient is 0, as PyTorch's {@code
   * std_backward} masks it, not the NaN of {@code sqrt}'s infinite slope times a zero deviation.
   */
  public static Value std(Builder b, Value x, int[] dims, long correction, boolean keepdim) {
    return safeSqrt(b, var(b, x, dims, correction, keepdim));
  }

  /** {@code sqrt(v)}, with a zero gradient where {@code v} is 0. */
  static Value safeSqrt(Builder b, Value v) {
    return maskedAtZero(b, v, w -> b.unary(Op.SQRT, w));
  }

  /** {@code max(0, N - correction)} in {@code x}'s dtype, N the count over {@code dims}. */
  private static Value divisor(Builder b, Value x, int[] dims, long correction) {
    Value n = b.numel(x, dims, x.type().dtype());
    return b.maximum(b.sub(n, lit((double) correction)), lit(0));
  }

  // ---------------------------------------------------------------- NaN-ignoring reductions

  /** Whether each element is NaN, as {@code x != x}. */
  private static Value isNan(Builder b, Value x) {
    return b.binary(Op.NE, x, x);
  }

  /**
   * {@code torch.nansum}: the sum with NaN counted as 0 (its gradient there is 0, as PyTorch's);
   * integers and bools sum as {@code sum} does, into i64.
   */
  public static Value nansum(Builder b, Value x, int[] dims, boolean keepdim) {
    if (!x.type().dtype().isFloat()) {
      return b.reduce(Op.SUM, x, dims, keepdim);
    }
    return b.reduce(Op.SUM, b.where(isNan(b, x), lit(0), x), dims, keepdim);
  }

  /** {@code torch.nanmean}: {@link #nansum} divided by the count of elements that are not NaN. */
  public static Value nanmean(Builder b, Value x, int[] dims, boolean keepdim) {
    Value count = b.reduce(Op.SUM, b.binary(Op.EQ, x, x), dims, keepdim);
    return b.div(nansum(b, x, dims, keepdim), count);
  }

  /** {@code torch.count_nonzero}: the i64 count of elements that are not 0 (NaN counts). */
  public static Value countNonzero(Builder b, Value x, int[] dims) {
    return b.reduce(Op.SUM, b.binary(Op.NE, x, lit(0)), dims, false);
  }

  /** {@code torch.all} ({@code every}) or {@code torch.any}: bool; of no elements True or False. */
  public static Value allAny(Builder b, Value x, int[] dims, boolean keepdim, boolean every) {
    Value hits = b.reduce(Op.SUM, b.binary(every ? Op.EQ : Op.NE, x, lit(0)), dims, keepdim);
    return b.binary(every ? Op.EQ : Op.GT, hits, lit(0));
  }

  // ---------------------------------------------------------------- vector norms

  /**
   * The two dims of {@code torch.linalg.matrix_norm} over {@code x}, normalized, with PyTorch's
   * errors: at least 2 dims, two different dims, a float input.
   */
  public static int[] matrixNormDims(Type type, int[] dims) {
    int rank = type.rank();
    if (!type.dtype().isFloat()) {
      throw new GradcException(
          "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
              + type.dtype().scalarTypeName());
    }
    if (rank < 2) {
      throw new GradcException(
          "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
    }
    if (dims.length != 2) {
      throw new GradcException(
          "linalg.matrix_norm: dim must be a 2-tuple. Got " + java.util.Arrays.toString(dims));
    }
    int d0 = Builder.normalizeDim(dims[0], rank);
    int d1 = Builder.normalizeDim(dims[1], rank);
    if (d0 == d1) {
      throw new GradcException(
          "linalg.matrix_norm: dims must be different. Got (" + dims[0] + ", " + dims[1] + ")");
    }
    return new int[] {d0, d1};
  }

  /**
   * Whether the string order of {@code torch.linalg.matrix_norm} is {@code 'nuc'} (the sum of the
   * singular values) rather than {@code 'fro'} (the 2-norm of the elements over both dims);
   * PyTorch's error for any other string.
   */
  public static boolean isNuclear(String ord) {
    if (!ord.equals("fro") && !ord.equals("nuc")) {
      throw new GradcException("linalg.matrix_norm: Order " + ord + " not supported.");
    }
    return ord.equals("nuc");
  }

  /**
   * {@code torch.linalg.matrix_norm(x, ord, dims, keepdim)} for {@code ord} 1, -1 (the largest or
   * smallest column sum of {@code |x|}), {@code inf}, {@code -inf} (row sums), as PyTorch composes
   * it: the 1-norm along one dim, then the extreme along the other; 2 and -2 are the largest and
   * smallest singular value ({@link #singularNorm}). The Frobenius norm is {@link #vectorNorm} of
   * order 2 over both dims.
   */
  public static Value matrixNorm(Builder b, Value x, double ord, int[] dims, boolean keepdim) {
    int[] d = matrixNormDims(x.type(), dims);
    if (Math.abs(ord) == 2) {
      return singularNorm(b, x, ord > 0 ? Op.AMAX : Op.AMIN, d, keepdim);
    }
    int[] at = matrixNormSteps(ord, d, keepdim);
    Value sums = vectorNorm(b, x, 1, new int[] {at[0]}, keepdim);
    return b.reduce(ord > 0 ? Op.AMAX : Op.AMIN, sums, new int[] {at[1]}, keepdim);
  }

  /**
   * The dim of the 1-norm and then the dim of the extreme (in the 1-norm's result) of {@link
   * #matrixNorm} of order 1, -1, inf or -inf over the normalized dims {@code d}; PyTorch's error
   * for orders other than these and 2, -2.
   */
  public static int[] matrixNormSteps(double ord, int[] d, boolean keepdim) {
    double abs = Math.abs(ord);
    if (abs != 1 && abs != Double.POSITIVE_INFINITY) {
      throw new GradcException("linalg.matrix_norm: Order " + fmt(ord) + " not supported.");
    }
    int sumDim = abs == 1 ? d[0] : d[1];
    int extremeDim = abs == 1 ? d[1] : d[0];
    if (!keepdim && sumDim < extremeDim) {
      extremeDim--;
    }
    return new int[] {sumDim, extremeDim};
  }

  /**
   * The permutation that moves the normalized dims {@code d} of a rank-{@code rank} tensor last, in
   * that order, the others keeping theirs (PyTorch's {@code movedim(dims, (-2, -1))}).
   */
  public static int[] movedLast(int rank, int[] d) {
    int[] perm = new int[rank];
    int k = 0;
    for (int i = 0; i < rank; i++) {
      if (i != d[0] && i != d[1]) {
        perm[k++] = i;
      }
    }
    perm[rank - 2] = d[0];
    perm[rank - 1] = d[1];
    return perm;
  }

  /** The inverse of the permutation {@code perm}. */
  public static int[] inverse(int[] perm) {
    int[] inv = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inv[perm[i]] = i;
    }
    return inv;
  }

  /**
   * PyTorch's error for the largest or smallest singular value ({@code reduce} {@code amax} or
   * {@code amin}) of matrices of no elements over the normalized dims {@code d}.
   */
  public static void requireSingularValues(Type type, Op reduce, int[] d) {
    Dim m = type.dim(d[0]);
    Dim n = type.dim(d[1]);
    if (reduce != Op.SUM && (m.equals(Dim.of(0)) || n.equals(Dim.of(0)))) {
      throw new GradcException(
          reduce.mnemonic() + "(): Expected reduction dim -1 to have non-zero size.");
    }
  }

  /**
   * {@code torch.linalg.matrix_norm} of order 2 ({@code reduce} {@code amax}), -2 ({@code amin}) or
   * {@code 'nuc'} ({@code sum}) over the normalized dims {@code d}, as PyTorch composes it: the
   * dims moved last, the singular values ({@code svd}), reduced along the last dim, and with {@code
   * keepdim} that dim kept, one more unsqueezed and both moved back.
   */
  public static Value singularNorm(Builder b, Value x, Op reduce, int[] d, boolean keepdim) {
    requireSingularValues(x.type(), reduce, d);
    int rank = x.type().rank();
    int[] perm = movedLast(rank, d);
    Value s = b.svd(b.permute(x, perm), Svd.VALUES);
    Value r = b.reduce(reduce, s, new int[] {rank - 2}, keepdim);
    return keepdim ? b.permute(b.unsqueeze(r, rank - 1), inverse(perm)) : r;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && !Double.isInfinite(v)
        ? Long.toString((long) v)
        : Double.toString(v);
  }

  /**
   * {@code torch.linalg.vector_norm(x, ord, dims, keepdim)}: {@code ord} 2 is {@code
   * sqrt(sum(x^2))}, 1 {@code sum(|x|)}, 0 the count of nonzero elements, {@code +-inf} the largest
   * or smallest {@code |x|}, any other {@code sum(|x|^ord)^(1/ord)}. The gradient is PyTorch's
   * {@code norm_backward}: 0 at a zero norm (not NaN), 0 at zero elements for {@code ord < 1},
   * shared evenly by tied extremes, and NaN only at NaN elements of an infinity norm.
   */
  public static Value vectorNorm(Builder b, Value x, double ord, int[] dims, boolean keepdim) {
    if (ord == 2) {
      // x * x, not square(x): its gradient g x does not overflow where 2 x would
      return safeSqrt(b, b.reduce(Op.SUM, b.mul(x, x), dims, keepdim));
    }
    if (ord == 1) {
      return b.reduce(Op.SUM, b.abs(x), dims, keepdim);
    }
    if (ord == 0) {
      Value nonzero = b.cast(b.binary(Op.NE, x, lit(0)), x.type().dtype());
      return b.reduce(Op.SUM, nonzero, dims, keepdim);
    }
    Value a = b.abs(x);
    if (Double.isInfinite(ord)) {
      // PyTorch's backward sends the gradient to the elements equal to the extreme and to NaN
      // ones, divided by their count: a detached weight on |x| gives that, with that value.
      Value extreme = b.reduce(ord > 0 ? Op.AMAX : Op.AMIN, a, dims, true);
      Value chosen = b.where(b.binary(Op.EQ, a, extreme), Builder.lit(1, DType.BOOL), isNan(b, a));
      Value weight = b.cast(chosen, x.type().dtype());
      Value share = b.detach(b.div(weight, b.reduce(Op.SUM, weight, dims, true)));
      return b.reduce(Op.SUM, b.mul(b.where(chosen, a, lit(0)), share), dims, keepdim);
    }
    if (ord < 0) {
      // |0|^ord is infinite and its gradient 0 (PyTorch masks zero elements below ord 1)
      Value zero = b.binary(Op.EQ, a, lit(0));
      Value powered =
          b.where(
              zero,
              b.add(lit(Double.POSITIVE_INFINITY), nanSecondAtZero(b, a, zero)),
              b.pow(b.where(zero, lit(1), a), lit(ord)));
      return b.pow(b.reduce(Op.SUM, powered, dims, keepdim), lit(1 / ord));
    }
    Value powered = b.pow(a, lit(ord));
    if (ord < 1) {
      // below 1 the slope at 0 is infinite; PyTorch's backward is 0 times the norm's scale there
      Value zero = b.binary(Op.EQ, a, lit(0));
      powered =
          b.where(zero, nanSecondAtZero(b, a, zero), b.pow(b.where(zero, lit(1), a), lit(ord)));
    }
    return maskedAtZero(b, b.reduce(Op.SUM, powered, dims, keepdim), v -> b.pow(v, lit(1 / ord)));
  }

  /**
   * Zero, at the zero elements of {@code a = |x|} below {@code ord} 1, with PyTorch's derivatives
   * there: its {@code norm_backward} masks {@code |x|^(ord - 1)} to 0 at zero elements, so the
   * gradient is 0 times the norm's scale and the second derivative the pow backward's {@code 0 *
   * inf}, NaN. {@code 0 * |x|^1.5} is 0, its gradient {@code 0 * 1.5 |x|^0.5} (0, NaN where the
   * incoming gradient is not finite, as PyTorch's) and its second derivative {@code 0 * |x|^-0.5}
   * NaN; elsewhere its base is 0 through a {@code where}, which masks that NaN.
   */
  private static Value nanSecondAtZero(Builder b, Value a, Value zero) {
    return b.mul(b.pow(b.where(zero, a, lit(0)), lit(1.5)), lit(0));
  }

  /** {@code f(v)} where {@code v} is not 0, else 0 with a zero gradient (not {@code 0 * inf}). */
  private static Value maskedAtZero(Builder b, Value v, UnaryOperator<Value> f) {
    Value zero = b.binary(Op.EQ, v, lit(0));
    return b.where(zero, lit(0), f.apply(b.where(zero, lit(1), v)));
  }
}
