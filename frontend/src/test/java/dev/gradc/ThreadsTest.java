package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Graphs built on different threads are independent: each thread's grad mode and pending values are
 * its own, and the shared kernel cache gives every thread the same results as one thread.
 */
class ThreadsTest {

  /** A few SGD steps from a fixed start, with no-grad toggled around the update. */
  private static double[] train(double start) {
    Tensor x = Tensor.tensor(DType.F64, new double[][] {{1, 2}, {3, 4}, {5, 6}});
    Tensor y = Tensor.tensor(DType.F64, 1, -1, 2);
    Tensor w = Tensor.full(DType.F64, start, 2).requiresGrad_();
    for (int step = 0; step < 20; step++) {
      F.mseLoss(x.matmul(w), y).backward();
      Autograd.setGradEnabled(false);
      try {
        w.sub_(w.grad().mul(0.01));
      } finally {
        Autograd.setGradEnabled(true);
      }
      w.grad().zero_();
    }
    return w.toDoubleArray();
  }

  @Test
  void eightThreadsTraining_matchOneThread() throws Exception {
    List<double[]> expected = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      expected.add(train(0.1 * t));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        double start = 0.1 * t;
        results.add(pool.submit(() -> train(start)));
      }
      for (int t = 0; t < 8; t++) {
        assertArrayEquals(expected.get(t), results.get(t).get(), 0, "thread " + t);
      }
    } finally {
      pool.shutdown();
    }
  }
}
