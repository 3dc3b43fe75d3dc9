package dev.gradc.ir.ad;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Distances;
import dev.gradc.ir.Einsum;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.LinearAlgebra;
import dev.gradc.ir.Lit;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Role;
import dev.gradc.ir.Statistics;
import dev.gradc.ir.Svd;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.testing.Domain;
import dev.gradc.ir.testing.Gradients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op and every loss builder, differentiated and compared with central differences of the
 * interpreted forward function, at several shapes: broadcasting through the builder, reductions
 * over one, several and all dims with and without keepdim, every form of matmul, symbolic dims.
 * Each case's result is {@code sum(y * w)} for a random input {@code w}, so that each element of
 * the gradient differs. Inputs stay away from kinks and domain edges; {@code KinkTest} covers
 * those.
 */
class FiniteDifferenceTest {
  private static final DType F = DType.F64;
  private static final Domain ANY = Domain.ANY;
  private static final Domain POS = Domain.POSITIVE;
  private static final Map<String, Integer> SIZES = Map.of("N", 2);

  /** The body of a case: the value of the function from its parameters. */
  interface Body {
    Value build(Builder b, Param[] p);
  }

  /** One parameter of a case. */
  record Arg(String name, Type type, Role role, Domain domain) {}

  /**
   * A function and where its arguments come from; {@code oracle} gives the expected gradients when
   * finite differences do not apply (detach).
   */
  record Case(
      String name,
      Func f,
      List<Arg> args,
      double h,
      double tol,
      Function<List<NdArray>, List<double[]>> oracle) {}

  private static Type t(int... shape) {
    return Type.of(F, shape);
  }

  private static Type sym(DType dt, Object... dims) {
    List<Dim> ds = new ArrayList<>();
    for (Object d : dims) {
      ds.add(d instanceof String ? Dim.sym((String) d) : Dim.of((Integer) d));
    }
    return new Type(dt, ds);
  }

  private static Arg p(String name, Type type) {
    return new Arg(name, type, Role.PARAM, ANY);
  }

  private static Arg p(String name, Type type, Domain d) {
    return new Arg(name, type, Role.PARAM, d);
  }

  private static Arg in(String name, Type type, Domain d) {
    return new Arg(name, type, Role.INPUT, d);
  }

  /** Builds {@code sum(body * w)} (or the body itself when it is a scalar). */
  private static Case c(String name, Body body, Arg... args) {
    return c(name, 1e-6, 1e-6, null, body, args);
  }

  private static Case c(
      String name,
      double h,
      double tol,
      Function<List<NdArray>, List<double[]>> oracle,
      Body body,
      Arg... args) {
    // A first build finds the body's type, which the weight input needs up front.
    Builder probe = new Builder(name);
    Type bodyType = body.build(probe, declare(probe, args)).type();
    Builder b = new Builder(name);
    Param[] ps = declare(b, args);
    List<Arg> all = new ArrayList<>(List.of(args));
    Param w = null;
    if (!bodyType.isScalar() || !bodyType.dtype().isFloat()) {
      Type wt = bodyType.withDtype(F);
      w = b.input("w", wt);
      all.add(in("w", wt, new Domain(-1, 1, 0)));
    }
    Value y = body.build(b, ps);
    if (!y.type().dtype().isFloat()) {
      y = b.cast(y, F);
    }
    b.ret(w == null ? y : b.sum(b.mul(y, w)));
    return new Case(name, b.build(), all, h, tol, oracle);
  }

  private static Param[] declare(Builder b, Arg[] args) {
    Param[] ps = new Param[args.length];
    for (int i = 0; i < args.length; i++) {
      ps[i] = b.addParam(args[i].name(), args[i].type(), args[i].role());
    }
    return ps;
  }

  // ---------------------------------------------------------------- cases per op

  static List<Case> cases(Op op) {
    return switch (op) {
      case ADD, SUB, MUL, MAXIMUM, MINIMUM -> binary(op, ANY, ANY);
      case DIV -> binary(op, ANY, ANY);
      case POW -> pow();
      case ATAN2, HYPOT, COPYSIGN, LOGADDEXP, LOGADDEXP2 -> binary(op, ANY, ANY);
      // a positive first operand: the "same operand" case takes the log of sin(a)
      case XLOGY -> binary(op, POS, POS);
      case XLOG1PY -> binary(op, ANY, POS);
      case REMAINDER, FMOD -> modulo(op);
      case LT, LE, GT, GE, EQ, NE -> comparison(op);
      case WHERE -> where();
      case CLAMP -> clamp();
      case NEG, ABS, SIGN, EXP, EXPM1, SQUARE, RECIPROCAL, SIN, COS, TANH, SIGMOID, RELU, ERF ->
          unary(op, ANY);
      case ERFC, SINC, EXP2, SINH, COSH, ASINH, ATAN -> unary(op, ANY);
      case ACOSH -> unary(op, new Domain(1.2, 3, 0));
      case ATANH, ASIN, ACOS -> unary(op, new Domain(-0.9, 0.9, 0));
      case LOG2, LOG10, LGAMMA, DIGAMMA -> unary(op, POS);
      case ERFINV -> unary(op, new Domain(-0.9, 0.9, 0));
      case POLYGAMMA -> polygamma();
      // zero gradients, away from the jumps at integers and (round) halves
      case FLOOR, CEIL, ROUND, TRUNC ->
          unary(op, new Domain(-2, 2, 0.1, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2));
      case LOG, LOG1P, SQRT, RSQRT -> unary(op, POS);
      case TAN -> unary(op, Domain.UNIT);
      case SOFTPLUS -> softplus();
      case DETACH -> detach();
      case CAST -> cast();
      case SUM, MEAN, AMAX, AMIN, LOGSUMEXP -> reduction(op);
      case PROD -> prod();
      case RESHAPE -> reshape();
      case TRANSPOSE -> transpose();
      case PERMUTE -> permute();
      case UNSQUEEZE -> unsqueeze();
      case SQUEEZE -> squeeze();
      case EXPAND -> expand();
      case BROADCAST -> broadcast();
      case SUM_TO -> sumTo();
      case MATMUL -> matmul();
      case SVD -> svd();
      case SOFTMAX, LOG_SOFTMAX -> normalize(op);
      case SLICE -> slice();
      case SLICE_BACKWARD -> sliceBackward();
      case GATHER -> gather();
      case SCATTER_ADD -> scatterAdd();
      case SCATTER -> scatter();
      case ONE_HOT -> oneHot();
      case NUMEL -> numel();
      case CUMSUM, CUMPROD, LOGCUMSUMEXP, CUMMAX, CUMMIN -> scan(op);
      case CUMMAX_INDICES, CUMMIN_INDICES -> scanIndices(op);
      case ARGSORT -> sorted();
      case TOPK_ORDER, KTHVALUE_ORDER -> selected(op);
    };
  }

