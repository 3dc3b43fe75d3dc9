package dev.gradc.ir;

import static dev.gradc.ir.Op.Dtypes.ANY;
import static dev.gradc.ir.Op.Dtypes.FLOAT;
import static dev.gradc.ir.Op.Dtypes.NUMERIC;
import static dev.gradc.ir.Op.GradFnChoice.BY_DIMS;
import static dev.gradc.ir.Op.GradFnChoice.BY_EXPONENT;
import static dev.gradc.ir.Op.GradFnChoice.BY_NUMBERS;
import static dev.gradc.ir.Op.GradFnChoice.BY_RANKS;
import static dev.gradc.ir.Op.Trait.COMPARISON;
import static dev.gradc.ir.Op.Trait.DIMS;
import static dev.gradc.ir.Op.Trait.VIEW;
import static dev.gradc.ir.Op.Trait.ZERO_GRADIENT;

import java.util.List;
import java.util.Objects;

/**
 * The operations of the IR, with PyTorch's names and semantics. Every fact of an op lives here, on
 * its constant: mnemonic, arity, {@link Kind}, the dtypes it accepts, its traits (comparison, dims
 * attribute, view, zero gradient), PyTorch's {@code grad_fn} names and, for a reduction, its {@link
 * Reduction} (combine and identity). Behaviour per op lives beside its concern, in one {@code
 * switch} per concern (typing, interpreter, scalar math, gradient rules, codegen), each without a
 * {@code default} so that javac lists every place a new op must be handled; {@code OpCoverageTest}
 * names what else a new op lacks (builtin, Java API method, tests, fixtures).
 *
 * <p>Attributes: reductions, {@code softmax}, {@code log_softmax}, {@code transpose}, {@code
 * permute}, {@code squeeze}, {@code unsqueeze} and {@code numel} take a list of dims ({@code
 * dims=[1]}); reductions take {@code keepdim}. {@code slice} and {@code slice_backward} take {@code
 * dims=[dim, start, step]}; {@code gather}, {@code scatter_add} and {@code scatter} take {@code
 * dims=[dim]}. {@code reshape}, {@code expand}, {@code broadcast}, {@code sum_to}, {@code cast},
 * {@code one_hot}, {@code slice} (its length) and {@code slice_backward} take their target from the
 * result type.
 */
