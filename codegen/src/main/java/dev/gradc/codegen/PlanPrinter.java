package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.LibraryCall;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The text form of a plan: for each loop, its iteration domain and loop shape, and which values it
 * reads, computes, writes and reduces; library calls; scalars computed between steps; where each
 * result comes from. Value names are those of the planned (lowered) function. In a fused loop,
 * {@code keeps} lists the row values a loop hands to later loops in a local instead of a buffer.
 *
 * <pre>
 * plan @loss.vjp: 1 loop, 0 library calls
 * loop 0 over [N] (flat, N elements)
 *   reads    %a %b %c %d
 *   computes %0 %1 %2 %3 %5 %6 %7
 *   writes   %6 %7 %8
 *   reduces  %4 = sum %3 (all dims)
 * scalars after loop 0: %9
 * results: %9, %7, %8, %6
 * </pre>
 */
final class PlanPrinter {
  private PlanPrinter() {}

  static String print(Plan plan) {
    Func f = plan.func();
    StringBuilder s = new StringBuilder();
    int loops = plan.loopCount();
    int calls = plan.libraryCallCount();
    s.append("plan @").append(f.name()).append(": ");
    s.append(loops).append(loops == 1 ? " loop, " : " loops, ");
    s.append(calls).append(calls == 1 ? " library call\n" : " library calls\n");
    scalarsAt(s, plan, -1, "scalars first:");
    for (Step step : plan.steps()) {
      if (step instanceof Loop n) {
        Kernel k = plan.kernelOf(n);
        LoopLayout l = plan.layoutOf(n);
        if (k.isFused() && k.firstLoop() == n) {
          s.append("kernel of loops");
          for (LoopLayout st : k.loops) {
            s.append(' ').append(st.loop.index);
          }
          s.append(": one pass over ").append(k.outerCount()).append(" rows\n");
        }
        loop(s, plan, l);
      } else {
        Inst inst = ((LibraryCall) step).inst;
        s.append("call ")
            .append(step.index)
            .append(": ")
            .append(name(f, inst))
            .append(" = ")
            .append(inst.op().mnemonic());
        for (Value v : inst.operands()) {
          s.append(' ').append(name(f, v));
        }
        Inst bag = LoopPlan.bagSumGather(inst, f.useCounts());
        if (bag != null) {
          s.append(" (per bag, of ")
              .append(name(f, bag))
              .append(" = gather ")
              .append(name(f, bag.operand(0)))
              .append(' ')
              .append(name(f, bag.operand(1)))
              .append(", not stored)");
        }
        s.append('\n');
      }
      scalarsAt(s, plan, step.index, "scalars after step " + step.index + ":");
    }
    s.append("results:");
    for (int i = 0; i < f.results().size(); i++) {
      s.append(i == 0 ? " " : ", ").append(name(f, f.result(i)));
      s.append(" (")
          .append(plan.loops.resultKinds.get(i).name().toLowerCase(java.util.Locale.ROOT))
          .append(')');
    }
    s.append('\n');
    return s.toString();
  }

  private static String name(Func f, Value v) {
    return Printer.name(f, v);
  }

  private static void scalarsAt(StringBuilder s, Plan plan, int step, String label) {
    List<String> names = new ArrayList<>();
    for (Inst inst : plan.func().insts()) {
      Home h = plan.home(inst);
      if (h.where() == Where.SCALAR && h.readyAt() == step && !LoopPlan.isReduction(inst)) {
        names.add(name(plan.func(), inst));
      }
    }
    if (!names.isEmpty()) {
      s.append(label).append(' ').append(String.join(" ", names)).append('\n');
    }
  }

  private static void loop(StringBuilder s, Plan plan, LoopLayout l) {
    Func f = plan.func();
    s.append(plan.kernelOf(l.loop).isFused() ? "  loop " : "loop ")
        .append(l.loop.index)
        .append(" over ")
        .append(l.loop.domain);
    if (l.rank() == 1) {
      s.append(" (flat, ").append(l.sizes.get(0)).append(" elements)\n");
    } else {
      s.append(" (rows ")
          .append(l.sizes.subList(0, l.rank() - 1))
          .append(" x ")
          .append(l.innerSize());
      s.append(l.sequential ? ", sequential)\n" : ")\n");
    }
    List<String> reads = new ArrayList<>();
    for (Value v : l.reads.keySet()) {
      reads.add(name(f, v) + guarded(l, v));
    }
    for (Value v : l.guardedScalars.keySet()) {
      reads.add(name(f, v) + guarded(l, v));
    }
    for (Value v : l.scalars) {
      reads.add(name(f, v));
    }
    line(s, "reads", reads);
    List<String> computes = new ArrayList<>();
    for (Inst m : l.loop.members) {
      if (!LoopPlan.isReduction(m)) {
        computes.add(name(f, m));
      }
    }
    line(s, "computes", computes);
    Kernel k = plan.kernelOf(l.loop);
    List<String> writes = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (Value v : l.stores.keySet()) {
      (k.rowValues.contains(v) ? kept : writes).add(name(f, v));
    }
    for (Reduction r : l.reductions) {
      if (k.rowValues.contains(r.inst)) {
        kept.add(name(f, r.inst));
      }
    }
    line(s, "writes", writes);
    line(s, "keeps", kept);
    for (Reduction r : l.reductions) {
      Inst m = r.inst;
      s.append("  reduces  ")
          .append(name(f, m))
          .append(" = ")
          .append(m.op().mnemonic())
          .append(' ')
          .append(name(f, m.operand(0)))
          .append(" (")
          .append(r.mode.name().toLowerCase(java.util.Locale.ROOT))
          .append(")\n");
    }
    if (VectorKernelEmitter.unsupported(k) == null) {
      line(s, "vector", List.of(VectorKernelEmitter.shape(k, l)));
    }
  }

  private static void line(StringBuilder s, String label, List<String> names) {
    if (!names.isEmpty()) {
      s.append("  ")
          .append(String.format("%-9s", label))
          .append(String.join(" ", names))
          .append('\n');
    }
  }

  /**
   * For a guarded read (a {@code slice_backward} read in place): where along which collapsed dim it
   * reads, {@code " (dim 1 in [256, 512))"} ({@code " (dim 1 in [0, 7) step 2)"} for a step other
   * than 1); otherwise empty.
   */
  private static String guarded(LoopLayout l, Value v) {
    LoopLayout.Guard g = l.guards.get(v);
    if (g == null) {
      return "";
    }
    String step = g.step() == 1 ? "" : " step " + g.step();
    return " (dim " + g.dim() + " in [" + g.lo() + ", " + g.hi() + ")" + step + ")";
  }
}
