package dev.gradc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The PyTorch fixtures of the frontend (written by {@code tools/fixtures/generate.py}), read as
 * inputs for the command line and as expected values.
 */
final class Fixtures {
  private Fixtures() {}

  static final ObjectMapper JSON = new ObjectMapper();

  /** The fixtures of the bundled examples: {@code example_*.json}, each naming its example file. */
  static List<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(Cli.FIXTURES)) {
      return s.filter(p -> p.getFileName().toString().startsWith("example_")).sorted().toList();
    }
  }

  static JsonNode read(Path fixture) throws IOException {
    return JSON.readTree(fixture.toFile());
  }

  /** The fixture's inputs as {@code gradc run --inputs} takes them: name to nested lists. */
  static ObjectNode inputs(JsonNode fixture) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (JsonNode in : fixture.get("inputs")) {
      o.set(in.get("name").asText(), nested(in.get("shape"), in.get("data")));
    }
    return o;
  }

  /** Flat row-major data as nested lists of the given shape (a number for rank 0). */
  static JsonNode nested(JsonNode shape, JsonNode data) {
    if (shape.isEmpty()) {
      return data.get(0);
    }
    // Build bottom-up: group the flat elements by the last dim, then by the one before, ...
    List<JsonNode> level = new ArrayList<>();
    data.forEach(level::add);
    // An empty tensor nests as PyTorch's tolist(): lists down to its first dim of size 0.
    int top = shape.size();
    for (int k = 0; k < shape.size(); k++) {
      if (shape.get(k).asInt() == 0) {
        int count = 1;
        for (int j = 0; j < k; j++) {
          count *= shape.get(j).asInt();
        }
        for (int i = 0; i < count; i++) {
          level.add(JsonNodeFactory.instance.arrayNode());
        }
        top = k;
        break;
      }
    }
    for (int k = top - 1; k >= 0; k--) {
      int n = shape.get(k).asInt();
      List<JsonNode> up = new ArrayList<>();
      for (int i = 0; i < level.size(); i += n) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        level.subList(i, i + n).forEach(a::add);
        up.add(a);
      }
      level = up;
    }
    return level.get(0);
  }

  /** All numbers of a JSON number or nested lists, in row-major order. */
  static double[] flatten(JsonNode n) {
    return leaves(n).stream().mapToDouble(JsonNode::asDouble).toArray();
  }

  /** The numbers (leaves) of a JSON number or nested lists as nodes, in row-major order. */
  static List<JsonNode> leaves(JsonNode n) {
    List<JsonNode> out = new ArrayList<>();
    List<JsonNode> stack = new ArrayList<>();
    stack.add(n);
    while (!stack.isEmpty()) {
      JsonNode cur = stack.remove(stack.size() - 1);
      if (cur.isArray()) {
        for (int i = cur.size() - 1; i >= 0; i--) {
          stack.add(cur.get(i));
        }
      } else {
        out.add(cur);
      }
    }
    return out;
  }

  static double[] doubles(JsonNode array) {
    double[] d = new double[array.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = array.get(i).asDouble();
    }
    return d;
  }
}