  /**
   * A cumulative op along each dim, from either end, on a symbolic dim; {@code cumprod} also over
   * rows with exactly one exact zero each (at a drawn position), where its gradient is PyTorch's
   * masked form.
   */
  private static List<Case> scan(Op op) {
    List<Case> out = new ArrayList<>();
    for (int dim : new int[] {0, 1, 2, -1}) {
      for (boolean reverse : new boolean[] {false, true}) {
        if (reverse && (op == Op.CUMMAX || op == Op.CUMMIN)) {
          continue;
        }
        out.add(
            c(
                op.mnemonic() + " dim=" + dim + (reverse ? " reverse" : ""),
                (b, p) -> b.scan(op, p[0], dim, reverse),
                p("x", t(2, 3, 4))));
      }
    }
    out.add(
        c(
            op.mnemonic() + " of a product",
            (b, p) -> b.scan(op, b.mul(p[0], p[1]), 1, false),
            p("x", t(3, 4)),
            p("y", t(4))));
    if (op != Op.CUMMAX && op != Op.CUMMIN) {
      out.add(
          c(
              op.mnemonic() + " symbolic dim",
              (b, p) -> b.scan(op, p[0], 0, false),
              p("x", sym(F, "N", 3))));
    }
    if (op == Op.CUMPROD) {
      Domain zeros = new Domain(0, 0, 0);
      for (boolean reverse : new boolean[] {false, true}) {
        out.add(
            c(
                "cumprod one zero per row" + (reverse ? " reverse" : ""),
                (b, p) -> b.scan(op, zeroAt(b, p[0], p[2], p[1]), 1, reverse),
                in("i", Type.of(DType.I64, 4), Domain.index(5)),
                p("a", t(4, 5)),
                p("z", t(4, 5), zeros)));
        // two zeros in most rows (drawn apart, adjacent, or at one place): the second derivative
        // across them is the products without both (HigherOrderTest)
        out.add(
            c(
                "cumprod two zeros per row" + (reverse ? " reverse" : ""),
                (b, p) ->
                    b.scan(op, zeroAt(b, p[0], p[3], zeroAt(b, p[1], p[4], p[2])), 1, reverse),
                in("i", Type.of(DType.I64, 4), Domain.index(5)),
                in("j", Type.of(DType.I64, 4), Domain.index(5)),
                p("a", t(4, 5)),
                p("z", t(4, 5), zeros),
                p("u", t(4, 5), zeros)));
      }
    }
    return out;
  }

  /** {@code x} with each row's element at {@code index} (of 5) taken from {@code z}. */
  private static Value zeroAt(Builder b, Value index, Value z, Value x) {
    return b.where(b.binary(Op.EQ, b.oneHot(index, 5), Builder.lit(1, DType.I64)), z, x);
  }

  /** The indices of {@code cummax} and {@code cummin} weigh a differentiable value. */
  private static List<Case> scanIndices(Op op) {
    return List.of(
        c(
            op.mnemonic() + " weights",
            (b, p) -> b.mul(b.cast(b.scan(op, p[1], 1, false), F), b.exp(p[0])),
            p("x", t(3, 4)),
            in("v", Type.of(F, 3, 4), Domain.ANY)));
  }

  /**
   * Lanes sorted along each dim, either way, their values gathered by {@code argsort} (as {@code
   * sort} is); the first {@code k} of them ({@code topk}) and one ({@code kthvalue}). Drawn
   * elements do not tie, so the permutation holds within a step.
   */
  private static List<Case> sorted() {
    List<Case> out = new ArrayList<>();
    for (int dim : new int[] {0, 1, -1}) {
      for (boolean descending : new boolean[] {false, true}) {
        out.add(
            c(
                "sort dim=" + dim + (descending ? " descending" : ""),
                (b, p) -> b.gather(p[0], dim, b.scan(Op.ARGSORT, p[0], dim, descending)),
                p("x", t(2, 3, 4))));
      }
    }
    out.add(
        c(
            "topk of a product",
            (b, p) -> {
              Value x = b.mul(p[0], p[1]);
              return b.gather(x, 1, b.slice(b.scan(Op.ARGSORT, x, 1, true), 1, 0, 1, 2));
            },
            p("x", t(3, 4)),
            p("y", t(4))));
    out.add(
        c(
            "kthvalue",
            (b, p) -> b.gather(p[0], 0, b.slice(b.scan(Op.ARGSORT, p[0], 0, false), 0, 2, 1, 1)),
            p("x", t(5, 2))));
    return out;
  }

  /**
   * The values {@code topk} and {@code kthvalue} select through their orders, along each dim and
   * either way; a lane of 130 takes {@code topk}'s partial-sort path ({@code 64 k <= n}).
   */
  private static List<Case> selected(Op op) {
    List<Case> out = new ArrayList<>();
    boolean top = op == Op.TOPK_ORDER;
    for (int dim : new int[] {0, 1, -1}) {
      for (boolean flag : new boolean[] {false, true}) {
        int k = 2;
        out.add(
            c(
                op.mnemonic() + " dim=" + dim + (flag ? " largest/sorted" : ""),
                (b, p) -> {
                  Value order = b.order(op, p[0], dim, flag, k, flag);
                  Value idx = top ? b.slice(order, dim, 0, 1, k) : b.slice(order, dim, k - 1, 1, 1);
                  return b.gather(p[0], dim, idx);
                },
                p("x", t(3, 4, 5))));
      }
    }
    if (top) {
      out.add(
          c(
              "topk_order partial sort",
              (b, p) -> b.gather(p[0], 1, b.slice(b.order(op, p[0], 1, true, 2, true), 1, 0, 1, 2)),
              p("x", t(1, 130))));
    }
    return out;
  }

  /** Shape pairs that exercise broadcasting, a scalar tensor and a symbolic dim. */
  private static final List<Type[]> PAIRS =
      List.of(
          new Type[] {t(3), t(3)},
          new Type[] {t(2, 3), t(3)},
          new Type[] {t(3), t(2, 3)},
          new Type[] {t(2, 1), t(1, 3)},
          new Type[] {t(), t(2, 3)},
          new Type[] {t(), t()},
          new Type[] {sym(F, "N", 3), t(3)});

  private static List<Case> binary(Op op, Domain da, Domain db) {
    List<Case> out = tensorsAndLiteral(op, da, db);
    out.add(
        c(
            op.mnemonic() + " literal, tensor",
            (b, p) -> b.binary(op, Builder.lit(-1.5, F), p[0]),
            p("b", t(3), db)));
    out.add(
        c(
            op.mnemonic() + " same operand",
            (b, p) -> b.binary(op, p[0], b.unary(Op.SIN, p[0])),
            p("a", t(4), da)));
    return out;
  }

