package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Sixteen threads using the Java API at once, released together at each step: each thread's grad
 * mode is its own, graphs pending in several threads at the same time compute what they compute in
 * one thread, and one compiled function called from every thread gives one thread's results.
 */
class ConcurrencyTest {
  static final int THREADS = 16;

  /** Runs {@code task(t)} on {@code THREADS} threads; each gets the shared barrier to step with. */
  static <T> List<T> together(TaskWithBarrier<T> task) throws Exception {
    CyclicBarrier step = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        Callable<T> c = () -> task.run(id, step);
        fs.add(pool.submit(c));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  interface TaskWithBarrier<T> {
    T run(int thread, CyclicBarrier step) throws Exception;
  }

  @Test
  void gradMode_isEachThreadsOwn_whileOthersChangeTheirs() throws Exception {
    List<double[]> grads =
        together(
            (t, step) -> {
              boolean enabled = t % 2 == 0;
              Autograd.setGradEnabled(enabled);
              try {
                step.await(); // every thread has set its mode
                Tensor w = Tensor.tensor(DType.F64, 1, 2, 3).requiresGrad_();
                Tensor y = w.mul(t + 1).add(1).sum();
                step.await(); // every thread has built its graph
                assertEquals(enabled, Autograd.isGradEnabled(), "thread " + t);
                assertEquals(enabled, y.requiresGrad(), "thread " + t);
                if (!enabled) {
                  assertNull(y.gradFn(), "thread " + t);
                  assertEquals(6.0 * (t + 1) + 3, y.item(), 0);
                  return null;
                }
                y.backward();
                return w.grad().toDoubleArray();
              } finally {
                Autograd.setGradEnabled(true);
              }
            });
    for (int t = 0; t < THREADS; t++) {
      if (t % 2 == 0) {
        assertArrayEquals(new double[] {t + 1, t + 1, t + 1}, grads.get(t), 0, "thread " + t);
      } else {
        assertNull(grads.get(t));
      }
    }
  }

  /** A graph that differs by thread: distinct constants make distinct kernels. */
  static Tensor graph(Tensor x, Tensor w, int t) {
    return x.matmul(w).mul(0.5 + t).tanh().add(x.sum(1, true).mul(t)).square().mean();
  }

  static Tensor input() {
    double[][] rows = new double[64][8];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < 8; j++) {
        rows[i][j] = Math.sin(i * 0.3 + j);
      }
    }
    return Tensor.tensor(DType.F64, rows);
  }

  static Tensor weights(int t) {
    double[] w = new double[8];
    for (int j = 0; j < 8; j++) {
      w[j] = Math.cos(j + t) * 0.1;
    }
    return Tensor.tensor(DType.F64, w).requiresGrad_();
  }

  @Test
  void graphsPendingInSixteenThreads_computeWhatOneThreadComputes() throws Exception {
    Tensor x = input(); // shared, never written
    x.toDoubleArray();
    List<double[]> expected = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Tensor w = weights(t);
      Tensor loss = graph(x, w, t);
      loss.backward();
      expected.add(concat(loss.item(), w.grad().toDoubleArray()));
    }
    List<double[]> got =
        together(
            (t, step) -> {
              Tensor w = weights(t);
              Tensor loss = graph(x, w, t);
              Tensor other = w.exp().sum(); // a second pending graph in the same thread
              step.await(); // every thread holds pending graphs; none is computed yet
              loss.backward();
              assertTrue(other.requiresGrad());
              assertEquals(expSum(w), other.item(), 1e-12);
              return concat(loss.item(), w.grad().toDoubleArray());
            });
    for (int t = 0; t < THREADS; t++) {
      assertArrayEquals(expected.get(t), got.get(t), 0, "thread " + t);
    }
  }

  private static double expSum(Tensor w) {
    double s = 0;
    for (double v : w.detach().toDoubleArray()) {
      s += Math.exp(v);
    }
    return s;
  }

  private static double[] concat(double v, double[] g) {
    double[] out = new double[g.length + 1];
    out[0] = v;
    System.arraycopy(g, 0, out, 1, g.length);
    return out;
  }

  @Test
  void oneCompiledFunction_calledFromSixteenThreads_matchesOneThread() throws Exception {
    Tensor x = input();
    CompiledFn loss = Gradc.compile((w, in) -> graph(in, w, 3), weights(0), x);
    IntFunction<double[]> call =
        t -> {
          ValueAndGrad vg = loss.valueAndGrad(weights(t), x);
          return concat(vg.value().item(), vg.grad(0).toDoubleArray());
        };
    List<double[]> expected = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      expected.add(call.apply(t));
    }
    List<double[]> got =
        together(
            (t, step) -> {
              step.await();
              return call.apply(t);
            });
    for (int t = 0; t < THREADS; t++) {
      assertArrayEquals(expected.get(t), got.get(t), 0, "thread " + t);
      assertFalse(Double.isNaN(got.get(t)[0]));
    }
  }
}