public enum Op {
  // elementwise binary
  ADD("add", 2, NUMERIC, grad("AddBackward0")),
  /** Names: {@code a - b}; {@code 2 - x} written as PyTorch's {@code rsub}. */
  SUB("sub", 2, NUMERIC, grad("SubBackward0", "RsubBackward1")),
  MUL("mul", 2, NUMERIC, grad("MulBackward0")),
  DIV("div", 2, FLOAT, grad("DivBackward0")),
  /** Names: a literal exponent, a tensor exponent. */
  POW("pow", 2, NUMERIC, grad(BY_EXPONENT, "PowBackward0", "PowBackward1")),
  MAXIMUM("maximum", 2, NUMERIC, grad("MaximumBackward0")),
  MINIMUM("minimum", 2, NUMERIC, grad("MinimumBackward0")),
  ATAN2("atan2", 2, FLOAT, grad("Atan2Backward0")),
  /** {@code sqrt(a^2 + b^2)} without overflow; floating-point operands only, as PyTorch. */
  HYPOT("hypot", 2, FLOAT, grad("HypotBackward0")),
  /**
   * Python's modulo: the sign of the divisor ({@code %} on tensors). Integers stay integers; an
   * integer division by zero is PyTorch's {@code ZeroDivisionError}. Names: tensor divisor, number
   * divisor, number dividend (whose gradient PyTorch does not implement).
   */
  REMAINDER(
      "remainder",
      2,
      NUMERIC,
      grad(BY_NUMBERS, "RemainderBackward1", "RemainderBackward0", "NotImplemented")),
  /** C's {@code fmod}: the sign of the dividend. Names: tensor divisor, number divisor. */
  FMOD("fmod", 2, NUMERIC, grad(BY_NUMBERS, "FmodBackward1", "FmodBackward0")),
  /** Names: tensor sign, number sign. */
  COPYSIGN("copysign", 2, FLOAT, grad(BY_NUMBERS, "CopysignBackward0", "CopysignBackward1")),
  /** {@code x * log(y)}, 0 where x is 0 (NaN y stays NaN). Names: tensors, number y, number x. */
  XLOGY("xlogy", 2, FLOAT, grad(BY_NUMBERS, "XlogyBackward0", "XlogyBackward2", "XlogyBackward1")),
  /** {@code x * log1p(y)}, 0 where x is 0 (NaN y stays NaN); {@code torch.special.xlog1py}. */
  XLOG1PY("xlog1py", 2, FLOAT, grad("SpecialXlog1PyBackward0")),
  /** {@code log(exp(a) + exp(b))}; floating-point operands only, as PyTorch. */
  LOGADDEXP("logaddexp", 2, FLOAT, grad("LogaddexpBackward0")),
  /** {@code log2(2^a + 2^b)}; floating-point operands only, as PyTorch. */
  LOGADDEXP2("logaddexp2", 2, FLOAT, grad("Logaddexp2Backward0")),
  /**
   * {@code polygamma(n, x)}, the {@code n}-th derivative of digamma; {@code n}, the first operand,
   * is a whole number (a literal where the function is differentiated: it has no gradient).
   */
  POLYGAMMA("polygamma", 2, FLOAT, grad("PolygammaBackward0")),
  LT("lt", 2, NUMERIC, GradFns.NONE, COMPARISON, ZERO_GRADIENT),
  LE("le", 2, NUMERIC, GradFns.NONE, COMPARISON, ZERO_GRADIENT),
  GT("gt", 2, NUMERIC, GradFns.NONE, COMPARISON, ZERO_GRADIENT),
  GE("ge", 2, NUMERIC, GradFns.NONE, COMPARISON, ZERO_GRADIENT),
  EQ("eq", 2, ANY, GradFns.NONE, COMPARISON, ZERO_GRADIENT),
  NE("ne", 2, ANY, GradFns.NONE, COMPARISON, ZERO_GRADIENT),
  /** {@code where(cond, a, b)}: a where cond is true, else b. */
  WHERE("where", 3, ANY, grad("WhereBackward0")),
  /**
   * {@code clamp(x, min, max)}; absent bounds are {@code -inf} and {@code inf}. Names: tensor
   * bounds, number bounds, {@code clamp_min}, {@code clamp_max}.
   */
  CLAMP(
      "clamp",
      3,
      NUMERIC,
      grad("ClampBackward0", "ClampBackward1", "ClampMinBackward0", "ClampMaxBackward0")),
  // elementwise unary
  NEG("neg", 1, NUMERIC, grad("NegBackward0")),
  ABS("abs", 1, NUMERIC, grad("AbsBackward0")),
  /** Records a node, as in PyTorch, though its gradient is zero. */
  SIGN("sign", 1, NUMERIC, grad("SignBackward0"), ZERO_GRADIENT),
  EXP("exp", 1, FLOAT, grad("ExpBackward0")),
  EXPM1("expm1", 1, FLOAT, grad("Expm1Backward0")),
  LOG("log", 1, FLOAT, grad("LogBackward0")),
  LOG1P("log1p", 1, FLOAT, grad("Log1PBackward0")),
  SQRT("sqrt", 1, FLOAT, grad("SqrtBackward0")),
  RSQRT("rsqrt", 1, FLOAT, grad("RsqrtBackward0")),
  SQUARE("square", 1, NUMERIC, grad("PowBackward0")),
  RECIPROCAL("reciprocal", 1, FLOAT, grad("ReciprocalBackward0")),
  SIN("sin", 1, FLOAT, grad("SinBackward0")),
  COS("cos", 1, FLOAT, grad("CosBackward0")),
  TAN("tan", 1, FLOAT, grad("TanBackward0")),
  TANH("tanh", 1, FLOAT, grad("TanhBackward0")),
  SIGMOID("sigmoid", 1, FLOAT, grad("SigmoidBackward0")),
  RELU("relu", 1, NUMERIC, grad("ReluBackward0")),
  /** PyTorch's softplus with beta 1 and threshold 20: {@code x} above 20. */
  SOFTPLUS("softplus", 1, FLOAT, grad("SoftplusBackward0")),
  ERF("erf", 1, FLOAT, grad("ErfBackward0")),
  SINH("sinh", 1, FLOAT, grad("SinhBackward0")),
  COSH("cosh", 1, FLOAT, grad("CoshBackward0")),
  ASINH("asinh", 1, FLOAT, grad("AsinhBackward0")),
  ACOSH("acosh", 1, FLOAT, grad("AcoshBackward0")),
  ATANH("atanh", 1, FLOAT, grad("AtanhBackward0")),
  ASIN("asin", 1, FLOAT, grad("AsinBackward0")),
  ACOS("acos", 1, FLOAT, grad("AcosBackward0")),
  ATAN("atan", 1, FLOAT, grad("AtanBackward0")),
  LOG2("log2", 1, FLOAT, grad("Log2Backward0")),
  LOG10("log10", 1, FLOAT, grad("Log10Backward0")),
  ERFC("erfc", 1, FLOAT, grad("ErfcBackward0")),
  /** The normalized sinc {@code sin(pi x) / (pi x)}, 1 at 0. */
  SINC("sinc", 1, FLOAT, grad("SincBackward0")),
  /** {@code 2^x}, exact at integers. */
  EXP2("exp2", 1, FLOAT, grad("Exp2Backward0")),
  /** {@code log|Gamma(x)|}, {@code +inf} at the poles. */
  LGAMMA("lgamma", 1, FLOAT, grad("LgammaBackward0")),
  /** The logarithmic derivative of Gamma; {@code -inf} at {@code +0}, NaN at negative integers. */
  DIGAMMA("digamma", 1, FLOAT, grad("DigammaBackward0")),
  /** The inverse error function, {@code +-inf} at {@code +-1}. */
  ERFINV("erfinv", 1, FLOAT, grad("ErfinvBackward0")),
  /**
   * Rounding down, up, to the nearest (ties to even, as {@code torch.round}) and toward zero:
   * integers stay integers; each records a node, as in PyTorch, though its gradient is zero.
   */
  FLOOR("floor", 1, NUMERIC, grad("FloorBackward0"), ZERO_GRADIENT),
  CEIL("ceil", 1, NUMERIC, grad("CeilBackward0"), ZERO_GRADIENT),
  ROUND("round", 1, NUMERIC, grad("RoundBackward0"), ZERO_GRADIENT),
  TRUNC("trunc", 1, NUMERIC, grad("TruncBackward0"), ZERO_GRADIENT),
  /** Identity whose gradient is zero. */
  DETACH("detach", 1, ANY, GradFns.NONE, ZERO_GRADIENT),
  /** Conversion to the result type's dtype. */
  CAST("cast", 1, ANY, grad("ToCopyBackward0")),
  // reductions
  /** Names: over all dims, over given dims. */
  SUM("sum", NUMERIC, grad(BY_DIMS, "SumBackward0", "SumBackward1"), Combine.ADD),
  /** Names: over all dims, over given dims. */
  MEAN(
      "mean",
      FLOAT,
      grad(BY_DIMS, "MeanBackward0", "MeanBackward1"),
      Combine.ADD,
      Reduction.Finish.DIVIDE_BY_COUNT),
  AMAX("amax", NUMERIC, grad("AmaxBackward0"), Combine.MAX),
  AMIN("amin", NUMERIC, grad("AminBackward0"), Combine.MIN),
  LOGSUMEXP("logsumexp", FLOAT, grad("LogsumexpBackward0"), Combine.LOG_ADD_EXP),
  /**
   * The product, folded in index order. Names: over all dims, over one dim. A bool operand gives
   * i64, as PyTorch; i64 products wrap.
   */
  PROD("prod", NUMERIC, grad(BY_DIMS, "ProdBackward0", "ProdBackward1"), Combine.MUL),
  // structural: shapes, views, contraction and index ops, each its own Structure
  /** Names: {@code view} (and the IR's reshape), {@code reshape} of the Java API. */
  RESHAPE(
      "reshape", 1, Structure.RESHAPE, ANY, grad("ViewBackward0", "ReshapeAliasBackward0"), VIEW),
  /** Names: {@code transpose}, {@code t()}. */
  TRANSPOSE(
      "transpose",
      1,
      Structure.TRANSPOSE,
      ANY,
      grad("TransposeBackward0", "TBackward0"),
      DIMS,
      VIEW),
  PERMUTE("permute", 1, Structure.PERMUTE, ANY, grad("PermuteBackward0"), DIMS, VIEW),
  UNSQUEEZE("unsqueeze", 1, Structure.UNSQUEEZE, ANY, grad("UnsqueezeBackward0"), DIMS, VIEW),
  /** Names: given dims, every dim of size 1. */
  SQUEEZE(
      "squeeze",
      1,
      Structure.SQUEEZE,
      ANY,
      grad("SqueezeBackward1", "SqueezeBackward0"),
      DIMS,
      VIEW),
  /** PyTorch's {@code expand}; same semantics as {@code broadcast}, written by users. */
  EXPAND("expand", 1, Structure.BROADCAST, ANY, grad("ExpandBackward0"), VIEW),
  /** Broadcast to the result shape, inserted by shape inference. */
  BROADCAST("broadcast", 1, Structure.BROADCAST, ANY, grad("ExpandBackward0"), VIEW),
  /** Sum down to the result shape, which broadcasts to the operand's: adjoint of broadcast. */
  SUM_TO("sum_to", 1, Structure.SUM_TO, ANY, grad("SumBackward1")),
  /**
   * Names by operand ranks: 1-d by 1-d, 2-d by 1-d, 1-d by 2-d, 2-d by 2-d, batched. f32, f64 or
   * i64 (exact products and sums that wrap, as PyTorch's int64; no gradient).
   */
  MATMUL(
      "matmul",
      2,
      Structure.MATMUL,
      NUMERIC,
      grad(
          BY_RANKS,
          "DotBackward0",
          "MvBackward0",
          "SqueezeBackward3",
          "MmBackward0",
          "UnsafeViewBackward0")),
  /**
   * The reduced singular value decomposition {@code A = U diag(S) Vh} of each matrix of the last
   * two dims ({@code [..., m, n]}, {@code k = min(m, n)}): {@code dims=[part]} picks {@code S}
   * ({@code [..., k]}, descending, part 0), {@code U} ({@code [..., m, k]}, part 1) or {@code Vh}
   * ({@code [..., k, n]}, part 2), all three of one computation ({@link Svd}), so that the signs of
   * {@code U} and {@code Vh} agree. {@code torch.linalg.svdvals} is part 0; its gradient {@code U
   * diag(g) Vh} reads parts 1 and 2, whose own gradients are PyTorch's {@code svd_backward}.
   */
  SVD("svd", 1, Structure.SVD, FLOAT, grad("LinalgSvdBackward0"), DIMS),
  // normalization along one dim
  SOFTMAX("softmax", FLOAT, grad("SoftmaxBackward0"), Normalization.SOFTMAX),
  LOG_SOFTMAX("log_softmax", FLOAT, grad("LogSoftmaxBackward0"), Normalization.LOG_SOFTMAX),
  /**
   * {@code x[..., start:start + step * length:step, ...]} along one dim: {@code dims=[dim, start,
   * step]}, every element read in range, {@code step} not 0 (negative reads backwards: {@code
   * flip}); the length is the result's size along {@code dim}. Names: a slice ({@code slice},
   * {@code narrow}, {@code x[a:b]}), an index ({@code select}, {@code x[i]}, recorded with the dim
   * removed).
   */
  SLICE("slice", 1, Structure.SLICE, ANY, grad("SliceBackward0", "SelectBackward0"), DIMS, VIEW),
  /**
   * The adjoint of {@code slice}: {@code g} written into zeros of the result type at the elements
   * {@code slice} with the same {@code dims} reads. PyTorch's {@code slice_backward}.
   */
  SLICE_BACKWARD(
      "slice_backward", 1, Structure.SLICE_BACKWARD, ANY, grad("SliceBackwardBackward0"), DIMS),
  /**
   * {@code out[i][j][k] = x[i][index[i][j][k]][k]} along {@code dims=[dim]} (here 1): the result
   * has the i64 index's shape and x's dtype; the index has x's rank and, along every other dim, at
   * most x's size. An index out of range is PyTorch's error. Names: {@code gather} (and {@code
   * take_along_dim}), {@code index_select}, {@code x[idx]}.
   */
  GATHER(
      "gather",
      2,
      Structure.GATHER,
      ANY,
      grad("GatherBackward0", "IndexSelectBackward0", "IndexBackward0"),
      DIMS),
  /**
   * {@code scatter_add(self, index, src)} along {@code dims=[dim]}, out of place: a copy of self
   * with {@code out[i][index[i][j][k]][k] += src[i][j][k]}, summed in index order (the same bits on
   * every run); the i64 index has src's shape and, along every other dim than {@code dim}, at most
   * self's size. The adjoint of {@code gather}. Names: {@code scatter_add}, {@code index_add}.
   */
  SCATTER_ADD(
      "scatter_add",
      3,
      Structure.SCATTER_ADD,
      NUMERIC,
      grad("ScatterAddBackward0", "IndexAddBackward0"),
      DIMS),
  /**
   * {@code scatter(self, index, src)} along {@code dims=[dim]}, out of place: a copy of self with
   * {@code out[i][index[i][j][k]][k] = src[i][j][k]}, written in index order (of a repeated index
   * the last write stays, the same on every run); the index as for {@code scatter_add}. Names: a
   * source tensor, a number.
   */
  SCATTER("scatter", 3, Structure.SCATTER, ANY, grad("ScatterBackward0", "ScatterBackward1"), DIMS),
  /** {@code one_hot(indices)}: i64 indices to an i64 tensor with a trailing class dim. */
  ONE_HOT("one_hot", 1, Structure.ONE_HOT, ANY, GradFns.NONE, ZERO_GRADIENT),
  /** The number of elements of the operand over {@code dims}, as a scalar of the result dtype. */
  NUMEL("numel", 1, Structure.NUMEL, ANY, GradFns.NONE, DIMS, ZERO_GRADIENT),
  // cumulative along one dim: dims=[dim, reverse], reverse 1 scanning from the last element
  /** The running sum; integers and bools give i64, exact and wrapping. */
  CUMSUM("cumsum", NUMERIC, grad("CumsumBackward0"), Scan.SUM),
  /** The running product; integers and bools give i64, exact and wrapping. */
  CUMPROD("cumprod", NUMERIC, grad("CumprodBackward0"), Scan.PROD),
  /** The running {@code log(sum(exp))}, as PyTorch's {@code _log_add_exp_helper}. */
  LOGCUMSUMEXP("logcumsumexp", FLOAT, grad("LogcumsumexpBackward0"), Scan.LOG_SUM_EXP),
  /** The values of {@code cummax}: the running maximum, NaN once one is seen. */
  CUMMAX("cummax", NUMERIC, grad("CummaxBackward0"), Scan.MAX),
  /** The values of {@code cummin}: the running minimum, NaN once one is seen. */
  CUMMIN("cummin", NUMERIC, grad("CumminBackward0"), Scan.MIN),
  /** The indices (i64) of {@code cummax}: the latest among ties, the latest NaN. */
  CUMMAX_INDICES("cummax_indices", NUMERIC, GradFns.NONE, Scan.MAX_INDEX, ZERO_GRADIENT),
  /** The indices (i64) of {@code cummin}: the latest among ties, the latest NaN. */
  CUMMIN_INDICES("cummin_indices", NUMERIC, GradFns.NONE, Scan.MIN_INDEX, ZERO_GRADIENT),
  /**
   * {@code argsort}: the i64 positions that sort each lane along the dim, stably (ties keep their
   * order), NaN as the largest; reverse 1 sorts descending. {@code sort}, {@code topk}, {@code
   * kthvalue} and {@code median} gather their values with it.
   */
  ARGSORT("argsort", NUMERIC, GradFns.NONE, Scan.SORT_INDEX, ZERO_GRADIENT),
  /**
   * dims=[dim, largest, k, sorted]: the positions of each lane as PyTorch's CPU {@code topk} leaves
   * them, the first {@code k} its result (libstdc++'s partial sort or {@code nth_element}, whose
   * picks among equal values differ from a stable sort's).
   */
  TOPK_ORDER("topk_order", NUMERIC, GradFns.NONE, Scan.TOPK_INDEX, ZERO_GRADIENT),
  /**
   * dims=[dim, 0, k]: the positions of each lane as PyTorch's CPU {@code kthvalue}'s quickselect
   * leaves them, position {@code k - 1} its result.
   */
  KTHVALUE_ORDER("kthvalue_order", NUMERIC, GradFns.NONE, Scan.KTH_INDEX, ZERO_GRADIENT);

