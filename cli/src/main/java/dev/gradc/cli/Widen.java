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
import java.util.ArrayList;
import java.util.List;

/**
 * A function with every {@code f32} widened to {@code f64}, instruction for instruction: the
 * gradient check takes finite differences in f64 whatever the program's dtype, so that they measure
 * the derivative rather than float rounding.
 */
final class Widen {
  private Widen() {}

  static Func toF64(Func f) {
    return copy(f, false, false, null, null);
  }

  /**
   * For tests: {@link #toF64} of {@code f} with every {@code from} instruction computing {@code to}
   * instead (applied to an adjoint, a wrong gradient rule).
   */
  static Func replacing(Func f, Op from, Op to) {
    return copy(f, false, false, from, to);
  }

  /**
   * {@link #toF64} of {@code f} returning its result followed by the value of each {@code detach}
   * (also those of {@code with no_grad:}), in order: the values {@link #frozen} takes.
   */
  static Func probe(Func f) {
    return copy(f, false, true, null, null);
  }

  /**
   * {@link #toF64} of {@code f} with each {@code detach} replaced by an input appended to the
   * params, in order: finite differences of it move the params but not the detached values, which
   * stay at their forward values, as the gradient sees them.
   */
  static Func frozen(Func f) {
    return copy(f, true, false, null, null);
  }

  private static Func copy(Func f, boolean freeze, boolean probe, Op from, Op to) {
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
    for (Value r : f.results()) {
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
