package dev.gradc.examples;

import dev.gradc.Autograd;
import dev.gradc.DType;
import dev.gradc.F;
import dev.gradc.Gradc;
import dev.gradc.NoGrad;
import dev.gradc.Tensor;
import java.io.PrintStream;

/**
 * Linear regression trained by plain SGD, the way a PyTorch user writes it: build the loss, call
 * {@code backward()}, step the parameters in place under no-grad, zero the gradients. Every step
 * rebuilds the same graph, so the kernel cache compiles the step's functions once.
 *
 * <p>Run: {@code java -cp examples/target/gradc-examples.jar dev.gradc.examples.LinearRegression}
 */
public final class LinearRegression {
  private LinearRegression() {}

  /** The coefficients the data is generated from: {@code y = x w + b + noise}. */
  static final double[] TRUE_W = {2.0, -3.4, 0.5};

  static final double TRUE_B = 4.2;

  /** The outcome of a training run. */
  public record Result(
      double firstLoss,
      double finalLoss,
      Tensor w,
      Tensor b,
      long compilationsAfterFirstStep,
      long compilationsAtEnd) {}

  public static void main(String[] args) {
    train(200, System.out);
  }

  /** Trains for {@code steps} steps, printing the loss every 20 steps to {@code out}. */
  @SuppressWarnings("try") // the no-grad scope is used for its effect, as Python's `with`
  public static Result train(int steps, PrintStream out) {
    Tensor.manualSeed(42);
    int n = 256;
    Tensor x = Tensor.randn(DType.F64, n, 3);
    Tensor y =
        x.matmul(Tensor.tensor(DType.F64, TRUE_W).unsqueeze(1))
            .add(TRUE_B)
            .add(Tensor.randn(DType.F64, n, 1).mul(0.01));

    Tensor w = Tensor.zeros(DType.F64, 3, 1).requiresGrad_();
    Tensor b = Tensor.zeros(DType.F64, 1).requiresGrad_();
    double lr = 0.1;
    double first = 0;
    double last = 0;
    long afterFirst = 0;
    for (int step = 0; step < steps; step++) {
      Tensor loss = F.mseLoss(x.matmul(w).add(b), y);
      loss.backward();
      try (NoGrad g = Autograd.noGrad()) {
        w.sub_(w.grad().mul(lr));
        b.sub_(b.grad().mul(lr));
      }
      w.grad().zero_();
      b.grad().zero_();
      last = loss.item();
      if (step == 0) {
        first = last;
        afterFirst = Gradc.compilations();
      }
      if (step % 20 == 0 || step == steps - 1) {
        out.printf("step %3d  loss %.6f%n", step, last);
      }
    }
    out.println("w = " + w);
    out.println("b = " + b);
    out.println(
        "kernels compiled: "
            + Gradc.compilations()
            + " (after the first step: "
            + afterFirst
            + "), cache hits: "
            + Gradc.cacheHits());
    return new Result(first, last, w, b, afterFirst, Gradc.compilations());
  }
}