  /**
   * What an op does to the iteration space, and so how typing, the interpreter, lowering and the
   * loop planner treat it: each switches on the kind first, without {@code default}. Ops of one
   * kind differ only by facts on their constant (an elementwise op by its scalar function in {@link
   * ScalarMath}, a reduction by its {@link Reduction}); a structural op is its own case of {@link
   * Structure}.
   */
  public enum Kind {
    /** One result element from the operand elements at the same index (after broadcasting). */
    ELEMENTWISE,
    /** Folds its operand over {@code dims} with its {@link Reduction}. */
    REDUCTION,
    /** Normalizes along one dim ({@code softmax}, {@code log_softmax}); lowered before planning. */
    NORMALIZE,
    /** Moves, counts or contracts elements; which of these is its {@link Structure}. */
    STRUCTURAL
  }

  /**
   * What a {@linkplain Kind#NORMALIZE normalization} returns along its dim, with {@code m} the
   * maximum and {@code s} the sum of {@code exp(x - m)}.
   */
  public enum Normalization {
    /** {@code exp(x - m) / s}. */
    SOFTMAX,
    /** {@code x - m - log(s)}. */
    LOG_SOFTMAX
  }

  /**
   * What a {@linkplain Kind#STRUCTURAL structural} op does. Two ops share a constant only when
   * every concern treats them alike ({@code expand} and {@code broadcast}); a new structural op
   * needs a new constant, and javac then lists every switch that must handle it.
   */
  public enum Structure {
    /** The elements in order, in another shape (a view when contiguous). */
    RESHAPE,
    /** Two dims swapped (a view). */
    TRANSPOSE,
    /** The dims reordered (a view). */
    PERMUTE,
    /** A size-1 dim inserted (a view). */
    UNSQUEEZE,
    /** Size-1 dims removed (a view). */
    SQUEEZE,
    /** New and size-1 dims repeated to the result shape: stride 0 (a view). */
    BROADCAST,
    /** Summed down to the result shape: the adjoint of {@link #BROADCAST}. */
    SUM_TO,
    /** Matrix product with batch broadcasting; a library call. */
    MATMUL,
    /** A part of the singular value decomposition of each matrix; a library call. */
    SVD,
    /** Every {@code step}-th element of a range of one dim: a strided view from an offset. */
    SLICE,
    /** Zeros but at the elements a {@link #SLICE} reads, which it fills; a library call. */
    SLICE_BACKWARD,
    /** The elements an i64 index picks along one dim; a library call. */
    GATHER,
    /** A copy with elements added at the places an i64 index names; a library call. */
    SCATTER_ADD,
    /** A copy with elements replaced at the places an i64 index names; a library call. */
    SCATTER,
    /** Indices to one-hot rows; a library call. */
    ONE_HOT,
    /** The number of elements over dims, known from shapes alone. */
    NUMEL,
    /**
     * A running fold along one dim, which its {@link Scan} says, or the sorting permutation of each
     * lane along it; a library call.
     */
    SCAN
  }

