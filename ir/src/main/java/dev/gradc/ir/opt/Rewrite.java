package dev.gradc.ir.opt;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Origin;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;

/**
 * The shared frame of a pass that rebuilds a function: same name and parameters, a map from old
 * values to new ones, and the results and adjoint annotations carried across.
 */
final class Rewrite {
  final Func old;
  final Builder b;
  private final Value[] map;

  Rewrite(Func old) {
    this.old = old;
    this.b = new Builder(old.name());
    this.map = new Value[old.valueCount()];
    for (Param p : old.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
  }

  /** The new value standing for an old one (literals map to themselves). */
  Value get(Value v) {
    return v instanceof Lit ? v : map[v.id()];
  }

  void set(Inst old, Value now) {
    map[old.id()] = now;
  }

  /**
   * The old instruction's operands, mapped. Every pass reads them before replacing the instruction,
   * so this is also where the instruction's origin becomes the builder's: whatever the pass emits
   * for it (a copy, a folded form, a rewrite) is attributed to the same source.
   */
  Value[] operands(Inst inst) {
    b.at(old.origin(inst));
    return Builder.mapped(inst.operands(), map);
  }

  /** Re-emits an instruction unchanged but for its operands. */
  Value copy(Inst inst) {
    return b.emitLike(inst, operands(inst));
  }

  Func finish() {
    for (Inst inst : old.insts()) {
      Value now = map[inst.id()];
      for (Value fwd : old.adjointOf(inst)) {
        Value f = get(fwd);
        if (now != null && f != null && !(f instanceof Lit)) {
          b.noteAdjoint(now, f);
        }
      }
    }
    b.at((Origin) null);
    Value[] rs = new Value[old.results().size()];
    for (int i = 0; i < rs.length; i++) {
      rs[i] = get(old.result(i));
    }
    b.ret(rs);
    return b.build();
  }
}
