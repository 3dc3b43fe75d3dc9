package dev.gradc.optim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Limited-memory BFGS (Nocedal and Wright, algorithm 7.4): the two-loop recursion over the last
 * {@code history} step and gradient-change pairs, scaled by {@code s·y / y·y}, with a backtracking
 * line search that first tries the unit step. A pair with {@code s·y} not clearly positive is
 * skipped, which keeps the implicit Hessian positive definite. Stops at the gradient tolerance
 * (Euclidean norm), the function tolerance (relative change of the loss in one iteration), when no
 * step lowers the loss, or at the iteration bound.
 */
public final class Lbfgs {
  private int maxIterations = 100;
  private int history = 10;
  private double gradientTolerance = 1e-8;
  private double functionTolerance = 1e-12;
  private IterationListener listener = IterationListener.NONE;

  public Lbfgs maxIterations(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxIterations must be at least 0, not " + n);
    }
    this.maxIterations = n;
    return this;
  }

  public Lbfgs history(int m) {
    if (m < 1) {
      throw new IllegalArgumentException("history must be at least 1, not " + m);
    }
    this.history = m;
    return this;
  }

  public Lbfgs gradientTolerance(double tol) {
    this.gradientTolerance = tol;
    return this;
  }

  public Lbfgs functionTolerance(double tol) {
    this.functionTolerance = tol;
    return this;
  }

  public Lbfgs listener(IterationListener l) {
    this.listener = l;
    return this;
  }

  /** Minimizes {@code f} from {@code x0} (which is not changed). */
  public Result minimize(DifferentiableFunction f, double[] x0) {
    Deque<double[][]> pairs = new ArrayDeque<>();
    Descent.Direction dir =
        new Descent.Direction() {
          @Override
          public double[] direction(double[] g) {
            int n = g.length;
            double[] q = Descent.negated(g);
            int m = pairs.size();
            double[] alpha = new double[m];
            double[] rho = new double[m];
            int k = m - 1;
            for (Iterator<double[][]> it = pairs.descendingIterator(); it.hasNext(); k--) {
              double[][] p = it.next();
              rho[k] = 1 / Descent.dot(p[1], p[0]);
              alpha[k] = rho[k] * Descent.dot(p[0], q);
              for (int i = 0; i < n; i++) {
                q[i] -= alpha[k] * p[1][i];
              }
            }
            if (m > 0) {
              double[][] last = pairs.peekLast();
              double gamma = Descent.dot(last[0], last[1]) / Descent.dot(last[1], last[1]);
              for (int i = 0; i < n; i++) {
                q[i] *= gamma;
              }
            }
            k = 0;
            for (double[][] p : pairs) {
              double beta = rho[k] * Descent.dot(p[1], q);
              for (int i = 0; i < n; i++) {
                q[i] += (alpha[k] - beta) * p[0][i];
              }
              k++;
            }
            return q;
          }

          @Override
          public double initialStep(int iteration, double[] g, double[] d, double previousStep) {
            return pairs.isEmpty() ? Math.min(1, 1 / Descent.norm(g)) : 1;
          }

          @Override
          public void accepted(double[] s, double[] y) {
            double sy = Descent.dot(s, y);
            if (sy > 1e-10 * Descent.norm(s) * Descent.norm(y)) {
              if (pairs.size() == history) {
                pairs.removeFirst();
              }
              pairs.addLast(new double[][] {s, y});
            }
          }

          @Override
          public void reset() {
            pairs.clear();
          }
        };
    return Descent.run(f, x0, dir, maxIterations, gradientTolerance, functionTolerance, listener);
  }
}
