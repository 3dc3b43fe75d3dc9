package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The optimization pipeline, read top to bottom. Simplify first: folding and identities make
 * different instructions equal, for CSE, and leave the values they rewrote away unused, for DCE.
 * CSE and DCE commute (CSE keeps first occurrences, whose operands stay used). {@code PipelineTest}
 * states each constraint with a function where the other order leaves work undone.
 */
public final class Pipeline {
  private Pipeline() {}

  public static final List<Pass> PASSES = List.of(new Simplify(), new Cse(), new Dce());

  public static Func run(Func f) {
    return run(f, (pass, out) -> {});
  }

  /** Runs every pass, calling {@code afterEach} with each pass and its output (tests verify). */
  public static Func run(Func f, BiConsumer<Pass, Func> afterEach) {
    Func cur = f;
    for (Pass p : PASSES) {
      cur = p.run(cur);
      afterEach.accept(p, cur);
    }
    return cur;
  }
}
