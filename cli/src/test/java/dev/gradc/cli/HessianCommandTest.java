package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gradc run --hessian} and {@code gradc inspect --stage hessian} against the Hessians real
 * PyTorch computed ({@code torch.autograd.functional.hessian}) for the transform fixtures: the
 * Rosenbrock function and an MLP's cross-entropy loss, every block of every pair of params.
 */
class HessianCommandTest {
  private static final Path FIXTURES = Path.of("../frontend/src/test/resources/transforms");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Relative error allowed against PyTorch in f64, with an absolute floor for cancelled sums. */
  private static final double RTOL = 1e-9;

  /** Writes the fixture's program and its inputs; returns the run's arguments before options. */
  private static List<String> prepare(JsonNode fx, Path dir) throws IOException {
    Path program = dir.resolve(fx.get("name").asText() + ".grad");
    Files.writeString(program, fx.get("program").asText());
    ObjectNode inputs = JsonNodeFactory.instance.objectNode();
    for (JsonNode in : fx.get("inputs")) {
      inputs.set(in.get("name").asText(), nested(in.get("data"), in.get("shape"), 0, new int[1]));
    }
    Path values = dir.resolve("inputs.json");
    Files.writeString(values, JSON.writeValueAsString(inputs));
    return new ArrayList<>(List.of("run", program.toString(), "--inputs", values.toString()));
  }

  /** Row-major {@code data} as nested lists of {@code shape}. */
  private static JsonNode nested(JsonNode data, JsonNode shape, int axis, int[] at) {
    if (axis == shape.size()) {
      return data.get(at[0]++);
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < shape.get(axis).asInt(); i++) {
      out.add(nested(data, shape, axis + 1, at));
    }
    return out;
  }

  private static void flatten(JsonNode v, List<Double> out) {
    if (v.isArray()) {
      for (JsonNode e : v) {
        flatten(e, out);
      }
    } else {
      out.add(v.asDouble());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"hessian_rosenbrock", "hessian_mlp_cross_entropy"})
  void everyBlock_equalsPyTorchsHessian(String name, @TempDir Path dir) throws IOException {
    JsonNode fx = JSON.readTree(FIXTURES.resolve(name + ".json").toFile());
    List<String> args = prepare(fx, dir);
    args.addAll(List.of("--hessian", "--format", "json"));
    Cli.Result r = Cli.run(args.toArray(new String[0]));
    assertEquals(0, r.code(), r.toString());
    JsonNode hessian = JSON.readTree(r.out()).get("hessian");
    int blocks = 0;
    for (JsonNode want : fx.get("hessian")) {
      String label = want.get("row").asText() + ", " + want.get("column").asText();
      JsonNode got = hessian.get(want.get("row").asText()).get(want.get("column").asText());
      List<Double> values = new ArrayList<>();
      flatten(got, values);
      JsonNode data = want.get("data");
      assertEquals(data.size(), values.size(), label);
      double scale = 0;
      for (JsonNode d : data) {
        scale = Math.max(scale, Math.abs(d.asDouble()));
      }
      for (int i = 0; i < data.size(); i++) {
        double w = data.get(i).asDouble();
        assertEquals(
            w, values.get(i), RTOL * Math.max(Math.abs(w), scale * 1e-3), label + " @" + i);
      }
      blocks++;
    }
    assertEquals(hessian.size() * hessian.size(), blocks, "a block per pair of params");
  }

  @Test
  void text_labelsEachBlockByRowAndColumn(@TempDir Path dir) throws IOException {
    JsonNode fx = JSON.readTree(FIXTURES.resolve("hessian_mlp_cross_entropy.json").toFile());
    List<String> args = prepare(fx, dir);
    args.add("--hessian");
    Cli.Result r = Cli.run(args.toArray(new String[0]));
    assertEquals(0, r.code(), r.toString());
    int last = -1;
    for (String row : List.of("w1", "b1", "w2")) {
      for (String column : List.of("w1", "b1", "w2")) {
        int at = r.out().indexOf("hessian[" + row + ", " + column + "]:\n");
        assertTrue(at > last, row + ", " + column + " in order in\n" + r.out());
        last = at;
      }
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "param w: f64[3]\\nreturn w * 2 | w=[1,2,3] | :2:8: error: grad can be implicitly created only for scalar outputs",
        "input x: f64[3]\\nreturn sum(x * x) | x=[1,2,3] | :2:8: error: the Hessian is taken with respect to the params, and the program declares none"
      })
  void notALossOrNoParam_isAPositionedErrorWithExitTwo(
      String text, String set, String error, @TempDir Path dir) throws IOException {
    Path program = dir.resolve("bad.grad");
    Files.writeString(program, text.replace("\\n", "\n") + "\n");
    Cli.Result r = Cli.run("run", program.toString(), "--set", set, "--hessian");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith(program + error), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void inspect_printsTheHessianFunction_onlyWhenAsked(@TempDir Path dir) throws IOException {
    JsonNode fx = JSON.readTree(FIXTURES.resolve("hessian_rosenbrock.json").toFile());
    String program = prepare(fx, dir).get(1);
    Cli.Result r = Cli.run("inspect", program, "--stage", "hessian");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains(".jacrev.jacfwd(%x: f64[6]) -> f64[6, 6] {"), r.out());
    Cli.Result all = Cli.run("inspect", program);
    assertEquals(0, all.code(), all.toString());
    assertFalse(all.out().contains("=== hessian"), all.out());
  }
}
