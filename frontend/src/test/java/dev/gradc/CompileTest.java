package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code Gradc.compile}: a Java lambda traced once into compiled value and gradient kernels. */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class CompileTest {

  @Test
  void valueAndGrad_matchTheEagerApi() {
    Tensor w0 = Tensor.tensor(new double[][] {{1, 2}, {3, 4}, {5, 6}}).requiresGrad_();
    Tensor x0 = Tensor.tensor(new double[][] {{1, 0, -1}, {2, 1, 0}});
    CompiledFn loss = Gradc.compile((w, x) -> x.matmul(w).tanh().square().mean(), w0, x0);

    Tensor w = Tensor.tensor(new double[][] {{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}});
    Tensor x = Tensor.tensor(new double[][] {{1, 2, 3}, {-1, 0.5, 2}});
    ValueAndGrad vg = loss.valueAndGrad(w, x);
    assertNull(vg.grad(1));

    Tensor we = Tensor.zeros(3, 2).copy_(w).requiresGrad_();
    Tensor eager = x.matmul(we).tanh().square().mean();
    eager.backward();
    assertEquals(eager.item(), vg.value().item(), 0);
    assertEquals(eager.item(), loss.value(w, x).item(), 0);
    assertArrayEquals(we.grad().toFloatArray(), vg.grad(0).toFloatArray(), 0);
    assertTrue(loss.ir().startsWith("func @traced(%a0: f32[3, 2], input %a1: f32[2, 3]) -> f32"));
    assertTrue(loss.gradIr().contains("; adj"));
  }

  @Test
  void compilingTheSameFunctionAgain_hitsTheCache() {
    Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
    Gradc.compile(t -> t.exp().sum(), x).valueAndGrad(x);
    long compiled = Gradc.compilations();
    ValueAndGrad vg = Gradc.compile(t -> t.exp().sum(), x).valueAndGrad(x);
    assertEquals(compiled, Gradc.compilations());
    assertArrayEquals(
        new float[] {(float) Math.exp(1), (float) Math.exp(2), (float) Math.exp(3)},
        vg.grad(0).toFloatArray(),
        1e-6f);
  }

  @Test
  void tensorsCapturedByTheLambda_areConstants_andNoGradBlocksGradient() {
    Tensor scale = Tensor.tensor(2, 3);
    Tensor x0 = Tensor.tensor(1, 1).requiresGrad_();
    CompiledFn f =
        Gradc.compile(
            x -> {
              Tensor frozen;
              try (NoGrad g = Autograd.noGrad()) {
                frozen = x.mul(10);
              }
              return x.mul(scale).add(frozen).sum();
            },
            x0);
    ValueAndGrad vg = f.valueAndGrad(Tensor.tensor(1, 2));
    assertEquals(2 + 6 + 10 + 20, vg.value().item(), 0);
    assertArrayEquals(new double[] {2, 3}, vg.grad(0).toDoubleArray());
  }

  @Test
  void argumentOfAnotherShape_isRejected() {
    CompiledFn f = Gradc.compile(t -> t.sum(), Tensor.ones(3));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> f.value(Tensor.ones(4)));
    assertEquals(
        "argument 0 should be torch.float32 tensor of shape [3], got torch.float32 tensor of shape"
            + " [4] (compiled functions keep the dtypes and shapes they were traced with)",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> f.value());
  }

  @Test
  void manyArguments_traceThroughTheListForm() {
    List<Tensor> ex = List.of(Tensor.ones(2).requiresGrad_(), Tensor.ones(2), Tensor.ones(2));
    CompiledFn f = Gradc.compile(a -> a[0].mul(a[1]).add(a[2]).sum(), ex);
    ValueAndGrad vg = f.valueAndGrad(Tensor.tensor(1, 2), Tensor.tensor(3, 4), Tensor.tensor(5, 6));
    assertEquals(3 + 8 + 11, vg.value().item(), 0);
    assertArrayEquals(new double[] {3, 4}, vg.grad(0).toDoubleArray());
    assertEquals(3, vg.grads().size());
  }
}
