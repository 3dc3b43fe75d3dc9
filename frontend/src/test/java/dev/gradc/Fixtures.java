package dev.gradc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

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

  /** A leaf tensor holding a fixture tensor, requiring grad when the fixture says so. */
  static Tensor tensor(JsonNode t) {
    Tensor x = Tensors.of(dtype(t), shape(t), data(t));
    JsonNode rg = t.get("requires_grad");
    return rg != null && rg.asBoolean() ? x.requiresGrad_() : x;
  }
}
