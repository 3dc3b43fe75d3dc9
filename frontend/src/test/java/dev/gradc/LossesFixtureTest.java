package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.GradcException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every loss of {@link F} with its options against PyTorch 1.13 ({@code losses.json}, written by
 * {@code tools/api/losses.py}), in f64 and f32: the value, the one {@code grad_fn} node PyTorch
 * records, the gradients of {@code sum(y * cotangent)} and the second-order gradients through
 * {@code create_graph}; special values (NaN, infinities, signed zeros, kinks, ignored samples) for
 * the value and first gradients.
 */
class LossesFixtureTest {
  private static final JsonNode FIXTURE = Fixtures.load("losses.json");

  /** The Java spelling of each case, by its name without the {@code _f32} suffix. */
  static final Map<String, Function<Tensor[], Tensor>> LOSSES = losses();

  private static LossOptions r(String reduction) {
    return LossOptions.defaults().reduction(reduction);
  }

  private static Map<String, Function<Tensor[], Tensor>> losses() {
    Map<String, Function<Tensor[], Tensor>> m = new LinkedHashMap<>();
    for (String red : List.of("mean", "sum", "none")) {
      LossOptions o = r(red);
      m.put("mse_loss_" + red, x -> F.mseLoss(x[0], x[1], o));
      m.put("l1_loss_" + red, x -> F.l1Loss(x[0], x[1], o));
      m.put("huber_loss_" + red, x -> F.huberLoss(x[0], x[1], o.delta(0.7)));
      m.put("smooth_l1_loss_" + red, x -> F.smoothL1Loss(x[0], x[1], o.beta(0.6)));
      m.put("nll_loss_" + red, x -> F.nllLoss(x[0], x[1], o));
      m.put("nll_loss_weight_" + red, x -> F.nllLoss(x[0], x[1], o.weight(x[2])));
      m.put("cross_entropy_" + red, x -> F.crossEntropy(x[0], x[1], o));
      m.put(
          "cross_entropy_all_options_" + red,
          x -> F.crossEntropy(x[0], x[1], o.weight(x[2]).ignoreIndex(1).labelSmoothing(0.2)));
      m.put(
          "cross_entropy_smoothing_" + red, x -> F.crossEntropy(x[0], x[1], o.labelSmoothing(0.1)));
      m.put(
          "cross_entropy_probs_" + red,
          x -> F.crossEntropy(x[0], x[1], o.weight(x[2]).labelSmoothing(0.3)));
      m.put("bce_" + red, x -> F.binaryCrossEntropy(x[0], x[1], o.weight(x[2])));
      m.put(
          "bce_with_logits_" + red,
          x -> F.binaryCrossEntropyWithLogits(x[0], x[1], o.weight(x[2]).posWeight(x[3])));
      m.put("kl_div_" + red, x -> F.klDiv(x[0], x[1], o));
      m.put("kl_div_log_target_" + red, x -> F.klDiv(x[0], x[1], o.logTarget(true)));
      m.put("gaussian_nll_loss_" + red, x -> F.gaussianNllLoss(x[0], x[1], x[2], o));
      m.put(
          "gaussian_nll_loss_full_" + red,
          x -> F.gaussianNllLoss(x[0], x[1], x[2], o.full(true).eps(0.3)));
      m.put("poisson_nll_loss_" + red, x -> F.poissonNllLoss(x[0], x[1], o));
      m.put(
          "poisson_nll_loss_full_" + red,
          x -> F.poissonNllLoss(x[0], x[1], o.logInput(false).full(true).eps(1e-4)));
      m.put(
          "cosine_embedding_loss_" + red,
          x -> F.cosineEmbeddingLoss(x[0], x[1], x[2], o.margin(0.1)));
      m.put(
          "triplet_margin_loss_" + red, x -> F.tripletMarginLoss(x[0], x[1], x[2], o.margin(2.0)));
      m.put(
          "triplet_margin_loss_p1_swap_" + red,
          x -> F.tripletMarginLoss(x[0], x[1], x[2], o.margin(1.5).p(1).eps(1e-3).swap(true)));
      m.put(
          "triplet_margin_loss_p3_" + red,
          x -> F.tripletMarginLoss(x[0], x[1], x[2], o.margin(3.0).p(3)));
      m.put(
          "margin_ranking_loss_" + red, x -> F.marginRankingLoss(x[0], x[1], x[2], o.margin(0.3)));
      m.put("hinge_embedding_loss_" + red, x -> F.hingeEmbeddingLoss(x[0], x[1], o.margin(0.8)));
      m.put("soft_margin_loss_" + red, x -> F.softMarginLoss(x[0], x[1], o));
      m.put(
          "multilabel_soft_margin_loss_" + red,
          x -> F.multilabelSoftMarginLoss(x[0], x[1], o.weight(x[2])));
    }
    for (String red : List.of("mean", "sum", "none")) {
      LossOptions o = r(red);
      m.put("multi_margin_loss_" + red, x -> F.multiMarginLoss(x[0], x[1], o));
      m.put(
          "multi_margin_loss_p2_weight_" + red,
          x -> F.multiMarginLoss(x[0], x[1], o.p(2).margin(0.7).weight(x[2])));
      m.put("multilabel_margin_loss_" + red, x -> F.multilabelMarginLoss(x[0], x[1], o));
    }
    m.put(
        "multi_margin_loss_1d",
        x -> F.multiMarginLoss(x[0], x[1], LossOptions.defaults().margin(2.5)));
    m.put(
        "multi_margin_loss_1d_none",
        x -> F.multiMarginLoss(x[0], x[1], r("none").p(2).margin(2.5)));
    m.put("multilabel_margin_loss_1d", x -> F.multilabelMarginLoss(x[0], x[1]));
    m.put("multi_margin_loss_special", x -> F.multiMarginLoss(x[0], x[1], r("none")));
    m.put("multilabel_margin_loss_special", x -> F.multilabelMarginLoss(x[0], x[1], r("none")));
    m.put("kl_div_batchmean", x -> F.klDiv(x[0], x[1], r("batchmean")));
    m.put("cross_entropy_1d", x -> F.crossEntropy(x[0], x[1]));
    m.put("cross_entropy_nd", x -> F.crossEntropy(x[0], x[1]));
    m.put(
        "cross_entropy_2d_ignore",
        x -> F.crossEntropy(x[0], x[1], LossOptions.defaults().ignoreIndex(0).labelSmoothing(0.1)));
    m.put("nll_loss_2d", x -> F.nllLoss(x[0], x[1]));
    m.put("cosine_embedding_loss_1d", x -> F.cosineEmbeddingLoss(x[0], x[1], x[2]));
    m.put("gaussian_nll_loss_var_col", x -> F.gaussianNllLoss(x[0], x[1], x[2]));
    m.put("mse_loss_target_grad", x -> F.mseLoss(x[0], x[1]));
    m.put("nll_loss_all_ignored_mean", x -> F.nllLoss(x[0], x[1]));
    m.put("nll_loss_all_ignored_sum", x -> F.nllLoss(x[0], x[1], r("sum")));
    m.put("cross_entropy_ignored_inf", x -> F.crossEntropy(x[0], x[1], r("none")));
    m.put(
        "cross_entropy_large_logits_smoothing",
        x -> F.crossEntropy(x[0], x[1], LossOptions.defaults().labelSmoothing(0.2)));
    m.put("bce_near_zero_and_one", x -> F.binaryCrossEntropy(x[0], x[1], r("none")));
    m.put("bce_at_zero_and_one", x -> F.binaryCrossEntropy(x[0], x[1], r("none")));
    m.put(
        "bce_with_logits_large_pos_weight",
        x -> F.binaryCrossEntropyWithLogits(x[0], x[1], r("none").posWeight(x[2])));
    m.put("huber_loss_ties", x -> F.huberLoss(x[0], x[1], r("none").delta(0.5)));
    m.put("smooth_l1_loss_ties", x -> F.smoothL1Loss(x[0], x[1], r("none").beta(0.5)));
    m.put("mse_loss_special", x -> F.mseLoss(x[0], x[1], r("sum")));
    m.put("kl_div_zero_target", x -> F.klDiv(x[0], x[1], r("none")));
    m.put(
        "margin_ranking_loss_kink",
        x -> F.marginRankingLoss(x[0], x[1], x[2], r("none").margin(0.5)));
    m.put("hinge_embedding_loss_kink", x -> F.hingeEmbeddingLoss(x[0], x[1], r("none")));
    m.put("soft_margin_loss_large", x -> F.softMarginLoss(x[0], x[1], r("none")));
    m.put(
        "multilabel_soft_margin_loss_large",
        x -> F.multilabelSoftMarginLoss(x[0], x[1], r("none")));
    m.put("poisson_nll_loss_zero_target", x -> F.poissonNllLoss(x[0], x[1], r("none").full(true)));
    m.put("gaussian_nll_loss_clamped_var", x -> F.gaussianNllLoss(x[0], x[1], x[2], r("none")));
    return m;
  }

