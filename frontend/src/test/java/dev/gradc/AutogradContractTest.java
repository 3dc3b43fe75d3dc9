package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.GradcException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviours of PyTorch's autograd contract, each with PyTorch's exact message text (from
 * {@code messages.json}, written by PyTorch 1.13).
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class AutogradContractTest {
  private static final JsonNode MESSAGES = Fixtures.load("messages.json");

  private static String message(String key) {
    return MESSAGES.get(key).asText();
  }

  private static void assertError(String key, Runnable r) {
    GradcException e = assertThrows(GradcException.class, r::run);
    assertEquals(message(key), e.getMessage());
  }

  @Test
  void backward_fillsGradOfLeavesOnly_andWarnsOnNonLeafGrad() {
    Tensor a = Tensor.ones(2, 2).requiresGrad_();
    Tensor b = Tensor.ones(2, 2).requiresGrad_();
    Tensor c = a.add(b).sum();
    c.backward();
    assertArrayEquals(new double[] {1, 1, 1, 1}, a.grad().toDoubleArray());
    assertArrayEquals(new double[] {1, 1, 1, 1}, b.grad().toDoubleArray());
    try (Logs logs = new Logs()) {
      assertNull(c.grad());
      assertEquals(List.of(message("non_leaf_grad")), logs.messages());
    }
  }

  @Test
  void grad_ofLeafThatDoesNotRequireGrad_isNullWithoutWarning() {
    try (Logs logs = new Logs()) {
      assertNull(Tensor.ones(2).grad());
      assertEquals(List.of(), logs.messages());
    }
  }

  @Test
  void grad_isCreatedOnceAndAccumulatedInPlace_zeroResetsIt() {
    Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
    x.mul(x).sum().backward();
    Tensor g = x.grad();
    assertArrayEquals(new double[] {2, 4, 6}, g.toDoubleArray());
    x.mul(x).sum().backward();
    assertSame(g, x.grad());
    assertArrayEquals(new double[] {4, 8, 12}, g.toDoubleArray());
    assertEquals(1, g.version());
    x.grad().zero_();
    assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleArray());
    x.mul(3).sum().backward();
    assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray());
  }

  @Test
  void backward_onNonScalarWithoutGradient_fails() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertError("implicit_scalar", () -> x.mul(2).backward());
  }

  @Test
  void backward_onOneElementTensor_usesImplicitOne() {
    Tensor x = Tensor.tensor(3).requiresGrad_();
    x.mul(x).backward();
    assertArrayEquals(new double[] {6}, x.grad().toDoubleArray());
  }

  @Test
  void backward_onTensorThatDoesNotRequireGrad_fails() {
    assertError("no_grad_fn", () -> Tensor.ones(2).sum().backward());
  }

  @Test
  void backward_withGradientOfWrongShape_fails() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertError("grad_shape", () -> x.mul(2).backward(Tensor.ones(3)));
  }

  @Test
  void backward_withGradient_weightsTheJacobian() {
    Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
    x.mul(x).backward(Tensor.tensor(1, 10, 100));
    assertArrayEquals(new double[] {2, 40, 600}, x.grad().toDoubleArray());
  }

  @Test
  void requiresGradFalse_onNonLeaf_fails() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertError("requires_grad_non_leaf", () -> x.mul(2).requiresGrad_(false));
  }

  @Test
  void requiresGrad_onIntegerTensor_fails() {
    assertError("int_requires_grad", () -> Tensor.ones(DType.I64, 2).requiresGrad_());
  }

  @Test
  void inPlace_onLeafThatRequiresGrad_failsWithGradOn_andWorksUnderNoGrad() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertError("leaf_in_place", () -> x.add_(1));
    assertError("leaf_in_place", () -> x.zero_());
    assertError("leaf_in_place", () -> x.copy_(Tensor.zeros(2)));
    try (NoGrad g = Autograd.noGrad()) {
      x.mul_(3);
    }
    assertEquals("tensor([3., 3.], requires_grad=True)", x.toString());
    assertTrue(x.isLeaf());
    assertEquals(1, x.version());
  }

  /**
   * A detached view made a leaf stays that leaf when its base is written under no-grad (PyTorch:
   * {@code x.reshape(2, 2).detach().requires_grad_()}); it read the base's new value without
   * requiring grad, so {@code backward} failed with "element 0 of tensors does not require grad".
   */
  @Test
  void detachedViewMadeLeaf_keepsRequiringGrad_afterItsBaseIsWritten() {
    Tensor x = Tensor.tensor(DType.F64, 1, 2, 3, 4);
    Tensor leaf = x.reshape(2, 2).detach().requiresGrad_();
    try (NoGrad g = Autograd.noGrad()) {
      x.mul_(2);
    }
    assertTrue(leaf.requiresGrad());
    assertTrue(leaf.isLeaf());
    assertArrayEquals(new double[] {2, 4, 6, 8}, leaf.toDoubleArray());
    leaf.mul(leaf).sum().backward();
    assertArrayEquals(new double[] {4, 8, 12, 16}, leaf.grad().toDoubleArray());
    try (NoGrad g = Autograd.noGrad()) {
      leaf.add_(1); // through the view into x
    }
    assertArrayEquals(new double[] {3, 5, 7, 9}, x.toDoubleArray());
    assertTrue(leaf.requiresGrad());
    leaf.sum().backward();
    assertArrayEquals(new double[] {5, 9, 13, 17}, leaf.grad().toDoubleArray());
  }

  @Test
  void viewOfPlainTensorMadeLeaf_keepsRequiringGrad_afterAnUpdateThroughIt() {
    // w = torch.arange(4.).reshape(2, 2).requires_grad_(); an SGD step under no_grad
    Tensor w = Tensor.arange(DType.F64, 0, 4, 1).reshape(2, 2).requiresGrad_();
    w.mul(w).sum().backward();
    try (NoGrad g = Autograd.noGrad()) {
      w.sub_(w.grad().mul(0.25));
    }
    assertTrue(w.requiresGrad());
    assertTrue(w.isLeaf());
    assertArrayEquals(new double[] {0, 0.5, 1, 1.5}, w.toDoubleArray());
    w.setGrad(null);
    w.mul(w).sum().backward();
    assertArrayEquals(new double[] {0, 1, 2, 3}, w.grad().toDoubleArray());
  }

  @Test
  void secondBackward_throughSavedValues_failsUnlessRetained() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    Tensor s = x.mul(x).sum();
    s.backward();
    assertError("second_backward", s::backward);

    Tensor r = x.mul(x).sum();
    r.backward(null, true, false);
    r.backward();
    assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
  }

  @Test
  void secondBackward_throughGraphThatSavedNothing_accumulatesAgain() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    Tensor s = x.add(1).sum();
    s.backward();
    s.backward();
    assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
  }

  @Test
  void versionCheck_onSavedOutput_usesPyTorchText() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    Tensor a = x.exp();
    Tensor b = a.sum();
    try (NoGrad g = Autograd.noGrad()) {
      a.add_(1);
    }
    assertError("version_output", b::backward);
  }

  @Test
  void versionCheck_onSavedLeaf_usesPyTorchText() {
    Tensor q = Tensor.ones(DType.F64, 2, 2).requiresGrad_();
    Tensor c = q.mul(q).sum();
    try (NoGrad g = Autograd.noGrad()) {
      q.add_(1);
    }
    assertError("version_leaf_f64", c::backward);
  }

  @Test
  void item_ofSeveralElements_fails() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2).item());
    assertEquals(message("item"), e.getMessage());
  }

  @Test
  void noGrad_resultsDoNotRequireGrad_andScopesNest() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    try (NoGrad g = Autograd.noGrad()) {
      Tensor y = x.mul(2);
      assertFalse(y.requiresGrad());
      assertNull(y.gradFn());
      assertTrue(y.isLeaf());
      try (EnableGrad e = Autograd.enableGrad()) {
        assertTrue(x.mul(2).requiresGrad());
      }
      assertFalse(Autograd.isGradEnabled());
    }
    assertTrue(Autograd.isGradEnabled());
    Autograd.setGradEnabled(false);
    try {
      assertFalse(x.exp().requiresGrad());
    } finally {
      Autograd.setGradEnabled(true);
    }
  }

  @Test
  void noGrad_wrappers_actAsTheDecorator() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertFalse(Autograd.noGrad((Tensor t) -> t.mul(3)).apply(x).requiresGrad());
    assertFalse(Autograd.noGrad(() -> x.mul(3)).get().requiresGrad());
    assertTrue(Autograd.isGradEnabled());
  }

  @Test
  void gradMode_isPerThread() throws InterruptedException {
    boolean[] other = new boolean[1];
    try (NoGrad g = Autograd.noGrad()) {
      Thread t = new Thread(() -> other[0] = Autograd.isGradEnabled());
      t.start();
      t.join();
    }
    assertTrue(other[0]);
  }

  @Test
  void detach_isLeafSharingDataAndVersion() {
    Tensor x = Tensor.tensor(1, 2).requiresGrad_();
    Tensor d = x.detach();
    assertTrue(d.isLeaf());
    assertFalse(d.requiresGrad());
    d.add_(10);
    assertEquals("tensor([11., 12.], requires_grad=True)", x.toString());
    assertEquals(1, x.version());
    try (NoGrad g = Autograd.noGrad()) {
      x.mul_(2);
    }
    assertEquals("tensor([22., 24.])", d.toString());
    assertEquals(2, d.version());
  }

  @Test
  void retainGrad_givesNonLeafItsGradient_accumulating() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    Tensor y = x.mul(2);
    y.retainGrad();
    Tensor z = y.mul(y).sum();
    z.backward(null, true, false);
    assertArrayEquals(new double[] {4, 4}, y.grad().toDoubleArray());
    z.backward();
    assertArrayEquals(new double[] {8, 8}, y.grad().toDoubleArray());
    assertArrayEquals(new double[] {16, 16}, x.grad().toDoubleArray());
  }

  @Test
  void broadcasting_sumsGradientBackToEachInputShape() {
    Tensor a = Tensor.ones(2, 3).requiresGrad_();
    Tensor b = Tensor.tensor(1, 2, 3).requiresGrad_();
    Tensor c = Tensor.scalar(2).requiresGrad_();
    a.mul(b).mul(c).sum().backward();
    assertArrayEquals(new double[] {2, 4, 6, 2, 4, 6}, a.grad().toDoubleArray());
    assertArrayEquals(new double[] {4, 4, 4}, b.grad().toDoubleArray());
    assertArrayEquals(new double[] {12}, c.grad().toDoubleArray());
    assertArrayEquals(new long[] {}, c.grad().shape());
  }

  @Test
  void inPlace_onTensorWithoutGrad_fromTensorThatRequiresGrad_recordsIt() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    Tensor a = Tensor.zeros(2);
    a.add_(x);
    assertFalse(a.isLeaf());
    assertEquals("AddBackward0", a.gradFn().name());
    a.mul(3).sum().backward();
    assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
  }

  @Test
  void inPlace_onNonLeafUnderNoGrad_keepsItsHistory() {
    Tensor x = Tensor.tensor(1, 2).requiresGrad_();
    Tensor y = x.add(1);
    try (NoGrad g = Autograd.noGrad()) {
      y.mul_(10);
    }
    assertEquals("tensor([20., 30.], grad_fn=<AddBackward0>)", y.toString());
    y.mul(2).sum().backward();
    assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
  }

  @Test
  void inPlace_onView_writesThroughToTheBase() {
    Tensor x = Tensor.ones(2, 2);
    x.reshape(4).add_(Tensor.tensor(1, 2, 3, 4));
    assertEquals("tensor([[2., 3.],\n        [4., 5.]])", x.toString());
  }

  @Test
  void autogradGrad_returnsGradientsWithoutTouchingDotGrad() {
    Tensor x = Tensor.tensor(1, 2).requiresGrad_();
    Tensor y = x.mul(3);
    List<Tensor> g = Autograd.grad(y.mul(y).sum(), x, y);
    assertArrayEquals(new double[] {18, 36}, g.get(0).toDoubleArray());
    assertArrayEquals(new double[] {6, 12}, g.get(1).toDoubleArray());
    assertNull(x.grad());
  }

  @Test
  void autogradGrad_unusedInput_failsUnlessAllowed() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    Tensor w = Tensor.ones(1).requiresGrad_();
    assertError("grad_unused", () -> Autograd.grad(x.mul(2).sum(), w));
    List<Tensor> g =
        Autograd.grad(List.of(x.mul(2).sum()), List.of(x, w), null, false, false, true);
    assertArrayEquals(new double[] {2, 2}, g.get(0).toDoubleArray());
    assertNull(g.get(1));
  }

  @Test
  void autogradGrad_inputThatDoesNotRequireGrad_fails() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertError("grad_not_requiring", () -> Autograd.grad(x.mul(2).sum(), Tensor.ones(1)));
  }

  @Test
  void autogradBackward_ofSeveralOutputs_sumsTheirGradients() {
    Tensor x = Tensor.tensor(1, 2).requiresGrad_();
    Autograd.backward(
        List.of(x.mul(x).sum(), x.mul(5)),
        java.util.Arrays.asList(null, Tensor.tensor(1, 2)),
        false,
        false);
    assertArrayEquals(new double[] {7, 14}, x.grad().toDoubleArray());
  }

  @Test
  void backwardWithCreateGraph_warnsAsPyTorch() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    try (Logs logs = new Logs()) {
      x.mul(x).sum().backward(null, false, true);
      assertEquals(List.of(message("backward_create_graph")), logs.messages());
    }
    assertEquals("CopyBackwards", x.grad().gradFn().name());
  }

  @Test
  void isLeaf_andGradFn_followPyTorch() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    assertTrue(x.isLeaf());
    assertNull(x.gradFn());
    Tensor y = x.add(x);
    assertFalse(y.isLeaf());
    assertEquals("AddBackward0", y.gradFn().name());
    assertTrue(y.gradFn().toString().matches("<AddBackward0 object at 0x[0-9a-f]+>"));
    assertEquals(y.gradFn(), y.gradFn());
    assertTrue(Tensor.ones(2).add(1).isLeaf());
    assertTrue(y.detach().isLeaf());
  }
}
