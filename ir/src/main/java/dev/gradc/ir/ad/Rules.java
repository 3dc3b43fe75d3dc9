package dev.gradc.ir.ad;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient rule of every op, one case each, following PyTorch's {@code derivatives.yaml}
 * (including its subgradients: {@code relu'(0) = 0}, {@code abs'(0) = 0}, {@code clamp} passes the
 * gradient at its bounds, tied maxima share it evenly) and its order of operations, which decides
 * where a gradient overflows or underflows: {@code div}'s {@code -g * ((x / d) / d)}, {@code
 * sigmoid}'s {@code g * (1 - y) * y}, {@code softplus}'s {@code g * z / (z + 1)}, {@code pow}'s
 * masked {@code g * (e * x^(e-1))}. {@code ExtremeMagnitudeTest} checks every rule against PyTorch
 * at 1e±300 and f32 1e±38.
 */
final class Rules {
  private Rules() {}

  /**
   * The adjoint contributions to the operands of {@code inst}, given the adjoint {@code g} of its
   * result; entries whose {@code needs} is false may be null. {@code in} and {@code y} are the
   * operands and result in the function being built.
   */
  static Value[] vjp(Builder b, Inst inst, Value[] in, Value y, Value g, boolean[] needs) {
    Value[] d = new Value[in.length];
    Value x = in[0];
    DType dt = inst.type().dtype();
    Lit zero = Builder.lit(0, dt);
    Lit one = Builder.lit(1, dt);
    switch (inst.op()) {
      case ADD -> {
        d[0] = g;
        d[1] = g;
      }
      case SUB -> {
        d[0] = g;
        d[1] = needs[1] ? b.neg(g) : null;
      }
      case MUL -> {
        d[0] = needs[0] ? b.mul(g, in[1]) : null;
        d[1] = needs[1] ? b.mul(g, in[0]) : null;
      }
      case DIV -> {
        d[0] = needs[0] ? b.div(g, in[1]) : null;
        // -g * ((x / d) / d): x / (d * d) overflows or underflows where the quotients do not
        d[1] = needs[1] ? b.mul(b.neg(g), b.div(b.div(in[0], in[1]), in[1])) : null;
      }
      case POW -> {
        Value e = in[1];
        if (needs[0]) {
          if (e instanceof Lit) {
            double c = ((Lit) e).value();
            d[0] =
                c == 0 ? b.full(0, x.type()) : b.mul(g, b.mul(b.pow(x, Builder.lit(c - 1, dt)), e));
          } else {
            Value t = b.mul(g, b.mul(e, b.pow(x, b.sub(e, one))));
            d[0] = b.where(b.binary(Op.EQ, e, zero), zero, t);
          }
        }
        if (needs[1]) {
          Value t = b.mul(y, b.log(x));
          Value masked =
              b.where(b.binary(Op.EQ, x, zero), b.where(b.binary(Op.GE, e, zero), zero, t), t);
          d[1] = b.mul(g, masked);
        }
      }
      case MAXIMUM, MINIMUM -> {
        Value half = b.where(b.binary(Op.EQ, in[0], in[1]), b.mul(g, Builder.lit(0.5, dt)), g);
        Op loses0 = inst.op() == Op.MAXIMUM ? Op.LT : Op.GT;
        Op loses1 = inst.op() == Op.MAXIMUM ? Op.GT : Op.LT;
        d[0] = needs[0] ? b.where(b.binary(loses0, in[0], in[1]), zero, half) : null;
        d[1] = needs[1] ? b.where(b.binary(loses1, in[0], in[1]), zero, half) : null;
      }
      case ATAN2 -> {
        Value a = in[0];
        Value c = in[1];
        Value recip = b.unary(Op.RECIPROCAL, b.add(b.mul(a, a), b.mul(c, c)));
        d[0] = needs[0] ? b.mul(b.mul(g, c), recip) : null;
        d[1] = needs[1] ? b.mul(b.mul(g, b.neg(a)), recip) : null;
      }
      case HYPOT -> {
        d[0] = needs[0] ? b.div(b.mul(g, in[0]), y) : null;
        d[1] = needs[1] ? b.div(b.mul(g, in[1]), y) : null;
      }
      case REMAINDER, FMOD -> {
        d[0] = g;
        if (needs[1]) {
          if (in[0] instanceof Lit) {
            // remainder(number, tensor): PyTorch records no derivative for the divisor
            throw new GradcException(
                "derivative for aten::" + inst.op().mnemonic() + " is not implemented");
          }
          // PyTorch's div(rounding_mode="floor") is a / d where d is 0, else NaN where the
          // dividend is infinite (its fmod is): x - x adds that NaN and nothing else; "trunc" is
          // trunc(x / d)
          Value a = in[0];
          Value q = b.unary(inst.op() == Op.REMAINDER ? Op.FLOOR : Op.TRUNC, b.div(a, in[1]));
          if (inst.op() == Op.REMAINDER) {
            q = b.add(q, b.where(b.binary(Op.EQ, in[1], zero), zero, b.sub(a, a)));
          }
          d[1] = b.mul(b.neg(g), q);
        }
      }
      case COPYSIGN -> {
        if (needs[0]) {
          Value ratio = b.where(b.binary(Op.EQ, x, zero), zero, b.div(y, x));
          d[0] = b.mul(g, ratio);
        }
        d[1] = needs[1] ? b.full(0, in[1].type()) : null;
      }
      case XLOGY, XLOG1PY -> {
        if (needs[0]) {
          // xlogy(g, y), 0 where x is 0 and y <= 0 (xlog1py: y <= -1)
          Value edge = Builder.lit(inst.op() == Op.XLOGY ? 0 : -1, dt);
          Value masked =
              b.where(
                  b.binary(Op.LE, in[1], edge),
                  b.binary(Op.EQ, x, zero),
                  Builder.lit(0, DType.BOOL));
          d[0] = b.where(masked, zero, b.binary(inst.op(), g, in[1]));
        }
        if (needs[1]) {
          Value den = inst.op() == Op.XLOGY ? in[1] : b.add(in[1], one);
          d[1] = b.div(b.mul(g, x), den);
        }
      }
      case LOGADDEXP -> {
        d[0] = needs[0] ? b.div(g, b.add(one, b.exp(b.sub(in[1], x)))) : null;
        d[1] = needs[1] ? b.div(g, b.add(one, b.exp(b.sub(x, in[1])))) : null;
      }
      case POLYGAMMA -> {
        if (needs[0]) {
          throw new GradcException("the derivative for 'n' of polygamma is not implemented");
        }
        d[1] = b.mul(g, b.binary(Op.POLYGAMMA, b.add(x, one), in[1]));
      }
      case LOGADDEXP2 -> {
        d[0] = needs[0] ? b.div(g, b.add(one, b.unary(Op.EXP2, b.sub(in[1], x)))) : null;
        d[1] = needs[1] ? b.div(g, b.add(one, b.unary(Op.EXP2, b.sub(x, in[1])))) : null;
      }
      case LT,
          LE,
          GT,
          GE,
          EQ,
          NE,
          SIGN,
          FLOOR,
          CEIL,
          ROUND,
          TRUNC,
          DETACH,
          ONE_HOT,
          NUMEL,
          CUMMAX_INDICES,
          CUMMIN_INDICES,
          ARGSORT,
          TOPK_ORDER,
          KTHVALUE_ORDER -> {
        // zero gradient; these are never active
      }
      case WHERE -> {
        d[1] = needs[1] ? b.where(in[0], g, zero) : null;
        d[2] = needs[2] ? b.where(in[0], zero, g) : null;
      }
      case CLAMP -> {
        Value lo = in[1];
        Value hi = in[2];
        if (needs[0]) {
          d[0] = b.where(b.binary(Op.GE, x, lo), b.where(b.binary(Op.LE, x, hi), g, zero), zero);
        }
        if (needs[1]) {
          // As PyTorch: min gets the gradient where it clamps and min < max.
          d[1] = b.where(b.binary(Op.LT, x, lo), b.where(b.binary(Op.LT, lo, hi), g, zero), zero);
        }
        if (needs[2]) {
          d[2] = b.where(b.binary(Op.GT, x, hi), g, b.where(b.binary(Op.LT, hi, lo), g, zero));
        }
      }
      case NEG -> d[0] = b.neg(g);
      case ABS -> d[0] = b.mul(g, b.unary(Op.SIGN, x));
      case EXP -> d[0] = b.mul(g, y);
      case EXPM1 -> d[0] = b.mul(g, b.add(y, one));
      case LOG -> d[0] = b.div(g, x);
      case LOG1P -> d[0] = b.div(g, b.add(x, one));
      case SQRT -> d[0] = b.div(g, b.mul(y, Builder.lit(2, dt)));
      case RSQRT -> d[0] = b.mul(b.mul(g, Builder.lit(-0.5, dt)), b.pow(y, Builder.lit(3, dt)));
      case SQUARE -> d[0] = b.mul(g, b.mul(x, Builder.lit(2, dt)));
      case RECIPROCAL -> d[0] = b.mul(b.neg(g), b.mul(y, y));
      case SIN -> d[0] = b.mul(g, b.unary(Op.COS, x));
      case COS -> d[0] = b.mul(g, b.neg(b.unary(Op.SIN, x)));
      case TAN -> d[0] = b.mul(g, b.add(b.mul(y, y), one));
      case TANH -> d[0] = b.mul(g, b.sub(one, b.mul(y, y)));
      case SIGMOID -> d[0] = b.mul(b.mul(g, b.sub(one, y)), y);
      // PyTorch's threshold_backward: no gradient where the result is <= 0, so NaN passes it
      case RELU -> d[0] = b.where(b.binary(Op.LE, y, zero), zero, g);
      case SOFTPLUS -> {
        Value z = b.exp(x);
        Value s = b.div(b.mul(g, z), b.add(z, one));
        d[0] = b.where(b.binary(Op.GT, x, Builder.lit(20, dt)), g, s);
      }
      case ERF -> {
        Value e = b.exp(b.neg(b.square(x)));
        d[0] = b.mul(g, b.mul(e, Builder.lit(1.1283791670955126, dt)));
      }
      case ERFC -> {
        Value e = b.exp(b.neg(b.square(x)));
        d[0] = b.mul(b.mul(e, Builder.lit(-1.1283791670955126, dt)), g);
      }
      case SINC -> {
        // PyTorch's sinc_backward: (g * (pi x cos(pi x) - sin(pi x))) / (x x pi), 0 where x x pi is
        // 0
        Value px = b.mul(x, Builder.lit(Math.PI, dt));
        Value xxp = b.mul(b.mul(x, x), Builder.lit(Math.PI, dt));
        Value num = b.sub(b.mul(px, b.unary(Op.COS, px)), b.unary(Op.SIN, px));
        d[0] = b.where(b.binary(Op.EQ, xxp, zero), zero, b.div(b.mul(g, num), xxp));
      }
      // (g * y) * ln 2, as PyTorch: it overflows where y * ln 2 alone would not
      case EXP2 -> d[0] = b.mul(b.mul(g, y), Builder.lit(0.6931471805599453, dt));
      case SINH -> d[0] = b.mul(g, b.unary(Op.COSH, x));
      case COSH -> d[0] = b.mul(g, b.unary(Op.SINH, x));
      case ASINH -> d[0] = b.mul(g, b.unary(Op.RSQRT, b.add(b.square(x), one)));
      case ACOSH -> d[0] = b.mul(g, b.unary(Op.RSQRT, b.sub(b.square(x), one)));
      case ATANH -> d[0] = b.div(g, b.sub(one, b.square(x)));
      case ASIN -> d[0] = b.mul(g, b.unary(Op.RSQRT, b.sub(one, b.square(x))));
      case ACOS -> d[0] = b.mul(g, b.neg(b.unary(Op.RSQRT, b.sub(one, b.square(x)))));
      case ATAN -> d[0] = b.div(g, b.add(b.square(x), one));
      case LOG2 -> d[0] = b.div(g, b.mul(x, Builder.lit(0.6931471805599453, dt)));
      case LOG10 -> d[0] = b.div(g, b.mul(x, Builder.lit(2.302585092994046, dt)));
      case LGAMMA -> d[0] = b.mul(g, b.unary(Op.DIGAMMA, x));
      case DIGAMMA -> d[0] = b.mul(g, b.binary(Op.POLYGAMMA, one, x));
      // sqrt(pi)/2 * exp(erfinv(x)^2) * g, as PyTorch
      case ERFINV ->
          d[0] = b.mul(b.mul(Builder.lit(0.8862269254527579, dt), b.exp(b.square(y))), g);
      case CAST -> d[0] = b.cast(g, x.type().dtype());
      case SUM -> d[0] = b.broadcastTo(restore(b, g, inst), x.type().dims());
      case MEAN -> {
        Value n = b.numel(x, inst.dims(), dt);
        d[0] = b.broadcastTo(restore(b, b.div(g, n), inst), x.type().dims());
      }
      case AMAX, AMIN -> {
        Value mask = b.binary(Op.EQ, x, b.broadcastTo(restore(b, y, inst), x.type().dims()));
        Value maskF = b.cast(mask, dt);
        Value count = b.sum(maskF, inst.dims(), true);
        Value share = b.div(restore(b, g, inst), count);
        d[0] = b.mul(b.broadcastTo(share, x.type().dims()), maskF);
      }
      case LOGSUMEXP -> {
        Value yb = b.broadcastTo(restore(b, y, inst), x.type().dims());
        Value gb = b.broadcastTo(restore(b, g, inst), x.type().dims());
        d[0] = b.mul(gb, b.exp(b.sub(x, yb)));
      }
      case PROD ->
          d[0] = b.mul(b.broadcastTo(restore(b, g, inst), x.type().dims()), prodOthers(b, inst, x));
      // the sum from the other end, as PyTorch's flip(cumsum(flip(g)))
      case CUMSUM -> d[0] = b.scan(Op.CUMSUM, g, inst.dim(0), inst.dim(1) == 0);
      case CUMPROD -> d[0] = Cumulative.cumprod(b, inst, x, y, g);
      case LOGCUMSUMEXP -> d[0] = Cumulative.logcumsumexp(b, inst, x, y, g);
      case CUMMAX, CUMMIN -> d[0] = Cumulative.extreme(b, inst, x, g);
      case RESHAPE, SQUEEZE, UNSQUEEZE -> d[0] = b.reshape(g, x.type().dims());
      case TRANSPOSE -> d[0] = b.transpose(g, inst.dim(0), inst.dim(1));
      case PERMUTE -> {
        int[] p = inst.dims();
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) {
          inv[p[i]] = i;
        }
        d[0] = b.permute(g, inv);
      }
      case EXPAND, BROADCAST -> d[0] = b.sumTo(g, x.type().dims());
      case SUM_TO -> d[0] = b.broadcastTo(g, x.type().dims());
      case SLICE ->
          d[0] = b.sliceBackward(g, x.type().dims(), inst.dim(0), inst.dim(1), inst.dim(2));
      case GATHER -> d[0] = b.scatterAdd(b.full(0, x.type()), inst.dim(0), in[1], g);
      case SCATTER_ADD -> {
        d[0] = needs[0] ? g : null;
        d[2] = needs[2] ? b.gather(g, inst.dim(0), in[1]) : null;
      }
      case SCATTER -> {
        // as PyTorch: g where nothing was written; every source element gets g where it went
        d[0] = needs[0] ? b.scatter(g, inst.dim(0), in[1], b.full(0, in[2].type())) : null;
        d[2] = needs[2] ? b.gather(g, inst.dim(0), in[1]) : null;
      }
      case SLICE_BACKWARD ->
          d[0] =
              b.slice(g, inst.dim(0), inst.dim(1), inst.dim(2), x.type().dim(inst.dim(0)).size());
      case MATMUL -> matmul(b, in, g, needs, d);
      case SVD -> d[0] = SvdRules.vjp(b, inst, x, g);
      case SOFTMAX -> {
        int[] dim = inst.dims();
        Value gy = b.mul(g, y);
        Value s = b.sum(gy, dim, true);
        d[0] = b.mul(y, b.sub(g, s));
      }
      case LOG_SOFTMAX -> {
        Value s = b.sum(g, inst.dims(), true);
        d[0] = b.sub(g, b.mul(b.exp(y), s));
      }
    }
    return d;
  }

  /**
   * The product of the other elements of each element's slice, as PyTorch's {@code prod_backward}
   * gives it: {@code result / x} where the slice has no zero; at the one zero of a slice the
   * product of the others, elsewhere in that slice {@code 0 * (others)} (NaN where an other is
   * infinite); with two or more zeros zero ({@code 0 * (others)} over one dim, exact zeros over all
   * dims, as {@code ProdBackward0}'s {@code zeros_like}). Where a tensor reduced over one dim holds
   * a zero, the products before and after each element instead, as PyTorch (which differs from
   * dividing at NaN, infinities and overflow); over a symbolic size, still the division. Written
   * with products of the zeros and of the nonzeros apart, so that its own derivative is the product
   * of the elements other than two (the second derivative PyTorch's exclusive products give).
   */
  private static Value prodOthers(Builder b, Inst inst, Value x) {
    DType dt = x.type().dtype();
    int[] dims = inst.dims();
    Lit zero = Builder.lit(0, dt);
    Lit one = Builder.lit(1, dt);
    Value isZero = b.binary(Op.EQ, x, zero);
    Value nonzeros = b.where(isZero, one, x);
    // the product of the nonzeros, of the zeros (0 with a zero, else 1), and the number of zeros
    Value pn = b.reduce(Op.PROD, nonzeros, dims, true);
    Value pz = b.reduce(Op.PROD, b.where(isZero, x, one), dims, true);
    Value count = b.sum(b.cast(isZero, dt), dims, true);
    // at a nonzero: the zeros' product times the nonzeros' without this one
    Value atNonzero = b.mul(pz, b.div(pn, nonzeros));
    // at a zero: the nonzeros' product times the other zeros' (1 alone, their sum minus this one
    // when there are two: 0, with derivative 1 toward the other zero; 0 with more)
    Value sumOfZeros = b.sum(b.where(isZero, x, zero), dims, true);
    Value otherZeros =
        b.where(
            b.binary(Op.EQ, count, one),
            one,
            b.where(b.binary(Op.EQ, count, Builder.lit(2, dt)), b.sub(sumOfZeros, x), zero));
    Value others = b.where(isZero, b.mul(pn, otherZeros), atNonzero);
    if (inst.dimCount() == 0) {
      others = b.where(b.binary(Op.GE, count, Builder.lit(2, dt)), zero, others);
    } else if (dims.length == 1 && x.type().isStatic()) {
      // over one dim of a tensor that holds a zero anywhere, PyTorch's prod_backward switches, for
      // every slice, to prod_safe_zeros_backward: the products before and after each element
      Value anyZero = b.binary(Op.GT, b.sum(b.cast(isZero, dt)), zero);
      others = b.where(anyZero, exclusiveProducts(b, x, dims[0]), others);
    }
    return others;
  }

  /**
   * The product of the elements before each element along {@code d} times the product of those
   * after it, each a running product in PyTorch's order ({@code prod_safe_zeros_backward}).
   */
  private static Value exclusiveProducts(Builder b, Value x, int d) {
    int n = x.type().dim(d).size();
    if (n == 1) {
      return b.full(1, x.type());
    }
    Value before = shifted(b, b.scan(Op.CUMPROD, x, d, false), d, n, true);
    Value after = shifted(b, b.scan(Op.CUMPROD, x, d, true), d, n, false);
    return b.mul(before, after);
  }

  /**
   * {@code v} moved one place along {@code d} (later with {@code later}, else earlier), with 1 in
   * the place left empty; chosen by {@code where}, so every other element keeps its bits (-0 too).
   */
  private static Value shifted(Builder b, Value v, int d, int n, boolean later) {
    List<Dim> whole = v.type().dims();
    Value kept = b.slice(v, d, later ? 0 : 1, 1, n - 1);
    Value moved = b.sliceBackward(kept, whole, d, later ? 1 : 0, 1);
    List<Dim> one = new ArrayList<>(whole);
    one.set(d, Dim.of(1));
    Value mark = b.full(1, new Type(DType.BOOL, one));
    Value empty = b.sliceBackward(mark, whole, d, later ? 0 : n - 1, 1);
    return b.where(empty, Builder.lit(1, v.type().dtype()), moved);
  }

  /**
   * The tangent of the result of {@code inst} (its directional derivative, forward mode) given the
   * tangents {@code t} of its operands, null where an operand's tangent is zero; null when the
   * result's tangent is zero. {@code in} and {@code y} are the operands and result in the function
   * being built; a tangent has its value's type.
   *
   * <p>An elementwise op's Jacobian is diagonal, hence its own transpose: the tangent it gives an
   * operand's tangent {@code t_k} is its gradient rule above with {@code t_k} as the adjoint, so
   * forward and reverse mode share PyTorch's subgradients, masks and order of operations. Linear
   * ops (views, sums, {@code slice}, {@code slice_backward}, {@code gather}, {@code scatter_add})
   * apply themselves to the tangent; the others have their own rule.
   */
  static Value jvp(Builder b, Inst inst, Value[] in, Value y, Value[] t) {
    DType dt = inst.type().dtype();
    if (!dt.isFloat()) {
      return null;
    }
    return switch (inst.op()) {
      case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, ATAN2, HYPOT, REMAINDER, FMOD ->
          diagonal(b, inst, in, y, t);
      case COPYSIGN, XLOGY, XLOG1PY, LOGADDEXP, LOGADDEXP2, POLYGAMMA, WHERE, CLAMP ->
          diagonal(b, inst, in, y, t);
      case NEG, ABS, EXP, EXPM1, LOG, LOG1P, SQRT, RSQRT, SQUARE, RECIPROCAL ->
          diagonal(b, inst, in, y, t);
      case SIN,
          COS,
          TAN,
          TANH,
          SIGMOID,
          RELU,
          SOFTPLUS,
          ERF,
          ERFC,
          SINC,
          EXP2,
          LGAMMA,
          DIGAMMA,
          ERFINV ->
          diagonal(b, inst, in, y, t);
      case SINH, COSH, ASINH, ACOSH, ATANH, ASIN, ACOS, ATAN, LOG2, LOG10 ->
          diagonal(b, inst, in, y, t);
      case LT, LE, GT, GE, EQ, NE, SIGN, FLOOR, CEIL, ROUND, TRUNC, DETACH, ONE_HOT, NUMEL -> null;
      case CUMMAX_INDICES, CUMMIN_INDICES, ARGSORT, TOPK_ORDER, KTHVALUE_ORDER -> null;
      case CUMSUM -> b.emitLike(inst, new Value[] {t[0]});
      case CUMPROD -> Cumulative.cumprodTangent(b, inst, in[0], y, t[0]);
      case LOGCUMSUMEXP -> Cumulative.logcumsumexpTangent(b, inst, in[0], t[0]);
      case CUMMAX, CUMMIN -> Cumulative.extremeTangent(b, inst, in[0], t[0]);
      case CAST -> b.cast(t[0], dt);
      // linear: the op itself, on the tangent
      case SUM, MEAN, RESHAPE, TRANSPOSE, PERMUTE, UNSQUEEZE, SQUEEZE, EXPAND, BROADCAST ->
          b.emitLike(inst, new Value[] {t[0]});
      case SUM_TO, SLICE, SLICE_BACKWARD -> b.emitLike(inst, new Value[] {t[0]});
      // the tangent times the product of the others, summed: the gradient rule's factor
      case PROD ->
          b.emit(
              Op.SUM,
              null,
              new Value[] {b.mul(t[0], prodOthers(b, inst, in[0]))},
              inst.dims(),
              inst.keepdim());
      case GATHER -> t[0] == null ? null : b.emitLike(inst, new Value[] {t[0], in[1]});
      case SCATTER -> {
        // linear in self and src
        Value self = t[0] != null ? t[0] : b.full(0, in[0].type());
        Value src = t[2] != null ? t[2] : b.full(0, in[2].type());
        yield t[0] == null && t[2] == null ? null : b.scatter(self, inst.dim(0), in[1], src);
      }
      case SCATTER_ADD -> {
        // linear in self and src
        Value self = t[0] != null ? t[0] : b.full(0, in[0].type());
        yield t[0] == null && t[2] == null
            ? null
            : t[2] == null ? self : b.scatterAdd(self, inst.dim(0), in[1], t[2]);
      }
      case AMAX, AMIN -> {
        // the mean of the tangent over the tied extrema, as the gradient shares them evenly
        Value x = in[0];
        Value mask = b.binary(Op.EQ, x, b.broadcastTo(restore(b, y, inst), x.type().dims()));
        Value maskF = b.cast(mask, dt);
        Value count = b.emit(Op.SUM, null, new Value[] {maskF}, inst.dims(), inst.keepdim());
        Value picked =
            b.emit(Op.SUM, null, new Value[] {b.mul(t[0], maskF)}, inst.dims(), inst.keepdim());
        yield b.div(picked, count);
      }
      case LOGSUMEXP -> {
        Value x = in[0];
        Value yb = b.broadcastTo(restore(b, y, inst), x.type().dims());
        Value weighted = b.mul(t[0], b.exp(b.sub(x, yb)));
        yield b.emit(Op.SUM, null, new Value[] {weighted}, inst.dims(), inst.keepdim());
      }
      case MATMUL -> {
        Value d0 = t[0] == null ? null : b.emitLike(inst, new Value[] {t[0], in[1]});
        Value d1 = t[1] == null ? null : b.emitLike(inst, new Value[] {in[0], t[1]});
        yield d0 == null ? d1 : d1 == null ? d0 : b.add(d0, d1);
      }
      case SVD -> SvdRules.jvp(b, inst, in[0], t[0]);
      case SOFTMAX -> b.mul(y, b.sub(t[0], b.sum(b.mul(t[0], y), inst.dims(), true)));
      case LOG_SOFTMAX -> b.sub(t[0], b.sum(b.mul(b.exp(y), t[0]), inst.dims(), true));
    };
  }

  /**
   * The tangent of an elementwise op: the sum over operands with a tangent of the op's gradient
   * rule applied to that tangent (a diagonal Jacobian is symmetric).
   */
  private static Value diagonal(Builder b, Inst inst, Value[] in, Value y, Value[] t) {
    Value out = null;
    for (int k = 0; k < t.length; k++) {
      if (t[k] == null) {
        continue;
      }
      boolean[] needs = new boolean[t.length];
      needs[k] = true;
      Value d = vjp(b, inst, in, y, t[k], needs)[k];
      if (d != null) {
        out = out == null ? d : b.add(out, d);
      }
    }
    return out;
  }

  /** A reduced value back in the keepdim shape, ready to broadcast over the operand. */
  private static Value restore(Builder b, Value v, Inst reduction) {
    Type x = reduction.operand(0).type();
    if (reduction.keepdim() || x.isScalar()) {
      return v;
    }
    List<Dim> kept = Typing.reduced(x, reduction.dims(), true).dims();
    return v instanceof Lit ? v : b.reshape(v, kept);
  }

  /**
   * {@code C = A @ B}: {@code dA = dC @ B^T}, {@code dB = A^T @ dC}, with 1-D operands viewed as
   * matrices and broadcast batch dims summed back.
   */
  private static void matmul(Builder b, Value[] in, Value g, boolean[] needs, Value[] d) {
    Value a = in[0];
    Value c = in[1];
    int ra = a.type().rank();
    int rc = c.type().rank();
    Value g2 = g;
    if (ra == 1 && rc == 1) {
      g2 = b.reshape(g, List.of(Dim.of(1), Dim.of(1)));
    } else if (ra == 1) {
      g2 = b.unsqueeze(g, g.type().rank() - 1);
    } else if (rc == 1) {
      g2 = b.unsqueeze(g, g.type().rank());
    }
    if (needs[0]) {
      Value c2 = rc == 1 ? b.unsqueeze(c, 1) : c;
      List<Dim> a2 = ra == 1 ? List.of(Dim.of(1), a.type().dim(0)) : a.type().dims();
      Value da = b.sumTo(b.matmul(g2, b.transposeLast(c2)), a2);
      d[0] = b.reshape(da, a.type().dims());
    }
    if (needs[1]) {
      Value a2 = ra == 1 ? b.unsqueeze(a, 0) : a;
      List<Dim> c2 = rc == 1 ? List.of(c.type().dim(0), Dim.of(1)) : c.type().dims();
      Value dc = b.sumTo(b.matmul(b.transposeLast(a2), g2), c2);
      d[1] = b.reshape(dc, c.type().dims());
    }
  }
}
