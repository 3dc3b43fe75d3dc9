package dev.gradc.codegen;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.List;

/**
 * Stage 2, lower: {@code Func} (optimized) to {@code Func} (lowered). Rewrites the ops that loops
 * do not compute directly into ops they do, with the reference interpreter's numerics: {@code
 * logsumexp} into a max, a shift that is zero when the max is infinite, a sum of exponentials and a
 * log; {@code softmax} and {@code log_softmax} into a max, a sum of shifted exponentials and an
 * elementwise finish. Each reduction then becomes a loop, so the plan shows exactly the passes over
 * memory that the dependencies force. The rewrites repeat subexpressions (two softmaxes of one
 * tensor share their max); {@link Compiler} runs CSE and DCE on the result.
 */
final class Lowering {
  private Lowering() {}

  /** The lowered function: {@code f}'s values, with every op one a loop or library computes. */
  public static Func lower(Func f) {
    Builder b = new Builder(f.name());
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
    for (Inst inst : f.insts()) {
      Value[] in = Builder.mapped(inst.operands(), map);
      map[inst.id()] =
          switch (inst.op().kind()) {
            case ELEMENTWISE -> elementwise(b, inst, in);
            case REDUCTION ->
                switch (inst.op().reduction().combine()) {
                  case LOG_ADD_EXP -> logsumexp(b, in[0], inst.dims(), inst.keepdim());
                  case ADD, MUL, MAX, MIN -> same(b, inst, in);
                };
            case NORMALIZE -> softmax(b, inst.op().normalization(), in[0], inst.dim(0));
            case STRUCTURAL ->
                inst.op() == Op.MATMUL ? matvec(b, inst, in[0], in[1]) : same(b, inst, in);
          };
    }
    Value[] rs = new Value[f.results().size()];
    for (int i = 0; i < rs.length; i++) {
      Value r = f.result(i);
      rs[i] = r.id() < 0 ? r : map[r.id()];
    }
    b.ret(rs);
    return b.build();
  }

  /** The instruction itself, on the mapped operands. */
  private static Value same(Builder b, Inst inst, Value[] in) {
    return b.emitLike(inst, in);
  }

  /**
   * Elementwise ops stay, except for rewrites into cheaper equal forms: {@code pow(x, 2)} is {@code
   * square(x)}, a division by a power of two is a multiplication, {@code softplus} is primitives.
   */
  private static Value elementwise(Builder b, Inst inst, Value[] in) {
    Op op = inst.op();
    if (op == Op.POW && in[1] instanceof Lit l && l.value() == 2.0) {
      return b.unary(Op.SQUARE, in[0]);
    }
    if (op == Op.DIV && in[1] instanceof Lit l && isPowerOfTwo(l.value())) {
      return b.mul(in[0], Builder.lit(1 / l.value(), l.type().dtype()));
    }
    if (op == Op.SOFTPLUS) {
      return softplus(b, in[0]);
    }
    return same(b, inst, in);
  }

  private static Value logsumexp(Builder b, Value x, int[] dims, boolean keepdim) {
    if (x.type().isScalar()) {
      return x;
    }
    DType dt = x.type().dtype();
    Value m = b.emit(Op.AMAX, null, new Value[] {x}, dims, true);
    Value inf = Builder.lit(Double.POSITIVE_INFINITY, dt);
    Value shift = b.where(b.binary(Op.EQ, b.abs(m), inf), Builder.lit(0, dt), m);
    Value e = b.exp(b.sub(x, b.broadcastTo(shift, x.type().dims())));
    Value s = b.emit(Op.SUM, null, new Value[] {e}, dims, true);
    Value r = b.add(b.log(s), shift);
    return keepdim ? r : b.reshape(r, Typing.reduced(x.type(), dims, false).dims());
  }

  /**
   * A matrix-vector product is memory-bound: as a broadcast multiply and a sum it fuses with what
   * surrounds it and streams the matrix once, in its own layout (see {@link LoopLayout}). Other
   * products stay {@code matmul}, a blocked library routine.
   */
  private static Value matvec(Builder b, Inst inst, Value x, Value y) {
    int rx = x.type().rank();
    int ry = y.type().rank();
    // i64 products stay exact in the library routine (a loop would sum them in f64).
    if (rx > 2 || ry > 2 || inst.type().dtype() == DType.I64) {
      return b.emit(Op.MATMUL, inst.type(), new Value[] {x, y}, inst.dims(), false);
    }
    // Products in f64 and one rounding at the end, as the matmul routine and the interpreter.
    DType dt = inst.type().dtype();
    Value a = b.cast(rx == 1 ? b.unsqueeze(x, 0) : x, DType.F64); // [n, k]
    Value c = b.cast(ry == 1 ? b.unsqueeze(y, 1) : y, DType.F64); // [k, m]
    Dim n = a.type().dim(0);
    Dim k = a.type().dim(1);
    Dim m = c.type().dim(1);
    Value out;
    if (m.equals(Dim.of(1))) {
      // [n, 1] = sum_k a[n, k] * c[k, 0]
      Value row = b.broadcastTo(b.transposeLast(c), List.of(n, k));
      out = b.reduce(Op.SUM, b.mul(a, row), new int[] {1}, true);
    } else if (n.equals(Dim.of(1))) {
      // [1, m] = sum_k a[0, k] * c[k, m]
      Value col = b.broadcastTo(b.transposeLast(a), List.of(k, m));
      out = b.reduce(Op.SUM, b.mul(col, c), new int[] {0}, true);
    } else {
      return b.emit(Op.MATMUL, inst.type(), new Value[] {x, y}, inst.dims(), false);
    }
    return b.cast(b.reshape(out, inst.type().dims()), dt);
  }

  /**
   * True when {@code 1/c} is exact, so that {@code x / c == x * (1/c)} for every {@code x}: a power
   * of two whose reciprocal is a normal number.
   */
  static boolean isPowerOfTwo(double c) {
    double a = Math.abs(c);
    int e = Math.getExponent(a);
    return a != 0 && e > -120 && e < 120 && a == Math.scalb(1.0, e);
  }

  /**
   * {@code softplus(x) = x > 20 ? x : log1p(exp(x))}, exactly as {@code ScalarMath.softplus}; as
   * primitives, its {@code exp(x)} is shared by CSE with the one its gradient computes.
   */
  private static Value softplus(Builder b, Value x) {
    DType dt = x.type().dtype();
    Value big = b.binary(Op.GT, x, Builder.lit(20, dt));
    return b.where(big, x, b.unary(Op.LOG1P, b.exp(x)));
  }

  private static Value softmax(Builder b, Op.Normalization n, Value x, int dim) {
    if (x.type().isScalar()) {
      return Builder.lit(n == Op.Normalization.SOFTMAX ? 1 : 0, x.type().dtype());
    }
    int[] dims = {dim};
    Value m = b.emit(Op.AMAX, null, new Value[] {x}, dims, true);
    Value v = b.sub(x, b.broadcastTo(m, x.type().dims()));
    Value e = b.exp(v);
    Value s = b.emit(Op.SUM, null, new Value[] {e}, dims, true);
    return switch (n) {
      case SOFTMAX -> b.div(e, b.broadcastTo(s, x.type().dims()));
      case LOG_SOFTMAX -> b.sub(v, b.broadcastTo(b.log(s), x.type().dims()));
    };
  }
}