  /**
   * What a {@linkplain Structure#SCAN cumulative} op keeps along its dim ({@link Scans} computes
   * each, for the interpreter and compiled code alike).
   */
  public enum Scan {
    SUM(Scans.SUM),
    PROD(Scans.PROD),
    LOG_SUM_EXP(Scans.LOG_SUM_EXP),
    MAX(Scans.MAX),
    MIN(Scans.MIN),
    /** The index of the running maximum, i64. */
    MAX_INDEX(Scans.MAX_INDEX),
    /** The index of the running minimum, i64. */
    MIN_INDEX(Scans.MIN_INDEX),
    /** The positions that sort the lane (stably, NaN largest), i64. */
    SORT_INDEX(Scans.SORT_INDEX),
    /** The positions in PyTorch's {@code topk} order, i64; dims add {@code k} and sorted. */
    TOPK_INDEX(Scans.TOPK_INDEX),
    /** The positions in PyTorch's {@code kthvalue} order, i64; dims add {@code k}. */
    KTH_INDEX(Scans.KTH_INDEX);

    private final int code;

    Scan(int code) {
      this.code = code;
    }

    /** The {@code kind} argument of {@link Scans#scan}. */
    public int code() {
      return code;
    }

    /** Whether the result holds indices (i64) rather than values. */
    public boolean isIndex() {
      return this == MAX_INDEX
          || this == MIN_INDEX
          || this == SORT_INDEX
          || this == TOPK_INDEX
          || this == KTH_INDEX;
    }

