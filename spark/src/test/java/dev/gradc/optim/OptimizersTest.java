package dev.gradc.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The optimizers against PyTorch's iterates, and the full-batch ones on known minima. */
class OptimizersTest {
  static JsonNode fixture;
  static double[][] a;
  static double[] b;
  static double[] x0;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = OptimizersTest.class.getResourceAsStream("/optim/torch_optim.json")) {
      fixture = new ObjectMapper().readTree(in);
    }
    a = new double[8][];
    for (int i = 0; i < 8; i++) {
      a[i] = doubles(fixture.get("a").get(i));
    }
    b = doubles(fixture.get("b"));
    x0 = doubles(fixture.get("x0"));
  }

  static double[] doubles(JsonNode n) {
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asDouble();
    }
    return out;
  }

  /** The fixture's function: 0.5 |A x - b|^2 + sum(softplus(x)). */
  static final DifferentiableFunction F =
      new DifferentiableFunction() {
        @Override
        public int dimension() {
          return 5;
        }

        @Override
        public double valueAndGradient(double[] x, double[] grad) {
          double v = 0;
          java.util.Arrays.fill(grad, 0);
          for (int i = 0; i < 8; i++) {
            double r = -b[i];
            for (int j = 0; j < 5; j++) {
              r += a[i][j] * x[j];
            }
            v += 0.5 * r * r;
            for (int j = 0; j < 5; j++) {
              grad[j] += r * a[i][j];
            }
          }
          for (int j = 0; j < 5; j++) {
            v += Math.log1p(Math.exp(x[j]));
            grad[j] += 1 / (1 + Math.exp(-x[j]));
          }
          return v;
        }
      };

  /** Runs {@code steps} steps of an optimizer, recording each iterate through the listener. */
  interface Run {
    Result run(IterationListener l);
  }

  static void replay(String name, Run run) {
    JsonNode c = fixture.get("cases").get(name);
    List<Double> losses = new ArrayList<>();
    Result r = run.run((i, loss, norm, evaluations) -> losses.add(loss));
    int steps = fixture.get("steps").asInt();
    assertEquals(steps, losses.size());
    for (int t = 0; t < steps; t++) {
      double expected = c.get("losses").get(t).asDouble();
      assertEquals(expected, losses.get(t), 1e-12 * Math.abs(expected), name + " loss " + t);
    }
    double[] last = doubles(c.get("iterates").get(steps - 1));
    double[] x = r.x();
    for (int j = 0; j < 5; j++) {
      assertEquals(last[j], x[j], 1e-12 * (1 + Math.abs(last[j])), name + " x[" + j + "]");
    }
  }

  @Test
  void sgd_matchesTorch() {
    replay(
        "sgd",
        l ->
            new Sgd()
                .learningRate(0.05)
                .steps(25)
                .listener(l)
                .minimize(StochasticFunction.full(F), x0));
  }

  @Test
  void sgdMomentumWeightDecay_matchesTorch() {
    replay(
        "sgd_momentum",
        l ->
            new Sgd()
                .learningRate(0.05)
                .momentum(0.9)
                .weightDecay(0.01)
                .steps(25)
                .listener(l)
                .minimize(StochasticFunction.full(F), x0));
  }

  @Test
  void adam_matchesTorch() {
    replay(
        "adam",
        l ->
            new Adam()
                .learningRate(0.1)
                .steps(25)
                .listener(l)
                .minimize(StochasticFunction.full(F), x0));
  }

  @Test
  void adamW_matchesTorch() {
    replay(
        "adamw",
        l ->
            new Adam()
                .learningRate(0.1)
                .betas(0.8, 0.99)
                .eps(1e-6)
                .weightDecay(0.1)
                .steps(25)
                .listener(l)
                .minimize(StochasticFunction.full(F), x0));
  }

  /** Rosenbrock's function, minimum 0 at (1, 1). */
  static final DifferentiableFunction ROSENBROCK =
      new DifferentiableFunction() {
        @Override
        public int dimension() {
          return 2;
        }

        @Override
        public double valueAndGradient(double[] x, double[] g) {
          double u = 1 - x[0];
          double w = x[1] - x[0] * x[0];
          g[0] = -2 * u - 400 * x[0] * w;
          g[1] = 200 * w;
          return u * u + 100 * w * w;
        }
      };

  @Test
  void lbfgs_findsRosenbrocksMinimum() {
    List<Integer> iterations = new ArrayList<>();
    Result r =
        new Lbfgs()
            .history(5)
            .gradientTolerance(1e-10)
            .functionTolerance(0)
            .listener((i, loss, norm, e) -> iterations.add(i))
            .minimize(ROSENBROCK, new double[] {-1.2, 1});
    assertEquals(Result.Stop.GRADIENT_TOLERANCE, r.stop(), r.toString());
    assertEquals(1, r.x()[0], 1e-9);
    assertEquals(1, r.x()[1], 1e-9);
    assertTrue(r.iterations() < 60, r.toString());
    assertEquals(r.iterations(), iterations.size());
    assertEquals(1, iterations.get(0));
  }

  @Test
  void lbfgs_stopsAtTheIterationBound() {
    Result r = new Lbfgs().maxIterations(3).minimize(ROSENBROCK, new double[] {-1.2, 1});
    assertEquals(Result.Stop.MAX_ITERATIONS, r.stop());
    assertEquals(3, r.iterations());
  }

  @Test
  void gradientDescent_andLbfgs_agreeOnTheFixtureFunction() {
    Result gd =
        new GradientDescent()
            .maxIterations(100_000)
            .gradientTolerance(1e-6)
            .functionTolerance(0)
            .minimize(F, x0);
    Result lb = new Lbfgs().gradientTolerance(1e-11).minimize(F, x0);
    assertEquals(Result.Stop.GRADIENT_TOLERANCE, gd.stop(), gd.toString());
    assertTrue(lb.gradientNorm() < 1e-8, lb.toString());
    for (int j = 0; j < 5; j++) {
      assertEquals(lb.x()[j], gd.x()[j], 1e-5);
    }
    assertTrue(lb.iterations() < gd.iterations());
  }

  @Test
  void progress_printsTheFirstIteration() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new Lbfgs()
        .maxIterations(2)
        .listener(IterationListener.progress(out, 3_600_000))
        .minimize(ROSENBROCK, new double[] {-1.2, 1});
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("iteration 1: loss "), text);
    assertEquals(1, text.lines().count(), "at most one line an hour after the first");
  }

  @Test
  void badSettings_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Lbfgs().history(0));
    assertThrows(IllegalArgumentException.class, () -> new Adam().betas(1, 0.9));
    assertThrows(IllegalArgumentException.class, () -> new Sgd().learningRate(0));
    assertThrows(
        IllegalArgumentException.class, () -> new Lbfgs().minimize(ROSENBROCK, new double[3]));
  }
}