  /** {@code op} on each pair of {@link #PAIRS}, and a tensor with a literal second operand. */
  private static List<Case> tensorsAndLiteral(Op op, Domain da, Domain db) {
    List<Case> out = new ArrayList<>();
    for (Type[] s : PAIRS) {
      out.add(
          c(
              op.mnemonic() + " " + s[0] + " " + s[1],
              (b, p) -> b.binary(op, p[0], p[1]),
              p("a", s[0], da),
              p("b", s[1], db)));
    }
    out.add(
        c(
            op.mnemonic() + " tensor, literal",
            (b, p) -> b.binary(op, p[0], Builder.lit(1.5, F)),
            p("a", t(2, 3), da)));
    return out;
  }

  /**
   * Quotients away from the integers, where the value jumps: dividends in [0.5, 0.9], divisors in
   * [1, 1.45] or a literal 1.5 (a number dividend has no gradient in PyTorch).
   */
  private static List<Case> modulo(Op op) {
    Domain a = new Domain(0.5, 0.9, 0);
    Domain d = new Domain(1, 1.45, 0);
    List<Case> out = tensorsAndLiteral(op, a, d);
    out.add(
        c(
            op.mnemonic() + " negative operands",
            (b, p) -> b.binary(op, b.neg(p[0]), p[1]),
            p("a", t(3), a),
            p("b", t(3), d)));
    return out;
  }

  private static List<Case> pow() {
    List<Case> out = new ArrayList<>(binary(Op.POW, POS, ANY));
    for (double e : new double[] {2, 3, 0.5, -1.5, 0}) {
      out.add(
          c(
              "pow x^" + e,
              (b, p) -> b.pow(p[0], Builder.lit(e, F)),
              p("x", t(2, 3), e == 0 || e == 2 || e == 3 ? ANY : POS)));
    }
    return out;
  }

  private static List<Case> comparison(Op op) {
    List<Case> out = new ArrayList<>();
    for (Type[] s : PAIRS) {
      out.add(
          c(
              op.mnemonic() + " " + s[0] + " " + s[1],
              (b, p) -> b.mul(b.binary(op, p[0], p[1]), b.add(p[0], p[1])),
              p("a", s[0]),
              p("b", s[1])));
    }
    out.add(
        c(
            op.mnemonic() + " literal",
            (b, p) -> b.mul(b.binary(op, p[0], Builder.lit(0.5, F)), p[0]),
            p("a", t(2, 3), new Domain(-2, 2, 0.2, 0.5))));
    return out;
  }

  private static List<Case> where() {
    Domain bool = Domain.BOOL;
    return List.of(
        c(
            "where same shapes",
            (b, p) -> b.where(p[0], p[1], p[2]),
            in("c", Type.of(DType.BOOL, 2, 3), bool),
            p("a", t(2, 3)),
            p("b", t(2, 3))),
        c(
            "where broadcast condition and literal",
            (b, p) -> b.where(p[0], p[1], Builder.lit(0.5, F)),
            in("c", Type.of(DType.BOOL, 3), bool),
            p("a", t(2, 3))),
        c(
            "where broadcast operands",
            (b, p) -> b.where(p[0], p[1], p[2]),
            in("c", Type.of(DType.BOOL, 2, 1), bool),
            p("a", t()),
            p("b", t(3))),
        c(
            "where condition from a comparison",
            (b, p) -> b.where(b.binary(Op.GT, p[0], p[1]), b.exp(p[0]), b.square(p[1])),
            p("a", t(2, 3)),
            p("b", t(3))));
  }

  private static List<Case> clamp() {
    Domain x = new Domain(-2, 2, 0.1, -0.5, 0.5, 0.3);
    Domain lo = new Domain(-1.5, -0.7, 0);
    Domain hi = new Domain(0.7, 1.5, 0);
    return List.of(
        c(
            "clamp literal bounds",
            (b, p) -> b.clamp(p[0], Builder.lit(-0.5, F), Builder.lit(0.5, F)),
            p("x", t(2, 3), x)),
        c("clamp max only", (b, p) -> b.clamp(p[0], null, Builder.lit(0.3, F)), p("x", t(5), x)),
        c(
            "clamp tensor bounds",
            (b, p) -> b.clamp(p[0], p[1], p[2]),
            p("x", t(2, 3), x),
            p("lo", t(2, 3), lo),
            p("hi", t(2, 3), hi)),
        c(
            "clamp broadcast min only",
            (b, p) -> b.clamp(p[0], p[1], null),
            p("x", t(2, 3), x),
            p("lo", t(3), lo)),
        c(
            "clamp min above max",
            (b, p) -> b.clamp(p[0], p[2], p[1]),
            p("x", t(2, 3), x),
            p("lo", t(2, 3), lo),
            p("hi", t(2, 3), hi)));
  }

  private static List<Case> unary(Op op, Domain d) {
    List<Case> out = new ArrayList<>();
    for (Type s : List.of(t(), t(5), t(2, 3), sym(F, "N", 2))) {
      out.add(c(op.mnemonic() + " " + s, (b, p) -> b.unary(op, p[0]), p("x", s, d)));
    }
    return out;
  }

  /** {@code polygamma(n, x)} for n from 0 to 3, a literal n as PyTorch's int. */
  private static List<Case> polygamma() {
    List<Case> out = new ArrayList<>();
    for (int n = 0; n <= 3; n++) {
      Lit order = Builder.lit(n, F);
      out.add(
          c("polygamma " + n, (b, p) -> b.binary(Op.POLYGAMMA, order, p[0]), p("x", t(5), POS)));
    }
    return out;
  }

  private static List<Case> softplus() {
    List<Case> out = new ArrayList<>(unary(Op.SOFTPLUS, ANY));
    // Both sides of PyTorch's threshold, where softplus becomes the identity.
    out.add(
        c(
            "softplus around the threshold",
            (b, p) -> b.unary(Op.SOFTPLUS, p[0]),
            p("x", t(6), new Domain(15, 25, 0.5, 20))));
    return out;
  }

  private static List<Case> detach() {
    // sum(detach(x) * x * w): the gradient is detach(x) * w, which finite differences cannot see.
    Function<List<NdArray>, List<double[]>> oracle =
        args -> {
          double[] x = args.get(0).toDoubleArray();
          double[] w = args.get(1).toDoubleArray();
          double[] g = new double[x.length];
          for (int i = 0; i < g.length; i++) {
            g[i] = x[i] * w[i];
          }
          return List.of(g);
        };
    return List.of(
        c("detach", 1e-6, 1e-12, oracle, (b, p) -> b.mul(b.detach(p[0]), p[0]), p("x", t(2, 3))));
  }

