package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The optimization pipeline, read top to bottom. Simplify first, because folding exposes equal
 * subexpressions; CSE next, because merging leaves dead duplicates; DCE last, to remove them and
 * whatever simplification orphaned. {@code PipelineTest} checks each of these orderings.
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
