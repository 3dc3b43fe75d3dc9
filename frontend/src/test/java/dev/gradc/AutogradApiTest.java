package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gradient hooks, gradient clipping, {@code clone}, {@code t()}, {@code detach_()}, {@code fill_}
 * and grad-mode scopes against PyTorch 1.13 ({@code autograd_api.json}, written by {@code
 * tools/api/autograd_api.py}).
 */
@SuppressWarnings("try") // grad-mode scopes are used for their effect
class AutogradApiTest {
  private static final JsonNode FIXTURE = Fixtures.load("autograd_api.json");

  private static Tensor leaf(double... v) {
    return Tensor.tensor(DType.F64, v).requiresGrad_();
  }

  private static void assertTensor(String key, Tensor actual) {
    Fixtures.assertValue(FIXTURE.get(key), actual, 1e-12);
  }

  @Test
  void aLeafHookReplacesTheGradient_untilRemoved() {
    Tensor x = leaf(1, -2, 3);
    RemovableHandle h = x.registerHook(g -> g.mul(2));
    x.mul(x).sum().backward();
    assertTensor("leaf_hook", x.grad());
    h.remove();
    x.setGrad(null);
    x.mul(x).sum().backward();
    assertTensor("leaf_hook_removed", x.grad());
  }

  @Test
  void nonLeafHooks_replaceTheGradientThatFlowsOn_inOrder() {
    Tensor z = leaf(0.5, 1.5, -1.0);
    Tensor w = z.mul(2);
    w.registerHook(g -> g.mul(10));
    w.registerHook(g -> g.add(1));
    w.mul(w.sin()).sum().backward();
    assertTensor("non_leaf_hooks", z.grad());
  }

  @Test
  void nestedNonLeafHooks_seeTheGradientReplacedAboveThem() {
    Tensor a = leaf(1, 2);
    Tensor u = a.exp();
    Tensor v = u.mul(3);
    List<Tensor> seen = new ArrayList<>();
    u.registerHook(
        g -> {
          seen.add(g);
          return g.mul(-1);
        });
    v.registerHook(g -> g.mul(0.5));
    v.square().add(u).sum().backward();
    assertTensor("nested_hooks", a.grad());
    assertEquals(1, seen.size(), "the hook runs once");
    assertTensor("nested_hooks_seen", seen.get(0));
  }

  @Test
  void clipGradNorm_scalesTheGradientsAndReturnsTheirNorm() {
    for (String norm : List.of("2", "1", "inf", "3")) {
      Tensor p0 = leaf(1, -2, 3);
      Tensor p1 = Tensor.tensor(DType.F64, new double[][] {{0.5, 4}, {-1, 0.25}}).requiresGrad_();
      p0.mul(Tensor.tensor(DType.F64, 3, 1, -2)).sum().backward();
      p1.pow(2).sum().backward();
      double type = norm.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(norm);
      Tensor total = Autograd.clipGradNorm_(List.of(p0, p1), 1.5, type);
      JsonNode c = FIXTURE.get("clip_norm_" + norm);
      Fixtures.assertValue(c.get("total"), total, 1e-12);
      Fixtures.assertValue(c.get("grads").get(0), p0.grad(), 1e-12);
      Fixtures.assertValue(c.get("grads").get(1), p1.grad(), 1e-12);
    }
  }

  @Test
  void clipGradValue_clampsInPlace() {
    Tensor p = leaf(1, -2, 3);
    p.pow(3).sum().backward();
    Tensor g = p.grad();
    Autograd.clipGradValue_(List.of(p), 5.0);
    assertTensor("clip_value", p.grad());
    assertTrue(g == p.grad(), "the same gradient tensor, changed in place");
  }

  @Test
  void cloneTAndFill_recordPyTorchsNodes() {
    Tensor c = Tensor.tensor(DType.F64, new double[][] {{1, 2, 3}, {4, 5, 6}}).requiresGrad_();
    assertEquals(FIXTURE.get("clone_grad_fn").asText(), c.clone().gradFn().name());
    assertEquals(FIXTURE.get("t_grad_fn").asText(), c.t().gradFn().name());
    assertEquals(FIXTURE.get("t1_grad_fn").asText(), leaf(1, 2).t().gradFn().name());
    assertEquals(FIXTURE.get("fill_grad_fn").asText(), c.mul(1).fill_(2.0).gradFn().name());
    Tensor k = c.clone();
    k.mul(k).sum().backward();
    assertTensor("clone_grad", c.grad());
  }

  @Test
  void detach_makesALeafThatDoesNotRequireGrad() {
    Tensor c = leaf(1, 2, 3);
    Tensor g = c.mul(3);
    g.detach_();
    assertEquals(FIXTURE.get("detach__requires_grad").asBoolean(), g.requiresGrad());
    assertEquals(FIXTURE.get("detach__is_leaf").asBoolean(), g.isLeaf());
    assertEquals(6.0, g.toDoubleArray()[1], 0.0);
  }

  @Test
  void setGradEnabled_isAScope_andInferenceModeRecordsNothing() {
    Tensor x = leaf(1, 2);
    try (GradEnabled g = Autograd.setGradEnabled(false)) {
      assertFalse(Autograd.isGradEnabled());
      assertFalse(x.mul(2).requiresGrad());
      try (GradEnabled inner = Autograd.setGradEnabled(true)) {
        assertTrue(x.mul(2).requiresGrad());
      }
      assertFalse(Autograd.isGradEnabled());
    }
    assertTrue(Autograd.isGradEnabled());
    try (InferenceMode m = Autograd.inferenceMode()) {
      assertNull(x.mul(2).gradFn());
    }
    assertTrue(Autograd.isGradEnabled());
  }

  @Test
  void toFloatAndToDouble_areTo() {
    Tensor x = leaf(1, 2);
    assertEquals(DType.F32, x.toFloat().dtype());
    assertEquals("ToCopyBackward0", x.toFloat().gradFn().name());
    assertTrue(x.toDouble() == x, "double() of an f64 tensor is the tensor itself");
  }

  @Test
  void gradWithCreateGraph_retainsTheGraphByDefault() {
    Tensor x = leaf(1, 2);
    Tensor y = x.mul(x).sum();
    Tensor g = Autograd.grad(List.of(y), List.of(x), null, true).get(0);
    Tensor again = Autograd.grad(List.of(y), List.of(x), null, false).get(0);
    assertEquals(4.0, again.toDoubleArray()[1], 0.0);
    g.sum().backward();
    assertEquals(2.0, x.grad().toDoubleArray()[0], 0.0);
  }
}