  private static List<Case> cast() {
    return List.of(
        c(
            "cast f64 to f32 and back",
            1e-3,
            1e-4,
            null,
            (b, p) -> b.cast(b.square(b.cast(p[0], DType.F32)), F),
            p("x", t(2, 3))),
        c(
            "cast f32 parameter to f64",
            1e-3,
            1e-5,
            null,
            (b, p) -> b.exp(b.cast(p[0], F)),
            p("x", Type.of(DType.F32, 4))),
        c(
            "cast through promotion",
            1e-3,
            1e-5,
            null,
            (b, p) -> b.mul(p[0], p[1]),
            p("x", Type.of(DType.F32, 2, 3)),
            p("y", t(3))));
  }

  /** Reduced dims over a [2, 3, 4] operand: single, multiple, negative and all. */
  private static final int[][] REDUCE_DIMS = {
    {}, {0}, {1}, {2}, {-1}, {0, 2}, {1, 2}, {-3, -2}, {0, 1, 2}
  };

  private static List<Case> reduction(Op op) {
    List<Case> out = new ArrayList<>();
    for (int[] dims : REDUCE_DIMS) {
      for (boolean keep : new boolean[] {false, true}) {
        out.add(
            c(
                op.mnemonic() + " dims=" + java.util.Arrays.toString(dims) + " keepdim=" + keep,
                (b, p) -> b.reduce(op, p[0], dims, keep),
                p("x", t(2, 3, 4))));
      }
    }
    out.add(
        c(
            op.mnemonic() + " vector",
            (b, p) -> b.reduce(op, p[0], new int[0], false),
            p("x", t(5))));
    out.add(
        c(
            op.mnemonic() + " symbolic dim",
            (b, p) -> b.reduce(op, p[0], new int[] {0}, false),
            p("x", sym(F, "N", 3))));
    out.add(
        c(
            op.mnemonic() + " symbolic dim, all",
            (b, p) -> b.reduce(op, p[0], new int[0], true),
            p("x", sym(F, "N", 3))));
    return out;
  }

  /**
   * {@code prod} away from zeros, and with exact zeros: a parameter drawn as 0 placed where a
   * boolean input is false (slices with none, one, two and more zeros; prod is linear in each
   * element, so central differences are exact there), and over all dims with one zero.
   */
  private static List<Case> prod() {
    List<Case> out = new ArrayList<>(reduction(Op.PROD));
    Domain zeros = new Domain(0, 0, 0);
    for (int dim : new int[] {0, 1, -1}) {
      for (boolean keep : new boolean[] {false, true}) {
        out.add(
            c(
                "prod zeros dim=" + dim + " keepdim=" + keep,
                (b, p) -> b.reduce(Op.PROD, b.where(p[0], p[1], p[2]), new int[] {dim}, keep),
                in("c", Type.of(DType.BOOL, 6, 4), Domain.BOOL),
                p("a", t(6, 4)),
                p("z", t(6, 4), zeros)));
      }
    }
    out.add(
        c(
            "prod one zero, all dims",
            (b, p) ->
                b.reduce(
                    Op.PROD,
                    b.add(
                        b.sliceBackward(p[0], List.of(Dim.of(5)), 0, 0, 1),
                        b.sliceBackward(p[1], List.of(Dim.of(5)), 0, 4, 1)),
                    new int[0],
                    false),
            p("a", t(4)),
            p("z", t(1), zeros)));
    return out;
  }

  private static List<Case> reshape() {
    return List.of(
        c("reshape merge", (b, p) -> b.reshape(p[0], 6, 4), p("x", t(2, 3, 4))),
        c("reshape infer", (b, p) -> b.reshape(p[0], 4, -1), p("x", t(2, 3, 4))),
        c("reshape flatten", (b, p) -> b.reshape(p[0], -1), p("x", t(2, 3))),
        c("reshape swap", (b, p) -> b.unary(Op.SIN, b.reshape(p[0], 3, 2)), p("x", t(2, 3))),
        c("reshape to scalar", (b, p) -> b.reshape(p[0], new int[0]), p("x", t(1, 1))),
        c("reshape symbolic", (b, p) -> b.reshape(p[0], -1), p("x", sym(F, "N", 3))));
  }

  private static List<Case> transpose() {
    return List.of(
        c("transpose matrix", (b, p) -> b.transpose(p[0], 0, 1), p("x", t(2, 3))),
        c("transpose outer", (b, p) -> b.transpose(p[0], 0, 2), p("x", t(2, 3, 4))),
        c("transpose negative", (b, p) -> b.transpose(p[0], -1, -2), p("x", t(2, 3, 4))));
  }

  private static List<Case> permute() {
    return List.of(
        c("permute rotate", (b, p) -> b.permute(p[0], 2, 0, 1), p("x", t(2, 3, 4))),
        c("permute negative", (b, p) -> b.permute(p[0], -1, 0, 1), p("x", t(2, 3, 4))),
        c("permute matrix", (b, p) -> b.permute(p[0], 1, 0), p("x", t(2, 3))));
  }

  private static List<Case> unsqueeze() {
    List<Case> out = new ArrayList<>();
    for (int d : new int[] {0, 1, 2, -1}) {
      out.add(c("unsqueeze " + d, (b, p) -> b.unsqueeze(p[0], d), p("x", t(2, 3))));
    }
    out.add(c("unsqueeze scalar", (b, p) -> b.unsqueeze(p[0], 0), p("x", t())));
    return out;
  }

  private static List<Case> squeeze() {
    return List.of(
        c("squeeze all", (b, p) -> b.squeeze(p[0]), p("x", t(2, 1, 3, 1))),
        c("squeeze one", (b, p) -> b.squeeze(p[0], 1), p("x", t(2, 1, 3))),
        c("squeeze to scalar", (b, p) -> b.squeeze(p[0], -1), p("x", t(1))));
  }

  private static List<Case> expand() {
    return List.of(
        c("expand new dim", (b, p) -> b.expand(p[0], 2, 3), p("x", t(3))),
        c("expand size one", (b, p) -> b.expand(p[0], 2, 4), p("x", t(2, 1))),
        c("expand keep", (b, p) -> b.expand(p[0], 4, -1, -1), p("x", t(1, 3))),
        c("expand scalar", (b, p) -> b.expand(p[0], 2, 2), p("x", t())));
  }

