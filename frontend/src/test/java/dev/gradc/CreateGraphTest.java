package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code createGraph = true}: gradients are captured graphs themselves, so they can be
 * differentiated again (Hessian-vector products, gradient penalties).
 */
class CreateGraphTest {
  private static final double[][] A = {{0.3, -1.2, 0.5}, {0.8, 0.1, -0.4}, {-0.6, 0.9, 1.1}};

  /** {@code f(x) = sum(tanh(x A)) + sum(x^3)}: a Hessian with off-diagonal terms. */
  private static Tensor f(Tensor x) {
    return x.matmul(Tensor.tensor(DType.F64, A)).tanh().sum().add(x.pow(3).sum());
  }

  private static Tensor gradOf(Tensor x, boolean createGraph) {
    return Autograd.grad(List.of(f(x)), List.of(x), null, createGraph, createGraph, false).get(0);
  }

  @Test
  void hessianVectorProduct_matchesFiniteDifferencesOfTheGradient() {
    double[] x0 = {0.4, -0.7, 1.3};
    double[] v = {1.0, 2.0, -0.5};
    Tensor x = Tensor.tensor(DType.F64, x0).requiresGrad_();
    Tensor g = gradOf(x, true);
    assertTrue(g.requiresGrad());
    Tensor hv = Autograd.grad(g.mul(Tensor.tensor(DType.F64, v)).sum(), x).get(0);

    double h = 1e-5;
    double[] plus = new double[3];
    double[] minus = new double[3];
    for (int i = 0; i < 3; i++) {
      plus[i] = x0[i] + h * v[i];
      minus[i] = x0[i] - h * v[i];
    }
    double[] gp = gradOf(Tensor.tensor(DType.F64, plus).requiresGrad_(), false).toDoubleArray();
    double[] gm = gradOf(Tensor.tensor(DType.F64, minus).requiresGrad_(), false).toDoubleArray();
    double[] fd = new double[3];
    for (int i = 0; i < 3; i++) {
      fd[i] = (gp[i] - gm[i]) / (2 * h);
    }
    assertArrayEquals(fd, hv.toDoubleArray(), 1e-7);
  }

  @Test
  void backwardWithCreateGraph_leavesADifferentiableGrad() {
    Tensor x = Tensor.tensor(DType.F64, 1, 2, 3).requiresGrad_();
    try (Logs logs = new Logs()) {
      x.pow(3).sum().backward(null, true, true);
      assertEquals(1, logs.messages().size());
    }
    Tensor g = x.grad();
    assertEquals("CopyBackwards", g.gradFn().name());
    assertArrayEquals(new double[] {3, 12, 27}, g.toDoubleArray(), 1e-12);
    x.setGrad(null);
    g.sum().backward();
    assertArrayEquals(new double[] {6, 12, 18}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void gradientPenalty_matchesClosedForm() {
    // loss = sum((w x)^2); g = dloss/dw = 2 (w x) x; penalty = sum(g^2) = 4 sum(w^2 x^4)
    // d penalty / dw = 8 w x^4
    double[] w0 = {0.5, -1.5};
    double[] x0 = {2, 3};
    Tensor w = Tensor.tensor(DType.F64, w0).requiresGrad_();
    Tensor x = Tensor.tensor(DType.F64, x0);
    Tensor loss = w.mul(x).square().sum();
    Tensor g = Autograd.grad(List.of(loss), List.of(w), null, true, true, false).get(0);
    g.pow(2).sum().backward();
    double[] expected = new double[2];
    for (int i = 0; i < 2; i++) {
      expected[i] = 8 * w0[i] * Math.pow(x0[i], 4);
    }
    assertArrayEquals(expected, w.grad().toDoubleArray(), 1e-12);
  }
}
