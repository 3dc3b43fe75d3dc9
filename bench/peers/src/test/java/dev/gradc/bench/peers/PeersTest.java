package dev.gradc.bench.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.bench.Problem;
import dev.gradc.bench.Size;
import dev.gradc.bench.Workload;
import dev.gradc.ir.Func;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.Kernels;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The peers compute what the benchmarks claim: on the small problems, TensorFlow Java and DJL give
 * the reference interpreter's value and gradients, and their tiny steps the tutorial's gradients.
 * Loading their native libraries also checks that they run offline from the Maven Central jars.
 */
class PeersTest {
  @ParameterizedTest
  @EnumSource(Workload.class)
  void tensorFlow_matchesInterpreter(Workload w) {
    TensorFlowState s =
        pick(
            w,
            TensorFlowState.Mse::new,
            TensorFlowState.Logistic::new,
            TensorFlowState.BlackScholes::new,
            TensorFlowState.Mlp::new);
    s.size = "small";
    s.setUp();
    try {
      check(w, s.results());
    } finally {
      s.tearDown();
    }
  }

  @ParameterizedTest
  @EnumSource(Workload.class)
  void djl_matchesInterpreter(Workload w) {
    DjlState s =
        pick(
            w,
            DjlState.Mse::new,
            DjlState.Logistic::new,
            DjlState.BlackScholes::new,
            DjlState.Mlp::new);
    s.size = "small";
    s.setUp();
    try {
      s.step(); // the gradients a step leaves behind must not leak into the next one
      check(w, s.results());
    } finally {
      s.tearDown();
    }
  }

  @Test
  void tensorFlowTinyStep_givesTutorialGradients_everyStep() {
    TensorFlowTinyStep s = new TensorFlowTinyStep();
    checkTinyStep(s::setUp, s::step, s::tearDown);
  }

  @Test
  void djlTinyStep_givesTutorialGradients_everyStep() {
    DjlTinyStep s = new DjlTinyStep();
    checkTinyStep(s::setUp, s::step, s::tearDown);
  }

  /** Two steps give x1.grad = 42 and x2.grad = 23: nothing is left over from the first. */
  private static void checkTinyStep(Runnable setUp, Supplier<double[]> step, Runnable tearDown) {
    setUp.run();
    try {
      assertArrayEquals(new double[] {42, 23}, step.get());
      assertArrayEquals(new double[] {42, 23}, step.get());
    } finally {
      tearDown.run();
    }
  }

  private static <T> T pick(
      Workload w,
      Supplier<T> mse,
      Supplier<T> logistic,
      Supplier<T> blackScholes,
      Supplier<T> mlp) {
    return switch (w) {
      case MSE -> mse.get();
      case LOGISTIC -> logistic.get();
      case BLACK_SCHOLES -> blackScholes.get();
      case MLP -> mlp.get();
    };
  }

  private static void check(Workload w, List<double[]> actual) {
    Problem p = w.problem(Size.SMALL);
    Func vjp = p.vjp();
    Object[] expected = Kernels.interpret(vjp).call(p.args(), p.shapes(), null);
    assertEquals(expected.length, actual.size(), "result count");
    for (int i = 0; i < expected.length; i++) {
      int n = Buffers.length(expected[i]);
      assertEquals(n, actual.get(i).length, "length of result " + i);
      double scale = 0;
      for (int j = 0; j < n; j++) {
        scale = Math.max(scale, Math.abs(Buffers.get(expected[i], j)));
      }
      double tol = (expected[i] instanceof float[] ? 1e-4 : 1e-9) * Math.max(scale, 1e-30);
      for (int j = 0; j < n; j++) {
        assertEquals(Buffers.get(expected[i], j), actual.get(i)[j], tol, w + " result " + i);
      }
    }
  }
}