  private static List<Case> broadcast() {
    return List.of(
        c(
            "broadcast vector",
            (b, p) -> b.broadcastTo(p[0], List.of(Dim.of(2), Dim.of(3))),
            p("x", t(3))),
        c(
            "broadcast scalar",
            (b, p) -> b.broadcastTo(p[0], List.of(Dim.of(2), Dim.of(2))),
            p("x", t())),
        c(
            "broadcast middle",
            (b, p) -> b.broadcastTo(p[0], List.of(Dim.of(2), Dim.of(3), Dim.of(4))),
            p("x", t(2, 1, 4))));
  }

  private static List<Case> sumTo() {
    return List.of(
        c("sum_to leading", (b, p) -> b.sumTo(p[0], List.of(Dim.of(3))), p("x", t(2, 3))),
        c("sum_to keep", (b, p) -> b.sumTo(p[0], List.of(Dim.of(2), Dim.of(1))), p("x", t(2, 3))),
        c("sum_to scalar", (b, p) -> b.sumTo(p[0], List.of()), p("x", t(2, 3))),
        c(
            "sum_to middle",
            (b, p) -> b.sumTo(p[0], List.of(Dim.of(3), Dim.of(1))),
            p("x", t(2, 3, 4))));
  }

  private static List<Case> slice() {
    return List.of(
        c("slice rows", (b, p) -> b.slice(p[0], 0, 1, 1, 2), p("x", t(3, 4))),
        c("slice every other", (b, p) -> b.slice(p[0], -1, 1, 2, 2), p("x", t(3, 5))),
        c("slice reversed", (b, p) -> b.slice(p[0], 1, 4, -1, 5), p("x", t(2, 5))),
        c(
            "slice reversed of reversed, squared",
            (b, p) -> b.square(b.slice(b.slice(p[0], 0, 5, -1, 6), 0, 4, -2, 3)),
            p("x", t(6, 2))),
        c("slice one", (b, p) -> b.slice(p[0], 1, 2, 1, 1), p("x", t(2, 3, 2))),
        c("slice empty", (b, p) -> b.sum(b.slice(p[0], 0, 3, 1, 0)), p("x", t(3, 2))),
        c(
            "slice symbolic rows",
            (b, p) -> b.square(b.slice(p[0], 1, 0, 3, 2)),
            p("x", sym(F, "N", 5))),
        c(
            "slice of a slice, squared",
            (b, p) -> b.square(b.slice(b.slice(p[0], 0, 1, 1, 4), 0, 1, 2, 2)),
            p("x", t(6, 2))));
  }

  private static List<Case> sliceBackward() {
    return List.of(
        c(
            "slice_backward squared",
            (b, p) -> b.square(b.sliceBackward(p[0], List.of(Dim.of(5), Dim.of(2)), 0, 1, 2)),
            p("x", t(2, 2))),
        c(
            "slice_backward reversed",
            (b, p) -> b.square(b.sliceBackward(p[0], List.of(Dim.of(2), Dim.of(5)), 1, 4, -2)),
            p("x", t(2, 3))),
        c(
            "slice_backward times its operand's sine",
            (b, p) ->
                b.mul(
                    b.sliceBackward(p[0], List.of(Dim.of(3), Dim.of(4)), 1, 0, 3),
                    b.sliceBackward(b.unary(Op.SIN, p[0]), List.of(Dim.of(3), Dim.of(4)), 1, 0, 3)),
            p("x", t(3, 2))));
  }

  /**
   * Each part of {@code svd} of square, tall, wide and batched matrices (drawn ones have distinct
   * singular values): the values, the squares of {@code U}'s and {@code Vh}'s elements (which a
   * sign flip of a singular pair leaves alone) and {@code U diag(w) Vh} with a weight {@code w}.
   */
  private static List<Case> svd() {
    List<Case> out = new ArrayList<>();
    for (int[] s : new int[][] {{3, 3}, {4, 3}, {3, 5}, {2, 4, 3}, {2, 2, 4}}) {
      String shape = java.util.Arrays.toString(s);
      int k = Math.min(s[s.length - 1], s[s.length - 2]);
      out.add(c("svdvals " + shape, (b, p) -> b.svd(p[0], Svd.VALUES), p("a", t(s))));
      for (int part : new int[] {Svd.U, Svd.VH}) {
        out.add(
            c(
                "svd part " + part + " squared " + shape,
                (b, p) -> {
                  Value v = b.svd(p[0], part);
                  return b.mul(v, v);
                },
                p("a", t(s))));
      }
      out.add(
          c(
              "svd U diag(d) Vh " + shape,
              (b, p) ->
                  b.matmul(b.mul(b.svd(p[0], Svd.U), b.unsqueeze(p[1], -2)), b.svd(p[0], Svd.VH)),
              p("a", t(s)),
              p("d", t(k))));
    }
    return out;
  }

  private static List<Case> matmul() {
    List<Type[]> forms =
        List.of(
            new Type[] {t(3), t(3)},
            new Type[] {t(2, 3), t(3)},
            new Type[] {t(3), t(3, 2)},
            new Type[] {t(2, 3), t(3, 4)},
            new Type[] {t(2, 2, 3), t(2, 3, 4)},
            new Type[] {t(2, 2, 3), t(3, 4)},
            new Type[] {t(2, 3), t(2, 3, 4)},
            new Type[] {t(2, 1, 2, 3), t(3, 3, 2)},
            new Type[] {t(3), t(2, 3, 4)},
            new Type[] {t(2, 2, 3), t(3)},
            new Type[] {sym(F, "N", 3), t(3, 2)});
    List<Case> out = new ArrayList<>();
    for (Type[] s : forms) {
      out.add(
          c(
              "matmul " + s[0] + " " + s[1],
              (b, p) -> b.matmul(p[0], p[1]),
              p("a", s[0]),
              p("b", s[1])));
    }
    out.add(
        c("matmul same operand", (b, p) -> b.matmul(p[0], b.transposeLast(p[0])), p("a", t(2, 3))));
    return out;
  }

  private static List<Case> normalize(Op op) {
    List<Case> out = new ArrayList<>();
    Object[][] shapes = {{t(5), 0}, {t(2, 3), 0}, {t(2, 3), 1}, {t(2, 3), -1}, {t(2, 3, 4), 1}};
    for (Object[] s : shapes) {
      Type ty = (Type) s[0];
      int d = (Integer) s[1];
      out.add(
          c(
              op.mnemonic() + " " + ty + " dim " + d,
              (b, p) -> op == Op.SOFTMAX ? b.softmax(p[0], d) : b.logSoftmax(p[0], d),
              p("x", ty)));
    }
    return out;
  }

  private static Type idx(Object... dims) {
    return sym(DType.I64, dims);
  }

