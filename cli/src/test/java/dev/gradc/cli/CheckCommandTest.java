package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.Func;
import dev.gradc.ir.Op;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
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
                      writeInputs(fx, inputs);
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

  /**
   * The language's golden programs ({@code lang/programs}, also {@code with no_grad:}) pass the
   * check on generated values (integers, and values in the domain, given).
   */
  @TestFactory
  Stream<DynamicTest> langPrograms_passOnRandomInputs() throws IOException {
    Map<String, List<String>> given =
        Map.of(
            "linear_regression.grad", List.of("--dim", "N=5"),
            "losses.grad", List.of("--set", "labels=[0, 2, 1, 1]"),
            "numbers.grad", List.of("--set", "k=[1, 2, 3]"),
            // x ** 2 ** 0.5 needs x > 0.
            "precedence.grad", List.of("--set", "x=[0.5, 1.25, 2.0]"));
    List<Path> programs;
    try (Stream<Path> s =
        Files.list(Cli.ROOT.resolve("frontend/src/test/resources/lang/programs"))) {
      programs = s.filter(p -> p.toString().endsWith(".grad")).sorted().toList();
    }
    assertTrue(programs.size() >= 10, programs.toString());
    return programs.stream()
        .map(
            p ->
                DynamicTest.dynamicTest(
                    p.getFileName().toString(),
                    () -> {
                      List<String> args =
                          new ArrayList<>(List.of("check", p.toString(), "--random-inputs"));
                      args.addAll(given.getOrDefault(p.getFileName().toString(), List.of()));
                      Cli.Result r = Cli.run(args.toArray(new String[0]));
                      assertEquals(0, r.code(), p + "\n" + r);
                    }));
  }

  /** The IR examples (which have no fixture) pass the check on generated values. */
  @Test
  void irExamples_passOnRandomInputs() throws IOException {
    for (String name : List.of("mse.ir", "mse_fused.ir")) {
      String text = Files.readString(Cli.EXAMPLES.resolve(name));
      List<String> args = new ArrayList<>(List.of("check", Cli.example(name), "--random-inputs"));
      if (text.contains("[N]")) {
        args.addAll(List.of("--dim", "N=37"));
      }
      Cli.Result r = Cli.run(args.toArray(new String[0]));
      assertEquals(0, r.code(), name + r);
      assertTrue(r.out().contains(" gradients agree with finite differences"), name + r);
    }
  }

  /**
   * Every committed fixture program (PyTorch's, on its inputs), also those with non-scalar or
   * several results (values against the interpreter, the vjp with random cotangents against finite
   * differences), those with {@code detach()} and {@code with no_grad:} and in f32, passes the
   * check: finite differences keep detached values at their forward values, f32 tolerances follow
   * each gradient's condition, and at a kink the subgradient lies between the one-sided
   * differences. Where PyTorch's value or gradient is not finite, or the function jumps within a
   * step ({@code 0 ** e} at {@code e = 0}), the elements that finite differences cannot measure are
   * named, and compared with the interpreter only.
   */
  @TestFactory
  Stream<DynamicTest> everyFixtureProgram_passes() throws IOException {
    List<JsonNode> fixtures = new ArrayList<>();
    try (Stream<Path> s = Files.list(Cli.FIXTURES)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        fixtures.add(Fixtures.read(f));
      }
    }
    for (Path f : ForwardProgramTest.fixtures()) {
      fixtures.add(Fixtures.read(f));
    }
    assertTrue(fixtures.size() >= 270, fixtures.size() + " fixtures");
    assertTrue(
        fixtures.stream().filter(fx -> !fx.has("value")).count() >= 8, "forward-only fixtures");
    long detaching =
        fixtures.stream()
            .map(fx -> fx.get("program").asText())
            .filter(t -> t.contains("detach(") || t.contains("no_grad"))
            .count();
    assertTrue(detaching >= 10, detaching + " fixtures with detach() or no_grad");
    return fixtures.stream()
        .map(
            fx ->
                DynamicTest.dynamicTest(
                    fx.get("name").asText(),
                    () -> {
                      String name = fx.get("name").asText();
                      Path program = tmp.resolve(name + ".grad");
                      Files.writeString(program, fx.get("program").asText());
                      Path inputs = tmp.resolve(name + ".json");
                      writeInputs(fx, inputs);
                      Cli.Result r =
                          Cli.run(
                              "check",
                              program.toString(),
                              "--inputs",
                              inputs.toString(),
                              "--allow-nonfinite");
                      String what = fx.get("program").asText() + r;
                      assertEquals(0, r.code(), what);
                      assertTrue(r.out().contains("\nok: "), what);
                      // Gradients with no elements leave finite differences nothing to check.
                      boolean grads = false;
                      for (JsonNode g : fx.path("grads")) {
                        grads |= !g.get("data").isEmpty();
                      }
                      if (grads
                          && fx.has("value")
                          && (!finite(fx.get("value"))
                              || hasNaN(fx.get("grads"))
                              || name.equals("pow_zero_base"))) {
                        assertTrue(
                            r.out().contains("\nno derivative within a step")
                                || r.out()
                                    .contains(
                                        "\nNaN at a kink or where the program computes inf or NaN"),
                            what);
                      }
                    }));
  }

  private static boolean finite(JsonNode tensor) {
    for (JsonNode x : tensor.get("data")) {
      if (!x.isNumber() || !Double.isFinite(x.asDouble())) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasNaN(JsonNode grads) {
    for (JsonNode g : grads) {
      for (JsonNode x : g.get("data")) {
        if (x.isTextual() && x.asText().equals("NaN")) {
          return true;
        }
      }
    }
    return false;
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
        "fd: central finite differences in f64, detached values frozen; interp: the reference"
            + " interpreter",
        lines.get(5));
    assertEquals(
        "tolerance: |g - fd| <= 1e-06 + 1e-04 |fd| + s; |g - interp| <= 1e-12 + 1e-09 |interp|"
            + " + s; s: each element's condition",
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
                "tolerance: |g - fd| <= 1e-03 + 1e-02 |fd| + s; |g - interp| <= 1e-06 + 1e-05"
                    + " |interp| + s; s: each element's condition\n"),
        r.out());
  }

  /**
   * At relu's kink PyTorch's subgradient is 0 while central differences see 1/2: the check accepts
   * a gradient between the one-sided differences (0 and 1) and names the element.
   */
  @Test
  void kink_gradientBetweenTheOneSidedDifferences_passesAndIsNamed() throws IOException {
    Path p = program("param w: f64[2]\nreturn sum(relu(w))\n");
    Cli.Result r = Cli.run("check", p.toString(), "--set", "w=[1.5, 0.0]");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("w +\\[2] +2/2 .* ok")), r.out());
    assertTrue(
        r.out().contains("\nat a kink (each gradient between the one-sided differences): w[1]\n"),
        r.out());
    Cli.Result smooth = Cli.run("check", p.toString(), "--set", "w=[1.5, -2]");
    assertEquals(0, smooth.code(), smooth.toString());
    assertFalse(smooth.out().contains("at a kink"), smooth.out());
  }

  /** {@code gradc ARGS} with the adjoint's {@code from} instructions computing {@code to}. */
  static Cli.Result withBrokenRule(Op from, Op to, String... args) {
    CheckCommand.adjointForTesting = f -> Widen.replacing(f, from, to);
    try {
      return Cli.run(args);
    } finally {
      CheckCommand.adjointForTesting = UnaryOperator.identity();
    }
  }

  /** A fixture's inputs, non-finite numbers as Python's json writes them (bare NaN, -Infinity). */
  static void writeInputs(JsonNode fixture, Path file) throws IOException {
    Files.writeString(
        file, Fixtures.inputs(fixture).toString().replaceAll("\"(NaN|-?Infinity)\"", "$1"));
  }

  static final String SIN = "param w: f64[3]\nreturn sum(sin(w))\n";

  /**
   * {@code check} of {@code p} with sin's adjoint computing sin instead of cos: in the adjoint both
   * the compiled code and the interpreter run ({@code rule}), or in the compiled one only.
   */
  static Cli.Result checkBroken(Path p, boolean rule) {
    UnaryOperator<Func> broken = f -> Widen.replacing(f, Op.COS, Op.SIN);
    if (rule) {
      CheckCommand.adjointForTesting = broken;
    } else {
      CheckCommand.compiledForTesting = broken;
    }
    try {
      return Cli.run("check", p.toString(), "--set", "w=[0.5, 1.0, -2.0]");
    } finally {
      CheckCommand.adjointForTesting = UnaryOperator.identity();
      CheckCommand.compiledForTesting = UnaryOperator.identity();
    }
  }

  /**
   * A gradient rule broken on purpose (sin's adjoint computing sin instead of cos), in the compiled
   * and interpreted gradients alike: exit 1, and finite differences are the odd one out.
   */
  @Test
  void brokenRule_failsAndFiniteDifferencesDisagreeWithBoth() throws IOException {
    Path p = program(SIN);
    Cli.Result r = checkBroken(p, true);
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("w +\\[3] +3/3 .* FAILED")), r.out());
    assertTrue(
        r.err()
            .startsWith(
                "gradc: check failed: w.grad[0]: compiled "
                    + Math.sin(0.5)
                    + ", interpreter "
                    + Math.sin(0.5)
                    + ", finite differences "),
        r.err());
    assertTrue(
        r.err()
            .contains(
                "; finite differences disagree with the compiled and interpreted gradients, which"
                    + " agree\ngradc: note: a gradient rule is wrong"),
        r.err());
    // Without the broken rule the same check passes.
    assertEquals(0, Cli.run("check", p.toString(), "--set", "w=[0.5, 1.0, -2.0]").code());
  }

  /**
   * Code generation broken on purpose (the compiled adjoint only): the compiled gradient is named.
   */
  @Test
  void brokenCompiledCode_failsAndTheCompiledGradientIsNamed() throws IOException {
    Cli.Result r = checkBroken(program(SIN), false);
    assertEquals(1, r.code(), r.toString());
    String err = r.err();
    String fd =
        err.substring(err.indexOf("finite differences ") + "finite differences ".length())
            .substring(0, err.indexOf(';') - err.indexOf("finite differences ") - 19);
    assertEquals(Math.cos(0.5), Double.parseDouble(fd), 1e-9);
    assertEquals(
        "gradc: check failed: w.grad[0]: compiled "
            + Math.sin(0.5)
            + ", interpreter "
            + Math.cos(0.5)
            + ", finite differences "
            + fd
            + "; the compiled gradient disagrees with the interpreter and finite differences, which"
            + " agree\n",
        r.err());
  }

  /**
   * f32 cancellation: {@code (w + 1e4) - 1e4} in f32 loses most digits of {@code w}, so the
   * gradient of {@code sum(((w + 1e4) - 1e4) * w)} is ill-conditioned; the tolerance follows the
   * measured condition and the correct gradients pass.
   */
  @Test
  void f32Cancellation_correctGradientsPass() throws IOException {
    Path p = program("param w: f32[4]\nreturn sum(((w + 10000.0) - 10000.0) * w * 1000.0)\n");
    Cli.Result r = Cli.run("check", p.toString(), "--set", "w=[0.1234567, -0.7654321, 0.3, 0.01]");
    assertEquals(0, r.code(), r.toString());
  }

  /**
   * Values under detach() and no_grad are frozen: finite differences see the gradient's function.
   */
  @Test
  void detachedValues_frozenForFiniteDifferences() throws IOException {
    for (String program :
        List.of(
            "param w: f64[3]\nreturn sum(w * w.detach())\n",
            "param w: f64[3]\nwith no_grad:\n    s = sum(w * w)\nreturn sum(w) * s\n")) {
      Cli.Result r = Cli.run("check", program(program).toString(), "--set", "w=[0.5, -1, 2]");
      assertEquals(0, r.code(), program + r);
    }
  }

  /**
   * {@code log(-1)} is NaN, and so is the sum: finite differences measure no element of it, which
   * the check names (the gradients are compared with the interpreter only).
   */
  @Test
  void nanValue_elementsNotCheckedAreNamed() throws IOException {
    Cli.Result r =
        Cli.run(
            "check",
            program("param w: f64[2]\nreturn sum(log(w))\n").toString(),
            "--set",
            "w=[-1, 2]");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("w +\\[2] +0/2 .* ok")), r.out());
    assertTrue(
        r.out()
            .contains(
                "\nno derivative within a step (the function is not finite or jumps; compared with"
                    + " the interpreter only): w[0], w[1]\n"),
        r.out());
    assertEquals(
        "gradc: note: 2 gradient elements are not checked by finite differences (the function is"
            + " not finite or jumps within a step of them); give other values with --set or --inputs to"
            + " check them\n",
        r.err());
  }

  /**
   * A NaN term leaves the other terms measurable: in {@code sum(log(a)) + sum(sin(b))} with {@code
   * a[0] = -1}, finite differences check every element of {@code b}, and a broken sin rule fails
   * there.
   */
  @Test
  void nanTerm_otherTermsStillCheckedAndABrokenRuleFails() throws IOException {
    Path p = program("param a: f64[2]\nparam b: f64[3]\nreturn sum(log(a)) + sum(sin(b))\n");
    String[] args = {"check", p.toString(), "--set", "a=[-1, 2]", "--set", "b=[0.5, 1.0, -2.0]"};
    Cli.Result r = Cli.run(args);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("b +\\[3] +3/3 .* ok")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("a +\\[2] +0/2 .* ok")), r.out());
    Cli.Result broken = withBrokenRule(Op.COS, Op.SIN, args);
    assertEquals(1, broken.code(), broken.toString());
    assertTrue(
        broken.out().lines().anyMatch(l -> l.matches("b +\\[3] +3/3 .* FAILED")), broken.out());
    assertTrue(broken.err().startsWith("gradc: check failed: b.grad[0]: "), broken.err());
  }

  /**
   * A NaN gradient passes only where the function is not differentiable or the program computes inf
   * or NaN (PyTorch's rules for such points): at 0, {@code where(x > 0, sqrt(x), 0)} has PyTorch's
   * gradient {@code 0 / (2 sqrt(0))}; the NaN of a broken rule on a smooth, finite program fails.
   */
  @Test
  void nanGradient_passesOnlyWhereNotDifferentiable() throws IOException {
    Cli.Result masked =
        Cli.run(
            "check",
            program("param x: f64[2]\nreturn sum(where(x > 0, sqrt(x), 0.0))\n").toString(),
            "--set",
            "x=[0, 2]");
    assertEquals(0, masked.code(), masked.toString());
    assertTrue(
        masked
            .out()
            .contains(
                "\nNaN at a kink or where the program computes inf or NaN (compared with the"
                    + " interpreter only): x[0]\n"),
        masked.out());
    // sin's adjoint computing log(w) instead of cos(w): NaN for w < 0, on a finite forward pass.
    Cli.Result broken =
        withBrokenRule(
            Op.COS, Op.LOG, "check", program(SIN).toString(), "--set", "w=[-0.5, -1.0, -2.0]");
    assertEquals(1, broken.code(), broken.toString());
    assertTrue(
        broken.err().startsWith("gradc: check failed: w.grad[0]: compiled NaN"), broken.err());
  }

  /**
   * At {@code w = 709.78} {@code exp(w + h)} overflows: the central difference is infinite, and the
   * gradient (1.79e308) is checked against the one-sided difference on the finite side.
   */
  @Test
  void overflowAStepAway_checkedByTheOneSidedDifference() throws IOException {
    Cli.Result r =
        Cli.run("check", program("param w: f64\nreturn exp(w)\n").toString(), "--set", "w=709.78");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("w +\\[] +1/1 .* ok")), r.out());
    assertFalse(r.out().contains("no derivative"), r.out());
  }

  /**
   * A two-output program: each result against the interpreter, and the vjp with random cotangents
   * against finite differences of {@code sum(r0 * c0) + sum(r1 * c1)}; a broken sin rule fails.
   */
  @Test
  void multiOutputProgram_valuesAndVjpChecked() throws IOException {
    Path p = program("param w: f64[3]\ninput x: f64[3]\ny = sin(w) * x\nreturn y, sum(w * w)\n");
    String[] args = {"check", p.toString(), "--set", "w=[0.5, 1.0, -2.0]", "--set", "x=[1, 2, 3]"};
    Cli.Result r = Cli.run(args);
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals("check of " + p, lines.get(0));
    assertTrue(lines.get(2).matches("value\\[0] +\\[3] +- +- +- +\\S+ +\\S+ +ok"), r.out());
    assertTrue(lines.get(3).matches("value\\[1] +\\[] +- +- +- +\\S+ +\\S+ +ok"), r.out());
    assertTrue(lines.get(4).matches("w +\\[3] +3/3 .* ok"), r.out());
    assertTrue(
        r.out()
            .contains(
                "\nvjp: the gradients of the sum of sum(result * cotangent), cotangents standard"
                    + " normal (seed 0)\n"),
        r.out());
    assertTrue(
        r.out().endsWith("ok: 1 gradient agrees with finite differences and the interpreter\n"));
    Cli.Result broken = withBrokenRule(Op.COS, Op.SIN, args);
    assertEquals(1, broken.code(), broken.toString());
    assertTrue(broken.err().startsWith("gradc: check failed: w.grad[0]: "), broken.err());
  }

  /** A program without params: its values against the interpreter. */
  @Test
  void programWithoutParams_valuesChecked() throws IOException {
    Path p = program("input x: f64[2, 3]\nreturn softmax(x, dim=1)\n");
    Cli.Result r = Cli.run("check", p.toString(), "--random-inputs");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("\nvalue  [2, 3]"), r.out());
    assertTrue(
        r.out().endsWith("ok: the value agrees with the interpreter (no params)\n"), r.out());
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
