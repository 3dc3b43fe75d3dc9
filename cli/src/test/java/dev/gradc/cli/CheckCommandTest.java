package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {
  @TempDir Path tmp;

  Path program(String text) throws IOException {
    Path p = Files.createTempFile(tmp, "p", ".grad");
    Files.writeString(p, text);
    return p;
  }

  /** Every example passes the check on PyTorch's inputs. */
  @TestFactory
  Stream<DynamicTest> examples_pass() throws IOException {
    return Fixtures.examples().stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      JsonNode fx = Fixtures.read(f);
                      Path inputs = Files.createTempFile(tmp, "inputs", ".json");
                      Fixtures.JSON.writeValue(inputs.toFile(), Fixtures.inputs(fx));
                      Cli.Result r =
                          Cli.run(
                              "check",
                              Cli.example(fx.get("example").asText()),
                              "--inputs",
                              inputs.toString());
                      assertEquals(0, r.code(), r.toString());
                      assertEquals("", r.err());
                      int grads = fx.get("grads").size();
                      assertTrue(
                          r.out()
                              .endsWith(
                                  "ok: "
                                      + grads
                                      + " gradients agree with finite differences and the"
                                      + " interpreter\n"),
                          r.out());
                      assertEquals(
                          grads + 6L,
                          r.out().lines().count(),
                          "title, header, value row, one row per param, legend, tolerance, ok");
                    }));
  }

  @Test
  void table_rowPerParam() throws IOException {
    Path p = program("param w: f64[100]\nparam c: f64\nreturn sum(w * w) * c\n");
    Cli.Result r = Cli.run("check", p.toString(), "--points", "10", "--random-inputs");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals("gradient check of " + p + " (seed 0)", lines.get(0));
    assertEquals(
        List.of(
            "name", "shape", "checked", "fd", "max", "abs", "fd", "max", "rel", "interp", "max",
            "abs", "interp", "max", "rel"),
        List.of(lines.get(1).trim().split(" +")));
    assertTrue(lines.get(2).matches("value +\\[] +- +- +- +0 +0 +ok"), lines.get(2));
    assertTrue(lines.get(3).matches("w +\\[100] +10/100 .* ok"), lines.get(3));
    assertTrue(lines.get(4).matches("c +\\[] +1/1 .* ok"), lines.get(4));
    assertEquals(
        "fd: central finite differences in f64; interp: the reference interpreter", lines.get(5));
    assertEquals(
        "tolerance: |g - fd| <= 1e-06 + 1e-04 |fd|; |g - interp| <= 1e-12 + 1e-09 |interp|",
        lines.get(6));
    assertEquals("gradc: note: w, c: standard normal, seed 0\n", r.err());
  }

  @Test
  void f32_programsUseLooserTolerances() throws IOException {
    Path p = program("param w: f32[4]\nreturn sum(tanh(w) * w)\n");
    Cli.Result r = Cli.run("check", p.toString(), "--random-inputs");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "tolerance: |g - fd| <= 1e-03 + 1e-02 |fd|; |g - interp| <= 1e-06 + 1e-05"
                    + " |interp|\n"),
        r.out());
  }

  /** At relu's kink PyTorch's subgradient is 0 while finite differences see 1/2: exit code 1. */
  @Test
  void kink_failsWithExitCode1() throws IOException {
    Path p = program("param w: f64[2]\nreturn sum(relu(w))\n");
    Cli.Result r = Cli.run("check", p.toString(), "--set", "w=[1.5, 0.0]");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("w +\\[2] +2/2 .* FAILED")), r.out());
    assertEquals(
        "gradc: check failed: w.grad[1] is 0.0, finite differences give 0.4999999999934427\n"
            + "gradc: note: at a kink (relu or abs at 0, clamp at a bound) finite differences see"
            + " another slope than the subgradient; try other values\n",
        r.err());
    assertEquals(0, Cli.run("check", p.toString(), "--set", "w=[1.5, -2]").code());
  }

  /** {@code check} of {@code program} with {@code --set SET}, which must exit with 1. */
  Cli.Result failing(String program, String set) throws IOException {
    Cli.Result r = Cli.run("check", program(program).toString(), "--set", set);
    assertEquals(1, r.code(), r.toString());
    return r;
  }

  @Test
  void nanValue_saysTheInputsAreOutsideTheDomain() throws IOException {
    Cli.Result r = failing("param w: f64[2]\nreturn sum(log(w))\n", "w=[-1, 2]");
    assertTrue(
        r.err()
            .endsWith(
                "gradc: note: the value is NaN: these inputs are outside the program's domain;"
                    + " give others with --set or --inputs\n"),
        r.err());
  }

  /**
   * Regression: at {@code w = 709.78} finite differences of {@code exp(w)} overflow to infinity
   * (exp(w + h) is beyond the largest double) while the gradient is 1.79e308; {@code atol + rtol *
   * inf} let every number pass, so the check said ok.
   */
  @Test
  void infiniteReference_passesOnlyAgainstTheSameInfinity() throws IOException {
    Cli.Result r = failing("param w: f64\nreturn exp(w)\n", "w=709.78");
    assertTrue(
        r.out().lines().anyMatch(l -> l.matches("w +\\[] +1/1 +inf +inf .* FAILED")), r.out());
    assertEquals(
        "gradc: check failed: w.grad is 1.7928227943945155E308, finite differences give Infinity\n"
            + "gradc: note: finite differences are not finite here: the program overflows or"
            + " leaves its domain within a step of these inputs; try other values\n",
        r.err());
  }

  @Test
  void close_nonFiniteValues() {
    double inf = Double.POSITIVE_INFINITY;
    assertTrue(CheckCommand.close(inf, inf, 1e-6, 1e-4));
    assertTrue(CheckCommand.close(-inf, -inf, 1e-6, 1e-4));
    assertTrue(CheckCommand.close(Double.NaN, Double.NaN, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(1e308, inf, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(0, -inf, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(inf, 1e308, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(inf, -inf, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(1, Double.NaN, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(Double.NaN, 1, 1e-6, 1e-4));
    assertTrue(CheckCommand.close(1.00001, 1, 1e-6, 1e-4));
    assertFalse(CheckCommand.close(1.001, 1, 1e-6, 1e-4));
  }

  @Test
  void sample_evenlySpacedWithBothEnds() {
    assertArrayEquals(new int[] {0, 1, 2}, CheckCommand.sample(3, 64));
    assertArrayEquals(new int[] {0, 24, 49, 74, 99}, CheckCommand.sample(100, 5));
    assertArrayEquals(new int[] {0}, CheckCommand.sample(100, 1));
  }
}
