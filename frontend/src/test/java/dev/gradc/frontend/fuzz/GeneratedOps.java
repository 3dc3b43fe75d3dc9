package dev.gradc.frontend.fuzz;

import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.ad.Autodiff;
import java.util.EnumSet;
import java.util.Set;

/** The ops that {@link ProgramGenerator}'s programs and their gradients contain. */
public final class GeneratedOps {
  private GeneratedOps() {}

  /** The ops of the programs of seeds {@code first} to {@code first + count - 1}. */
  public static Set<Op> ofSeeds(long first, int count) {
    Set<Op> ops = EnumSet.noneOf(Op.class);
    for (long seed = first; seed < first + count; seed++) {
      FuzzProgram p = ProgramGenerator.generate(seed);
      Func f = GradLanguage.parse(p.name() + ".grad", p.source()).func();
      Func g = f.gradParams().isEmpty() ? f : Autodiff.vjp(f);
      for (Inst i : g.insts()) {
        ops.add(i.op());
      }
    }
    return ops;
  }
}