    /** The dims after {@code [dim, reverse]}: {@code k} (and {@code sorted}) of the selections. */
    public int extraDims() {
      return this == TOPK_INDEX ? 2 : this == KTH_INDEX ? 1 : 0;
    }
  }

  /** The operand dtypes an op accepts. */
  public enum Dtypes {
    /** Every dtype, bool included. */
    ANY,
    /** Every dtype but bool. */
    NUMERIC,
    /** f32 and f64; the builder casts integer operands to the default float first. */
    FLOAT;

    public boolean accepts(DType d) {
      return switch (this) {
        case ANY -> true;
        case NUMERIC -> d != DType.BOOL;
        case FLOAT -> d.isFloat();
      };
    }
  }

  /** Facts that hold for some ops only. */
  public enum Trait {
    /** The result is bool. */
    COMPARISON,
    /** Takes a {@code dims=[...]} attribute (reductions always do). */
    DIMS,
    /** Reads its operand's elements in another order or shape: a strided view, never a copy. */
    VIEW,
    /** Its gradient is zero everywhere, so reverse mode gives it no adjoint. */
    ZERO_GRADIENT
  }

  /**
   * How a reduction folds the elements it reduces: starting from its combine's {@link
   * Combine#identity}, {@code acc = combine(acc, x)} for each element, then {@code finish}. Partial
   * results of chunks combine with the same {@code combine}. Every reduction op is declared with
   * its combine (the reduction constructor of {@code Op} has no form without one), and the identity
   * is a fact of the combine, in an exhaustive switch: a new combine without its identity, or a
   * reduction op without its combine, does not compile.
   */
  public record Reduction(Combine combine, Finish finish) {
    /** Refuses a reduction without its fold: it would compile as some other reduction. */
    public Reduction {
      Objects.requireNonNull(combine, "a reduction needs its combine");
      Objects.requireNonNull(finish, "a reduction needs its finish");
    }

    /** Where the fold starts: {@link Combine#identity} of the combine. */
    public double identity() {
      return combine.identity();
    }

    /**
     * Whether PyTorch refuses to reduce no elements ({@code max} and {@code min}: their identity is
     * only where the fold starts). The IR's own reduction of nothing gives the identity, which
     * lowerings rely on; the language and the Java API check {@link Typing#emptyReductionError}
     * first.
     */
    public boolean needsElements() {
      return combine == Combine.MAX || combine == Combine.MIN;
    }

    /** What happens to the folded value. */
    public enum Finish {
      NONE,
      /** Divided by the number of elements reduced ({@code mean}). */
      DIVIDE_BY_COUNT
    }
  }

  /** The binary function a reduction folds with. */
  public enum Combine {
    /** {@code acc + x}. */
    ADD,
    /** {@code max(acc, x)}, NaN-propagating as {@code Math.max}. */
    MAX,
    /** {@code min(acc, x)}, NaN-propagating as {@code Math.min}. */
    MIN,
    /** {@code acc * x}, in index order. */
    MUL,
    /**
     * {@code log(exp(acc) + exp(x))}; computed as PyTorch does, shifted by the maximum, so codegen
     * lowers it to {@code amax} and {@code sum} first.
     */
    LOG_ADD_EXP;

    /**
     * The element that leaves every value unchanged, where a fold starts (and what the IR's
     * reduction of no elements gives).
     */
    public double identity() {
      return switch (this) {
        case ADD -> 0.0;
        case MAX, LOG_ADD_EXP -> Double.NEGATIVE_INFINITY;
        case MIN -> Double.POSITIVE_INFINITY;
        case MUL -> 1.0;
      };
    }
  }

