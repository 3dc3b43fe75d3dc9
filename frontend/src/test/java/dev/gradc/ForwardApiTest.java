package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Gradc.compileOutputs}: functions with a non-scalar result or several results, traced from
 * Java, against the PyTorch fixtures of the same programs (written by {@code
 * tools/fixtures/forward.py}): {@code values} against the results, {@code vjp} against {@code
 * torch.autograd.grad(results, params, cotangents)}, in f64 and f32.
 */
class ForwardApiTest {
  static final Path FORWARD = Path.of("src/test/resources/forward");

  private static JsonNode fixture(String name) throws IOException {
    return new ObjectMapper().readTree(FORWARD.resolve(name + ".json").toFile());
  }

  /** The fixture's inputs in declaration order; params require grad. */
  private static List<Tensor> inputs(JsonNode fx) {
    List<Tensor> xs = new ArrayList<>();
    for (JsonNode in : fx.get("inputs")) {
      Tensor t = Tensors.of(Fixtures.dtype(in), Fixtures.shape(in), Fixtures.data(in));
      xs.add(in.get("role").asText().equals("param") ? t.requiresGrad_() : t);
    }
    return xs;
  }

  private static List<Tensor> tensors(JsonNode list) {
    List<Tensor> xs = new ArrayList<>();
    for (JsonNode t : list) {
      xs.add(Tensors.of(Fixtures.dtype(t), Fixtures.shape(t), Fixtures.data(t)));
    }
    return xs;
  }

  private static double tol(JsonNode fx) {
    return fx.get("name").asText().endsWith("f32") ? 1e-5 : 1e-10;
  }

  /** Checks values and vjp of {@code f}, traced on the fixture's inputs, against PyTorch's. */
  private static void check(String name, Gradc.TraceableOutputs f) throws IOException {
    JsonNode fx = fixture(name);
    List<Tensor> xs = inputs(fx);
    CompiledFn c = Gradc.compileOutputs(f, xs);
    List<Tensor> values = c.values(xs.toArray(new Tensor[0]));
    JsonNode expected = fx.get("values");
    assertEquals(expected.size(), values.size(), name);
    for (int k = 0; k < values.size(); k++) {
      Fixtures.assertValue(expected.get(k), values.get(k), tol(fx));
    }
    List<Tensor> grads = c.vjp(xs, tensors(fx.get("cotangents")));
    int g = 0;
    for (int i = 0; i < xs.size(); i++) {
      JsonNode in = fx.get("inputs").get(i);
      if (in.get("role").asText().equals("param")) {
        Fixtures.assertValue(fx.get("grads").get(g++), grads.get(i), tol(fx));
      } else {
        assertNull(grads.get(i), name + ": input " + i);
      }
    }
    assertEquals(fx.get("grads").size(), g, name);
  }

  @Test
  void mlpLogits_valuesAndVjp_matchPyTorch() throws IOException {
    for (String dt : new String[] {"f64", "f32"}) {
      check("mlp_" + dt, a -> List.of(a[0].matmul(a[1]).add(a[2]).relu().matmul(a[3]).add(a[4])));
    }
  }

  @Test
  void twoOutputs_valuesAndVjp_matchPyTorch() throws IOException {
    for (String dt : new String[] {"f64", "f32"}) {
      check(
          "two_outputs_" + dt,
          a -> {
            Tensor h = a[0].matmul(a[1]).add(a[2]).tanh();
            return List.of(h, h.pow(2).mean(0));
          });
    }
  }

  @Test
  void aliasedOutputs_valuesAndVjp_matchPyTorch() throws IOException {
    for (String dt : new String[] {"f64", "f32"}) {
      check(
          "aliased_outputs_" + dt,
          a -> {
            Tensor y = a[1].mul(a[0]);
            return List.of(y, a[1], y, y.sum());
          });
    }
  }

  @Test
  void misuse_isAnIllegalArgumentNamingTheArgument() throws IOException {
    JsonNode fx = fixture("two_outputs_f64");
    List<Tensor> xs = inputs(fx);
    CompiledFn c =
        Gradc.compileOutputs(
            a -> {
              Tensor h = a[0].matmul(a[1]).add(a[2]).tanh();
              return List.of(h, h.pow(2).mean(0));
            },
            xs);
    List<Tensor> cots = tensors(fx.get("cotangents"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.vjp(xs, List.of(cots.get(0), Tensor.zeros(DType.F64, 3))));
    assertEquals(
        "cotangent 1 should be torch.float64 tensor of shape [2] like result 1, got"
            + " torch.float64 tensor of shape [3]",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.vjp(xs, List.of(cots.get(0))));
    assertEquals("the compiled function has 2 results, got 1 cotangents", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.value(xs.toArray(new Tensor[0])));
    assertEquals("the compiled function has 2 results; values(...) gives them all", e.getMessage());
  }
}
