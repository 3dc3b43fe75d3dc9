package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Value;
import java.util.List;

/** Dead code elimination: drops instructions no result depends on. */
public final class Dce implements Pass {
  @Override
  public String name() {
    return "dce";
  }

  @Override
  public Func run(Func f) {
    boolean[] live = new boolean[f.valueCount()];
    for (Value v : f.results()) {
      if (!(v instanceof Lit)) {
        live[v.id()] = true;
      }
    }
    List<Inst> insts = f.insts();
    for (int n = insts.size() - 1; n >= 0; n--) {
      Inst inst = insts.get(n);
      if (live[inst.id()]) {
        for (Value v : inst.operands()) {
          if (!(v instanceof Lit)) {
            live[v.id()] = true;
          }
        }
      }
    }
    Rewrite r = new Rewrite(f);
    for (Inst inst : insts) {
      if (live[inst.id()]) {
        r.set(inst, r.copy(inst));
      }
    }
    return r.finish();
  }
}
