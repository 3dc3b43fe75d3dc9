package dev.gradc.codegen;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.ir.Func;
import dev.gradc.ir.Value;
import java.util.List;

/**
 * Stage 4's output and what the emitter compiles: the {@link LoopPlan} with each loop laid out and
 * the loops grouped into {@link Kernel}s. Immutable; {@link #text} prints it ({@link PlanPrinter}).
 */
public final class Plan {
  final LoopPlan loops;

  /** The kernels, in step order. */
  final List<Kernel> kernels;

  Plan(LoopPlan loops, List<Kernel> kernels) {
    this.loops = loops;
    this.kernels = List.copyOf(kernels);
  }

  /** The function the plan runs (after lowering). */
  public Func func() {
    return loops.func;
  }

  /** The loop plan this plan lays out. */
  public LoopPlan loopPlan() {
    return loops;
  }

  Home home(Value v) {
    return loops.home(v);
  }

  List<Step> steps() {
    return loops.steps;
  }

  /** The kernel a loop runs in. */
  Kernel kernelOf(Loop loop) {
    for (Kernel k : kernels) {
      for (LoopLayout l : k.loops) {
        if (l.loop == loop) {
          return k;
        }
      }
    }
    throw new IllegalStateException("loop " + loop.index + " is in no kernel");
  }

  /** The layout of a loop. */
  LoopLayout layoutOf(Loop loop) {
    for (LoopLayout l : kernelOf(loop).loops) {
      if (l.loop == loop) {
        return l;
      }
    }
    throw new AssertionError(loop.index);
  }

  /** The number of kernels: each one pass over its rows, of one loop or several fused. */
  public int kernelCount() {
    return kernels.size();
  }

  /** The number of loops, fused into kernels or not. */
  public int loopCount() {
    return loops.loops().size();
  }

  /** The number of library calls (matmul, one_hot). */
  public int libraryCallCount() {
    return loops.steps.size() - loopCount();
  }

  /** The readable text form: what each loop computes, reads, writes and reduces. */
  public String text() {
    return PlanPrinter.print(this);
  }

  @Override
  public String toString() {
    return text();
  }
}