  /**
   * The scalar function of an {@linkplain Kind#ELEMENTWISE elementwise} op ({@link
   * #elementwise()}), named as the op: what {@link ScalarMath#apply} computes and codegen emits,
   * each in one switch over these constants. Each carries its {@link IntegerOp}, or none when the
   * function computes in f64 on integers.
   */
  public enum Elementwise {
    ADD(IntegerOp.ADD),
    SUB(IntegerOp.SUB),
    MUL(IntegerOp.MUL),
    DIV(null),
    POW(IntegerOp.POW),
    MAXIMUM(IntegerOp.MAXIMUM),
    MINIMUM(IntegerOp.MINIMUM),
    ATAN2(null),
    HYPOT(null),
    REMAINDER(IntegerOp.REMAINDER),
    FMOD(IntegerOp.FMOD),
    COPYSIGN(null),
    XLOGY(null),
    XLOG1PY(null),
    LOGADDEXP(null),
    LOGADDEXP2(null),
    POLYGAMMA(null),
    LT(IntegerOp.LT),
    LE(IntegerOp.LE),
    GT(IntegerOp.GT),
    GE(IntegerOp.GE),
    EQ(IntegerOp.EQ),
    NE(IntegerOp.NE),
    WHERE(IntegerOp.WHERE),
    CLAMP(IntegerOp.CLAMP),
    NEG(IntegerOp.NEG),
    ABS(IntegerOp.ABS),
    SIGN(IntegerOp.SIGN),
    EXP(null),
    EXPM1(null),
    LOG(null),
    LOG1P(null),
    SQRT(null),
    RSQRT(null),
    SQUARE(IntegerOp.SQUARE),
    RECIPROCAL(null),
    SIN(null),
    COS(null),
    TAN(null),
    TANH(null),
    SIGMOID(null),
    RELU(IntegerOp.RELU),
    SOFTPLUS(null),
    ERF(null),
    SINH(null),
    COSH(null),
    ASINH(null),
    ACOSH(null),
    ATANH(null),
    ASIN(null),
    ACOS(null),
    ATAN(null),
    LOG2(null),
    LOG10(null),
    ERFC(null),
    SINC(null),
    EXP2(null),
    LGAMMA(null),
    DIGAMMA(null),
    ERFINV(null),
    FLOOR(IntegerOp.IDENTITY),
    CEIL(IntegerOp.IDENTITY),
    ROUND(IntegerOp.IDENTITY),
    TRUNC(IntegerOp.IDENTITY),
    DETACH(IntegerOp.IDENTITY),
    CAST(IntegerOp.CAST);

    private final IntegerOp integerOp;

    Elementwise(IntegerOp integerOp) {
      this.integerOp = integerOp;
    }

    /** How this function computes on i64 operands, or null when it computes in f64. */
    public IntegerOp integerOp() {
      return integerOp;
    }
  }

  /**
   * What an elementwise op computes on i64 operands in 64-bit integer arithmetic, wrapping as
   * PyTorch's int64 does ({@link Elementwise#integerOp()}); {@link ScalarMath#applyLong} and
   * codegen's integer emitter switch on it.
   */
  public enum IntegerOp {
    ADD,
    SUB,
    MUL,
    /** By squaring, with PyTorch's negative exponents ({@link ScalarMath#powLong}). */
    POW,
    MAXIMUM,
    MINIMUM,
    /** Python's modulo; a zero divisor raises PyTorch's {@code ZeroDivisionError}. */
    REMAINDER,
    /** C's {@code %}; a zero divisor raises PyTorch's {@code ZeroDivisionError}. */
    FMOD,
    CLAMP,
    /** The condition and the values selected are longs. */
    WHERE,
    NEG,
    ABS,
    SIGN,
    SQUARE,
    RELU,
    /** The operand itself ({@code detach}; rounding an integer). */
    IDENTITY,
    /** From or to i64, rounded once. */
    CAST,
    LT,
    LE,
    GT,
    GE,
    EQ,
    NE
  }

  /** Which of an op's {@code grad_fn} names a captured instruction gets. */
  enum GradFnChoice {
    /** The first; the others are API variants that the caller picks. */
    FIRST,
    /** The first for a literal exponent, the second for a tensor. */
    BY_EXPONENT,
    /** The first without dims (all dims), the second with. */
    BY_DIMS,
    /** The first for two tensors, the second for a number second operand, the third for a first. */
    BY_NUMBERS,
    /** By the ranks of the two operands, as {@link #matmulGradFnIndex}. */
    BY_RANKS
  }

  private record GradFns(GradFnChoice choice, List<String> names) {
    static final GradFns NONE = new GradFns(GradFnChoice.FIRST, List.of());
  }

  private static GradFns grad(String... names) {
    return new GradFns(GradFnChoice.FIRST, List.of(names));
  }

  private static GradFns grad(GradFnChoice choice, String... names) {
    return new GradFns(choice, List.of(names));
  }

  private final String mnemonic;
  private final int arity;
  private final Kind kind;
  private final Dtypes dtypes;

  // List.of and records of immutable values: immutable, which the checker cannot see.
  @SuppressWarnings("ImmutableEnumChecker")
  private final GradFns gradFns;

  /** {@link #gradFn()}, looked up once: recording an op asks for it every time. */
  private final String gradFn;

  @SuppressWarnings("ImmutableEnumChecker")
  private final Reduction reduction;

  private final Structure structure;
  private final Normalization normalization;
  private final Scan scan;

  private final boolean comparison;
  private final boolean dims;
  private final boolean view;
  private final boolean differentiable;

  /** An elementwise op. */
  Op(String mnemonic, int arity, Dtypes dtypes, GradFns gradFns, Trait... traits) {
    this(mnemonic, arity, Kind.ELEMENTWISE, dtypes, gradFns, null, null, null, null, traits);
  }

