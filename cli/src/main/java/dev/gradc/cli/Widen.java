package dev.gradc.cli;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;

/**
 * A function with every {@code f32} widened to {@code f64}, instruction for instruction: the
 * gradient check takes finite differences in f64 whatever the program's dtype, so that they measure
 * the derivative rather than float rounding.
 */
final class Widen {
  private Widen() {}

  static Func toF64(Func f) {
    Builder b = new Builder(f.name());
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), widen(p.type()), p.role());
    }
    for (Inst inst : f.insts()) {
      Value[] ops = new Value[inst.arity()];
      for (int k = 0; k < ops.length; k++) {
        ops[k] = value(inst.operand(k), map);
      }
      map[inst.id()] = b.emit(inst.op(), widen(inst.type()), ops, inst.dims(), inst.keepdim());
    }
    Value[] results = new Value[f.results().size()];
    for (int i = 0; i < results.length; i++) {
      results[i] = value(f.result(i), map);
    }
    b.ret(results);
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
