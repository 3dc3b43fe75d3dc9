package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Value;
import java.util.List;
import java.util.function.IntPredicate;

/** Dead code elimination: drops instructions no result depends on. */
public final class Dce implements Pass {
  @Override
  public String name() {
    return "dce";
  }

  @Override
  public Func run(Func f) {
    return without(f, id -> true);
  }

  /**
   * {@code f} without the instructions that {@code droppable} accepts (by id) and that neither a
   * result nor a kept instruction depends on; every other instruction stays, used or not.
   */
  public static Func without(Func f, IntPredicate droppable) {
    return keeping(f, kept(f, droppable));
  }

  /** {@code f} with only the instructions {@code keep} marks (by id), as {@link #kept} gives it. */
  public static Func keeping(Func f, boolean[] keep) {
    Rewrite r = new Rewrite(f);
    for (Inst inst : f.insts()) {
      if (keep[inst.id()]) {
        r.set(inst, r.copy(inst));
      }
    }
    return r.finish();
  }

  /** The values (by id) that {@link #without} keeps. */
  public static boolean[] kept(Func f, IntPredicate droppable) {
    boolean[] keep = new boolean[f.valueCount()];
    for (Value v : f.results()) {
      if (!(v instanceof Lit)) {
        keep[v.id()] = true;
      }
    }
    List<Inst> insts = f.insts();
    for (int n = insts.size() - 1; n >= 0; n--) {
      Inst inst = insts.get(n);
      if (keep[inst.id()] || !droppable.test(inst.id())) {
        keep[inst.id()] = true;
        for (Value v : inst.operands()) {
          if (!(v instanceof Lit)) {
            keep[v.id()] = true;
          }
        }
      }
    }
    return keep;
  }
}