  private static Function<Tensor[], Tensor> loss(JsonNode c) {
    String name = c.get("name").asText();
    Function<Tensor[], Tensor> f = LOSSES.get(name.replaceFirst("_f32$", ""));
    assertNotNull(f, name);
    return f;
  }

  private static double tolerance(JsonNode t) {
    return Fixtures.dtype(t) == DType.F32 ? 2e-5 : 1e-11;
  }

  /** Second-order gradients go through PyTorch's own double-backward formulas: a looser bound. */
  private static double tolerance2(JsonNode t) {
    return Fixtures.dtype(t) == DType.F32 ? 1e-4 : 1e-9;
  }

  @TestFactory
  Stream<DynamicTest> valueGradFnAndGradients_matchPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }
    return tests.stream();
  }

  private static void check(JsonNode c) {
    Tensor[] xs = Fixtures.inputs(c);
    Tensor y = loss(c).apply(xs);
    Fixtures.assertValue(c.get("value"), y, tolerance(c.get("value")));
    assertEquals(c.get("grad_fn").asText(), y.gradFn().name(), "grad_fn");
    Tensor s = y.mul(Fixtures.tensor(c.get("cotangent"))).sum();
    List<Tensor> wrt = new ArrayList<>();
    for (Tensor x : xs) {
      if (x.requiresGrad()) {
        wrt.add(x);
      }
    }
    boolean twice = c.has("grads2");
    List<Tensor> grads = Autograd.grad(List.of(s), wrt, null, twice, twice, false);
    JsonNode expected = c.get("grads");
    int k = 0;
    for (int i = 0; i < xs.length; i++) {
      JsonNode e = expected.get(i);
      if (e.isNull()) {
        continue;
      }
      Tensor g = grads.get(k++);
      assertEquals(Fixtures.dtype(e), g.dtype(), "grad " + i + " dtype");
      Tensors.assertClose(Fixtures.data(e), g.toDoubleArray(), tolerance(e), "grad of input " + i);
    }
    if (!twice) {
      return;
    }
    Tensor s2 = null;
    for (int j = 0; j < grads.size(); j++) {
      Tensor term = grads.get(j).mul(Fixtures.tensor(c.get("cotangent2").get(j))).sum();
      s2 = s2 == null ? term : s2.add(term);
    }
    if (!s2.requiresGrad()) {
      for (JsonNode e : c.get("grads2")) {
        if (!e.isNull()) {
          for (double v : Fixtures.data(e)) {
            assertEquals(0.0, v, 0.0, "PyTorch's second-order gradient where gradc's is constant");
          }
        }
      }
      return;
    }
    List<Tensor> second = Autograd.grad(List.of(s2), wrt, null, false, false, true);
    k = 0;
    for (int i = 0; i < xs.length; i++) {
      JsonNode e = c.get("grads2").get(i);
      if (e.isNull()) {
        continue;
      }
      Tensor g = second.get(k++);
      double[] actual = g == null ? new double[Fixtures.data(e).length] : g.toDoubleArray();
      Tensors.assertClose(
          Fixtures.data(e), actual, tolerance2(e), "second-order grad of input " + i);
    }
  }

  @Test
  void marginLosses_refuseWhatPyTorchRefuses() {
    Tensor x = Tensor.randn(3, 4).requiresGrad_();
    assertEquals(
        "target out of range",
        assertThrows(
                GradcException.class, () -> F.multiMarginLoss(x, Tensor.tensor(DType.I64, 0, 4, 1)))
            .getMessage());
    assertEquals(
        "argument #2 'target' is out of range",
        assertThrows(
                GradcException.class,
                () -> F.multilabelMarginLoss(x, Tensor.full(DType.I64, -2, 3, 4)))
            .getMessage());
    assertEquals(
        "only p == 1 and p == 2 supported",
        assertThrows(
                GradcException.class,
                () ->
                    F.multiMarginLoss(
                        x, Tensor.tensor(DType.I64, 0, 3, 1), LossOptions.defaults().p(3)))
            .getMessage());
    assertEquals(
        "inconsistent target size, got: [2]",
        assertThrows(
                GradcException.class, () -> F.multiMarginLoss(x, Tensor.tensor(DType.I64, 0, 3)))
            .getMessage());
    assertEquals(
        "inconsistent size [3] for argument #2 'target'",
        assertThrows(
                GradcException.class,
                () -> F.multilabelMarginLoss(x, Tensor.tensor(DType.I64, 0, 3, 1)))
            .getMessage());
  }

  /**
   * PyTorch has no double backward for {@code multi_margin_loss}; gradc's (p = 2, where it is not
   * zero) against central differences of the first gradient along a direction, in f64.
   */
  @Test
  void multiMarginLossP2_secondDerivative_matchesFiniteDifferences() {
    double[] x0 = {0.3, -0.2, 0.9, 0.15, -0.4, 0.6, 0.2, -0.1};
    double[] u = {0.5, -1.0, 0.25, 0.75, -0.5, 1.0, -0.25, 0.5};
    Tensor y = Tensor.tensor(DType.I64, 2, 0);
    LossOptions o = LossOptions.defaults().p(2).margin(0.8);
    Tensor x = Tensor.tensor(DType.F64, x0).reshape(2, 4).requiresGrad_();
    Tensor dir = Tensor.tensor(DType.F64, u).reshape(2, 4);
    Tensor g = Autograd.grad(List.of(F.multiMarginLoss(x, y, o)), List.of(x), null, true).get(0);
    double[] hv =
        Autograd.grad(List.of(g.mul(dir).sum()), List.of(x), null, false).get(0).toDoubleArray();
    double h = 1e-5;
    double[] plus = new double[8];
    double[] minus = new double[8];
    for (int i = 0; i < 8; i++) {
      plus[i] = x0[i] + h * u[i];
      minus[i] = x0[i] - h * u[i];
    }
    double[] gp = firstGradient(plus, y, o);
    double[] gm = firstGradient(minus, y, o);
    for (int i = 0; i < 8; i++) {
      assertEquals((gp[i] - gm[i]) / (2 * h), hv[i], 1e-7, "element " + i);
    }
  }

  private static double[] firstGradient(double[] at, Tensor y, LossOptions o) {
    Tensor x = Tensor.tensor(DType.F64, at).reshape(2, 4).requiresGrad_();
    return Autograd.grad(F.multiMarginLoss(x, y, o), x).get(0).toDoubleArray();
  }

  @Test
  void everyLossRecordsOneNode() {
    Tensor x = Tensor.randn(3, 4).requiresGrad_();
    Tensor y = Tensor.tensor(DType.I64, 0, 3, -100);
    Tensor loss = F.crossEntropy(x, y, LossOptions.defaults().labelSmoothing(0.1));
    assertEquals("AddBackward0", loss.gradFn().name());
    List<GradFn> next = loss.gradFn().nextFunctions();
    assertEquals(2, next.size(), "the logits and the labels");
    assertEquals("AccumulateGrad", next.get(0).name());
    assertNull(next.get(1));
  }

  @Test
  void anOptionALossDoesNotTake_isAnUnexpectedKeyword() {
    Tensor x = Tensor.randn(3).requiresGrad_();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> F.mseLoss(x, x, LossOptions.defaults().posWeight(x)));
    assertEquals("mse_loss() got an unexpected keyword argument 'pos_weight'", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> F.l1Loss(x, x, LossOptions.defaults().reduction("avg")));
    assertEquals("avg is not a valid value for reduction", e.getMessage());
  }

  @Test
  void ignoredSamples_areSkippedAndTheMeanIsOverTheRest() {
    Tensor x = Tensor.tensor(new double[][] {{0, 1, 2}, {5, 0, 0}, {1, 1, 1}}).requiresGrad_();
    Tensor y = Tensor.tensor(DType.I64, 2, -100, 0);
    Tensor all = F.crossEntropy(x, y);
    Tensor kept =
        F.crossEntropy(
            Tensor.tensor(new double[][] {{0, 1, 2}, {1, 1, 1}}), Tensor.tensor(DType.I64, 2, 0));
    assertEquals(kept.item(), all.item(), 1e-15);
    all.backward();
    double[] g = x.grad().toDoubleArray();
    for (int j = 3; j < 6; j++) {
      assertEquals(0.0, g[j], 0.0, "the ignored row gets no gradient");
    }
    assertTrue(g[0] > 0 && g[2] < 0);
    assertNull(y.grad());
  }
}