  private static List<Case> gather() {
    return List.of(
        c(
            "gather along dim 1",
            (b, p) -> b.gather(p[1], 1, p[0]),
            in("i", idx(2, 3), Domain.index(4)),
            p("x", t(2, 4))),
        c(
            "gather with repeats, squared",
            (b, p) -> b.square(b.gather(p[1], 0, p[0])),
            in("i", idx(5, 2), Domain.index(3)),
            p("x", t(3, 2))),
        c(
            "gather a smaller block, times exp",
            (b, p) -> b.mul(b.gather(b.exp(p[1]), -1, p[0]), b.gather(p[1], 2, p[0])),
            in("i", idx(1, 2, 4), Domain.index(3)),
            p("x", t(2, 3, 3))),
        c(
            "gather symbolic rows",
            (b, p) -> b.unary(Op.SIN, b.gather(p[1], 1, p[0])),
            in("i", idx("N", 2), Domain.index(3)),
            p("x", sym(F, "N", 3))),
        c(
            "gather of a scalar",
            (b, p) -> b.square(b.gather(p[1], 0, p[0])),
            in("i", idx(), Domain.index(1)),
            p("x", t())));
  }

  private static List<Case> scatterAdd() {
    return List.of(
        c(
            "scatter_add along dim 1",
            (b, p) -> b.scatterAdd(p[1], 1, p[0], p[2]),
            in("i", idx(2, 3), Domain.index(4)),
            p("x", t(2, 4)),
            p("s", t(2, 3))),
        c(
            "scatter_add with repeats, squared",
            (b, p) -> b.square(b.scatterAdd(p[1], 0, p[0], p[2])),
            in("i", idx(5, 2), Domain.index(3)),
            p("x", t(3, 2)),
            p("s", t(5, 2))),
        c(
            "scatter_add of a sine into zeros, times its source's gather",
            (b, p) ->
                b.mul(
                    b.scatterAdd(b.full(0, t(3, 3)), 0, p[0], b.unary(Op.SIN, p[1])),
                    b.scatterAdd(b.full(0, t(3, 3)), 0, p[0], p[1])),
            in("i", idx(2, 3), Domain.index(3)),
            p("s", t(2, 3))),
        c(
            "scatter_add symbolic rows",
            (b, p) -> b.unary(Op.TANH, b.scatterAdd(p[1], -1, p[0], p[2])),
            in("i", idx("N", 4), Domain.index(2)),
            p("x", sym(F, "N", 2)),
            p("s", sym(F, "N", 4))));
  }

  /**
   * One index along the scattered dim: no place is written twice, where PyTorch's rule is not the
   * derivative.
   */
  private static List<Case> scatter() {
    return List.of(
        c(
            "scatter along dim 1",
            (b, p) -> b.scatter(p[1], 1, p[0], p[2]),
            in("i", idx(3, 1), Domain.index(4)),
            p("x", t(3, 4)),
            p("s", t(3, 1))),
        c(
            "scatter rows, squared",
            (b, p) -> b.square(b.scatter(p[1], 0, p[0], b.exp(p[2]))),
            in("i", idx(1, 2), Domain.index(3)),
            p("x", t(3, 2)),
            p("s", t(1, 2))),
        c(
            "scatter symbolic rows into its own sine",
            (b, p) -> b.mul(b.scatter(b.unary(Op.SIN, p[1]), -1, p[0], p[2]), p[1]),
            in("i", idx("N", 1), Domain.index(2)),
            p("x", sym(F, "N", 2)),
            p("s", sym(F, "N", 1))));
  }

  private static List<Case> oneHot() {
    return List.of(
        c(
            "one_hot weights",
            (b, p) -> b.mul(b.oneHot(p[0], 4), p[1]),
            in("i", Type.of(DType.I64, 3), Domain.index(4)),
            p("x", t(3, 4))),
        c(
            "one_hot scalar index",
            (b, p) -> b.sum(b.mul(b.oneHot(p[0], 3), b.exp(p[1]))),
            in("i", Type.of(DType.I64), Domain.index(3)),
            p("x", t(3))));
  }

  private static List<Case> numel() {
    return List.of(
        c(
            "numel of a symbolic dim",
            (b, p) -> b.div(p[0], b.numel(p[0], new int[] {0}, F)),
            p("x", sym(F, "N", 3))),
        c(
            "numel of all dims",
            (b, p) -> b.mul(b.sum(p[0]), b.numel(p[0], new int[0], F)),
            p("x", sym(F, "N", 3))));
  }

  // ---------------------------------------------------------------- losses

  /** {@code var} and {@code std} over all, one and several dims, a symbolic dim, corrections. */
  static List<Case> statistics() {
    Domain spread = new Domain(-2, 2, 0);
    List<Case> cs = new ArrayList<>();
    for (boolean std : List.of(false, true)) {
      String n = std ? "std" : "var";
      Statistic s = std ? Statistics::std : Statistics::var;
      cs.add(c(n, (b, p) -> s.of(b, p[0], new int[0], 1, false), p("x", t(2, 3), spread)));
      cs.add(c(n + " dim", (b, p) -> s.of(b, p[0], new int[] {1}, 1, true), p("x", t(2, 3))));
      cs.add(
          c(
              n + " dims biased",
              (b, p) -> s.of(b, p[0], new int[] {0, 2}, 0, false),
              p("x", t(2, 2, 3))));
      cs.add(
          c(
              n + " symbolic dim, correction 2",
              (b, p) -> s.of(b, p[0], new int[] {0}, 2, false),
              p("x", sym(F, "N", 3), spread)));
    }
    cs.add(
        c("nansum", (b, p) -> Statistics.nansum(b, p[0], new int[] {1}, false), p("x", t(2, 3))));
    cs.add(
        c(
            "nanmean keepdim",
            (b, p) -> Statistics.nanmean(b, p[0], new int[] {0}, true),
            p("x", sym(F, "N", 3))));
    Domain away = new Domain(-2, 2, 0.1, 0);
    for (double ord : new double[] {2, 1, 3, 0.5, -1, Double.POSITIVE_INFINITY, -2.5}) {
      cs.add(
          c(
              "vector_norm ord " + ord,
              (b, p) -> Statistics.vectorNorm(b, p[0], ord, new int[] {1}, false),
              p("x", t(2, 3), away)));
    }
    cs.add(
        c(
            "vector_norm all dims",
            (b, p) -> Statistics.vectorNorm(b, p[0], 2, new int[0], false),
            p("x", sym(F, "N", 3))));
    cs.add(
        c(
            "var of three",
            (b, p) -> Statistics.var(b, p[0], new int[] {0}, 1, false),
            p("x", sym(F, 3, "N"))));
    return cs;
  }

  /** {@link Statistics#var} or {@link Statistics#std}. */
  interface Statistic {
    Value of(Builder b, Value x, int[] dims, long correction, boolean keepdim);
  }

