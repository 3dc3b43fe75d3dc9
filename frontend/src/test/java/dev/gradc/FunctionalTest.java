package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Autograd#functional} and {@link CompiledFn#jvp}: the Hessian and a Hessian-vector product
 * of Rosenbrock's function, and the Hessian of a small MLP's cross-entropy loss, against {@code
 * torch.autograd.functional} (the fixtures {@code transforms/hessian_*.json} of {@code
 * tools/fixtures/generate.py}); jvp against f64 central differences of the eager function; vjp
 * against eager {@link Autograd#grad}; misuse.
 */
class FunctionalTest {
  private static final double F64 = 1e-12;

  /** Rosenbrock's function, as the fixture's program. */
  static Tensor rosenbrock(Tensor x) {
    long n = x.shape()[0];
    Tensor head = x.narrow(0, 0, n - 1);
    Tensor tail = x.narrow(0, 1, n - 1);
    return tail.sub(head.pow(2)).pow(2).mul(100.0).add(head.rsub(1.0).pow(2)).sum();
  }

  static JsonNode fixture(String name) throws IOException {
    try (InputStream in = FunctionalTest.class.getResourceAsStream("/transforms/" + name)) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void hessianOfRosenbrock_isPyTorchs() throws IOException {
    JsonNode c = fixture("hessian_rosenbrock.json");
    Tensor x = Fixtures.tensor(c.get("inputs").get(0));
    Tensor h = Autograd.functional.hessian(FunctionalTest::rosenbrock, x);
    Fixtures.assertValue(c.get("hessian").get(0), h, F64);
    assertFalse(h.requiresGrad());
    List<List<Tensor>> blocks = Autograd.functional.hessian(a -> rosenbrock(a[0]), List.of(x));
    assertArrayEquals(h.toDoubleArray(), blocks.get(0).get(0).toDoubleArray());
  }

  @Test
  void hessianOfAnMlpCrossEntropyLoss_isPyTorchs() throws IOException {
    JsonNode c = fixture("hessian_mlp_cross_entropy.json");
    Tensor[] in = Fixtures.inputs(c);
    Tensor x = in[0];
    Tensor labels = in[1];
    List<Tensor> params = List.of(in[2], in[3], in[4]);
    List<List<Tensor>> h =
        Autograd.functional.hessian(
            a -> F.crossEntropy(x.matmul(a[0]).add(a[1]).tanh().matmul(a[2]), labels), params);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        Fixtures.assertValue(c.get("hessian").get(i * 3 + j), h.get(i).get(j), 1e-10);
      }
    }
  }

  @Test
  void hvpOfRosenbrock_isPyTorchs() throws IOException {
    JsonNode c = fixture("hessian_rosenbrock.json");
    Tensor x = Fixtures.tensor(c.get("inputs").get(0));
    Tensor v = Fixtures.tensor(c.get("tangents").get(0));
    Functional.HvpResult r = Autograd.functional.hvp(a -> rosenbrock(a[0]), List.of(x), List.of(v));
    Fixtures.assertValue(c.get("value"), r.output(), F64);
    Fixtures.assertValue(c.get("hvp").get(0), r.hvp().get(0), F64);
  }

  @Test
  void hessianBlocksOfTwoInputs_matchFiniteDifferencesOfTheGradient() {
    SplittableRandom rng = new SplittableRandom(3);
    Tensor a = Tensors.of(DType.F64, new long[] {3}, Tensors.uniform(rng, 3, -1, 1));
    Tensor b = Tensors.of(DType.F64, new long[] {2}, Tensors.uniform(rng, 2, -1, 1));
    Gradc.Traceable f = xs -> xs[0].sin().sum().mul(xs[1].exp().sum()).add(xs[0].matmul(xs[0]));
    List<List<Tensor>> h = Autograd.functional.hessian(f, List.of(a, b));
    assertArrayEquals(new long[] {3, 2}, h.get(0).get(1).shape());
    assertArrayEquals(new long[] {2, 3}, h.get(1).get(0).shape());
    // d/db_j of the gradient with respect to a: central differences of the eager gradient
    double step = 1e-6;
    for (int j = 0; j < 2; j++) {
      double[] up = gradient(f, a, moved(b, j, step)).get(0);
      double[] down = gradient(f, a, moved(b, j, -step)).get(0);
      double[] block = h.get(0).get(1).toDoubleArray();
      for (int i = 0; i < 3; i++) {
        assertEquals((up[i] - down[i]) / (2 * step), block[i * 2 + j], 1e-8, "H[a" + i + "][b" + j);
      }
    }
    double[] ab = h.get(0).get(1).toDoubleArray();
    double[] ba = h.get(1).get(0).toDoubleArray();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(ab[i * 2 + j], ba[j * 3 + i], 1e-14, "symmetric");
      }
    }
  }

  @Test
  void jvp_matchesCentralDifferencesAndTheCompiledFunction() {
    SplittableRandom rng = new SplittableRandom(11);
    Tensor w = Tensors.of(DType.F64, new long[] {3, 4}, Tensors.uniform(rng, 12, -1, 1));
    Tensor x = Tensors.of(DType.F64, new long[] {4}, Tensors.uniform(rng, 4, -1, 1));
    Tensor vw = Tensors.of(DType.F64, new long[] {3, 4}, Tensors.uniform(rng, 12, -1, 1));
    Tensor vx = Tensors.of(DType.F64, new long[] {4}, Tensors.uniform(rng, 4, -1, 1));
    Gradc.Traceable f = a -> a[0].matmul(a[1]).tanh().softmax(0).mul(a[1].sum());
    Functional.JvpResult r = Autograd.functional.jvp(f, List.of(w, x), List.of(vw, vx));
    Tensors.assertClose(
        f.apply(new Tensor[] {w, x}).toDoubleArray(), r.output().toDoubleArray(), F64, "value");
    double h = 1e-6;
    double[] up = f.apply(new Tensor[] {w.add(vw.mul(h)), x.add(vx.mul(h))}).toDoubleArray();
    double[] down = f.apply(new Tensor[] {w.sub(vw.mul(h)), x.sub(vx.mul(h))}).toDoubleArray();
    double[] fd = new double[up.length];
    for (int i = 0; i < fd.length; i++) {
      fd[i] = (up[i] - down[i]) / (2 * h);
    }
    Tensors.assertClose(fd, r.jvp().toDoubleArray(), 1e-8, "jvp");
    CompiledFn compiled =
        Gradc.compile(f, List.of(w.detach().requiresGrad_(), x.detach().requiresGrad_()));
    List<Tensor> tangents = compiled.jvp(List.of(w, x), List.of(vw, vx));
    assertArrayEquals(r.jvp().toDoubleArray(), tangents.get(0).toDoubleArray());
  }

  @Test
  void jacobian_rowsAreEagerGradients() {
    SplittableRandom rng = new SplittableRandom(8);
    Tensor w = Tensors.of(DType.F64, new long[] {2, 3}, Tensors.uniform(rng, 6, -1, 1));
    Tensor x = Tensors.of(DType.F64, new long[] {3}, Tensors.uniform(rng, 3, -1, 1));
    Gradc.Traceable f = a -> a[0].matmul(a[1].sin()).softmax(0).mul(a[1].sum());
    List<Tensor> j = Autograd.functional.jacobian(f, List.of(w, x));
    assertArrayEquals(new long[] {2, 2, 3}, j.get(0).shape());
    assertArrayEquals(new long[] {2, 3}, j.get(1).shape());
    for (int r = 0; r < 2; r++) {
      // row r: the gradient of result element r, from eager reverse mode
      Tensor lw = w.detach().requiresGrad_();
      Tensor lx = x.detach().requiresGrad_();
      Tensor y = f.apply(new Tensor[] {lw, lx});
      List<Tensor> g = Autograd.grad(y.select(0, r), lw, lx);
      double[] jw = j.get(0).toDoubleArray();
      double[] jx = j.get(1).toDoubleArray();
      Tensors.assertClose(
          g.get(0).toDoubleArray(), java.util.Arrays.copyOfRange(jw, r * 6, r * 6 + 6), F64, "w");
      Tensors.assertClose(
          g.get(1).toDoubleArray(), java.util.Arrays.copyOfRange(jx, r * 3, r * 3 + 3), F64, "x");
    }
    assertArrayEquals(
        new long[] {3, 3}, Autograd.functional.jacobian(t -> t.exp(), x).shape(), "one input");
  }

  @Test
  void vjp_isTheEagerGradient() {
    SplittableRandom rng = new SplittableRandom(5);
    Tensor w = Tensors.of(DType.F64, new long[] {2, 3}, Tensors.uniform(rng, 6, -1, 1));
    Tensor u = Tensors.of(DType.F64, new long[] {2}, Tensors.uniform(rng, 2, -1, 1));
    Gradc.Traceable f = a -> a[0].exp().logsumexp(new int[] {1}, false);
    Functional.VjpResult r = Autograd.functional.vjp(f, List.of(w), u);
    Tensor leaf = w.detach().requiresGrad_();
    Tensor y = f.apply(new Tensor[] {leaf});
    List<Tensor> g = Autograd.grad(List.of(y), List.of(leaf), List.of(u), false);
    Tensors.assertClose(g.get(0).toDoubleArray(), r.vjp().get(0).toDoubleArray(), F64, "vjp");
    Tensors.assertClose(y.toDoubleArray(), r.output().toDoubleArray(), F64, "value");
  }

  @Test
  void oneElementInputsAndOutputs_defaultToOnes() {
    Tensor x = Tensor.scalar(DType.F64, 0.5);
    Functional.JvpResult j = Autograd.functional.jvp(t -> t.exp(), x, null);
    assertEquals(Math.exp(0.5), j.jvp().item(), 1e-15);
    Functional.VjpResult v = Autograd.functional.vjp(t -> t.sin(), x, null);
    assertEquals(Math.cos(0.5), v.vjp().get(0).item(), 1e-15);
  }

  @Test
  void misuse_isAClearError() {
    Tensor x = Tensor.tensor(1.0, 2.0);
    Tensor i = Tensor.tensor(DType.I64, 1, 2);
    assertEquals(
        "jvp: input 0 is torch.int64; only floating point inputs can be differentiated",
        assertThrows(
                IllegalArgumentException.class,
                () -> Autograd.functional.jvp(t -> t.mul(2.0), i, Tensor.tensor(1.0, 1.0)))
            .getMessage());
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> Autograd.functional.jvp(t -> t.exp(), x, Tensor.tensor(1.0, 1.0, 1.0)))
            .getMessage();
    assertTrue(m.startsWith("jvp: v[0] should be shaped like"), m);
    m =
        assertThrows(
                IllegalArgumentException.class,
                () -> Autograd.functional.jvp(t -> t.exp(), x, null))
            .getMessage();
    assertTrue(m.startsWith("jvp: the v argument can be omitted only for one-element tensors"), m);
    m =
        assertThrows(
                IllegalArgumentException.class, () -> Autograd.functional.hessian(t -> t.exp(), x))
            .getMessage();
    assertTrue(m.startsWith("hessian: the function must return a scalar"), m);
  }

  private static Tensor moved(Tensor t, int i, double by) {
    double[] d = t.toDoubleArray();
    d[i] += by;
    return Tensors.of(t.dtype(), t.shape(), d);
  }

  /** The eager gradients of {@code f} at {@code a} and {@code b}. */
  private static List<double[]> gradient(Gradc.Traceable f, Tensor a, Tensor b) {
    Tensor la = a.detach().requiresGrad_();
    Tensor lb = b.detach().requiresGrad_();
    List<Tensor> g = Autograd.grad(f.apply(new Tensor[] {la, lb}), la, lb);
    List<double[]> out = new ArrayList<>();
    for (Tensor t : g) {
      out.add(t.toDoubleArray());
    }
    return out;
  }
}
