package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Values and gradients computed by PyTorch 1.13 ({@code tools/fixtures/generate.py} writes the
 * fixtures under {@code src/test/resources/fixtures/}). Each program is parsed, differentiated with
 * {@link Autodiff#vjp}, and run on the fixture's inputs twice: on the reference interpreter ({@link
 * Kernels#interpret}) and compiled ({@link Kernels#compile}). Both times the value and every
 * param's gradient must match PyTorch's dtype, shape and numbers.
 *
 * <p>Bounds, element by element, for an expected array {@code E}: {@code |actual - e| <= rtol *
 * (|e| + max|E|)}, with {@code rtol = 1e-10} when every declared tensor is f64 and {@code 1e-5}
 * when one is f32. The {@code max|E|} term is an absolute floor at the array's own scale, for
 * elements that are sums of terms cancelling to nearly zero. NaN must be NaN and infinities must be
 * equal. {@link OpCoverageTest} checks that every op appears in some fixture.
 */
class PyTorchFixtureTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  static final Path EXAMPLES = Path.of("../examples");
  static final double RTOL_F64 = 1e-10;
  static final double RTOL_F32 = 1e-5;

  private static final ObjectMapper JSON = new ObjectMapper();

  static List<Path> fixtures() throws IOException {
    try (Stream<Path> s = Files.list(FIXTURES)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
    }
  }

  @TestFactory
  Stream<DynamicTest> pytorchFixtures() throws IOException {
    return fixtures().stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  @Test
  void everyExample_isAFixtureWithTheShippedText() throws IOException {
    List<Path> examples;
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      examples = s.filter(p -> p.toString().endsWith(".grad")).sorted().toList();
    }
    assertTrue(examples.size() >= 5, "examples: " + examples);
    for (Path e : examples) {
      String name = e.getFileName().toString();
      JsonNode fixture = null;
      for (Path f : fixtures()) {
        JsonNode n = JSON.readTree(f.toFile());
        if (n.has("example") && n.get("example").asText().equals(name)) {
          fixture = n;
        }
      }
      assertNotNull(fixture, "no fixture checks examples/" + name);
      assertEquals(
          Files.readString(e, StandardCharsets.UTF_8),
          fixture.get("program").asText(),
          "examples/" + name + " changed: rerun tools/fixtures/generate.py");
    }
  }

  /**
   * The corpus of real programs under {@code lang/real}: each is a fixture in f64 as written and in
   * f32 (every f64 replaced by f32), with the shipped text.
   */
  @Test
  void everyRealProgram_isAFixtureInF64AndF32() throws IOException {
    List<Path> programs;
    try (Stream<Path> s = Files.list(LangCorpusTest.ROOT.resolve("real"))) {
      programs = s.filter(p -> p.toString().endsWith(".grad")).sorted().toList();
    }
    assertTrue(programs.size() >= 40, programs.size() + " real programs");
    for (Path program : programs) {
      String text = Files.readString(program, StandardCharsets.UTF_8);
      String stem = program.getFileName().toString().replace(".grad", "");
      for (String dtype : List.of("f64", "f32")) {
        Path fixture = FIXTURES.resolve("real_" + stem + "_" + dtype + ".json");
        assertTrue(Files.exists(fixture), fixture + ": rerun tools/fixtures/generate.py");
        assertEquals(
            dtype.equals("f64") ? text : text.replace("f64", "f32"),
            JSON.readTree(fixture.toFile()).get("program").asText(),
            program + " changed: rerun tools/fixtures/generate.py");
      }
    }
  }

  private static void check(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    String name = root.get("name").asText();
    Program program = GradLanguage.parse(name + ".grad", root.get("program").asText());
    Func f = Verifier.verify(program.func());
    List<Param> params = f.params();
    Object[] args = new Object[params.size()];
    int[][] shapes = new int[params.size()][];
    boolean f32 = false;
    JsonNode inputs = root.get("inputs");
    assertEquals(params.size(), inputs.size(), "declarations");
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      JsonNode in = inputs.get(i);
      assertEquals(in.get("name").asText(), p.name());
      assertEquals(in.get("role").asText(), p.role().keyword(), p.name());
      DType dtype = DType.byMnemonic(in.get("dtype").asText());
      assertEquals(dtype, p.type().dtype(), p.name());
      f32 |= dtype == DType.F32;
      shapes[i] = ints(in.get("shape"));
      args[i] = buffer(in);
    }
    double rtol = f32 ? RTOL_F32 : RTOL_F64;
    Func g = f.gradParams().isEmpty() ? f : Verifier.verify(Autodiff.vjp(f));
    compareResults(name + " (interpreted)", root, Kernels.interpret(g), args, shapes, rtol);
    compareResults(name + " (compiled)", root, Kernels.compile(g), args, shapes, rtol);
  }

  private static void compareResults(
      String name, JsonNode root, CompiledFunction c, Object[] args, int[][] shapes, double rtol) {
    List<Param> grads = c.func().gradParams();
    Object[] out = c.call(args, shapes, null);
    int[][] outShapes = c.resultShapes(shapes);
    compare(name + ": value", root.get("value"), out[0], outShapes[0], rtol);
    JsonNode expectedGrads = root.get("grads");
    assertEquals(grads.size(), expectedGrads.size(), "gradients");
    for (int k = 0; k < grads.size(); k++) {
      JsonNode g = expectedGrads.get(k);
      assertEquals(g.get("name").asText(), grads.get(k).name());
      compare(name + ": grad " + grads.get(k).name(), g, out[k + 1], outShapes[k + 1], rtol);
    }
  }

  static void compare(String what, JsonNode expected, Object buffer, int[] shape, double rtol) {
    assertEquals(
        expected.get("dtype").asText(), Buffers.dtypeOf(buffer).mnemonic(), what + " dtype");
    assertArrayEquals(ints(expected.get("shape")), shape, what + " shape");
    if (Buffers.dtypeOf(buffer) == DType.I64) {
      long[] e = longs(expected.get("data"));
      for (int i = 0; i < e.length; i++) {
        assertEquals(e[i], ((long[]) buffer)[i], what + "[" + i + "] (PyTorch int64)");
      }
      return;
    }
    double[] e = doubles(expected.get("data"));
    double atol = rtol * finiteScale(e);
    for (int i = 0; i < e.length; i++) {
      double a = Buffers.get(buffer, i);
      if (!close(a, e[i], rtol, atol)) {
        fail(
            what
                + "["
                + i
                + "]: expected "
                + e[i]
                + " (PyTorch), got "
                + a
                + " (rtol "
                + rtol
                + ")");
      }
    }
  }

  /** The largest finite magnitude among {@code e}, 0 when there is none. */
  static double finiteScale(double[] e) {
    double scale = 0;
    for (double v : e) {
      if (Double.isFinite(v)) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    return scale;
  }

  /** NaN for NaN, the same infinity, else {@code |a - e| <= rtol |e| + atol}. */
  static boolean close(double a, double e, double rtol, double atol) {
    if (Double.isNaN(e)) {
      return Double.isNaN(a);
    }
    return Double.isInfinite(e) ? a == e : Math.abs(a - e) <= rtol * Math.abs(e) + atol;
  }

  /** A buffer of the dtype and data of a fixture's tensor; i64 numbers are read exactly. */
  static Object buffer(JsonNode t) {
    DType dtype = DType.byMnemonic(t.get("dtype").asText());
    if (dtype == DType.I64) {
      return longs(t.get("data"));
    }
    double[] data = doubles(t.get("data"));
    Object b = Buffers.allocate(dtype, data.length);
    for (int k = 0; k < data.length; k++) {
      Buffers.set(b, k, data[k]);
    }
    return b;
  }

  private static long[] longs(JsonNode n) {
    long[] out = new long[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asLong();
    }
    return out;
  }

  static int[] ints(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asInt();
    }
    return out;
  }

  /** Numbers, with non-finite ones written as the strings NaN, Infinity and -Infinity. */
  static double[] doubles(JsonNode n) {
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = n.get(i);
      out[i] = v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble();
    }
    return out;
  }
}
