package dev.gradc.ir;

/**
 * The operations of the IR, with PyTorch's names and semantics. Each constant carries its facts;
 * behaviour per op lives in one {@code switch} per concern (typing, interpreter, gradient rules,
 * codegen), each without a {@code default} so that javac lists every place a new op must be
 * handled.
 *
 * <p>Attributes: reductions, {@code softmax}, {@code log_softmax}, {@code transpose}, {@code
 * permute}, {@code squeeze}, {@code unsqueeze} and {@code numel} take a list of dims ({@code
 * dims=[1]}); reductions take {@code keepdim}. {@code reshape}, {@code expand}, {@code broadcast},
 * {@code sum_to}, {@code cast} and {@code one_hot} take their target from the result type.
 */
public enum Op {
  // elementwise binary
  ADD("add", 2, Kind.ELEMENTWISE),
  SUB("sub", 2, Kind.ELEMENTWISE),
  MUL("mul", 2, Kind.ELEMENTWISE),
  DIV("div", 2, Kind.ELEMENTWISE),
  POW("pow", 2, Kind.ELEMENTWISE),
  MAXIMUM("maximum", 2, Kind.ELEMENTWISE),
  MINIMUM("minimum", 2, Kind.ELEMENTWISE),
  LT("lt", 2, Kind.ELEMENTWISE),
  LE("le", 2, Kind.ELEMENTWISE),
  GT("gt", 2, Kind.ELEMENTWISE),
  GE("ge", 2, Kind.ELEMENTWISE),
  EQ("eq", 2, Kind.ELEMENTWISE),
  NE("ne", 2, Kind.ELEMENTWISE),
  /** {@code where(cond, a, b)}: a where cond is true, else b. */
  WHERE("where", 3, Kind.ELEMENTWISE),
  /** {@code clamp(x, min, max)}; absent bounds are {@code -inf} and {@code inf}. */
  CLAMP("clamp", 3, Kind.ELEMENTWISE),
  // elementwise unary
  NEG("neg", 1, Kind.ELEMENTWISE),
  ABS("abs", 1, Kind.ELEMENTWISE),
  SIGN("sign", 1, Kind.ELEMENTWISE),
  EXP("exp", 1, Kind.ELEMENTWISE),
  EXPM1("expm1", 1, Kind.ELEMENTWISE),
  LOG("log", 1, Kind.ELEMENTWISE),
  LOG1P("log1p", 1, Kind.ELEMENTWISE),
  SQRT("sqrt", 1, Kind.ELEMENTWISE),
  RSQRT("rsqrt", 1, Kind.ELEMENTWISE),
  SQUARE("square", 1, Kind.ELEMENTWISE),
  RECIPROCAL("reciprocal", 1, Kind.ELEMENTWISE),
  SIN("sin", 1, Kind.ELEMENTWISE),
  COS("cos", 1, Kind.ELEMENTWISE),
  TAN("tan", 1, Kind.ELEMENTWISE),
  TANH("tanh", 1, Kind.ELEMENTWISE),
  SIGMOID("sigmoid", 1, Kind.ELEMENTWISE),
  RELU("relu", 1, Kind.ELEMENTWISE),
  /** PyTorch's softplus with beta 1 and threshold 20: {@code x} above 20. */
  SOFTPLUS("softplus", 1, Kind.ELEMENTWISE),
  ERF("erf", 1, Kind.ELEMENTWISE),
  /** Identity whose gradient is zero. */
  DETACH("detach", 1, Kind.ELEMENTWISE),
  /** Conversion to the result type's dtype. */
  CAST("cast", 1, Kind.ELEMENTWISE),
  // reductions
  SUM("sum", 1, Kind.REDUCTION),
  MEAN("mean", 1, Kind.REDUCTION),
  AMAX("amax", 1, Kind.REDUCTION),
  AMIN("amin", 1, Kind.REDUCTION),
  LOGSUMEXP("logsumexp", 1, Kind.REDUCTION),
  // shape
  RESHAPE("reshape", 1, Kind.SHAPE),
  TRANSPOSE("transpose", 1, Kind.SHAPE),
  PERMUTE("permute", 1, Kind.SHAPE),
  UNSQUEEZE("unsqueeze", 1, Kind.SHAPE),
  SQUEEZE("squeeze", 1, Kind.SHAPE),
  /** PyTorch's {@code expand}; same semantics as {@code broadcast}, written by users. */
  EXPAND("expand", 1, Kind.SHAPE),
  /** Broadcast to the result shape, inserted by shape inference. */
  BROADCAST("broadcast", 1, Kind.SHAPE),
  /** Sum down to the result shape, which broadcasts to the operand's: adjoint of broadcast. */
  SUM_TO("sum_to", 1, Kind.SHAPE),
  // contraction
  MATMUL("matmul", 2, Kind.CONTRACTION),
  // normalization along one dim
  SOFTMAX("softmax", 1, Kind.NORMALIZE),
  LOG_SOFTMAX("log_softmax", 1, Kind.NORMALIZE),
  // other
  /** {@code one_hot(indices)}: i64 indices to an i64 tensor with a trailing class dim. */
  ONE_HOT("one_hot", 1, Kind.OTHER),
  /** The number of elements of the operand over {@code dims}, as a scalar of the result dtype. */
  NUMEL("numel", 1, Kind.OTHER);

  /** What an op does to the iteration space; codegen and fusion read this. */
  public enum Kind {
    ELEMENTWISE,
    REDUCTION,
    SHAPE,
    CONTRACTION,
    NORMALIZE,
    OTHER
  }

  private final String mnemonic;
  private final int arity;
  private final Kind kind;

  Op(String mnemonic, int arity, Kind kind) {
    this.mnemonic = mnemonic;
    this.arity = arity;
    this.kind = kind;
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

  /** True for comparisons, whose result is {@code bool}. */
  public boolean isComparison() {
    return this == LT || this == LE || this == GT || this == GE || this == EQ || this == NE;
  }

  /** True for ops that take a {@code dims=[...]} attribute. */
  public boolean hasDims() {
    return kind == Kind.REDUCTION
        || kind == Kind.NORMALIZE
        || this == TRANSPOSE
        || this == PERMUTE
        || this == SQUEEZE
        || this == UNSQUEEZE
        || this == NUMEL;
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
