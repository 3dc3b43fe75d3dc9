package dev.gradc.cli;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Role;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A function with every {@code f32} widened to {@code f64}, instruction for instruction: the
 * gradient check takes finite differences in f64 whatever the program's dtype, so that they measure
 * the derivative rather than float rounding.
 */
final class Widen {
  private Widen() {}

  static Func toF64(Func f) {
    return copy(f, false, false, null, null, null);
  }

  /**
   * For tests: {@link #toF64} of {@code f} with every {@code from} instruction computing {@code to}
   * instead (applied to an adjoint, a wrong gradient rule).
   */
  static Func replacing(Func f, Op from, Op to) {
    return copy(f, false, false, from, to, null);
  }

  /**
   * {@link #toF64} of {@code f} returning its result followed by the value of each {@code detach}
   * (also those of {@code with no_grad:}), in order: the values {@link #frozen} takes.
   */
  static Func probe(Func f) {
    return copy(f, false, true, null, null, null);
  }

  /**
   * {@link #toF64} of {@code f} with each {@code detach} replaced by an input appended to the
   * params, in order: finite differences of it move the params but not the detached values, which
   * stay at their forward values, as the gradient sees them.
   */
  static Func frozen(Func f) {
    return copy(f, true, false, null, null, null);
  }

  /**
   * {@link #frozen} of the scalar {@code f} returning the additive terms of its result (through
   * scalar {@code add}, {@code sub} and {@code neg}) instead of their sum; {@link #termSigns} gives
   * each term's sign. A term that does not read a param has no derivative in it, so finite
   * differences of the terms that do are those of {@code f}, also where another term is not finite
   * (a NaN in {@code sum(log(a))} says nothing about the derivative in {@code b}).
   */
  static Func frozenTerms(Func f) {
    return copy(f, true, false, null, null, terms(f, null));
  }

  /** {@link #toF64} of {@code f} returning the value of every instruction, in order. */
  static Func values(Func f) {
    return copy(f, false, false, null, null, new ArrayList<>(f.insts()));
  }

  /** The sign (1 or -1) of each result of {@link #frozenTerms}. */
  static double[] termSigns(Func f) {
    List<Double> signs = new ArrayList<>();
    terms(f, signs);
    double[] out = new double[signs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = signs.get(i);
    }
    return out;
  }

  /** The additive terms of the scalar result of {@code f}, literals left out, with their signs. */
  private static List<Value> terms(Func f, List<Double> signs) {
    List<Value> out = new ArrayList<>();
    ArrayDeque<Value> stack = new ArrayDeque<>();
    ArrayDeque<Double> stackSigns = new ArrayDeque<>();
    stack.push(f.result(0));
    stackSigns.push(1.0);
    while (!stack.isEmpty()) {
      Value v = stack.pop();
      double sign = stackSigns.pop();
      if (v instanceof Lit) {
        continue;
      }
      if (v instanceof Inst i && i.type().isScalar() && isSum(i)) {
        for (int k = i.arity() - 1; k >= 0; k--) {
          stack.push(i.operand(k));
          stackSigns.push(i.op() == Op.NEG || (i.op() == Op.SUB && k == 1) ? -sign : sign);
        }
        continue;
      }
      out.add(v);
      if (signs != null) {
        signs.add(sign);
      }
    }
    if (out.isEmpty()) {
      out.add(f.result(0)); // a constant: one term with no derivative
      if (signs != null) {
        signs.add(1.0);
      }
    }
    return out;
  }

  private static boolean isSum(Inst i) {
    if (i.op() != Op.ADD && i.op() != Op.SUB && i.op() != Op.NEG) {
      return false;
    }
    for (Value v : i.operands()) {
      if (!v.type().isScalar()) {
        return false;
      }
    }
    return true;
  }

  /** For each result of {@code g}, the indices of the params it reads. */
  static BitSet[] reads(Func g) {
    BitSet[] reads = new BitSet[g.valueCount()];
    for (Param p : g.params()) {
      reads[p.id()] = new BitSet();
      reads[p.id()].set(p.id());
    }
    for (Inst inst : g.insts()) {
      BitSet r = new BitSet();
      for (Value v : inst.operands()) {
        if (!(v instanceof Lit)) {
          r.or(reads[v.id()]);
        }
      }
      reads[inst.id()] = r;
    }
    BitSet[] out = new BitSet[g.results().size()];
    for (int k = 0; k < out.length; k++) {
      Value v = g.result(k);
      out[k] = v instanceof Lit ? new BitSet() : reads[v.id()];
    }
    return out;
  }

  private static Func copy(
      Func f, boolean freeze, boolean probe, Op from, Op to, List<Value> resultsOverride) {
    Builder b = new Builder(f.name());
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), widen(p.type()), p.role());
    }
    List<Inst> detached = new ArrayList<>();
    for (Inst inst : f.insts()) {
      if (inst.op() == Op.DETACH) {
        detached.add(inst);
      }
    }
    if (freeze) {
      for (Inst d : detached) {
        map[d.id()] = b.addParam("detached%" + d.id(), widen(d.type()), Role.INPUT);
      }
    }
    for (Inst inst : f.insts()) {
      if (freeze && inst.op() == Op.DETACH) {
        continue;
      }
      Value[] ops = new Value[inst.arity()];
      for (int k = 0; k < ops.length; k++) {
        ops[k] = value(inst.operand(k), map);
      }
      Op op = inst.op() == from ? to : inst.op();
      map[inst.id()] = b.emit(op, widen(inst.type()), ops, inst.dims(), inst.keepdim());
    }
    List<Value> results = new ArrayList<>();
    for (Value r : resultsOverride != null ? resultsOverride : f.results()) {
      results.add(value(r, map));
    }
    if (probe) {
      for (Inst d : detached) {
        results.add(map[d.id()]);
      }
    }
    b.ret(results.toArray(new Value[0]));
    return b.build();
  }

  private static Value value(Value v, Value[] map) {
    if (v instanceof Lit l) {
      return Builder.lit(l.value(), widen(l.type().dtype()));
    }
    return map[v.id()];
  }

  private static DType widen(DType d) {
    return d == DType.F32 ? DType.F64 : d;
  }

  private static Type widen(Type t) {
    return t.withDtype(widen(t.dtype()));
  }
}