  @TestFactory
  Stream<DynamicTest> everyStatistic() {
    return statistics().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> run(k, null)));
  }

  /** The linear-algebra helpers: products, triangles, diagonals (offsets, dims), trace. */
  static List<Case> linearAlgebra() {
    return List.of(
        c("outer", (b, p) -> LinearAlgebra.outer(b, p[0], p[1]), p("x", t(3)), p("y", t(2))),
        c("kron", (b, p) -> LinearAlgebra.kron(b, p[0], p[1]), p("x", t(2, 3)), p("y", t(3, 2))),
        c(
            "kron of ranks 1 and 3",
            (b, p) -> LinearAlgebra.kron(b, p[0], p[1]),
            p("x", t(3)),
            p("y", t(2, 1, 2))),
        c("vdot", (b, p) -> LinearAlgebra.dot(b, "dot", p[0], p[1]), p("x", t(4)), p("y", t(4))),
        c(
            "addmm scaled, broadcast input",
            (b, p) -> LinearAlgebra.addmm(b, p[0], p[1], p[2], 0.5, -2, false),
            p("c", t(3)),
            p("a", t(2, 4)),
            p("m", t(4, 3))),
        c(
            "addmm beta 0",
            (b, p) -> LinearAlgebra.addmm(b, p[0], p[1], p[2], 0, 1, false),
            p("c", t(2, 3)),
            p("a", t(2, 4)),
            p("m", t(4, 3))),
        c(
            "baddbmm",
            (b, p) -> LinearAlgebra.addmm(b, p[0], p[1], p[2], 1, 1.5, true),
            p("c", t(2, 1, 3)),
            p("a", t(2, 2, 4)),
            p("m", t(2, 4, 3))),
        c("tril", (b, p) -> LinearAlgebra.triangle(b, p[0], 0, true), p("x", t(3, 4))),
        c(
            "triu -1 batched",
            (b, p) -> LinearAlgebra.triangle(b, p[0], -1, false),
            p("x", t(2, 3, 3))),
        c("diag of a vector, offset 1", (b, p) -> LinearAlgebra.diag(b, p[0], 1), p("x", t(3))),
        c(
            "diag of a matrix, offset -1",
            (b, p) -> LinearAlgebra.diag(b, p[0], -1),
            p("x", t(4, 3))),
        c(
            "diagonal of dims 2 and 0",
            (b, p) -> LinearAlgebra.diagonal(b, p[0], 1, 2, 0),
            p("x", t(3, 2, 4))),
        c(
            "diagonal symbolic batch",
            (b, p) -> LinearAlgebra.diagonal(b, p[0], 0, -2, -1),
            p("x", sym(F, "N", 3, 3))),
        c(
            "diag_embed dims 0 and 2, offset -2",
            (b, p) -> LinearAlgebra.diagEmbed(b, p[0], -2, 0, 2),
            p("x", t(2, 3))),
        c("trace wide", (b, p) -> LinearAlgebra.trace(b, p[0]), p("x", t(2, 4))),
        c(
            "trace of a product",
            (b, p) -> LinearAlgebra.trace(b, b.matmul(p[0], b.transposeLast(p[0]))),
            p("x", t(3, 2))));
  }

  /** layer_norm, normalize, cosine_similarity, pairwise_distance and cdist away from kinks. */
  static List<Case> distances() {
    Domain away = new Domain(-2, 2, 0.1, 0);
    return List.of(
        c(
            "layer_norm affine",
            (b, p) -> Distances.layerNorm(b, p[0], List.of(Dim.of(4)), p[1], p[2], 1e-5),
            p("x", t(3, 4)),
            p("gamma", t(4)),
            p("beta", t(4))),
        c(
            "layer_norm two dims, symbolic batch",
            (b, p) -> Distances.layerNorm(b, p[0], List.of(Dim.of(2), Dim.of(3)), null, null, 1e-3),
            p("x", sym(F, "N", 2, 3))),
        c("normalize", (b, p) -> Distances.normalize(b, p[0], 2, 1, 1e-12), p("x", t(3, 4))),
        c(
            "normalize p 3 dim 0",
            (b, p) -> Distances.normalize(b, p[0], 3, 0, 1e-12),
            p("x", t(3, 4), away)),
        c(
            "cosine_similarity broadcast",
            (b, p) -> Distances.cosineSimilarity(b, p[0], p[1], -1, 1e-8),
            p("x", t(3, 4)),
            p("y", t(4))),
        c(
            "pairwise_distance p 1 keepdim",
            (b, p) -> Distances.pairwiseDistance(b, p[0], p[1], 1, 1e-6, true),
            p("x", t(3, 4), away),
            p("y", t(3, 4), new Domain(2.5, 3, 0))),
        c(
            "pairwise_distance",
            (b, p) -> Distances.pairwiseDistance(b, p[0], p[1], 2, 1e-6, false),
            p("x", t(3, 4)),
            p("y", t(3, 4))),
        c("cdist", (b, p) -> Distances.cdist(b, p[0], p[1], 2), p("x", t(3, 2)), p("y", t(4, 2))),
        c("pdist", (b, p) -> Distances.pdist(b, p[0], 2), p("x", t(5, 3))),
        c("pdist p 3", (b, p) -> Distances.pdist(b, p[0], 3), p("x", t(4, 2), away)),
        c(
            "cdist p 3 batched",
            (b, p) -> Distances.cdist(b, p[0], p[1], 3),
            p("x", t(2, 3, 2), away),
            p("y", t(2, 2, 2), new Domain(2.5, 3, 0))),
        c(
            "group_norm affine",
            (b, p) -> Distances.groupNorm(b, p[0], 2, p[1], p[2], 1e-5),
            p("x", t(2, 4, 3)),
            p("gamma", t(4)),
            p("beta", t(4))),
        c(
            "local_response_norm",
            (b, p) -> Distances.localResponseNorm(b, p[0], 3, 0.5, 0.75, 1.0),
            p("x", t(2, 5, 3))),
        c(
            "local_response_norm even window wider than the channels",
            (b, p) -> Distances.localResponseNorm(b, p[0], 6, 1.0, 1.5, 2.0),
            p("x", t(1, 4, 2, 2))),
        c(
            "batch_norm training affine",
            (b, p) -> Distances.batchNorm(b, p[0], null, null, p[1], p[2], true, 1e-5),
            p("x", t(3, 2, 2)),
            p("gamma", t(2)),
            p("beta", t(2))),
        c(
            "batch_norm evaluation",
            (b, p) ->
                Distances.batchNorm(
                    b,
                    p[0],
                    b.mul(p[1], Builder.lit(0.5, F)),
                    b.add(b.mul(p[1], p[1]), Builder.lit(1, F)),
                    null,
                    null,
                    false,
                    1e-5),
            p("x", sym(F, "N", 2)),
            p("stat", t(2))),
        c(
            "instance_norm",
            (b, p) -> Distances.instanceNorm(b, p[0], null, null, 1e-5),
            p("x", sym(F, "N", 2, 3))),
        c(
            "einsum ellipsis, broadcast batch",
            (b, p) -> Einsum.einsum(b, "...ij,...jk->...ik", List.of(p[0], p[1])),
            p("x", t(2, 1, 2, 3)),
            p("y", t(3, 3, 2))),
        c(
            "einsum ellipsis summed, implicit",
            (b, p) ->
                b.add(
                    b.sum(Einsum.einsum(b, "i...->...", List.of(p[0]))),
                    b.sum(Einsum.einsum(b, "...i,i", List.of(p[0], p[1])))),
            p("x", t(2, 3, 2)),
            p("y", t(2))),
        c(
            "einsum attention",
            (b, p) -> Einsum.einsum(b, "bhqd,bhkd->bhqk", List.of(p[0], p[1])),
            p("q", t(2, 2, 3, 2)),
            p("k", t(2, 2, 4, 2))),
        c(
            "einsum diagonal, trace, chain",
            (b, p) ->
                b.add(
                    b.sum(Einsum.einsum(b, "ii->i", List.of(p[0]))),
                    b.add(
                        Einsum.einsum(b, "ii", List.of(p[0])),
                        b.sum(Einsum.einsum(b, "ij,jk,kl->il", List.of(p[1], p[0], p[2]))))),
            p("s", t(3, 3)),
            p("a", t(2, 3)),
            p("m", t(3, 2))),
        c(
            "einsum symbolic batch",
            (b, p) -> Einsum.einsum(b, "nij,njk->nki", List.of(p[0], p[1])),
            p("a", sym(F, "N", 2, 3)),
            p("m", sym(F, "N", 3, 2))));
  }

  @TestFactory
  Stream<DynamicTest> everyDistance() {
    return distances().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> run(k, null)));
  }

  @TestFactory
  Stream<DynamicTest> everyLinearAlgebraHelper() {
    return linearAlgebra().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> run(k, null)));
  }

  static List<Case> losses() {
    Domain prob = Domain.PROBABILITY;
    Domain away = new Domain(-2, 2, 0.05, -1, 0, 1);
    return List.of(
        c("mse_loss", (b, p) -> b.mseLoss(p[0], p[1]), p("a", t(2, 3)), p("b", t(2, 3))),
        c(
            "mse_loss broadcast target",
            (b, p) -> b.mseLoss(p[0], p[1]),
            p("a", t(2, 3)),
            in("y", t(3), ANY)),
        c(
            "l1_loss",
            (b, p) -> b.l1Loss(p[0], p[1]),
            p("a", t(2, 3), away),
            in("y", t(2, 3), new Domain(0, 0, 0))),
        c(
            "l1_loss two params",
            (b, p) -> b.l1Loss(p[0], p[1]),
            p("a", t(2, 3), new Domain(0.5, 2, 0)),
            p("b", t(3), new Domain(-2, -0.5, 0))),
        c(
            "huber_loss",
            (b, p) -> b.huberLoss(p[0], p[1], 1.0),
            p("a", t(2, 3), away),
            in("y", t(2, 3), new Domain(0, 0, 0))),
        c(
            "huber_loss two params",
            (b, p) -> b.huberLoss(p[0], p[1], 1.0),
            p("a", t(4), away),
            p("b", t(4), new Domain(-0.02, 0.02, 0))),
        c(
            "binary_cross_entropy_with_logits",
            (b, p) -> b.binaryCrossEntropyWithLogits(p[0], p[1]),
            p("x", t(2, 3)),
            in("y", t(2, 3), prob)),
        c(
            "binary_cross_entropy_with_logits, target requires grad",
            (b, p) -> b.binaryCrossEntropyWithLogits(p[0], p[1]),
            p("x", t(4)),
            p("y", t(4), prob)),
        c(
            "binary_cross_entropy_with_logits, large logits",
            (b, p) -> b.binaryCrossEntropyWithLogits(p[0], p[1]),
            p("x", t(6), new Domain(-30, 30, 1, 0)),
            in("y", t(6), prob)),
        c(
            "cross_entropy class index",
            (b, p) -> b.crossEntropy(p[0], p[1]),
            p("x", t(3)),
            in("i", Type.of(DType.I64), Domain.index(3))),
        c(
            "cross_entropy class indices",
            (b, p) -> b.crossEntropy(p[0], p[1]),
            p("x", t(4, 3)),
            in("i", Type.of(DType.I64, 4), Domain.index(3))),
        c(
            "cross_entropy probabilities",
            (b, p) -> b.crossEntropy(p[0], p[1]),
            p("x", t(4, 3)),
            in("y", t(4, 3), prob)),
        c(
            "cross_entropy probabilities require grad",
            (b, p) -> b.crossEntropy(p[0], p[1]),
            p("x", t(2, 3)),
            p("y", t(2, 3), prob)));
  }

  // ---------------------------------------------------------------- running

  @TestFactory
  Stream<DynamicTest> everyOp() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Op op : Op.values()) {
      List<Case> cs = cases(op);
      assertFalse(cs.isEmpty(), "no finite-difference case for " + op);
      for (Case k : cs) {
        tests.add(DynamicTest.dynamicTest(k.name(), () -> run(k, op)));
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> everyLoss() {
    return losses().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> run(k, null)));
  }

  private static void run(Case k, Op op) {
    if (op != null) {
      assertTrue(
          k.f().insts().stream().map(Inst::op).anyMatch(o -> o == op),
          k.name() + " does not contain " + op.mnemonic() + ":\n" + k.f());
    }
    List<NdArray> args = sample(k);
    List<double[]> expected =
        k.oracle() != null ? k.oracle().apply(args) : Gradients.numeric(k.f(), args, k.h());
    Gradients.check(k.f(), args, expected, k.tol());
  }

  static List<NdArray> sample(Case k) {
    return sample(k, new SplittableRandom(k.name().hashCode()));
  }

  /** Arguments for {@code k} drawn from its domains with {@code rng}. */
  static List<NdArray> sample(Case k, SplittableRandom rng) {
    List<NdArray> args = new ArrayList<>();
    for (Arg a : k.args()) {
      int[] shape = a.type().shape(SIZES);
      DType dt = a.type().dtype();
      args.add(NdArray.of(dt, shape, a.domain().sample(rng, dt, NdArray.numel(shape))));
    }
    return args;
  }
}
