package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Numerics against PyTorch 1.13 ({@code numerics.json}): NaN and infinities propagate as in
 * PyTorch, signed zeros, huge and subnormal inputs, and the stable forms (logsumexp of all {@code
 * -inf}, log_softmax of large logits, softplus of large inputs, sigmoid of large negatives,
 * where-masked sqrt and log, {@code log(sum(exp(x)))} written out, whose oracle is PyTorch's
 * logsumexp), through the Java API and so through compiled kernels. Each case checks the value and
 * the gradients of {@code y.sum()}; NaN must be NaN and infinities equal.
 */
class NumericsFixtureTest {
  private static final JsonNode FIXTURE = Fixtures.load("numerics.json");

  static final Map<String, Function<Tensor[], Tensor>> OPS = ops();

  private static Map<String, Function<Tensor[], Tensor>> ops() {
    Map<String, Function<Tensor[], Tensor>> m = new LinkedHashMap<>();
    m.put("neg_special", x -> x[0].neg());
    m.put("abs_special", x -> x[0].abs());
    m.put("sign_special", x -> x[0].sign());
    m.put("exp_special", x -> x[0].exp());
    m.put("expm1_special", x -> x[0].expm1());
    m.put("log_special", x -> x[0].log());
    m.put("log1p_special", x -> x[0].log1p());
    m.put("sqrt_special", x -> x[0].sqrt());
    m.put("rsqrt_special", x -> x[0].rsqrt());
    m.put("square_special", x -> x[0].square());
    m.put("reciprocal_special", x -> x[0].reciprocal());
    m.put("sin_special", x -> x[0].sin());
    m.put("cos_special", x -> x[0].cos());
    m.put("tan_special", x -> x[0].tan());
    m.put("tanh_special", x -> x[0].tanh());
    m.put("sigmoid_special", x -> x[0].sigmoid());
    m.put("relu_special", x -> x[0].relu());
    m.put("erf_special", x -> x[0].erf());
    m.put("softplus_special", x -> F.softplus(x[0]));
    m.put("sigmoid_special_f32", x -> x[0].sigmoid());
    m.put("softplus_special_f32", x -> F.softplus(x[0]));
    m.put("exp_special_f32", x -> x[0].exp());
    m.put("pow_2_special", x -> x[0].pow(2));
    m.put("pow_half_special", x -> x[0].pow(0.5));
    m.put("pow_minus_one_special", x -> x[0].pow(-1.0));
    m.put("clamp_special", x -> x[0].clamp(-1.0, 1.0));
    m.put("clamp_min_special", x -> x[0].clamp(0.0, Double.POSITIVE_INFINITY));
    m.put("add_special", x -> x[0].add(x[1]));
    m.put("sub_special", x -> x[0].sub(x[1]));
    m.put("mul_special", x -> x[0].mul(x[1]));
    m.put("div_special", x -> x[0].div(x[1]));
    m.put("pow_tensor_special", x -> x[0].pow(x[1]));
    m.put("maximum_special", x -> x[0].maximum(x[1]));
    m.put("minimum_special", x -> x[0].minimum(x[1]));
    m.put("where_special", x -> Tensor.where(x[0].gt(x[1]), x[0], x[1]));
    m.put("lt_special", x -> x[0].lt(x[1]));
    m.put("eq_special", x -> x[0].eq(x[1]));
    m.put("sum_rows_special", x -> x[0].sum(1));
    m.put("mean_rows_special", x -> x[0].mean(1));
    m.put("amax_rows_special", x -> x[0].amax(1));
    m.put("amin_rows_special", x -> x[0].amin(1));
    m.put("logsumexp_rows_special", x -> x[0].logsumexp(1));
    m.put("log_sum_exp_written_out", x -> x[0].exp().sum(1).log());
    m.put("log_sum_exp_written_out_f32", x -> x[0].exp().sum(1).log());
    m.put("softmax_rows_special", x -> x[0].softmax(1));
    m.put("log_softmax_rows_special", x -> x[0].logSoftmax(1));
    m.put("log_softmax_rows_special_f32", x -> x[0].logSoftmax(1));
    m.put("matmul_special", x -> x[0].matmul(x[1]));
    m.put("where_masked_sqrt", x -> Tensor.where(x[0].gt(0), x[0].sqrt(), Tensor.zerosLike(x[0])));
    m.put("where_masked_log", x -> Tensor.where(x[0].gt(0), x[0].log(), Tensor.zerosLike(x[0])));
    m.put("bce_with_logits_large", x -> F.binaryCrossEntropyWithLogits(x[0], x[1]));
    m.put("mse_loss_special", x -> F.mseLoss(x[0], x[1]));
    return m;
  }

  @TestFactory
  Stream<DynamicTest> valuesAndGradients_matchPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("cases")) {
      String name = c.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name, () -> check(c, OPS.get(name))));
    }
    return tests.stream();
  }

  private static void check(JsonNode c, Function<Tensor[], Tensor> op) {
    assertNotNull(op, "no Java spelling for " + c.get("name").asText());
    Tensor[] xs = Fixtures.inputs(c);
    Tensor y = op.apply(xs);
    Fixtures.assertValue(c.get("value"), y, tolerance(c.get("value")));
    JsonNode grads = c.get("grads");
    if (grads != null) {
      y.sum().backward();
      Fixtures.assertGrads(grads, xs, NumericsFixtureTest::tolerance);
    }
  }

  private static double tolerance(JsonNode t) {
    return Fixtures.dtype(t) == DType.F32 ? 1e-6 : 1e-13;
  }
}
