package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Reads the PyTorch fixtures written by {@code tools/api/generate.py}: tensors are objects with
 * {@code dtype}, {@code shape} and row-major {@code data} (non-finite values as strings).
 */
final class Fixtures {
  private Fixtures() {}

  static JsonNode load(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/pytorch/" + name)) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DType dtype(JsonNode t) {
    return switch (t.get("dtype").asText()) {
      case "f32" -> DType.F32;
      case "f64" -> DType.F64;
      case "i64" -> DType.I64;
      case "bool" -> DType.BOOL;
      default -> throw new IllegalArgumentException(t.get("dtype").asText());
    };
  }

  static long[] shape(JsonNode t) {
    List<Long> s = new ArrayList<>();
    t.get("shape").forEach(d -> s.add(d.asLong()));
    return s.stream().mapToLong(Long::longValue).toArray();
  }

  static double[] data(JsonNode t) {
    JsonNode d = t.get("data");
    double[] out = new double[d.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = d.get(i);
      out[i] =
          v.isTextual()
              ? switch (v.asText()) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(v.asText());
              }
              : v.asDouble();
    }
    return out;
  }

  /** The leaf tensors of a case's {@code inputs}. */
  static Tensor[] inputs(JsonNode c) {
    List<Tensor> xs = new ArrayList<>();
    c.get("inputs").forEach(t -> xs.add(tensor(t)));
    return xs.toArray(new Tensor[0]);
  }

  /** Asserts {@code y}'s dtype, shape and elements against a fixture tensor. */
  static void assertValue(JsonNode expected, Tensor y, double tol) {
    assertEquals(dtype(expected), y.dtype(), "dtype");
    assertArrayEquals(shape(expected), y.shape(), "shape");
    Tensors.assertClose(data(expected), y.toDoubleArray(), tol, "value");
  }

  /**
   * Asserts each input's gradient against a case's {@code grads}: none where PyTorch has none, else
   * the dtype and elements within {@code tol} of that gradient.
   */
  static void assertGrads(JsonNode grads, Tensor[] xs, ToDoubleFunction<JsonNode> tol) {
    for (int i = 0; i < xs.length; i++) {
      JsonNode g = grads.get(i);
      String what = "grad of input " + i;
      if (g.isNull()) {
        assertNull(xs[i].grad(), what);
        continue;
      }
      assertNotNull(xs[i].grad(), what);
      assertEquals(dtype(g), xs[i].grad().dtype(), what + " dtype");
      Tensors.assertClose(data(g), xs[i].grad().toDoubleArray(), tol.applyAsDouble(g), what);
    }
  }

  /** The entry of {@code spellings} named by a case's name before its last {@code __}. */
  static <T> T spelling(Map<String, T> spellings, JsonNode c) {
    String name = c.get("name").asText();
    T f = spellings.get(name.substring(0, name.lastIndexOf("__")));
    assertNotNull(f, "no Java spelling for " + name);
    return f;
  }

  /** The bound of elementwise functions' values and derivatives: f32 2e-6, f64 1e-13. */
  static double elementwiseTolerance(JsonNode t) {
    return dtype(t) == DType.F32 ? 2e-6 : 1e-13;
  }

  /** One dynamic test per case of {@code cases}, named by the case's {@code name}. */
  static Stream<DynamicTest> perCase(JsonNode cases, Consumer<JsonNode> check) {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check.accept(c)));
    }
    return tests.stream();
  }

  /**
   * Runs {@code f} on a case's inputs and asserts its {@code value}, {@code grad_fn} name and the
   * gradients of {@code sum(y * cotangent)} against the case's {@code grads}.
   */
  static void assertValueGradFnAndGrads(
      JsonNode c, Function<Tensor[], Tensor> f, ToDoubleFunction<JsonNode> tol) {
    Tensor[] xs = inputs(c);
    Tensor y = f.apply(xs);
    assertValue(c.get("value"), y, tol.applyAsDouble(c.get("value")));
    assertEquals(c.get("grad_fn").asText(), y.gradFn().name(), "grad_fn");
    y.mul(tensor(c.get("cotangent"))).sum().backward();
    assertGrads(c.get("grads"), xs, tol);
  }

  /** A leaf tensor holding a fixture tensor, requiring grad when the fixture says so. */
  static Tensor tensor(JsonNode t) {
    Tensor x = Tensors.of(dtype(t), shape(t), data(t));
    JsonNode rg = t.get("requires_grad");
    return rg != null && rg.asBoolean() ? x.requiresGrad_() : x;
  }
}