  /** A normalization along one dim: one operand, a dims attribute of one dim. */
  Op(String mnemonic, Dtypes dtypes, GradFns gradFns, Normalization normalization) {
    this(
        mnemonic,
        1,
        Kind.NORMALIZE,
        dtypes,
        gradFns,
        null,
        null,
        Objects.requireNonNull(normalization, mnemonic),
        null,
        DIMS);
  }

  /** A structural op. */
  Op(
      String mnemonic,
      int arity,
      Structure structure,
      Dtypes dtypes,
      GradFns gradFns,
      Trait... traits) {
    this(
        mnemonic,
        arity,
        Kind.STRUCTURAL,
        dtypes,
        gradFns,
        null,
        Objects.requireNonNull(structure, mnemonic),
        null,
        null,
        traits);
  }

  /** A cumulative op: one operand, {@code dims=[dim, reverse]}. */
  Op(String mnemonic, Dtypes dtypes, GradFns gradFns, Scan scan, Trait... traits) {
    this(
        mnemonic,
        1,
        Kind.STRUCTURAL,
        dtypes,
        gradFns,
        null,
        Structure.SCAN,
        null,
        Objects.requireNonNull(scan, mnemonic),
        withDims(traits));
  }

  private static Trait[] withDims(Trait[] traits) {
    Trait[] out = java.util.Arrays.copyOf(traits, traits.length + 1);
    out[traits.length] = DIMS;
    return out;
  }

  /** A reduction whose folded value is its result: one operand, a dims attribute and keepdim. */
  Op(String mnemonic, Dtypes dtypes, GradFns gradFns, Combine combine) {
    this(mnemonic, dtypes, gradFns, combine, Reduction.Finish.NONE);
  }

  /** A reduction folding with {@code combine}, then {@code finish}. */
  Op(String mnemonic, Dtypes dtypes, GradFns gradFns, Combine combine, Reduction.Finish finish) {
    this(
        mnemonic,
        1,
        Kind.REDUCTION,
        dtypes,
        gradFns,
        new Reduction(combine, finish),
        null,
        null,
        null,
        DIMS);
  }

  Op(
      String mnemonic,
      int arity,
      Kind kind,
      Dtypes dtypes,
      GradFns gradFns,
      Reduction reduction,
      Structure structure,
      Normalization normalization,
      Scan scan,
      Trait... traits) {
    if ((kind == Kind.REDUCTION) != (reduction != null)
        || (kind == Kind.STRUCTURAL) != (structure != null)
        || (kind == Kind.NORMALIZE) != (normalization != null)
        || (structure == Structure.SCAN) != (scan != null)) {
      // Each kind but elementwise is declared with its fact, through its own constructor.
      throw new IllegalArgumentException(mnemonic + ": a " + kind + " op needs its fact");
    }
    this.mnemonic = mnemonic;
    this.arity = arity;
    this.kind = kind;
    this.dtypes = dtypes;
    this.gradFns = gradFns;
    this.gradFn = gradFns.names().isEmpty() ? null : gradFns.names().get(0);
    this.reduction = reduction;
    this.structure = structure;
    this.normalization = normalization;
    this.scan = scan;
    List<Trait> ts = List.of(traits);
    this.comparison = ts.contains(COMPARISON);
    this.dims = ts.contains(DIMS);
    this.view = ts.contains(VIEW);
    this.differentiable = !ts.contains(ZERO_GRADIENT);
  }

  public String mnemonic() {
    return mnemonic;
  }

  public int arity() {
    return arity;
  }

  public Kind kind() {
    return kind;
  }

  /** The operand dtypes this op accepts. */
  public Dtypes dtypes() {
    return dtypes;
  }

  /** True for comparisons, whose result is {@code bool}. */
  public boolean isComparison() {
    return comparison;
  }

  /** True for ops that take a {@code dims=[...]} attribute. */
  public boolean hasDims() {
    return dims;
  }

  /** True for ops whose result is a strided view of their operand (a layout, not a copy). */
  public boolean isView() {
    return view;
  }

  /** False for ops whose gradient is zero everywhere: reverse mode leaves them inactive. */
  public boolean isDifferentiable() {
    return differentiable;
  }

  /** How this reduction folds; null when the op is not a reduction. */
  public Reduction reduction() {
    return reduction;
  }

  /** What this cumulative op keeps; null when the op is not a {@link Structure#SCAN}. */
  public Scan scan() {
    return scan;
  }

  /** What this normalization returns; null when the op is not a normalization. */
  public Normalization normalization() {
    return normalization;
  }

  /**
   * What this structural op does; null when the op is not {@linkplain Kind#STRUCTURAL structural}.
   */
  public Structure structure() {
    return structure;
  }

