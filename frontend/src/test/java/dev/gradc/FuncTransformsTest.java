package dev.gradc;

import static dev.gradc.func.Transforms.grad;
import static dev.gradc.func.Transforms.hessian;
import static dev.gradc.func.Transforms.jacfwd;
import static dev.gradc.func.Transforms.jacrev;
import static dev.gradc.func.Transforms.vmap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.func.Fn;
import dev.gradc.func.Transforms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code dev.gradc.func} against {@code functorch} (PyTorch 1.13's {@code torch.func}), on the
 * fixtures {@code tools/fixtures/func_transforms.py} writes: per-sample gradients ({@code
 * vmap(grad(f))}) of a logistic regression and of a tanh MLP in f64 and f32, {@code hessian(f)}
 * against {@code jacfwd(jacrev(f))}, {@code jacrev} and {@code jacfwd} of a vector function, and
 * {@code vmap} over several {@code in_dims} and {@code out_dims} on a mix of ops. The Java
 * functions here are the fixture script's, op for op.
 */
class FuncTransformsTest {
  private static Tensor logregLoss(Tensor[] a) {
    Tensor z = a[2].matmul(a[0]).add(a[1]);
    return F.softplus(z).sub(a[3].mul(z));
  }

  private static Tensor mlpLoss(Tensor[] a) {
    Tensor logits = a[4].matmul(a[0]).add(a[1]).tanh().matmul(a[2]).add(a[3]);
    return logits.logSoftmax(0).mul(a[5]).sum().neg();
  }

  private static Tensor twoArgs(Tensor[] a) {
    return a[0].tanh().mul(a[1].exp()).sum().add(a[0].mul(a[0]).sum().mul(a[1].sum()));
  }

  private static Tensor vectorFn(Tensor[] a) {
    return a[1].matmul(a[0]).softmax(0).mul(a[0].sum());
  }

  private static List<Tensor> mixed(Tensor[] a) {
    Tensor out1 = a[0].matmul(a[1]).tanh().matmul(a[2]).add(a[3]).softmax(0);
    Tensor out2 = a[0].mul(a[3].unsqueeze(1)).amax(0).add(a[1].sum(1));
    Tensor out3 = a[3].mul(a[3]).mean();
    return List.of(out1, out2, out3);
  }

  @Test
  void perSampleGradients_logisticRegression() {
    check(
        "per_sample_logreg",
        vmap(grad(FuncTransformsTest::logregLoss, 0, 1), null, null, 0, 0),
        1e-13);
  }

  @Test
  void perSampleGradients_mlp() {
    Fn perSample =
        vmap(grad(FuncTransformsTest::mlpLoss, 0, 1, 2, 3), null, null, null, null, 0, 0);
    check("per_sample_mlp", perSample, 1e-12);
    check("per_sample_mlp_f32", perSample, 1e-5);
  }

  @Test
  void hessian_isJacfwdOfJacrev() {
    JsonNode c = Fixtures.load("func/hessian_jacfwd_jacrev.json");
    Tensor[] in = inputs(c);
    List<Tensor> out = new ArrayList<>(hessian(FuncTransformsTest::twoArgs).callAll(in));
    out.addAll(jacfwd(jacrev(Fn.of(FuncTransformsTest::twoArgs), 0, 1), 0, 1).callAll(in));
    assertOutputs(c, out, 1e-12);
    // the same function both ways, in one more composition
    out = hessian(FuncTransformsTest::twoArgs, 0, 1).callAll(in);
    for (int i = 0; i < 4; i++) {
      Fixtures.assertValue(c.get("outputs").get(1 + i), out.get(i), 1e-12);
    }
  }

  @Test
  void jacrevAndJacfwd_ofAVectorFunction() {
    JsonNode c = Fixtures.load("func/jacrev_jacfwd.json");
    Tensor[] in = inputs(c);
    List<Tensor> out = new ArrayList<>(jacrev(FuncTransformsTest::vectorFn, 0, 1).callAll(in));
    out.addAll(jacfwd(FuncTransformsTest::vectorFn, 0, 1).callAll(in));
    assertOutputs(c, out, 1e-12);
  }

  @Test
  void vmap_overSeveralInDims() {
    JsonNode c = Fixtures.load("func/vmap_in_dims.json");
    Fn f =
        Transforms.vmap(
            Fn.ofOutputs(FuncTransformsTest::mixed),
            Arrays.asList(1, null, -1, 0),
            List.of(0, 1, 0));
    assertOutputs(c, f.callAll(inputs(c)), 1e-12);
  }

  @Test
  void vmapOfVmap_mapsTwoDims() {
    Tensor x = Tensor.randn(DType.F64, 2, 3, 4);
    Tensor w = Tensor.randn(DType.F64, 4);
    Fn f = vmap(vmap(a -> a[0].mul(a[1]).sum().sin(), 0, null), 1, null);
    Tensor r = f.call(x, w);
    assertArrayEquals(new long[] {3, 2}, r.shape());
    Tensor expected = x.mul(w).sum(2).sin().T();
    Tensors.assertClose(expected.toDoubleArray(), r.toDoubleArray(), 1e-14, "vmap of vmap");
  }

  @Test
  void jvpAndVjp_matchAutogradFunctional() {
    Tensor x = Tensor.tensor(DType.F64, 0.5, -1.0, 1.5);
    Tensor v = Tensor.tensor(DType.F64, 0.3, 0.2, -0.7);
    Fn f = Fn.of(a -> a[0].sin().mul(a[0]).sum());
    Transforms.JvpResult j = Transforms.jvp(f, List.of(x), List.of(v));
    Functional.JvpResult expected = Autograd.functional.jvp(t -> t.sin().mul(t).sum(), x, v);
    assertEquals(expected.output().item(), j.outputs().get(0).item(), 1e-15);
    assertEquals(expected.jvp().item(), j.tangents().get(0).item(), 1e-15);
    Transforms.VjpResult r = Transforms.vjp(f, x);
    List<Tensor> g = r.pullback().apply(Tensor.scalar(DType.F64, 2.0));
    Tensor grad = grad(f).call(x).mul(2.0);
    Tensors.assertClose(grad.toDoubleArray(), g.get(0).toDoubleArray(), 1e-15, "vjp");
  }

  @Test
  void vhp_isHvp() {
    Tensor x = Tensor.tensor(DType.F64, 0.5, -1.0, 1.5);
    Tensor v = Tensor.tensor(DType.F64, 0.3, 0.2, -0.7);
    Gradc.Traceable f = a -> a[0].pow(3).sum();
    Tensor vhp = Autograd.functional.vhp(f, List.of(x), List.of(v)).hvp().get(0);
    // the Hessian of sum(x^3) is diag(6x)
    Tensors.assertClose(new double[] {0.9, -1.2, -6.3}, vhp.toDoubleArray(), 1e-14, "vhp");
  }

  @Test
  void misuse_isAClearError() {
    Tensor x = Tensor.randn(DType.F64, 3, 4);
    Tensor y = Tensor.randn(DType.F64, 5);
    Fn f = vmap(a -> a[0].sum().add(a[1].sum()), 0, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.call(x, y));
    assertTrue(e.getMessage().startsWith("vmap: Expected all tensors to have the same size"));
    e = assertThrows(IllegalArgumentException.class, () -> vmap(a -> a[0].sum(), 2).call(x));
    assertEquals(
        "vmap: in_dims[0]=2 is out of bounds for an input of 2 dims (expected a dim in [-2, 1])",
        e.getMessage());
  }

  private static Tensor[] inputs(JsonNode c) {
    List<Tensor> xs = new ArrayList<>();
    c.get("inputs").forEach(t -> xs.add(Fixtures.tensor(t)));
    return xs.toArray(new Tensor[0]);
  }

  private static void check(String name, Fn f, double tol) {
    JsonNode c = Fixtures.load("func/" + name + ".json");
    assertOutputs(c, f.callAll(inputs(c)), tol);
  }

  private static void assertOutputs(JsonNode c, List<Tensor> out, double tol) {
    JsonNode expected = c.get("outputs");
    assertEquals(expected.size(), out.size(), "outputs");
    for (int i = 0; i < out.size(); i++) {
      Fixtures.assertValue(expected.get(i), out.get(i), tol);
    }
  }
}
