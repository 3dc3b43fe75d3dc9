package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A chain of unary ops as long as a user's loop may record (issue: no recursion over graphs):
 * recording, the value and backward all walk it without overflowing the thread's stack (the build
 * runs tests with {@code -Xss1m}), and give the numbers of the same chain computed step by step in
 * plain Java doubles with its derivative by the chain rule.
 *
 * <p>The chain applies every unary op of the Java API once, then repeats pairs whose derivatives
 * multiply to one ({@code exp} then {@code log}, {@code square} then {@code sqrt}...), so that the
 * gradient neither vanishes nor explodes however long the chain: a wrong step shows in the result.
 * The build runs 10,000 ops; a longer run is one command:
 *
 * <pre>
 * mvn -B -ntp -pl frontend -am test -Dtest=UnaryChainTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dgradc.chain.length=100000 -Dsurefire.argLine="-Xss1m -Xmx2g"
 * </pre>
 */
class UnaryChainTest {
  static final int LENGTH = Integer.getInteger("gradc.chain.length", 10_000);

  /** One op: the Java API call, its value and its derivative from the input and the value. */
  private record Step(
      String name, UnaryOperator<Tensor> op, DoubleUnaryOperator f, DoubleBinaryOperator df) {}

  private static Step step(
      String name, UnaryOperator<Tensor> op, DoubleUnaryOperator f, DoubleBinaryOperator df) {
    return new Step(name, op, f, df);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Every unary op once, on positive values of moderate size. */
  private static final List<Step> ONCE =
      List.of(
          step("tanh", Tensor::tanh, Math::tanh, (x, y) -> 1 - y * y),
          step("sigmoid", Tensor::sigmoid, UnaryChainTest::sigmoid, (x, y) -> y * (1 - y)),
          step("sin", Tensor::sin, Math::sin, (x, y) -> Math.cos(x)),
          step("cos", Tensor::cos, Math::cos, (x, y) -> -Math.sin(x)),
          step("tan", Tensor::tan, Math::tan, (x, y) -> 1 + y * y),
          step("softplus", Tensor::softplus, x -> Math.log1p(Math.exp(x)), (x, y) -> sigmoid(x)),
          step(
              "erf",
              Tensor::erf,
              UnaryChainTest::erf,
              (x, y) -> 2 / Math.sqrt(Math.PI) * Math.exp(-x * x)),
          step("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), (x, y) -> -0.5 * y / x),
          step("sign", t -> t.sign().add(t), x -> Math.signum(x) + x, (x, y) -> 1));

  /** Pairs whose derivatives multiply to one, repeated: the value returns to where it was. */
  private static final List<Step> PAIRS =
      List.of(
          step("exp", Tensor::exp, Math::exp, (x, y) -> y),
          step("log", Tensor::log, Math::log, (x, y) -> 1 / x),
          step("square", Tensor::square, x -> x * x, (x, y) -> 2 * x),
          step("sqrt", Tensor::sqrt, Math::sqrt, (x, y) -> 0.5 / y),
          step("reciprocal", Tensor::reciprocal, x -> 1 / x, (x, y) -> -y * y),
          step("reciprocal", Tensor::reciprocal, x -> 1 / x, (x, y) -> -y * y),
          step("neg", Tensor::neg, x -> -x, (x, y) -> -1),
          step("abs", Tensor::abs, Math::abs, (x, y) -> Math.signum(x)),
          step("expm1", Tensor::expm1, Math::expm1, (x, y) -> Math.exp(x)),
          step("log1p", Tensor::log1p, Math::log1p, (x, y) -> 1 / (1 + x)),
          step("relu", Tensor::relu, x -> Math.max(x, 0), (x, y) -> x > 0 ? 1 : 0));

  /** erf by its Taylor series, to double precision for the moderate |x| < 3 this chain uses. */
  private static double erf(double x) {
    double sum = 0;
    double term = x;
    for (int n = 0; n < 200; n++) {
      double add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-18 * Math.abs(sum)) {
        break;
      }
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  private static Step at(int i) {
    return i < ONCE.size() ? ONCE.get(i) : PAIRS.get((i - ONCE.size()) % PAIRS.size());
  }

  @Test
  void longChain_recordsComputesAndDifferentiates_asTheStepByStepChain() {
    double[] x0 = {0.3, 0.8, 1.2, 0.05};
    Tensor x = Tensor.tensor(DType.F64, x0).requiresGrad_();
    Tensor y = x;
    for (int i = 0; i < LENGTH; i++) {
      y = at(i).op().apply(y);
    }
    y.sum().backward();
    double[] value = y.toDoubleArray();
    double[] grad = x.grad().toDoubleArray();

    for (int e = 0; e < x0.length; e++) {
      double v = x0[e];
      double d = 1;
      for (int i = 0; i < LENGTH; i++) {
        Step s = at(i);
        double next = s.f().applyAsDouble(v);
        d *= s.df().applyAsDouble(v, next);
        v = next;
      }
      assertTrue(Math.abs(d) > 1e-6 && Math.abs(d) < 1e6, "the chain keeps its gradient: " + d);
      assertEquals(v, value[e], 1e-9 * Math.abs(v), "value of element " + e);
      assertEquals(d, grad[e], 1e-9 * Math.abs(d), "gradient of element " + e);
    }
  }
}