  /**
   * The scalar function of this elementwise op; null for ops of other {@linkplain Kind kinds}. The
   * one switch over every op that concerns of elementwise ops need: they switch on this instead.
   */
  public Elementwise elementwise() {
    return switch (this) {
      case ADD -> Elementwise.ADD;
      case SUB -> Elementwise.SUB;
      case MUL -> Elementwise.MUL;
      case DIV -> Elementwise.DIV;
      case POW -> Elementwise.POW;
      case MAXIMUM -> Elementwise.MAXIMUM;
      case MINIMUM -> Elementwise.MINIMUM;
      case ATAN2 -> Elementwise.ATAN2;
      case HYPOT -> Elementwise.HYPOT;
      case REMAINDER -> Elementwise.REMAINDER;
      case FMOD -> Elementwise.FMOD;
      case COPYSIGN -> Elementwise.COPYSIGN;
      case XLOGY -> Elementwise.XLOGY;
      case XLOG1PY -> Elementwise.XLOG1PY;
      case LOGADDEXP -> Elementwise.LOGADDEXP;
      case LOGADDEXP2 -> Elementwise.LOGADDEXP2;
      case POLYGAMMA -> Elementwise.POLYGAMMA;
      case LT -> Elementwise.LT;
      case LE -> Elementwise.LE;
      case GT -> Elementwise.GT;
      case GE -> Elementwise.GE;
      case EQ -> Elementwise.EQ;
      case NE -> Elementwise.NE;
      case WHERE -> Elementwise.WHERE;
      case CLAMP -> Elementwise.CLAMP;
      case NEG -> Elementwise.NEG;
      case ABS -> Elementwise.ABS;
      case SIGN -> Elementwise.SIGN;
      case EXP -> Elementwise.EXP;
      case EXPM1 -> Elementwise.EXPM1;
      case LOG -> Elementwise.LOG;
      case LOG1P -> Elementwise.LOG1P;
      case SQRT -> Elementwise.SQRT;
      case RSQRT -> Elementwise.RSQRT;
      case SQUARE -> Elementwise.SQUARE;
      case RECIPROCAL -> Elementwise.RECIPROCAL;
      case SIN -> Elementwise.SIN;
      case COS -> Elementwise.COS;
      case TAN -> Elementwise.TAN;
      case TANH -> Elementwise.TANH;
      case SIGMOID -> Elementwise.SIGMOID;
      case RELU -> Elementwise.RELU;
      case SOFTPLUS -> Elementwise.SOFTPLUS;
      case ERF -> Elementwise.ERF;
      case SINH -> Elementwise.SINH;
      case COSH -> Elementwise.COSH;
      case ASINH -> Elementwise.ASINH;
      case ACOSH -> Elementwise.ACOSH;
      case ATANH -> Elementwise.ATANH;
      case ASIN -> Elementwise.ASIN;
      case ACOS -> Elementwise.ACOS;
      case ATAN -> Elementwise.ATAN;
      case LOG2 -> Elementwise.LOG2;
      case LOG10 -> Elementwise.LOG10;
      case ERFC -> Elementwise.ERFC;
      case SINC -> Elementwise.SINC;
      case EXP2 -> Elementwise.EXP2;
      case LGAMMA -> Elementwise.LGAMMA;
      case DIGAMMA -> Elementwise.DIGAMMA;
      case ERFINV -> Elementwise.ERFINV;
      case FLOOR -> Elementwise.FLOOR;
      case CEIL -> Elementwise.CEIL;
      case ROUND -> Elementwise.ROUND;
      case TRUNC -> Elementwise.TRUNC;
      case DETACH -> Elementwise.DETACH;
      case CAST -> Elementwise.CAST;
      case SUM,
          MEAN,
          AMAX,
          AMIN,
          LOGSUMEXP,
          PROD,
          RESHAPE,
          TRANSPOSE,
          PERMUTE,
          UNSQUEEZE,
          SQUEEZE,
          EXPAND,
          BROADCAST,
          SUM_TO,
          MATMUL,
          SVD,
          SOFTMAX,
          LOG_SOFTMAX,
          SLICE,
          SLICE_BACKWARD,
          GATHER,
          SCATTER_ADD,
          SCATTER,
          ONE_HOT,
          NUMEL,
          CUMSUM,
          CUMPROD,
          LOGCUMSUMEXP,
          CUMMAX,
          CUMMIN,
          CUMMAX_INDICES,
          CUMMIN_INDICES,
          ARGSORT,
          TOPK_ORDER,
          KTHVALUE_ORDER ->
          null;
    };
  }

  /**
   * How this op computes on i64 operands in 64-bit integer arithmetic; null for ops that compute in
   * f64 on integers, and for ops that are not elementwise.
   */
  public IntegerOp integerOp() {
    Elementwise e = elementwise();
    return e == null ? null : e.integerOp();
  }

  /**
   * PyTorch's {@code grad_fn} name for this op, or null for ops whose result never requires grad
   * (comparisons, {@code detach}, {@code one_hot}, {@code numel}).
   */
  public String gradFn() {
    return gradFn;
  }

  /**
   * The name of variant {@code i}, as listed in the constant's comment (0 is {@link #gradFn()}).
   */
  public String gradFn(int variant) {
    return gradFns.names().get(variant);
  }

  /** Every {@code grad_fn} name PyTorch gives this op, {@link #gradFn()} first. */
  public List<String> gradFnNames() {
    return gradFns.names();
  }

  /**
   * The {@code grad_fn} name PyTorch records for {@code inst}, or null; the first name for a form
   * PyTorch has no name of its own for (an {@code fmod} of a number by a tensor, which only the IR
   * can write).
   */
  public static String gradFn(Inst inst) {
    Op op = inst.op();
    if (op.gradFns.names().isEmpty()) {
      return null;
    }
    int variant =
        switch (op.gradFns.choice()) {
          case FIRST -> 0;
          case BY_EXPONENT -> inst.operand(1) instanceof Lit ? 0 : 1;
          case BY_DIMS -> inst.dimCount() == 0 ? 0 : 1;
          case BY_NUMBERS ->
              inst.operand(1) instanceof Lit ? 1 : inst.operand(0) instanceof Lit ? 2 : 0;
          case BY_RANKS ->
              matmulGradFnIndex(inst.operand(0).type().rank(), inst.operand(1).type().rank());
        };
    return op.gradFn(variant < op.gradFns.names().size() ? variant : 0);
  }

  /** Which of {@code matmul}'s names PyTorch records for operands of these ranks. */
  public static int matmulGradFnIndex(int ra, int rb) {
    if (ra == 1 && rb == 1) {
      return 0;
    }
    if (ra == 2 && rb == 1) {
      return 1;
    }
    if (ra == 1 && rb == 2) {
      return 2;
    }
    return ra == 2 && rb == 2 ? 3 : 4;
  }

  /** Looks up an op by its mnemonic, or returns null. */
  public static Op byMnemonic(String s) {
    for (Op op : values()) {
      if (op.mnemonic.equals(s)) {
        return op;
      }
    }
    return null;
  }
}
