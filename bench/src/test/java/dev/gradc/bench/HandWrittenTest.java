package dev.gradc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.bench.baseline.ChunkPool;
import dev.gradc.ir.Func;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.Runtime;
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
    Object[] expected = Runtime.interpret(vjp).call(p.args(), p.shapes(), null);
    for (int threads : new int[] {1, 3}) {
      Object[] outs = p.newOutputs(vjp);
      try (ChunkPool pool = new ChunkPool(threads)) {
        w.handWritten(p, outs, pool).run();
        // Twice: results must not depend on what a previous call left in the buffers.
        w.handWritten(p, outs, pool).run();
      }
      for (int i = 0; i < outs.length; i++) {
        assertClose(expected[i], outs[i], w + " result " + i + ", " + threads + " threads");
      }
    }
  }

  /** Close relative to the largest magnitude of the expected buffer: 1e-10 in f64, 1e-4 in f32. */
  private static void assertClose(Object expected, Object actual, String what) {
    int n = Buffers.length(expected);
    assertEquals(n, Buffers.length(actual), what);
    double scale = 0;
    for (int i = 0; i < n; i++) {
      scale = Math.max(scale, Math.abs(Buffers.get(expected, i)));
    }
    double tol = (expected instanceof float[] ? 1e-4 : 1e-10) * Math.max(scale, 1e-30);
    for (int i = 0; i < n; i++) {
      assertEquals(Buffers.get(expected, i), Buffers.get(actual, i), tol, what + " at " + i);
    }
  }
}
