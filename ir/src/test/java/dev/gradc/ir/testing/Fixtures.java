package dev.gradc.ir.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.ir.DType;
import dev.gradc.ir.NdArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the committed JSON fixtures under {@code src/test/resources} (written by tools/). */
public final class Fixtures {
  private Fixtures() {}

  /** The parsed JSON of a classpath resource, e.g. {@code pytorch/kinks.json}. */
  public static JsonNode read(String resource) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A nested JSON list of numbers (or a number) as an array of {@code dtype}. */
  public static NdArray array(JsonNode nested, DType dtype) {
    List<Integer> shape = new ArrayList<>();
    JsonNode n = nested;
    while (n.isArray()) {
      shape.add(n.size());
      n = n.size() > 0 ? n.get(0) : null;
      if (n == null) {
        break;
      }
    }
    List<Double> flat = new ArrayList<>();
    flatten(nested, flat);
    return NdArray.of(
        dtype,
        shape.stream().mapToInt(Integer::intValue).toArray(),
        flat.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static void flatten(JsonNode n, List<Double> out) {
    // An explicit stack: fixtures are shallow, but no code here recurses over data.
    List<JsonNode> stack = new ArrayList<>();
    stack.add(n);
    while (!stack.isEmpty()) {
      JsonNode top = stack.remove(stack.size() - 1);
      if (top.isArray()) {
        for (int i = top.size() - 1; i >= 0; i--) {
          stack.add(top.get(i));
        }
      } else {
        out.add(top.asDouble());
      }
    }
  }
}
