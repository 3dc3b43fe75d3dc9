package dev.gradc.ir.testing;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Role;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random functions for differential testing: each is a valid {@link Func} with a scalar
 * float result (so {@code Autodiff.vjp} applies), built with the {@link Builder}'s
 * PyTorch-semantics ops. Over a few hundred seeds the functions cover every op, broadcasting,
 * reductions over random dims with and without keepdim, every form of matmul, f32 and f64, symbolic
 * dims, and functions with and without {@code param}s. Some instructions are emitted unfolded
 * ({@code mul x, 1.0}, broadcast literals, {@code log(sum(exp(x)))}), so that the optimization
 * passes have work to do.
 *
 * <p>Values stay finite: magnitudes are tracked per value and squashed with {@code tanh} before an
 * op could overflow, and the operands of ops with a restricted domain are either guarded ({@code
 * sigmoid(v) + 0.5} for {@code log}) or parameters, whose values {@link #inputs} then draws from
 * the domain.
 *
 * <pre>
 * Func f = RandomFuncs.generate(seed);
 * List&lt;NdArray&gt; args = RandomFuncs.inputs(f, seed);
 * ... assertEquals(expected, actual, RandomFuncs.describe(seed, f));
 * </pre>
 */
public final class RandomFuncs {
  private RandomFuncs() {}

  /**
   * What to generate: about {@code steps} ops; {@code f32} allows f32 values; {@code kinks} allows
   * ops with kinks, ties or zero gradients ({@code abs}, {@code maximum}, comparisons, {@code
   * detach}, ...); {@code symbolic} allows a symbolic dim {@code N}.
   */
  public record Options(int steps, boolean f32, boolean kinks, boolean symbolic) {
    /** Everything, as used for differential tests. */
    public static final Options ALL = new Options(12, true, true, true);

    /** Smooth f64 functions without kinks or ties, whose gradients finite differences can check. */
    public static final Options SMOOTH_F64 = new Options(10, false, false, true);
  }

  /** A random function with {@link Options#ALL}. */
  public static Func generate(long seed) {
    return generate(seed, Options.ALL);
  }

  public static Func generate(long seed, Options options) {
    return new Generator(seed, options).run();
  }

  /** What a failure message should print: the seed and the function. */
  public static String describe(long seed, Func f) {
    return "seed " + seed + ":\n" + Printer.print(f);
  }

  // ---------------------------------------------------------------- inputs

  /** Where a parameter's values may lie, from the ops that read it. */
  private static final double RANGE = 1.5;

  /**
   * Arguments for {@code f} drawn from {@code seed}: each symbol bound to a size in 1..4; float
   * values in {@code [-1.5, 1.5]}, narrowed to {@code [0.5, 1.5]} for parameters that reach the
   * operand of {@code log}, {@code log2}, {@code log10}, {@code sqrt}, {@code rsqrt}, {@code
   * log1p}, {@code reciprocal}, a {@code div} denominator or a {@code pow} base, and to {@code [-1,
   * 1]} for {@code tan}, through ops that pass values unchanged (shape ops, casts, detach); i64
   * indices in the class range of the {@code one_hot}s they feed (else -3..3); random booleans.
   * Works for any function, not only generated ones.
   */
  public static List<NdArray> inputs(Func f, long seed) {
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Map<String, Integer> sizes = new HashMap<>();
    for (Param p : f.params()) {
      for (Dim d : p.type().dims()) {
        if (d.symbol() != null && !sizes.containsKey(d.symbol())) {
          sizes.put(d.symbol(), 1 + rng.nextInt(4));
        }
      }
    }
    double[][] range = ranges(f);
    List<NdArray> out = new ArrayList<>();
    for (Param p : f.params()) {
      int[] shape = p.type().shape(sizes);
      DType dt = p.type().dtype();
      double[] r = range[p.id()];
      Domain d = dt == DType.BOOL ? Domain.BOOL : new Domain(r[0], r[1], 0);
      out.add(NdArray.of(dt, shape, d.sample(rng, dt, NdArray.numel(shape))));
    }
    return out;
  }

  /** The value range of each parameter, indexed by id, from the ops its values reach. */
  private static double[][] ranges(Func f) {
    double[][] range = new double[f.params().size()][];
    for (Param p : f.params()) {
      range[p.id()] =
          p.type().dtype() == DType.I64 ? new double[] {-3, 3} : new double[] {-RANGE, RANGE};
    }
    // source[id]: the parameter whose values the value carries unchanged, or -1.
    int[] source = new int[f.valueCount()];
    java.util.Arrays.fill(source, -1);
    for (Param p : f.params()) {
      source[p.id()] = p.id();
    }
    boolean[] indexSeen = new boolean[f.params().size()];
    for (Inst inst : f.insts()) {
      int s = inst.operand(0) instanceof Lit ? -1 : source[inst.operand(0).id()];
      if (inst.op().isView() || inst.op() == Op.CAST || inst.op() == Op.DETACH) {
        source[inst.id()] = s;
      }
      int k = domainOperand(inst.op());
      if (k >= 0 && !(inst.operand(k) instanceof Lit) && source[inst.operand(k).id()] >= 0) {
        double[] r = range[source[inst.operand(k).id()]];
        boolean unit = inst.op() == Op.TAN;
        r[0] = Math.max(r[0], unit ? -1 : 0.5);
        r[1] = Math.min(r[1], unit ? 1 : RANGE);
      }
      int classes = indexLimit(inst);
      Value idx = inst.operand(inst.op() == Op.ONE_HOT ? 0 : Math.min(1, inst.arity() - 1));
      int is = idx instanceof Lit ? -1 : source[idx.id()];
      if (classes > 0 && is >= 0) {
        double[] r = range[is];
        r[0] = 0;
        r[1] = indexSeen[is] ? Math.min(r[1], classes - 1) : classes - 1;
        indexSeen[is] = true;
      }
    }
    return range;
  }

  /**
   * How many values the index operand of {@code inst} may take (its values are {@code 0} to one
   * less), or 0 when it has none.
   */
  private static int indexLimit(Inst inst) {
    return switch (inst.op()) {
      case ONE_HOT -> inst.type().dim(inst.type().rank() - 1).size();
      case GATHER, SCATTER_ADD, SCATTER -> {
        Type x = inst.operand(0).type();
        yield x.rank() == 0 ? 1 : x.dim(inst.dim(0)).size();
      }
      default -> 0;
    };
  }

  /** The operand that must lie in a restricted domain, or -1. */
  private static int domainOperand(Op op) {
    return switch (op) {
      case LOG, LOG1P, LOG2, LOG10, SQRT, RSQRT, RECIPROCAL, TAN, POW -> 0;
      case DIV, REMAINDER, FMOD, XLOGY, XLOG1PY -> 1;
      default -> -1;
    };
  }

  // ---------------------------------------------------------------- generation

  private static final class Generator {
    private static final int[] SIZES = {1, 2, 3, 4};
    private static final double[] LITERALS = {2.0, 0.5, -1.0, 1.0, 0.0, -0.0, 3.0, -1.5};

    private final SplittableRandom rng;
    private final Options o;
    private final Builder b;
    private final DType main;
    private final DType other;
    private final boolean symbolic;
    private final List<Value> floats = new ArrayList<>();
    private final List<Value> bools = new ArrayList<>();
    private final Map<Value, Double> bound = new IdentityHashMap<>();
    private final Map<Value, Boolean> used = new IdentityHashMap<>();
    private Param index;

    Generator(long seed, Options o) {
      this.rng = new SplittableRandom(seed);
      this.o = o;
      this.b = new Builder("random" + Long.toUnsignedString(seed));
      this.main = o.f32() && rng.nextBoolean() ? DType.F32 : DType.F64;
      this.other = o.f32() ? (main == DType.F32 ? DType.F64 : DType.F32) : main;
      this.symbolic = o.symbolic() && rng.nextInt(4) == 0;
    }

    Func run() {
      declareParams();
      int steps = 2 + rng.nextInt(o.steps());
      Op[] ops = Op.values();
      for (int n = 0; n < steps; n++) {
        for (int attempt = 0; attempt < 20; attempt++) {
          int before = b.size();
          Value v = build(ops[rng.nextInt(ops.length)]);
          if (v != null && b.size() > before) {
            break;
          }
        }
      }
      b.ret(result());
      return b.build();
    }

    private void declareParams() {
      boolean anyGrad = rng.nextInt(10) != 0;
      int n = 1 + rng.nextInt(4);
      for (int i = 0; i < n; i++) {
        DType dt = rng.nextInt(6) == 0 ? other : main;
        Type t = new Type(dt, randomDims(rng.nextInt(4)));
        Role role = anyGrad && (i == 0 || rng.nextInt(4) != 0) ? Role.PARAM : Role.INPUT;
        floats.add(track(b.addParam("x" + i, t, role), RANGE));
      }
      if (rng.nextInt(3) == 0) {
        index = b.input("idx", new Type(DType.I64, randomDims(rng.nextInt(3))));
      }
      if (o.kinks() && rng.nextInt(4) == 0) {
        bools.add(b.input("mask", new Type(DType.BOOL, randomDims(rng.nextInt(3)))));
      }
    }

    private List<Dim> randomDims(int rank) {
      List<Dim> ds = new ArrayList<>();
      for (int i = 0; i < rank; i++) {
        ds.add(symbolic && rng.nextInt(3) == 0 ? Dim.sym("N") : Dim.of(pickSize()));
      }
      return ds;
    }

    private int pickSize() {
      return SIZES[rng.nextInt(SIZES.length)];
    }

    // ------------------------------------------------------------ bookkeeping

    private Value track(Value v, double bnd) {
      if (!bound.containsKey(v)) {
        bound.put(v, bnd);
      }
      return v;
    }

    private double bnd(Value v) {
      return v instanceof Lit ? Math.abs(((Lit) v).value()) : bound.getOrDefault(v, 1e9);
    }

    /** A new float value for the pool. */
    private Value add(Value v, double bnd) {
      track(v, bnd);
      floats.add(v);
      return v;
    }

    /** A float value, biased towards recent ones so that chains form. */
    private Value pick() {
      int back = Math.min(floats.size() - 1, (int) (-Math.log(1 - rng.nextDouble()) * 2));
      Value v = floats.get(floats.size() - 1 - back);
      used.put(v, true);
      return v;
    }

    private Value pick(java.util.function.Predicate<Value> ok) {
      List<Value> cands = new ArrayList<>();
      for (Value v : floats) {
        if (ok.test(v)) {
          cands.add(v);
        }
      }
      if (cands.isEmpty()) {
        return null;
      }
      Value v = cands.get(cands.size() - 1 - rng.nextInt(Math.min(cands.size(), 4)));
      used.put(v, true);
      return v;
    }

    /** {@code v}, squashed by {@code tanh} when its magnitude could exceed {@code limit}. */
    private Value within(Value v, double limit) {
      if (bnd(v) <= limit) {
        return v;
      }
      return track(b.unary(Op.TANH, v), 1);
    }

    /** A value in [0.5, 1.5]-ish: a parameter as is (inputs() restricts it) or a guard. */
    private Value positive(Value v) {
      if (v instanceof Param && rng.nextBoolean()) {
        return v;
      }
      int kinds = o.kinks() ? 4 : 3;
      return switch (rng.nextInt(kinds)) {
        case 0 -> track(b.add(b.unary(Op.SIGMOID, v), 0.5), 1.5);
        case 1 -> {
          Value s = within(v, 3);
          yield track(b.add(b.square(s), 0.5), bnd(s) * bnd(s) + 0.5);
        }
        case 2 -> track(b.exp(b.unary(Op.TANH, v)), Math.E);
        default -> track(b.add(b.abs(v), 0.5), bnd(v) + 0.5);
      };
    }

    private static boolean broadcastable(List<Dim> a, List<Dim> c) {
      for (int i = 1; i <= Math.min(a.size(), c.size()); i++) {
        Dim x = a.get(a.size() - i);
        Dim y = c.get(c.size() - i);
        if (!x.equals(y) && !x.equals(Dim.of(1)) && !y.equals(Dim.of(1))) {
          return false;
        }
      }
      return true;
    }

    /** A second operand for {@code a}: a literal, or a value whose shape broadcasts with it. */
    private Value partner(Value a, double limit) {
      if (rng.nextInt(4) == 0) {
        return Builder.lit(LITERALS[rng.nextInt(LITERALS.length)], DType.F64);
      }
      Value c = pick(v -> broadcastable(v.type().dims(), a.type().dims()));
      return within(c == null ? a : c, limit);
    }

    /** A value of exactly {@code dims}, made from the pool. */
    private Value shaped(List<Dim> dims) {
      Value exact = pick(v -> v.type().dims().equals(dims));
      if (exact != null && rng.nextInt(3) != 0) {
        return exact;
      }
      Value small = pick(v -> canBroadcastTo(v.type().dims(), dims));
      if (small != null && rng.nextBoolean()) {
        return track(b.broadcastTo(small, dims), bnd(small));
      }
      Dim n = Type.product(dims);
      Value same = pick(v -> n != null && n.equals(v.type().numel()));
      if (same != null) {
        return track(b.reshape(same, dims), bnd(same));
      }
      Value any = pick();
      return track(b.broadcastTo(b.mean(any), dims), bnd(any));
    }

    private static boolean canBroadcastTo(List<Dim> from, List<Dim> to) {
      if (from.size() > to.size()) {
        return false;
      }
      int off = to.size() - from.size();
      for (int i = 0; i < from.size(); i++) {
        if (!from.get(i).equals(to.get(i + off)) && !from.get(i).equals(Dim.of(1))) {
          return false;
        }
      }
      return true;
    }

    /** A float value; raw means emitted as is, without the builder's folding. */
    private Value binaryOf(Op op, Value a, Value c, boolean raw) {
      if (raw && c instanceof Lit && a.type().dtype().isFloat()) {
        Value lit = Builder.lit(((Lit) c).value(), a.type().dtype());
        Value operand = rng.nextBoolean() ? lit : b.full(((Lit) c).value(), a.type());
        return b.emit(op, null, new Value[] {a, operand}, new int[0], false);
      }
      return b.binary(op, a, c);
    }

    // ------------------------------------------------------------ one op each

    private Value build(Op op) {
      boolean k = o.kinks();
      return switch (op) {
        case ADD, SUB -> arith(op, 1e4);
        case MUL -> arith(op, 30);
        case MAXIMUM, MINIMUM -> k ? arith(op, 1e4) : null;
        case HYPOT, LOGADDEXP, LOGADDEXP2 -> arith(op, 1e4);
        case ATAN2, COPYSIGN -> k ? arith(op, 1e4) : null;
        case REMAINDER, FMOD -> k ? modulo(op) : null;
        case XLOGY, XLOG1PY -> xlogy(op);
        case DIV -> div();
        case POW -> pow();
        case LT, LE, GT, GE, EQ, NE -> k ? compare(op) : null;
        case WHERE -> k ? where() : null;
        case CLAMP -> k ? clamp() : null;
        case NEG, SIN, COS, TANH, SIGMOID, SOFTPLUS, ERF, ERFC, SINC, ASINH, ATAN -> unary(op, 1e4);
        case EXP, EXPM1, EXP2, SINH, COSH -> unary(op, 3);
        case FLOOR, CEIL, ROUND, TRUNC -> k ? unary(op, 1e4) : null;
        case ACOSH -> acosh();
        case ATANH, ASIN, ACOS, ERFINV -> inUnit(op);
        case LGAMMA, DIGAMMA, POLYGAMMA -> gamma(op);
        case SQUARE -> unary(op, 30);
        case ABS, SIGN, RELU -> k ? unary(op, 1e4) : null;
        case LOG -> log();
        case LOG1P, SQRT, RSQRT, RECIPROCAL, LOG2, LOG10 -> guarded(op);
        case TAN -> tan();
        case DETACH -> k ? add(b.detach(pick()), 1e4) : null;
        case CAST -> cast();
        case SUM, MEAN, LOGSUMEXP, PROD -> reduce(op);
        case AMAX, AMIN -> k ? reduce(op) : null;
        case RESHAPE -> reshape();
        case TRANSPOSE -> transpose();
        case PERMUTE -> permute();
        case UNSQUEEZE -> unsqueeze();
        case SQUEEZE -> squeeze();
        case EXPAND, BROADCAST -> expand(op);
        case SUM_TO -> sumTo();
        case MATMUL -> matmul();
        case SVD -> k ? svdvals() : null;
        case SOFTMAX, LOG_SOFTMAX -> normalize(op);
        case SLICE -> slice();
        case SLICE_BACKWARD -> sliceBackward();
        case GATHER -> gather();
        case SCATTER_ADD -> scatterAdd(false);
        case SCATTER -> scatterAdd(true);
        case ONE_HOT -> oneHot();
        case NUMEL -> numel();
        case CUMSUM, CUMPROD, LOGCUMSUMEXP -> scan(op);
        case CUMMAX, CUMMIN -> k ? scan(op) : null;
        case CUMMAX_INDICES, CUMMIN_INDICES -> k ? scanIndices(op) : null;
        case ARGSORT -> k ? sorted() : null;
        case TOPK_ORDER, KTHVALUE_ORDER -> k ? selected(op) : null;
      };
    }

    /** A cumulative op along a static dim (a product of factors within 1 stays within 1). */
    private Value scan(Op op) {
      Value x = pick(v -> staticDim(v) >= 0);
      if (x == null) {
        return null;
      }
      int d = staticDim(x);
      int n = x.type().dim(d).size();
      boolean reverse = op != Op.CUMMAX && op != Op.CUMMIN && rng.nextBoolean();
      double bx = bnd(x);
      if (op == Op.CUMPROD) {
        x = within(x, 1);
        bx = Math.min(bnd(x), 1);
      } else if (op == Op.LOGCUMSUMEXP) {
        x = within(x, 100);
        bx = bnd(x) + Math.log(n);
      } else if (op == Op.CUMSUM) {
        bx *= n;
      }
      return add(b.scan(op, x, d, reverse), bx);
    }

    /** The indices of a running extreme, as float weights. */
    private Value scanIndices(Op op) {
      Value x = pick(v -> staticDim(v) >= 0);
      if (x == null) {
        return null;
      }
      int d = staticDim(x);
      Value i = b.cast(b.scan(op, x, d, false), main);
      return add(i, x.type().dim(d).size());
    }

    /** A lane sorted along a static dim, either way: its values gathered by {@code argsort}. */
    private Value sorted() {
      Value x = pick(v -> staticDim(v) >= 0);
      if (x == null) {
        return null;
      }
      int d = staticDim(x);
      return add(b.gather(x, d, b.scan(Op.ARGSORT, x, d, rng.nextBoolean())), bnd(x));
    }

    /** The first {@code k} of a lane in {@code topk}'s order, or its {@code kthvalue}. */
    private Value selected(Op op) {
      Value x = pick(v -> staticDim(v) > 0);
      if (x == null) {
        return null;
      }
      int d = staticDim(x);
      int n = x.type().dim(d).size();
      int k = 1 + rng.nextInt(n);
      boolean top = op == Op.TOPK_ORDER;
      Value order = b.order(op, x, d, rng.nextBoolean(), k, rng.nextBoolean());
      Value idx = top ? b.slice(order, d, 0, 1, k) : b.slice(order, d, k - 1, 1, 1);
      return add(b.gather(x, d, idx), bnd(x));
    }

    private Value arith(Op op, double limit) {
      Value a = within(pick(), limit);
      Value c = partner(a, limit);
      Value r = binaryOf(op, a, c, rng.nextInt(3) == 0);
      double bnd = op == Op.MUL ? bnd(a) * bnd(c) : bnd(a) + bnd(c);
      return add(r, bnd);
    }

    /** {@code a % d} with a divisor in [0.5, 1.5]-ish; the value jumps, so only with kinks. */
    private Value modulo(Op op) {
      Value a = within(pick(), 1e4);
      Value d = positive(pick(v -> broadcastable(v.type().dims(), a.type().dims())));
      return add(b.binary(op, a, d), bnd(d));
    }

    /** {@code xlogy(a, y)}, {@code xlog1py(a, y)} with a positive {@code y}. */
    private Value xlogy(Op op) {
      Value a = within(pick(), 1e4);
      Value y = positive(pick(v -> broadcastable(v.type().dims(), a.type().dims())));
      return add(b.binary(op, a, y), bnd(a) * (Math.log(bnd(y) + 1) + 1));
    }

    private Value div() {
      Value a = within(pick(), 1e4);
      Value d = positive(pick(v -> broadcastable(v.type().dims(), a.type().dims())));
      return add(b.div(a, d), bnd(a) * 2);
    }

    private Value pow() {
      Value base = positive(pick());
      double bb = Math.max(bnd(base), 2);
      if (rng.nextBoolean()) {
        double e = new double[] {2, 3, 0.5, -1, 1}[rng.nextInt(5)];
        return add(
            binaryOf(Op.POW, base, Builder.lit(e, DType.F64), rng.nextBoolean()), bb * bb * bb);
      }
      Value e = pick(v -> broadcastable(v.type().dims(), base.type().dims()));
      Value e2 = track(b.mul(b.unary(Op.TANH, e), 2.0), 2);
      return add(b.pow(base, e2), bb * bb);
    }

    private Value compare(Op op) {
      Value a = pick();
      Value r = b.binary(op, a, partner(a, 1e9));
      bools.add(r);
      if (rng.nextBoolean()) {
        add(b.cast(r, main), 1);
      }
      return r;
    }

    private Value where() {
      Value cond;
      if (bools.isEmpty() || rng.nextBoolean()) {
        Value a = pick();
        cond = b.binary(Op.GT, a, partner(a, 1e9));
      } else {
        cond = bools.get(rng.nextInt(bools.size()));
      }
      Value x = pick();
      Value y = partner(x, 1e9);
      Value cc = cond;
      Value fit = pick(v -> broadcastable(v.type().dims(), cc.type().dims()));
      if (fit != null && broadcastable(fit.type().dims(), x.type().dims())) {
        y = fit;
      }
      if (!broadcastable(cond.type().dims(), x.type().dims())
          || !broadcastable(cond.type().dims(), y.type().dims())
          || !broadcastable(x.type().dims(), y.type().dims())) {
        return null;
      }
      return add(b.where(cond, x, y), Math.max(bnd(x), bnd(y)));
    }

    private Value clamp() {
      Value x = pick();
      if (rng.nextBoolean()) {
        double c = 0.25 + rng.nextDouble();
        Value lo = rng.nextInt(3) == 0 ? null : Builder.lit(-c, DType.F64);
        Value hi = lo != null && rng.nextInt(3) == 0 ? null : Builder.lit(c, DType.F64);
        return add(b.clamp(x, lo, hi), Math.max(c, Math.min(bnd(x), 1e9)));
      }
      Value lo = partner(x, 1e9);
      Value hi = partner(x, 1e9);
      if (!broadcastable(lo.type().dims(), hi.type().dims())) {
        return null;
      }
      return add(b.clamp(x, lo, hi), Math.max(bnd(x), Math.max(bnd(lo), bnd(hi))));
    }

    private Value unary(Op op, double limit) {
      Value x = within(pick(), limit);
      double bx = bnd(x);
      double r =
          switch (op) {
            case EXP, EXPM1, EXP2, SINH, COSH -> Math.exp(bx) + 1;
            case SQUARE -> bx * bx;
            case SIN, COS, TANH, SIGMOID, SIGN, ERF, SINC -> 1;
            case ERFC, ATAN -> 2;
            case FLOOR, CEIL, ROUND, TRUNC -> bx + 1;
            case SOFTPLUS -> bx + 1;
            default -> bx;
          };
      if (rng.nextInt(5) == 0 && op == Op.NEG) {
        return add(b.emit(Op.NEG, null, new Value[] {b.neg(x)}, new int[0], false), bx);
      }
      return add(b.unary(op, x), r);
    }

    private Value log() {
      if (rng.nextInt(3) == 0) {
        // log(sum(exp(x))) emitted as is, for simplify's logsumexp rewrite.
        Value x = within(pick(), 3);
        if (x.type().isScalar()) {
          return null;
        }
        int[] dims = Builder.normalizeDims(randomReduceDims(x.type().rank()), x.type().rank());
        boolean keep = rng.nextBoolean();
        Value e = b.emit(Op.EXP, null, new Value[] {x}, new int[0], false);
        Value s = b.emit(Op.SUM, null, new Value[] {e}, dims, keep);
        return add(b.emit(Op.LOG, null, new Value[] {s}, new int[0], false), bnd(x) + 3);
      }
      return guarded(Op.LOG);
    }

    private Value guarded(Op op) {
      Value x = positive(pick());
      double r =
          switch (op) {
            case LOG, LOG1P -> Math.log(bnd(x) + 1) + 1;
            case LOG2, LOG10 -> 2 * Math.log(bnd(x) + 1) + 2;
            case SQRT -> Math.sqrt(bnd(x));
            default -> 2;
          };
      return add(b.unary(op, x), r);
    }

    /** {@code acosh(x^2 + 1.25)}: above 1, where its gradient is finite. */
    private Value acosh() {
      Value s = within(pick(), 3);
      Value u = track(b.add(b.square(s), 1.25), bnd(s) * bnd(s) + 1.25);
      return add(b.unary(Op.ACOSH, u), Math.log(2 * bnd(u)) + 1);
    }

    /** {@code asin}, {@code acos}, {@code atanh} of {@code 0.9 tanh(x)}, inside their domain. */
    private Value inUnit(Op op) {
      Value u = track(b.mul(b.unary(Op.TANH, pick()), 0.9), 0.9);
      return add(b.unary(op, u), 2);
    }

    /** lgamma, digamma and polygamma (n from 0 to 3) of {@code x^2 + 1}, away from the poles. */
    private Value gamma(Op op) {
      Value s = within(pick(), 3);
      double bu = bnd(s) * bnd(s) + 1;
      Value u = track(b.add(b.square(s), 1.0), bu);
      return switch (op) {
        case LGAMMA -> add(b.unary(op, u), bu * Math.log(bu) + 1);
        case DIGAMMA -> add(b.unary(op, u), Math.log(bu) + 1);
        default -> {
          Lit order = Builder.lit(rng.nextInt(4), u.type().dtype());
          yield add(b.binary(op, order, u), 7);
        }
      };
    }

    private Value tan() {
      Value x = pick();
      Value u = x instanceof Param && rng.nextBoolean() ? x : b.unary(Op.TANH, x);
      return add(b.unary(Op.TAN, u), 1.6);
    }

    private Value cast() {
      if (o.kinks() && !bools.isEmpty() && rng.nextBoolean()) {
        return add(b.cast(bools.get(rng.nextInt(bools.size())), main), 1);
      }
      Value x = pick();
      DType to = x.type().dtype() == main ? other : main;
      if (to == x.type().dtype()) {
        return null;
      }
      return add(b.cast(within(x, 1e30), to), bnd(x));
    }

    private int[] randomReduceDims(int rank) {
      List<Integer> ds = new ArrayList<>();
      for (int d = 0; d < rank; d++) {
        if (rng.nextInt(3) == 0) {
          ds.add(rng.nextBoolean() ? d : d - rank);
        }
      }
      return ds.stream().mapToInt(Integer::intValue).toArray();
    }

    private Value reduce(Op op) {
      Value x = pick(v -> v.type().rank() > 0);
      if (x == null) {
        return null;
      }
      if (op == Op.LOGSUMEXP) {
        x = within(x, 100);
      } else if (op == Op.PROD) {
        // a product of factors within 1 stays within 1
        x = within(x, 1);
      }
      Value r = b.reduce(op, x, randomReduceDims(x.type().rank()), rng.nextBoolean());
      double n = 1;
      for (Dim d : x.type().dims()) {
        n *= d.factor() * (d.isStatic() ? 1 : 4);
      }
      double bx = bnd(x);
      return add(
          r,
          op == Op.SUM
              ? bx * n
              : op == Op.LOGSUMEXP ? bx + Math.log(n) : op == Op.PROD ? Math.min(bnd(x), 1) : bx);
    }

    private Value reshape() {
      Value x = pick(v -> v.type().numel() != null && v.type().rank() > 0);
      if (x == null) {
        return null;
      }
      List<Dim> dims = x.type().dims();
      List<Dim> to = new ArrayList<>();
      switch (rng.nextInt(3)) {
        case 0 -> to.add(x.type().numel());
        case 1 -> {
          // Split a static dim or merge two neighbours.
          int i = rng.nextInt(dims.size());
          Dim d = dims.get(i);
          to.addAll(dims);
          if (d.isStatic() && d.size() == 4) {
            to.set(i, Dim.of(2));
            to.add(i, Dim.of(2));
          } else if (i + 1 < dims.size() && Type.product(dims.subList(i, i + 2)) != null) {
            to.set(i, Type.product(dims.subList(i, i + 2)));
            to.remove(i + 1);
          } else {
            to.add(i, Dim.of(1));
          }
        }
        default -> {
          to.addAll(dims);
          to.add(rng.nextInt(to.size() + 1), Dim.of(1));
        }
      }
      return add(b.reshape(x, to), bnd(x));
    }

    private Value transpose() {
      Value x = pick(v -> v.type().rank() >= 2);
      if (x == null) {
        return null;
      }
      int r = x.type().rank();
      int d0 = rng.nextInt(r);
      int d1 = (d0 + 1 + rng.nextInt(r - 1)) % r;
      return add(b.transpose(x, d0, rng.nextBoolean() ? d1 : d1 - r), bnd(x));
    }

    private Value permute() {
      Value x = pick(v -> v.type().rank() >= 2);
      if (x == null) {
        return null;
      }
      int r = x.type().rank();
      int[] p = new int[r];
      for (int i = 0; i < r; i++) {
        p[i] = i;
      }
      for (int i = r - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      return add(b.permute(x, p), bnd(x));
    }

    private Value unsqueeze() {
      Value x = pick(v -> v.type().rank() < 4);
      if (x == null) {
        return null;
      }
      int r = x.type().rank() + 1;
      int d = rng.nextInt(r);
      return add(b.unsqueeze(x, rng.nextBoolean() ? d : d - r), bnd(x));
    }

    private Value squeeze() {
      Value x = pick(v -> v.type().dims().contains(Dim.of(1)));
      if (x == null) {
        return null;
      }
      if (rng.nextBoolean()) {
        return add(b.squeeze(x), bnd(x));
      }
      return add(b.squeeze(x, x.type().dims().indexOf(Dim.of(1))), bnd(x));
    }

    private Value expand(Op op) {
      Value x = pick(v -> v.type().rank() < 3 || v.type().dims().contains(Dim.of(1)));
      if (x == null) {
        return null;
      }
      List<Dim> to = new ArrayList<>();
      for (Dim d : x.type().dims()) {
        to.add(d.equals(Dim.of(1)) && rng.nextBoolean() ? Dim.of(pickSize()) : d);
      }
      if (to.size() < 3 && (to.equals(x.type().dims()) || rng.nextBoolean())) {
        to.add(0, Dim.of(1 + pickSize()));
      }
      Value r = op == Op.EXPAND ? b.expand(x, to) : b.broadcastTo(x, to);
      return add(r, bnd(x));
    }

    private Value sumTo() {
      Value x = pick(v -> v.type().rank() > 0);
      if (x == null) {
        return null;
      }
      List<Dim> dims = x.type().dims();
      List<Dim> to = new ArrayList<>(dims.subList(rng.nextInt(dims.size() + 1), dims.size()));
      for (int i = 0; i < to.size(); i++) {
        if (rng.nextBoolean()) {
          to.set(i, Dim.of(1));
        }
      }
      if (to.equals(dims)) {
        to.remove(0);
      }
      double n = 1;
      for (Dim d : dims) {
        n *= d.factor() * (d.isStatic() ? 1 : 4);
      }
      return add(b.sumTo(x, to), bnd(x) * n);
    }

    private Value matmul() {
      Value picked = pick(v -> v.type().rank() >= 1 && v.type().rank() <= 3);
      if (picked == null) {
        return null;
      }
      Value a = within(picked, 10);
      int ra = a.type().rank();
      Dim k = a.type().dim(ra - 1);
      List<Dim> right = new ArrayList<>();
      int form = rng.nextInt(4);
      if (form == 1) {
        // A batch that broadcasts against the left operand's.
        right.add(ra == 3 ? (rng.nextBoolean() ? Dim.of(1) : a.type().dim(0)) : Dim.of(pickSize()));
      }
      right.add(k);
      if (form != 0) {
        right.add(Dim.of(pickSize()));
      }
      Value c = within(shaped(right), 10);
      double kk = k.factor() * (k.isStatic() ? 1 : 4);
      // Sometimes (a @ c)^T as c^T @ a^T, which is valid in every form.
      Value r =
          rng.nextInt(4) == 0 ? b.matmul(b.transposeLast(c), b.transposeLast(a)) : b.matmul(a, c);
      return add(r, bnd(a) * bnd(c) * kk);
    }

    /**
     * The singular values of a matrix (a kink where two tie, which drawn matrices avoid); each is
     * at most the Frobenius norm.
     */
    private Value svdvals() {
      Value x =
          pick(
              v ->
                  v.type().rank() >= 2
                      && v.type().dim(v.type().rank() - 1).isStatic()
                      && v.type().dim(v.type().rank() - 2).isStatic());
      if (x == null) {
        return null;
      }
      Value a = within(x, 10);
      int r = a.type().rank();
      double mn = (double) a.type().dim(r - 1).size() * a.type().dim(r - 2).size();
      return add(b.svd(a, dev.gradc.ir.Svd.VALUES), bnd(a) * Math.sqrt(mn));
    }

    private Value normalize(Op op) {
      Value x = within(pick(), 100);
      int r = Math.max(1, x.type().rank());
      int d = rng.nextInt(2 * r) - r;
      double bx = bnd(x);
      if (op == Op.SOFTMAX) {
        return add(b.softmax(x, d), 1);
      }
      return add(b.logSoftmax(x, d), 2 * bx + 2);
    }

    /** A static dim of {@code x} of size at least 1, or -1. */
    private int staticDim(Value x) {
      List<Integer> ds = new ArrayList<>();
      for (int d = 0; d < x.type().rank(); d++) {
        if (x.type().dim(d).isStatic() && x.type().dim(d).size() > 0) {
          ds.add(d);
        }
      }
      return ds.isEmpty() ? -1 : ds.get(rng.nextInt(ds.size()));
    }

    private Value slice() {
      Value x = pick(v -> staticDim(v) >= 0);
      if (x == null) {
        return null;
      }
      int d = staticDim(x);
      int size = x.type().dim(d).size();
      int start = rng.nextInt(size);
      int step = new int[] {1, 2, -1}[rng.nextInt(3)];
      int room = step > 0 ? (size - 1 - start) / step : start;
      int length = 1 + rng.nextInt(room + 1);
      return add(b.slice(x, d, start, step, length), bnd(x));
    }

    private Value sliceBackward() {
      Value x = pick(v -> staticDim(v) >= 0);
      if (x == null) {
        return null;
      }
      int d = staticDim(x);
      int length = x.type().dim(d).size();
      int step = new int[] {1, 2, -1}[rng.nextInt(3)];
      // the first element written; backwards, the last is first - (length - 1) >= 0
      int start = (step > 0 ? 0 : length - 1) + rng.nextInt(2);
      int end = Math.max(start, start + step * (length - 1));
      List<Dim> whole = new ArrayList<>(x.type().dims());
      whole.set(d, Dim.of(end + 1 + rng.nextInt(2)));
      return add(b.sliceBackward(x, whole, d, start, step), bnd(x));
    }

    /**
     * A dim along which {@code index} may gather from or scatter into {@code x}: of static size at
     * least 1 in x, the index no larger elsewhere; or -1.
     */
    private int indexDim(Value x) {
      if (index == null || x.type().rank() != index.type().rank()) {
        return -1;
      }
      Type t = x.type();
      if (t.rank() == 0) {
        return 0;
      }
      List<Integer> ok = new ArrayList<>();
      for (int d = 0; d < t.rank(); d++) {
        boolean fits = t.dim(d).isStatic() && t.dim(d).size() > 0;
        for (int e = 0; fits && e < t.rank(); e++) {
          Dim i = index.type().dim(e);
          fits =
              e == d
                  || i.equals(t.dim(e))
                  || (i.isStatic() && t.dim(e).isStatic() && i.size() <= t.dim(e).size());
        }
        if (fits) {
          ok.add(d);
        }
      }
      return ok.isEmpty() ? -1 : ok.get(rng.nextInt(ok.size()));
    }

    private Value gather() {
      Value x = pick(v -> indexDim(v) >= 0);
      if (x == null) {
        return null;
      }
      used.put(index, true);
      return add(b.gather(x, indexDim(x), index), bnd(x));
    }

    /**
     * {@code scatter_add}, or {@code scatter} ({@code replace}) where the index has one element
     * along the dim: no place is written twice, where PyTorch's gradient is not the derivative.
     */
    private Value scatterAdd(boolean replace) {
      Value x = pick(v -> indexDim(v) >= 0);
      if (x == null) {
        return null;
      }
      Value src =
          pick(
              v ->
                  v.type().dims().equals(index.type().dims())
                      && v.type().dtype() == x.type().dtype());
      if (src == null) {
        return null;
      }
      int d = indexDim(x);
      if (replace) {
        if (index.type().rank() > 0 && !index.type().dim(d).equals(Dim.of(1))) {
          return null;
        }
        used.put(index, true);
        return add(b.scatter(x, d, index, src), Math.max(bnd(x), bnd(src)));
      }
      used.put(index, true);
      // at most 64 elements of src add to one element of x
      return add(b.scatterAdd(x, d, index, src), bnd(x) + 64 * bnd(src));
    }

    private Value oneHot() {
      if (index == null) {
        return null;
      }
      int classes = 2 + rng.nextInt(3);
      used.put(index, true);
      Value h = b.cast(b.oneHot(index, classes), main);
      return add(h, 1);
    }

    private Value numel() {
      Value x = pick(v -> !v.type().isStatic());
      if (x == null) {
        return null;
      }
      int[] dims = new int[0];
      for (int d = 0; d < x.type().rank(); d++) {
        if (!x.type().dim(d).isStatic()) {
          dims = new int[] {d};
        }
      }
      Value n = b.numel(x, rng.nextBoolean() ? dims : new int[0], x.type().dtype());
      return add(b.div(x, n), bnd(x));
    }

    // ------------------------------------------------------------ result

    /** The sum over most unused float values, each reduced to a scalar of the main dtype. */
    private Value result() {
      Value total = null;
      Value last = floats.get(floats.size() - 1);
      for (Value v : floats) {
        if (v != last && (used.containsKey(v) || rng.nextInt(7) == 0)) {
          continue;
        }
        Value s = rng.nextBoolean() ? b.sum(v) : b.mean(v);
        if (!s.type().dtype().isFloat()) {
          s = b.cast(s, main);
        }
        s = b.cast(within(s, 1e30), main);
        total = total == null ? s : b.add(total, s);
      }
      return total;
    }
  }
}
