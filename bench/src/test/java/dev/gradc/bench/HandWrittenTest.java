package dev.gradc.bench;

import dev.gradc.bench.baseline.ChunkPool;
import dev.gradc.ir.Func;
import dev.gradc.runtime.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hand-written baselines compute what the benchmarks claim: the same value and gradients as the
 * reference interpreter on the vjp of each workload, at small sizes, with one and with three
 * threads (so chunk boundaries fall mid-array).
 */
class HandWrittenTest {
  @ParameterizedTest
  @EnumSource(Workload.class)
  void handWritten_matchesInterpreter(Workload w) {
    Problem p = w.problem(Size.SMALL);
    Func vjp = p.vjp();
    Object[] expected = Kernels.interpret(vjp).call(p.args(), p.shapes(), null);
    for (int threads : new int[] {1, 3}) {
      Object[] outs = p.newOutputs(vjp);
      try (ChunkPool pool = new ChunkPool(threads)) {
        w.handWritten(p, outs, pool).run();
        // Twice: results must not depend on what a previous call left in the buffers.
        w.handWritten(p, outs, pool).run();
      }
      Results.assertClose(expected, outs, w + ", " + threads + " threads");
    }
  }
}
