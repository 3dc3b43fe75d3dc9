package dev.gradc.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one {@link Func}. Two layers:
 *
 * <ul>
 *   <li>{@link #emit} appends exactly the instruction asked for, after checking its type; the
 *       parser and the passes use it.
 *   <li>The named ops ({@link #add}, {@link #sum}, {@link #matmul}, {@link #crossEntropy}, ...)
 *       have PyTorch's semantics: they promote dtypes, insert explicit {@code cast} and {@code
 *       broadcast}, normalize negative dims, fold constants and drop trivial identities ({@code x *
 *       1}, {@code reshape} to the same shape). Losses expand to primitives.
 * </ul>
 *
 * <p>Parameters are declared before the first instruction, so that ids stay dense.
 */
public final class Builder {
  private static final int[] NO_DIMS = {};

  /** The dtype of a float result computed from integer operands, as PyTorch's default. */
  public static final DType DEFAULT_FLOAT = DType.F32;

  private final String name;
  private final List<Param> params = new ArrayList<>();
  private final List<Inst> insts = new ArrayList<>();
  private final List<Value> results = new ArrayList<>();
  private final Map<Inst, List<Value>> notes = new IdentityHashMap<>();
  private final Set<String> names = new HashSet<>();

  /** Made at the first origin: most builders (an eager op's type inference) record none. */
  private Map<Inst, Origin> origins;

  private Origin at;

  public Builder(String name) {
    this.name = name;
  }

  // ---------------------------------------------------------------- structure

  /** Declares a parameter that requires grad. */
  public Param param(String pname, Type type) {
    return addParam(pname, type, Role.PARAM);
  }

  /** Declares a parameter that does not require grad. */
  public Param input(String pname, Type type) {
    return addParam(pname, type, Role.INPUT);
  }

  public Param addParam(String pname, Type type, Role role) {
    if (!insts.isEmpty()) {
      throw new IllegalStateException("parameters must be declared before instructions");
    }
    if (!names.add(pname)) {
      throw new GradcException("parameter " + pname + " is declared twice");
    }
    if (role == Role.PARAM && !type.dtype().isFloat()) {
      throw new GradcException(
          "only Tensors of floating point dtype can require gradients ("
              + pname
              + ": "
              + type
              + ")");
    }
    Param p = new Param(pname, type, role, params.size());
    params.add(p);
    return p;
  }

  public List<Param> params() {
    return List.copyOf(params);
  }

  /** Appends results; a function returns one or more values. */
  public void ret(Value... vs) {
    for (Value v : vs) {
      requireOwned(v);
      results.add(v);
    }
  }

  /** Records, for the printer, that {@code adj} is the adjoint of {@code forward}. */
  public void noteAdjoint(Value adj, Value forward) {
    if (adj instanceof Inst && owns(adj)) {
      notes.computeIfAbsent((Inst) adj, k -> new ArrayList<>()).add(forward);
    }
  }

  public Func build() {
    if (results.isEmpty()) {
      throw new IllegalStateException("function " + name + " returns nothing");
    }
    return new Func(name, params, insts, results, notes, origins == null ? Map.of() : origins);
  }

  /**
   * Makes {@code origin} (null: none) the origin of every instruction emitted from now on, until
   * the next call; returns the previous one, so that a nested step can restore it: {@code Origin
   * prev = b.at(o); try { ... } finally { b.at(prev); }}.
   */
  public Origin at(Origin origin) {
    Origin prev = at;
    at = origin;
    return prev;
  }

  /** As {@link #at(Origin)}, for a forward value created at {@code pos} (null: none). */
  public Origin at(SourcePos pos) {
    return at(pos == null ? null : Origin.at(pos));
  }

  /** The origin instructions are emitted with now, or null. */
  public Origin currentOrigin() {
    return at;
  }

  /** The origin of an instruction this builder emitted, or null. */
  public Origin origin(Value v) {
    return v instanceof Inst && origins != null ? origins.get(v) : null;
  }

  private Map<Inst, Origin> origins() {
    if (origins == null) {
      origins = new IdentityHashMap<>();
    }
    return origins;
  }

  /** Replaces the origin of an instruction this builder emitted. */
  public void setOrigin(Value v, Origin origin) {
    if (v instanceof Inst && owns(v) && origin != null) {
      origins().put((Inst) v, origin);
    }
  }

  /** The number of instructions emitted so far. */
  public int size() {
    return insts.size();
  }

  private boolean owns(Value v) {
    if (v instanceof Lit) {
      return true;
    }
    int id = v.id();
    if (id < 0) {
      return false;
    }
    if (id < params.size()) {
      return params.get(id) == v;
    }
    int k = id - params.size();
    return k < insts.size() && insts.get(k) == v;
  }

  private void requireOwned(Value v) {
    if (!owns(v)) {
      throw new IllegalArgumentException(v + " does not belong to function " + name);
    }
  }

  /**
   * Appends one instruction as given, without folding. {@code target} is the result type; it is
   * required for ops that take their target from it and checked against the inferred type
   * otherwise.
   */
  public Inst emit(Op op, Type target, Value[] operands, int[] dims, boolean keepdim) {
    for (Value v : operands) {
      requireOwned(v);
    }
    Type t = Typing.infer(op, operands, dims, keepdim, target);
    Inst inst = new Inst(params.size() + insts.size(), op, t, operands, dims, keepdim);
    insts.add(inst);
    if (at != null) {
      origins().put(inst, at);
    }
    return inst;
  }

  /** {@code inst} again, on {@code operands}: its own, mapped into this builder. */
  public Inst emitLike(Inst inst, Value[] operands) {
    return emit(inst.op(), inst.type(), operands, inst.dims(), inst.keepdim());
  }

  private Inst emit(Op op, Type target, Value... operands) {
    return emit(op, target, operands, NO_DIMS, false);
  }

  /**
   * Appends the instructions of {@code f} with its parameters replaced by {@code args}; returns the
   * values of its results.
   */
  public List<Value> inline(Func f, List<? extends Value> args) {
    if (args.size() != f.params().size()) {
      throw new IllegalArgumentException(
          f.name() + " takes " + f.params().size() + " arguments, got " + args.size());
    }
    Value[] map = new Value[f.valueCount()];
    for (int i = 0; i < args.size(); i++) {
      Value a = args.get(i);
      if (!a.type().equals(f.params().get(i).type())) {
        throw new IllegalArgumentException(
            "argument "
                + i
                + " of "
                + f.name()
                + " is "
                + a.type()
                + ", expected "
                + f.params().get(i).type());
      }
      map[i] = a;
    }
    Origin outer = at;
    for (Inst inst : f.insts()) {
      Origin o = f.origin(inst);
      at = o != null ? o : outer;
      map[inst.id()] = emitLike(inst, mapped(inst.operands(), map));
    }
    at = outer;
    List<Value> out = new ArrayList<>();
    for (Value r : f.results()) {
      out.add(r instanceof Lit ? r : map[r.id()]);
    }
    return out;
  }

  /** Operands with ids replaced through {@code map}; literals stay. */
  public static Value[] mapped(List<Value> operands, Value[] map) {
    Value[] out = new Value[operands.size()];
    for (int i = 0; i < out.length; i++) {
      Value v = operands.get(i);
      out[i] = v instanceof Lit ? v : map[v.id()];
    }
    return out;
  }

  // ---------------------------------------------------------------- dtypes

  public static Lit lit(double v, DType dtype) {
    return new Lit(v, dtype);
  }

  /**
   * The dtype PyTorch gives a binary op: the highest category (bool, integer, float) wins; within
   * it a tensor with dims beats a zero-dim tensor, which beats a literal; a float literal with
   * integer tensors gives the default float dtype.
   */
  public static DType promote(Value... vs) {
    Type[] types = new Type[vs.length];
    boolean[] lits = new boolean[vs.length];
    for (int i = 0; i < vs.length; i++) {
      types[i] = vs[i] == null ? null : vs[i].type();
      lits[i] = vs[i] instanceof Lit;
    }
    return promote(types, lits);
  }

  /** {@link #promote(Value...)} over types, with which of them are literals. */
  static DType promote(Type[] types, boolean[] lits) {
    int bestCat = -1;
    int bestPrio = -1;
    DType best = null;
    boolean allLits = true;
    for (int i = 0; i < types.length; i++) {
      if (types[i] == null) {
        continue;
      }
      DType d = types[i].dtype();
      int cat = d.category();
      int prio = lits[i] ? 0 : types[i].isScalar() ? 1 : 2;
      allLits &= lits[i];
      if (cat > bestCat || (cat == bestCat && prio > bestPrio)) {
        bestCat = cat;
        bestPrio = prio;
        best = d;
      } else if (cat == bestCat && prio == bestPrio && d == DType.F64) {
        best = d;
      }
    }
    if (bestPrio == 0 && best == DType.F64) {
      // Only literals carry the float category: PyTorch's default float dtype.
      return allLits ? DType.F64 : DEFAULT_FLOAT;
    }
    return best;
  }

  /** {@code x} as {@code dtype}: literals are retyped, tensors cast. */
  public Value cast(Value x, DType dtype) {
    if (x.type().dtype() == dtype) {
      return x;
    }
    if (x instanceof Lit) {
      return new Lit(((Lit) x).value(), dtype);
    }
    return emit(Op.CAST, x.type().withDtype(dtype), x);
  }

  private static List<Dim> dims(Value v) {
    return v.type().dims();
  }

  // ---------------------------------------------------------------- elementwise

  public Value add(Value a, Value b) {
    return binary(Op.ADD, a, b);
  }

  public Value sub(Value a, Value b) {
    return binary(Op.SUB, a, b);
  }

  public Value mul(Value a, Value b) {
    return binary(Op.MUL, a, b);
  }

  public Value div(Value a, Value b) {
    return binary(Op.DIV, a, b);
  }

  public Value pow(Value a, Value b) {
    return binary(Op.POW, a, b);
  }

  public Value maximum(Value a, Value b) {
    return binary(Op.MAXIMUM, a, b);
  }

  public Value minimum(Value a, Value b) {
    return binary(Op.MINIMUM, a, b);
  }

  public Value mul(Value a, double b) {
    return binary(Op.MUL, a, lit(b, DType.F64));
  }

  public Value add(Value a, double b) {
    return binary(Op.ADD, a, lit(b, DType.F64));
  }

  /** An elementwise binary op or comparison with broadcasting and promotion. */
  public Value binary(Op op, Value a, Value b) {
    Type t = binaryType(op, a.type(), a instanceof Lit, b.type(), b instanceof Lit);
    DType dt = promote(a, b);
    if (floatOnly(op) && !dt.isFloat()) {
      dt = DEFAULT_FLOAT;
    }
    if ((op == Op.REMAINDER || op == Op.FMOD) && !dt.isFloat() && isLit(b, 0)) {
      throw new GradcException(ScalarMath.ZERO_DIVISION);
    }
    if (a instanceof Lit && b instanceof Lit) {
      double r = ScalarMath.apply(op, dt.round(((Lit) a).value()), dt.round(((Lit) b).value()), 0);
      return new Lit(r, t.dtype());
    }
    if (dt == DType.BOOL && op != Op.EQ && op != Op.NE) {
      // PyTorch's logical or/and (add, mul, maximum, minimum) and bool comparisons, computed on
      // 0 and 1 in i64, so that the IR's arithmetic stays numeric.
      Value r = binary(op, cast(a, DType.I64), cast(b, DType.I64));
      return cast(r, DType.BOOL);
    }
    a = cast(a, dt);
    b = cast(b, dt);
    a = operand(a, t.dims());
    b = operand(b, t.dims());
    Value s = identity(op, a, b);
    return s != null ? s : emit(op, null, a, b);
  }

  /**
   * The type {@link #binary} gives {@code a op b}, with its errors, without emitting anything;
   * {@code aLit} and {@code bLit} say which operands are literals (which promote weakly).
   */
  public static Type binaryType(Op op, Type a, boolean aLit, Type b, boolean bLit) {
    if (op.kind() != Op.Kind.ELEMENTWISE || op.arity() != 2) {
      throw new IllegalArgumentException(op.mnemonic() + " is not a binary elementwise op");
    }
    // The common cases give the first operand's dtype without the general rule: two tensors of one
    // dtype, or a float tensor and a literal (a tensor outranks a literal of its category or a
    // lower
    // one). A training step records such ops every step.
    DType dt =
        !aLit && (bLit ? a.dtype().isFloat() : a.dtype() == b.dtype())
            ? a.dtype()
            : promote(new Type[] {a, b}, new boolean[] {aLit, bLit});
    if (!dt.isFloat() && (op == Op.HYPOT || op == Op.LOGADDEXP || op == Op.LOGADDEXP2)) {
      throw new GradcException(
          "\"" + op.mnemonic() + "_cpu\" not implemented for '" + dt.scalarTypeName() + "'");
    }
    if (dt == DType.BOOL && (op == Op.REMAINDER || op == Op.FMOD)) {
      throw new GradcException("\"" + op.mnemonic() + "_cpu\" not implemented for 'Bool'");
    }
    if (floatOnly(op) && !dt.isFloat()) {
      dt = DEFAULT_FLOAT;
    }
    if (op == Op.POW && dt == DType.BOOL) {
      throw new GradcException("\"pow\" not implemented for 'Bool'");
    }
    if (op == Op.SUB && (a.dtype() == DType.BOOL || b.dtype() == DType.BOOL)) {
      throw new GradcException(
          "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying"
              + " to invert a mask, use the `~` or `logical_not()` operator instead.");
    }
    DType result = op.isComparison() ? DType.BOOL : dt;
    if (aLit && bLit) {
      return Type.scalar(result);
    }
    // The common cases (a literal operand, or equal shapes) reuse an operand's type.
    Type same = bLit || a.dims().equals(b.dims()) ? a : aLit ? b : null;
    if (same != null && same.dtype() == result) {
      return same;
    }
    return new Type(result, Typing.broadcast(a.dims(), b.dims(), op.mnemonic()));
  }

  /** True for ops defined only on floating-point operands; integer operands are cast first. */
  private static boolean floatOnly(Op op) {
    return op.dtypes() == Op.Dtypes.FLOAT;
  }

  private static boolean isLit(Value v, double c) {
    return v instanceof Lit && ((Lit) v).value() == c;
  }

  /**
   * True for a zero literal with the given sign bit; integer zeros have either. In IEEE arithmetic
   * {@code x + (-0.0)} and {@code x - 0.0} are {@code x} for every {@code x}, but {@code -0.0 +
   * 0.0} is {@code 0.0}.
   */
  private static boolean isZero(Value v, boolean negative) {
    if (!isLit(v, 0)) {
      return false;
    }
    boolean signBit = Double.doubleToRawLongBits(((Lit) v).value()) < 0;
    return !v.type().dtype().isFloat() || signBit == negative;
  }

  /**
   * A new value equal to {@code x} bit for bit, PyTorch's {@code clone}: {@code x + (-0.0)}, which
   * is {@code x} for every float including {@code -0.0} and NaN ({@code x + 0} for integers, {@code
   * x != false} for bools), emitted although it is the identity so that the copy is a value of its
   * own (a write through an index of it leaves {@code x} alone); later passes may fold it.
   */
  public Value copy(Value x) {
    if (x instanceof Lit) {
      return x;
    }
    DType dt = x.type().dtype();
    if (dt == DType.BOOL) {
      return emit(Op.NE, null, x, lit(0, DType.BOOL));
    }
    return emit(Op.ADD, null, x, lit(dt.isFloat() ? -0.0 : 0, dt));
  }

  /** {@code a op b} when it is exactly one of its operands (or its negation), else null. */
  private Value identity(Op op, Value a, Value b) {
    switch (op) {
      case ADD -> {
        return isZero(b, true) ? a : isZero(a, true) ? b : null;
      }
      case SUB -> {
        return isZero(b, false) ? a : isZero(a, true) ? neg(b) : null;
      }
      case MUL -> {
        if (isLit(b, 1)) {
          return a;
        }
        if (isLit(a, 1)) {
          return b;
        }
        if (isLit(b, -1)) {
          return neg(a);
        }
        return isLit(a, -1) ? neg(b) : null;
      }
      case DIV, POW -> {
        return isLit(b, 1) ? a : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** An elementwise unary op; integer operands of float-only ops are cast to float first. */
  public Value unary(Op op, Value x) {
    unaryType(op, x.type());
    if (floatOnly(op) && !x.type().dtype().isFloat()) {
      x = cast(x, DEFAULT_FLOAT);
    }
    if (x.type().dtype() == DType.BOOL) {
      if (op == Op.SIGN) {
        return x;
      }
      if (op == Op.SQUARE) {
        x = cast(x, DType.I64);
      }
    }
    if (x instanceof Lit) {
      DType dt = x.type().dtype();
      return new Lit(ScalarMath.apply(op, ((Lit) x).value(), 0, 0), dt);
    }
    if (op == Op.NEG && x instanceof Inst && ((Inst) x).op() == Op.NEG) {
      return ((Inst) x).operand(0);
    }
    return emit(op, null, x);
  }

  /** The type {@link #unary} gives {@code op(x)}, without emitting anything. */
  public static Type unaryType(Op op, Type x) {
    if (op.kind() != Op.Kind.ELEMENTWISE || op.arity() != 1 || op == Op.CAST) {
      throw new IllegalArgumentException(op.mnemonic() + " is not a unary elementwise op");
    }
    DType d = x.dtype();
    if (floatOnly(op) && !d.isFloat()) {
      d = DEFAULT_FLOAT;
    } else if (d == DType.BOOL && op == Op.SIGN) {
      return x;
    } else if (d == DType.BOOL && op == Op.SQUARE) {
      d = DType.I64;
    } else if (d == DType.BOOL && isRounding(op)) {
      throw new GradcException("\"" + op.mnemonic() + "_vml_cpu\" not implemented for 'Bool'");
    }
    Type t = d == x.dtype() ? x : x.withDtype(d);
    Typing.checkOperand(op, t);
    return t;
  }

  /** {@code floor}, {@code ceil}, {@code round} and {@code trunc}: identities on integers. */
  private static boolean isRounding(Op op) {
    return op == Op.FLOOR || op == Op.CEIL || op == Op.ROUND || op == Op.TRUNC;
  }

  public Value neg(Value x) {
    return unary(Op.NEG, x);
  }

  public Value exp(Value x) {
    return unary(Op.EXP, x);
  }

  public Value log(Value x) {
    return unary(Op.LOG, x);
  }

  public Value abs(Value x) {
    return unary(Op.ABS, x);
  }

  public Value square(Value x) {
    return unary(Op.SQUARE, x);
  }

  public Value detach(Value x) {
    return x instanceof Lit ? x : emit(Op.DETACH, null, x);
  }

  /** {@code where(cond, a, b)} with broadcasting; {@code cond} must be bool. */
  public Value where(Value cond, Value a, Value b) {
    if (cond.type().dtype() != DType.BOOL) {
      throw new GradcException(
          "where expected condition to be a boolean tensor, but got a tensor with dtype "
              + cond.type().dtype().scalarTypeName());
    }
    DType dt = promote(a, b);
    a = cast(a, dt);
    b = cast(b, dt);
    List<Dim> shape =
        Typing.broadcast(Typing.broadcast(dims(cond), dims(a), "where"), dims(b), "where");
    if (cond instanceof Lit) {
      return broadcastTo(((Lit) cond).value() != 0 ? a : b, shape);
    }
    cond = operand(cond, shape);
    a = operand(a, shape);
    b = operand(b, shape);
    return emit(Op.WHERE, new Type(dt, shape), cond, a, b);
  }

  /** {@code clamp(x, min, max)}; a null bound is absent. */
  public Value clamp(Value x, Value min, Value max) {
    if (min == null && max == null) {
      throw new GradcException("torch.clamp: At least one of 'min' or 'max' must not be None");
    }
    DType dt = promote(x, min, max);
    Value lo = min == null ? lit(Double.NEGATIVE_INFINITY, dt) : cast(min, dt);
    Value hi = max == null ? lit(Double.POSITIVE_INFINITY, dt) : cast(max, dt);
    x = cast(x, dt);
    List<Dim> shape =
        Typing.broadcast(Typing.broadcast(dims(x), dims(lo), "clamp"), dims(hi), "clamp");
    if (x instanceof Lit && lo instanceof Lit && hi instanceof Lit) {
      return lit(ScalarMath.clamp(((Lit) x).value(), ((Lit) lo).value(), ((Lit) hi).value()), dt);
    }
    x = operand(x, shape);
    lo = operand(lo, shape);
    hi = operand(hi, shape);
    return emit(Op.CLAMP, new Type(dt, shape), x, lo, hi);
  }

  // ---------------------------------------------------------------- reductions

  /** Normalizes one possibly negative dim against a rank (a scalar counts as rank 1). */
  public static int normalizeDim(int d, int rank) {
    int r = Math.max(rank, 1);
    if (d < -r || d >= r) {
      throw new GradcException(
          "Dimension out of range (expected to be in range of ["
              + (-r)
              + ", "
              + (r - 1)
              + "], but got "
              + d
              + ")");
    }
    return d < 0 ? d + r : d;
  }

  /** Sorted distinct non-negative dims; all dims become the empty list. */
  public static int[] normalizeDims(int[] ds, int rank) {
    int[] out = new int[ds.length];
    for (int i = 0; i < ds.length; i++) {
      out[i] = normalizeDim(ds[i], rank);
    }
    Arrays.sort(out);
    for (int i = 1; i < out.length; i++) {
      if (out[i] == out[i - 1]) {
        throw new GradcException("dim " + out[i] + " appears multiple times in the list of dims");
      }
    }
    return out.length == rank || rank == 0 ? NO_DIMS : out;
  }

  /** A reduction over {@code dims} (all dims when empty). */
  public Value reduce(Op op, Value x, int[] dims, boolean keepdim) {
    if (op.kind() != Op.Kind.REDUCTION) {
      throw new IllegalArgumentException(op.mnemonic() + " is not a reduction");
    }
    int[] nd = normalizeDims(dims, x.type().rank());
    if (x.type().isScalar()) {
      // Nothing to reduce, but the dtype is the reduction's: the sum of a bool is an i64.
      return x.type().dtype() == DType.BOOL && (op == Op.SUM || op == Op.PROD)
          ? cast(x, DType.I64)
          : !x.type().dtype().isFloat() && floatOnly(op) ? cast(x, DEFAULT_FLOAT) : x;
    }
    if (x.type().dtype() == DType.BOOL && (op == Op.AMAX || op == Op.AMIN)) {
      return cast(reduce(op, cast(x, DType.I64), dims, keepdim), DType.BOOL);
    }
    if (x.type().dtype() == DType.BOOL && (op == Op.SUM || op == Op.PROD)) {
      x = cast(x, DType.I64);
    } else if (!x.type().dtype().isFloat() && floatOnly(op)) {
      x = cast(x, DEFAULT_FLOAT);
    }
    return emit(op, null, new Value[] {x}, nd, keepdim);
  }

  public Value sum(Value x) {
    return reduce(Op.SUM, x, NO_DIMS, false);
  }

  public Value mean(Value x) {
    return reduce(Op.MEAN, x, NO_DIMS, false);
  }

  public Value sum(Value x, int[] dims, boolean keepdim) {
    return reduce(Op.SUM, x, dims, keepdim);
  }

  /** The element count of {@code x} over {@code dims} as a scalar of {@code dtype}. */
  public Value numel(Value x, int[] dims, DType dtype) {
    int[] nd = normalizeDims(dims, x.type().rank());
    boolean[] red = Typing.reducedMask(x.type().rank(), nd);
    List<Dim> counted = new ArrayList<>();
    for (int i = 0; i < red.length; i++) {
      if (red[i]) {
        counted.add(x.type().dim(i));
      }
    }
    Dim n = Type.product(counted);
    if (n != null && n.isStatic()) {
      return lit(n.size(), dtype);
    }
    return emit(Op.NUMEL, Type.scalar(dtype), new Value[] {x}, nd, false);
  }

  // ---------------------------------------------------------------- shape

  /** Reshape with PyTorch's {@code -1} for one inferred size. */
  public Value reshape(Value x, int... sizes) {
    List<Dim> out = new ArrayList<>();
    int infer = -1;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] == -1) {
        if (infer >= 0) {
          throw new GradcException("only one dimension can be inferred");
        }
        infer = i;
        out.add(Dim.of(1));
      } else if (sizes[i] < 0) {
        throw new GradcException("invalid shape dimension " + sizes[i]);
      } else {
        out.add(Dim.of(sizes[i]));
      }
    }
    Dim total = x.type().numel();
    if (infer >= 0) {
      Dim known = Type.product(out);
      Dim q = total == null ? null : divide(total, known);
      if (q == null) {
        throw new GradcException(
            "shape '" + Arrays.toString(sizes) + "' is invalid for input of size " + total);
      }
      out.set(infer, q);
    }
    if (total == null || !total.equals(Type.product(out))) {
      throw new GradcException(
          "shape '" + Arrays.toString(sizes) + "' is invalid for input of size " + total);
    }
    return reshape(x, out);
  }

  private static Dim divide(Dim a, Dim b) {
    if (b.factor() == 0 || a.factor() % b.factor() != 0) {
      return null;
    }
    int k = a.factor() / b.factor();
    if (b.symbol() == null) {
      return new Dim(k, a.symbol());
    }
    return b.symbol().equals(a.symbol()) ? Dim.of(k) : null;
  }

  /** Reshape to exact dims; chains of reshapes collapse. */
  public Value reshape(Value x, List<Dim> shape) {
    Type t = x.type().withDims(shape);
    if (t.equals(x.type())) {
      return x;
    }
    if (x instanceof Lit) {
      return broadcastTo(x, shape);
    }
    if (x instanceof Inst && isReshapeLike(((Inst) x).op())) {
      return reshape(((Inst) x).operand(0), shape);
    }
    return emit(Op.RESHAPE, t, x);
  }

  private static boolean isReshapeLike(Op op) {
    return op == Op.RESHAPE || op == Op.SQUEEZE || op == Op.UNSQUEEZE;
  }

  public Value transpose(Value x, int d0, int d1) {
    int r = x.type().rank();
    int a = normalizeDim(d0, r);
    int b = normalizeDim(d1, r);
    if (a == b || r < 2) {
      return x;
    }
    return emit(
        Op.TRANSPOSE, null, new Value[] {x}, new int[] {Math.min(a, b), Math.max(a, b)}, false);
  }

  /** Swaps the last two dims ({@code x.T} for a matrix, {@code mT} in general). */
  public Value transposeLast(Value x) {
    return x.type().rank() < 2 ? x : transpose(x, -2, -1);
  }

  public Value permute(Value x, int... order) {
    int r = x.type().rank();
    if (order.length != r) {
      // PyTorch 1.13's text, its internal name included
      throw new GradcException(
          "permute(sparse_coo): number of dimensions in the tensor input does not match the length"
              + " of the desired ordering of dimensions i.e. input.dim() = "
              + r
              + " is not equal to len(dims) = "
              + order.length);
    }
    int[] p = new int[order.length];
    boolean identity = true;
    boolean[] seen = new boolean[r];
    for (int i = 0; i < p.length; i++) {
      p[i] = normalizeDim(order[i], r);
      if (seen[p[i]]) {
        throw new GradcException("permute(): duplicate dims are not allowed.");
      }
      seen[p[i]] = true;
      identity &= p[i] == i;
    }
    if (identity && p.length == r) {
      return x;
    }
    return emit(Op.PERMUTE, null, new Value[] {x}, p, false);
  }

  public Value unsqueeze(Value x, int d) {
    int nd = normalizeDim(d, x.type().rank() + 1);
    if (x instanceof Lit) {
      return broadcastTo(x, List.of(Dim.of(1)));
    }
    return emit(Op.UNSQUEEZE, null, new Value[] {x}, new int[] {nd}, false);
  }

  /** Removes every dim of static size 1. */
  public Value squeeze(Value x) {
    List<Integer> ones = new ArrayList<>();
    for (int i = 0; i < x.type().rank(); i++) {
      if (x.type().dim(i).equals(Dim.of(1))) {
        ones.add(i);
      }
    }
    if (ones.isEmpty()) {
      return x;
    }
    int[] ds = ones.stream().mapToInt(Integer::intValue).toArray();
    return emit(Op.SQUEEZE, null, new Value[] {x}, ds, false);
  }

  /** Removes dim {@code d} if it has size 1; otherwise returns {@code x}, as PyTorch does. */
  public Value squeeze(Value x, int d) {
    if (x.type().isScalar()) {
      normalizeDim(d, 0);
      return x;
    }
    int nd = normalizeDim(d, x.type().rank());
    if (!x.type().dim(nd).equals(Dim.of(1))) {
      return x;
    }
    return emit(Op.SQUEEZE, null, new Value[] {x}, new int[] {nd}, false);
  }

  /** PyTorch's {@code expand}: {@code -1} keeps a size; new dims go in front. */
  public Value expand(Value x, int... sizes) {
    int off = sizes.length - x.type().rank();
    if (off < 0) {
      throw new GradcException(
          "expand: the number of sizes provided ("
              + sizes.length
              + ") must be greater or equal to the number of dimensions in the tensor ("
              + x.type().rank()
              + ")");
    }
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] == -1) {
        if (i < off) {
          throw new GradcException(
              "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing"
                  + " dimension "
                  + i);
        }
        out.add(x.type().dim(i - off));
      } else {
        out.add(Dim.of(sizes[i]));
      }
    }
    return expand(x, out);
  }

  public Value expand(Value x, List<Dim> shape) {
    if (dims(x).equals(shape)) {
      return x;
    }
    Typing.checkBroadcastTo(dims(x), shape);
    return emit(Op.EXPAND, x.type().withDims(shape), x);
  }

  /** An explicit broadcast: a value of exactly {@code shape}, literals included. */
  public Value broadcastTo(Value x, List<Dim> shape) {
    if (dims(x).equals(shape)) {
      return x;
    }
    if (x instanceof Inst && ((Inst) x).op() == Op.BROADCAST) {
      return broadcastTo(((Inst) x).operand(0), shape);
    }
    return emit(Op.BROADCAST, x.type().withDims(shape), x);
  }

  /** An operand of an elementwise op of {@code shape}: literals stay inline scalars. */
  private Value operand(Value x, List<Dim> shape) {
    return x instanceof Lit ? x : broadcastTo(x, shape);
  }

  /** A literal as a tensor of {@code type}: {@code broadcast 0.25}. */
  public Value full(double v, Type type) {
    return broadcastTo(lit(v, type.dtype()), type.dims());
  }

  /** Sums {@code x} down to {@code shape}, which must broadcast to its shape. */
  public Value sumTo(Value x, List<Dim> shape) {
    if (dims(x).equals(shape)) {
      return x;
    }
    if (x instanceof Lit) {
      throw new IllegalArgumentException("sum_to of a literal");
    }
    return emit(Op.SUM_TO, x.type().withDims(shape), x);
  }

  /**
   * {@code x[..., start:start + step * length:step, ...]} along {@code dim} (negative from the
   * end); {@code start} and every element read in range of a static dim and {@code step} not 0
   * (negative: backwards), as {@link Typing} checks. A slice of a slice along the same dim is one
   * slice; a slice of everything is {@code x}; a slice that reads exactly the elements a {@code
   * slice_backward} placed is its operand, and a slice of a {@code where} whose condition is a
   * block of trues placed by {@code slice_backward} (as {@code cat} picks its parts, and its
   * gradient splits them) is the slice of the branch that block picks at every element read.
   */
  public Value slice(Value x, int dim, int start, int step, int length) {
    int d = normalizeDim(dim, x.type().rank());
    if (start == 0 && step == 1 && x.type().dim(d).equals(Dim.of(length))) {
      return x;
    }
    List<Dim> out = new ArrayList<>(dims(x));
    out.set(d, Dim.of(length));
    if (x instanceof Inst sb && sb.op() == Op.SLICE_BACKWARD && sb.dim(0) == d) {
      if (sb.dim(1) == start && sb.dim(2) == step && dims(sb.operand(0)).equals(out)) {
        return sb.operand(0);
      }
      if (placedRead(sb, start, step, length) == 0) {
        return full(0, x.type().withDims(out));
      }
    }
    Value picked = pickedBranch(x, d, start, step, length);
    if (picked != null) {
      return picked instanceof Lit lit
          ? full(lit.value(), x.type().withDims(out))
          : slice(picked, d, start, step, length);
    }
    Value base = x;
    int st = start;
    int sp = step;
    if (x instanceof Inst in && in.op() == Op.SLICE && in.dim(0) == d) {
      base = in.operand(0);
      st = in.dim(1) + in.dim(2) * start;
      sp = in.dim(2) * step;
    }
    return emit(Op.SLICE, x.type().withDims(out), new Value[] {base}, new int[] {d, st, sp}, false);
  }

  /**
   * The branch of {@code x = where(cond, a, b)} that a slice of {@code x} along {@code d} reads at
   * every element, when {@code cond} is {@code slice_backward} of all trues along {@code d}: {@code
   * a} when every element read is inside the placed block, {@code b} when none is; null otherwise,
   * and for a branch that is broadcast.
   */
  private static Value pickedBranch(Value x, int d, int start, int step, int length) {
    if (!(x instanceof Inst in)
        || in.op() != Op.WHERE
        || !(in.operand(0) instanceof Inst mask)
        || mask.op() != Op.SLICE_BACKWARD
        || mask.dim(0) != d
        || !allTrue(mask.operand(0))) {
      return null;
    }
    int inside = placedRead(mask, start, step, length);
    Value branch = inside == length ? in.operand(1) : inside == 0 ? in.operand(2) : null;
    return branch == null || branch instanceof Lit || dims(branch).equals(dims(x)) ? branch : null;
  }

  /**
   * How many of the elements a slice reads {@code sb}, a {@code slice_backward} along the slice's
   * dim, placed its operand's elements at; -1 when that operand's length is symbolic.
   */
  private static int placedRead(Inst sb, int start, int step, int length) {
    Dim placed = dims(sb.operand(0)).get(sb.dim(0));
    if (!placed.isStatic()) {
      return -1;
    }
    int inside = 0;
    for (int i = 0; i < length; i++) {
      long offset = (long) start + (long) step * i - sb.dim(1);
      long k = offset / sb.dim(2);
      if (offset % sb.dim(2) == 0 && k >= 0 && k < placed.size()) {
        inside++;
      }
    }
    return inside;
  }

  /** A literal true, or one broadcast. */
  private static boolean allTrue(Value v) {
    Value s = v instanceof Inst in && in.op() == Op.BROADCAST ? in.operand(0) : v;
    return s instanceof Lit lit && lit.value() != 0;
  }

  /**
   * The adjoint of {@link #slice}: zeros of {@code whole} holding {@code g} at the elements that
   * slice reads.
   */
  public Value sliceBackward(Value g, List<Dim> whole, int dim, int start, int step) {
    int d = normalizeDim(dim, whole.size());
    if (start == 0 && step == 1 && whole.equals(dims(g))) {
      return g;
    }
    if (g instanceof Lit) {
      // A literal has no length along dim; reverse mode passes literal zeros only.
      if (((Lit) g).value() != 0) {
        throw new IllegalArgumentException("slice_backward of a non-zero literal");
      }
      return full(0, g.type().withDims(whole));
    }
    return emit(
        Op.SLICE_BACKWARD,
        g.type().withDims(whole),
        new Value[] {g},
        new int[] {d, start, step},
        false);
  }

  /**
   * {@code x.gather(dim, index)}: the elements of {@code x} that the i64 {@code index} names along
   * {@code dim} (negative from the end), in the index's shape. Indices are not wrapped: a negative
   * one is out of range, as PyTorch's.
   */
  public Value gather(Value x, int dim, Value index) {
    int d = normalizeDim(dim, Math.max(1, x.type().rank()));
    if (x instanceof Lit lit && index.type().rank() == 0) {
      // A literal has no dims to read out of range along; only its value is read.
      return full(lit.value(), new Type(x.type().dtype(), List.of()));
    }
    return emit(Op.GATHER, null, new Value[] {x, index}, new int[] {d}, false);
  }

  /**
   * {@code self.scatter_add(dim, index, src)}, out of place: {@code self} with {@code src} added at
   * the places {@code index} (of {@code src}'s shape) names along {@code dim}, in index order.
   */
  public Value scatterAdd(Value self, int dim, Value index, Value src) {
    return scatterInto(Op.SCATTER_ADD, self, dim, index, src);
  }

  /**
   * {@code self.scatter(dim, index, src)}, out of place: {@code self} with {@code src}'s elements
   * written at the places {@code index} (of {@code src}'s shape) names along {@code dim}, in index
   * order.
   */
  public Value scatter(Value self, int dim, Value index, Value src) {
    return scatterInto(Op.SCATTER, self, dim, index, src);
  }

  /** {@code scatter_add} or {@code scatter}; literal operands become tensors of their shapes. */
  private Value scatterInto(Op op, Value self, int dim, Value index, Value src) {
    int d = normalizeDim(dim, Math.max(1, self.type().rank()));
    if (self.type().rank() == 0
        && index.type().rank() == 0
        && (self instanceof Lit || src instanceof Lit)) {
      // 0-d: the one element, where the op this is the adjoint of checked the index
      return op == Op.SCATTER_ADD ? add(self, src) : src;
    }
    Value base = self instanceof Lit lit ? full(lit.value(), self.type()) : self;
    Value s =
        src instanceof Lit lit
            ? full(lit.value(), index.type().withDtype(src.type().dtype()))
            : src;
    return emit(op, null, new Value[] {base, index, s}, new int[] {d}, false);
  }

  // ---------------------------------------------------------------- contraction and others

  /**
   * {@code a @ b} in the operands' common dtype: f32, f64 or i64 (integer products and sums that
   * wrap, as PyTorch's int64); bool is refused by typing, as PyTorch refuses it.
   */
  public Value matmul(Value a, Value b) {
    DType dt = promote(a, b);
    return emit(Op.MATMUL, null, cast(a, dt), cast(b, dt));
  }

  /**
   * {@code part} ({@link Svd#VALUES}, {@link Svd#U} or {@link Svd#VH}) of the reduced singular
   * value decomposition of each matrix of the last two dims of the float {@code x}.
   */
  public Value svd(Value x, int part) {
    return emit(Op.SVD, null, new Value[] {x}, new int[] {part}, false);
  }

  /**
   * A cumulative op along {@code dim}, from the last element with {@code reverse}: sums and
   * products of integers and bools in i64, {@code logcumsumexp} of them in the default float,
   * {@code cummax} and {@code cummin} of bools as bools. A scalar is its own scan (its index 0).
   */
  public Value scan(Op op, Value x, int dim, boolean reverse) {
    Op.Scan s = op.scan();
    if (s == null) {
      throw new IllegalArgumentException(op.mnemonic() + " is not cumulative");
    }
    int d = normalizeDim(dim, x.type().rank());
    DType dt = x.type().dtype();
    boolean bool = dt == DType.BOOL;
    if (s == Op.Scan.LOG_SUM_EXP && !dt.isFloat()) {
      x = cast(x, DEFAULT_FLOAT);
    } else if (!dt.isFloat()) {
      x = cast(x, DType.I64);
    }
    Value r;
    if (x.type().isScalar()) {
      r = s.isIndex() ? lit(0, DType.I64) : x;
    } else {
      r = emit(op, null, new Value[] {x}, new int[] {d, reverse ? 1 : 0}, false);
    }
    boolean keepsBool = bool && (s == Op.Scan.MAX || s == Op.Scan.MIN);
    return keepsBool ? cast(r, DType.BOOL) : r;
  }

  /**
   * The positions of each lane along {@code dim} in the order PyTorch's CPU {@code topk} ({@link
   * Op#TOPK_ORDER}) or {@code kthvalue} ({@link Op#KTHVALUE_ORDER}) leaves them; integers and bools
   * compare as i64.
   */
  public Value order(Op op, Value x, int dim, boolean largest, int k, boolean sorted) {
    int d = normalizeDim(dim, x.type().rank());
    if (!x.type().dtype().isFloat()) {
      x = cast(x, DType.I64);
    }
    int[] dims =
        op == Op.TOPK_ORDER
            ? new int[] {d, largest ? 1 : 0, k, sorted ? 1 : 0}
            : new int[] {d, 0, k};
    return emit(op, null, new Value[] {x}, dims, false);
  }

  public Value softmax(Value x, int dim) {
    return normalize(Op.SOFTMAX, x, dim);
  }

  public Value logSoftmax(Value x, int dim) {
    return normalize(Op.LOG_SOFTMAX, x, dim);
  }

  private Value normalize(Op op, Value x, int dim) {
    if (!x.type().dtype().isFloat()) {
      x = cast(x, DEFAULT_FLOAT);
    }
    if (x instanceof Lit) {
      return lit(op == Op.SOFTMAX ? 1 : 0, x.type().dtype());
    }
    int d = normalizeDim(dim, x.type().rank());
    return emit(op, null, new Value[] {x}, new int[] {d}, false);
  }

  public Value oneHot(Value indices, int classes) {
    if (indices.type().dtype() != DType.I64) {
      throw new GradcException("one_hot is only applicable to index tensor.");
    }
    if (classes <= 0) {
      throw new GradcException("one_hot needs a positive number of classes, got " + classes);
    }
    List<Dim> out = new ArrayList<>(dims(indices));
    out.add(Dim.of(classes));
    return emit(Op.ONE_HOT, new Type(DType.I64, out), indices);
  }

  // ---------------------------------------------------------------- losses (mean reduction)

  private List<Dim> lossShape(String fn, Value a, Value b) {
    return Typing.broadcast(dims(a), dims(b), fn);
  }

  /** {@code mean((a - b)^2)}. */
  public Value mseLoss(Value input, Value target) {
    return mseLoss(input, target, Reduction.MEAN);
  }

  /** How a loss reduces its elements, as PyTorch's {@code reduction=} option. */
  public enum Reduction {
    NONE,
    MEAN,
    SUM;

    /** {@code "mean"}, as PyTorch spells it. */
    public String keyword() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The elements of a loss reduced as {@code r} says. */
  private Value reduce(Value elements, Reduction r) {
    return switch (r) {
      case NONE -> elements;
      case MEAN -> mean(elements);
      case SUM -> sum(elements);
    };
  }

  /** {@code (a - b)^2}, reduced as {@code r} says. */
  public Value mseLoss(Value input, Value target, Reduction r) {
    lossShape("mse_loss", input, target);
    return reduce(square(sub(input, target)), r);
  }

  /** {@code mean(|a - b|)}. */
  public Value l1Loss(Value input, Value target) {
    return l1Loss(input, target, Reduction.MEAN);
  }

  /** {@code |a - b|}, reduced as {@code r} says. */
  public Value l1Loss(Value input, Value target, Reduction r) {
    lossShape("l1_loss", input, target);
    return reduce(abs(sub(input, target)), r);
  }

  /** Huber loss: {@code 0.5 d^2} below {@code delta}, {@code delta (|d| - delta/2)} above. */
  public Value huberLoss(Value input, Value target, double delta) {
    return huberLoss(input, target, delta, Reduction.MEAN);
  }

  /** {@link #huberLoss(Value, Value, double)} reduced as {@code r} says. */
  public Value huberLoss(Value input, Value target, double delta, Reduction r) {
    return Losses.huberLoss(this, input, target, delta, r);
  }

  /**
   * Binary cross entropy with logits, in PyTorch's stable form {@code (1 - y) x + m + log(exp(-m) +
   * exp(-x - m))} with {@code m = max(-x, 0)}, whose gradient is exact at {@code x = 0} too.
   */
  public Value binaryCrossEntropyWithLogits(Value x, Value y) {
    return binaryCrossEntropyWithLogits(x, y, Reduction.MEAN);
  }

  /** {@link #binaryCrossEntropyWithLogits(Value, Value)} reduced as {@code r} says. */
  public Value binaryCrossEntropyWithLogits(Value x, Value y, Reduction r) {
    return Losses.binaryCrossEntropyWithLogits(this, x, y, null, null, r);
  }

  /**
   * Cross entropy of logits {@code [C]} or {@code [N, C]} against i64 class indices ({@code []} or
   * {@code [N]}) or class probabilities of the logits' shape, through {@code log_softmax}.
   */
  public Value crossEntropy(Value logits, Value target) {
    return crossEntropy(logits, target, Reduction.MEAN);
  }

  /**
   * {@link #crossEntropy(Value, Value)} reduced over the batch as {@code r} says ({@code NONE}: one
   * loss per sample).
   */
  public Value crossEntropy(Value logits, Value target, Reduction r) {
    return Losses.crossEntropy(this, logits, target, null, Losses.IGNORE_INDEX, r, 0);
  }
}
