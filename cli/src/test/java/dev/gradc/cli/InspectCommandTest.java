package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.codegen.Compiler;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.Func;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir Path tmp;

  static final String LINREG = Cli.example("linear_regression.grad");

  static Func linreg() throws IOException {
    return GradLanguage.parse(Path.of(LINREG)).func();
  }

  Path program(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static Cli.Result ok(String... args) {
    Cli.Result r = Cli.run(args);
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.err(), r.toString());
    return r;
  }

  @Test
  void irStages_areTheFunctionsOfThePipeline() throws IOException {
    Func f = linreg();
    Func vjp = Autodiff.vjp(f);
    assertEquals(Printer.print(f), ok("inspect", LINREG, "--stage", "ir").out());
    assertEquals(Printer.print(vjp), ok("inspect", LINREG, "--stage", "grad").out());
    assertEquals(Printer.print(Pipeline.run(vjp)), ok("inspect", LINREG, "--stage", "opt").out());
    String kernels = ok("inspect", LINREG, "--stage", "kernels").out();
    assertEquals(
        Printer.print(Compiler.plan(vjp).func()) + "\n" + Compiler.plan(vjp).text(), kernels);
    assertTrue(kernels.contains("plan @linear_regression.vjp: "), kernels);
    assertEquals(
        Files.readString(Path.of(LINREG)), ok("inspect", LINREG, "--stage", "source").out());
  }

  @Test
  void jvpStage_isTheTangentProgram() throws IOException {
    String text = ok("inspect", LINREG, "--stage", "jvp").out();
    assertEquals(Printer.print(Autodiff.jvp(linreg())), text);
    assertTrue(
        text.startsWith(
            "func @linear_regression.jvp(input %x: f64[N, 3], input %y: f64[N], %w: f64[3], %b:"
                + " f64, input %tangent_w: f64[3], input %tangent_b: f64) -> (f64, f64) {\n"),
        text);
  }

  @Test
  void bytecode_isTheTextifiedClass() {
    String text = ok("inspect", LINREG, "--stage", "bytecode").out();
    assertTrue(text.startsWith("// class version 61.0 (61)\n"), text);
    assertTrue(
        text.contains("public final class gradc/kernels/linear_regression_vjp "), "class name");
    assertTrue(
        text.contains(
            "public static call([Ljava/lang/Object;[[I[Ljava/lang/Object;)[Ljava/lang/Object;"),
        "the entry point");
    assertTrue(text.contains("DADD") || text.contains("DMUL"), "double arithmetic");
  }

  @Test
  void irTextFile_keepsWorking() throws IOException {
    Path mse = Path.of(Cli.example("mse.ir"));
    Func f = Parser.parse(Files.readString(mse));
    String all = ok("inspect", mse.toString()).out();
    assertTrue(all.startsWith("=== source: the program as written ===\n"), all);
    assertTrue(all.contains("=== ir: the forward IR ===\n" + Printer.print(f)), all);
    assertTrue(
        all.contains("=== grad: the adjoint IR ===\n" + Printer.print(Autodiff.vjp(f))), all);
    List<String> headers = new ArrayList<>();
    all.lines()
        .filter(line -> line.startsWith("=== "))
        .forEach(line -> headers.add(line.substring(4, line.indexOf(':'))));
    assertEquals(
        List.of("source", "ir", "grad", "jvp", "opt", "kernels", "bytecode", "autograd"), headers);
  }

  @Test
  void autograd_linearRegression() {
    assertEquals(
        """
        MeanBackward0 (%5 = mean %4)
        └── PowBackward0 (%4 = pow %3, 2.0)
            └── SubBackward0 (%3 = sub %2, %y)
                └── AddBackward0 (%2 = add %0, %1)
                    ├── MvBackward0 (%0 = matmul %x, %w)
                    │   └── AccumulateGrad (w: f64[3])
                    └── AccumulateGrad (b: f64)
        """,
        ok("inspect", LINREG, "--stage", "autograd").out());
  }

  /** The tutorial's first graph: c = sum(a + b). */
  @Test
  void autograd_tutorialGraph() throws IOException {
    Path p = program("c.grad", "param a: f32[2, 2]\nparam b: f32[2, 2]\nreturn sum(a + b)\n");
    assertEquals(
        """
        SumBackward0 (%1 = sum %0)
        └── AddBackward0 (%0 = add %a, %b)
            ├── AccumulateGrad (a: f32[2, 2])
            └── AccumulateGrad (b: f32[2, 2])
        """,
        ok("inspect", p.toString(), "--stage", "autograd").out());
  }

  @Test
  void autograd_sharedNodesOnceAndDetachedValuesNotAtAll() throws IOException {
    Path p =
        program(
            "shared.grad", "param w: f64[3]\ns = sigmoid(w)\nreturn sum(s * s + w * detach(w))\n");
    assertEquals(
        """
        SumBackward0 (%5 = sum %4)
        └── AddBackward0 (%4 = add %1, %3)
            ├── MulBackward0 (%1 = mul %0, %0)
            │   ├── SigmoidBackward0 (%0 = sigmoid %w)
            │   │   └── AccumulateGrad (w: f64[3])
            │   └── SigmoidBackward0 (%0 = sigmoid %w, shown above)
            └── MulBackward0 (%3 = mul %w, %2)
                └── AccumulateGrad (w: f64[3])
        """,
        ok("inspect", p.toString(), "--stage", "autograd").out());
  }

  static String chain(int n) {
    StringBuilder b = new StringBuilder("param w: f64[3]\na = tanh(w)\n");
    for (int i = 1; i < n; i++) {
      b.append("a = tanh(a)\n");
    }
    return b.append("return sum(a)\n").toString();
  }

  /**
   * A subtree more than 32 levels down continues below at the left margin: each node is printed
   * once with its children, and no line is indented more than 32 levels.
   */
  @Test
  void autograd_deepChain_continuesAtTheLeftMargin() throws IOException {
    Path p = program("chain.grad", chain(40));
    List<String> lines = ok("inspect", p.toString(), "--stage", "autograd").out().lines().toList();
    assertEquals(43, lines.size(), String.join("\n", lines));
    assertEquals("SumBackward0 (%40 = sum %39)", lines.get(0));
    assertEquals("    ".repeat(30) + "└── TanhBackward0 (%9 = tanh %8)", lines.get(31));
    assertEquals(
        "    ".repeat(31) + "└── TanhBackward0 (%8 = tanh %7, continued below)", lines.get(32));
    assertEquals("TanhBackward0 (%8 = tanh %7, continued from above)", lines.get(33));
    assertEquals("└── TanhBackward0 (%7 = tanh %6)", lines.get(34));
    assertEquals("    ".repeat(8) + "└── AccumulateGrad (w: f64[3])", lines.get(42));
  }

  /** Regression: 5,000 statements printed 375 MB (indentation grew with depth); now linear. */
  @Test
  void autograd_5000Statements_textIsLinear() throws IOException {
    Path p = program("long.grad", chain(5000));
    String text = ok("inspect", p.toString(), "--stage", "autograd").out();
    // 5,002 nodes, and one line more where each 32 levels continue below.
    assertEquals(5002 + 5001 / 32, text.lines().count());
    assertTrue(text.length() < 5002 * 200, text.length() + " characters");
  }

  @Test
  void autograd_withoutParams() throws IOException {
    Path p = program("inputs.grad", "input x: f64[3]\nreturn sum(x)\n");
    assertEquals(
        "(the result does not require grad: no param reaches it)\n",
        ok("inspect", p.toString(), "--stage", "autograd").out());
  }

  @Test
  void dot_irIsGraphviz() {
    assertEquals(
        """
        digraph "loss" {
          node [fontname="Helvetica"];
          v0 [shape=ellipse, label="%a: f64[4]\\nparam", style=filled, fillcolor=lightblue];
          v1 [shape=ellipse, label="%b: f64[4]\\nparam", style=filled, fillcolor=lightblue];
          v2 [shape=ellipse, label="%y: f64[4]\\ninput"];
          v3 [shape=box, label="%0 = mul %a, %b\\nf64[4]"];
          v4 [shape=box, label="%1 = sub %0, %y\\nf64[4]"];
          v5 [shape=box, label="%2 = pow %1, 2.0\\nf64[4]"];
          v6 [shape=box, label="%3 = mean %2\\nf64"];
          v0 -> v3;
          v1 -> v3;
          v3 -> v4;
          v2 -> v4;
          v4 -> v5;
          v5 -> v6;
          ret0 [shape=plaintext, label="ret"];
          v6 -> ret0;
        }
        """,
        ok("inspect", Cli.example("mse.ir"), "--stage", "ir", "--format", "dot").out());
  }

  @Test
  void dot_gradLabelsResultsAndColoursAdjoints() throws IOException {
    String dot = ok("inspect", LINREG, "--stage", "grad", "--format", "dot").out();
    Func vjp = Autodiff.vjp(linreg());
    int edges = 0;
    for (var inst : vjp.insts()) {
      edges += (int) inst.operands().stream().filter(v -> v.id() >= 0).count();
    }
    edges += vjp.results().size();
    assertEquals(edges, dot.split(" -> ", -1).length - 1, dot);
    assertTrue(dot.contains("ret0 [shape=plaintext, label=\"value\"];"), dot);
    assertTrue(dot.contains("ret1 [shape=plaintext, label=\"grad w\"];"), dot);
    assertTrue(dot.contains("ret2 [shape=plaintext, label=\"grad b\"];"), dot);
    assertTrue(dot.contains("fillcolor=\"#ffd9b3\""), "adjoint instructions are coloured");
  }

  @Test
  void dot_autograd() {
    String dot = ok("inspect", LINREG, "--stage", "autograd", "--format", "dot").out();
    assertTrue(dot.startsWith("digraph \"linear_regression.autograd\" {\n"), dot);
    assertTrue(
        dot.contains("n0 [label=\"MeanBackward0\\n%5 = mean %4\", fillcolor=\"#ffd27f\"];"), dot);
    assertTrue(dot.contains("[label=\"AccumulateGrad\\nw: f64[3]\", fillcolor=lightblue];"), dot);
    assertEquals(6, dot.split(" -> ", -1).length - 1, "one edge per next function");
  }

  @Test
  void json_everyStage() throws IOException {
    JsonNode o = Fixtures.JSON.readTree(ok("inspect", LINREG, "--format", "json").out());
    List<String> keys = new ArrayList<>();
    o.fieldNames().forEachRemaining(keys::add);
    assertEquals(
        List.of("source", "ir", "grad", "jvp", "opt", "kernels", "bytecode", "autograd"), keys);
    Func f = linreg();
    Func vjp = Autodiff.vjp(f);
    assertEquals(f.insts().size(), o.get("ir").get("insts").size());
    assertEquals(Printer.print(vjp), o.get("grad").get("text").asText());
    JsonNode adjB = o.get("grad").get("insts").get(12);
    assertEquals("%12", adjB.get("value").asText());
    assertEquals("sum_to", adjB.get("op").asText());
    assertEquals("[\"%b\"]", adjB.get("adjoint_of").toString());
    assertEquals(
        Compiler.plan(vjp).loopCount(), o.get("kernels").get("loops").asInt(), "loop count");
    assertEquals("gradc/kernels/linear_regression_vjp", o.get("bytecode").get("class").asText());
    assertEquals(0, o.get("autograd").get("root").asInt());
    assertEquals(7, o.get("autograd").get("nodes").size());
    List<String> params = new ArrayList<>();
    o.get("ir").get("params").forEach(p -> params.add(p.get("name").asText()));
    assertEquals(List.of("x", "y", "w", "b"), params);
  }

  @Test
  void output_writesTheTextToAFile() throws IOException {
    Path out = tmp.resolve("grad.ir");
    Cli.Result r = ok("inspect", LINREG, "--stage", "grad", "-o", out.toString());
    assertEquals("", r.out());
    assertEquals(
        Printer.print(Autodiff.vjp(linreg())), Files.readString(out, StandardCharsets.UTF_8));
  }

  private Cli.Result renderSvg() {
    return Cli.run(
        "inspect",
        LINREG,
        "--stage",
        "autograd",
        "--render",
        "svg",
        "-o",
        tmp.resolve("g.svg") + "");
  }

  @Test
  void render_withoutGraphviz_saysHowToInstallIt() {
    assumeTrue(
        System.getProperty(Graphviz.PROPERTY) == null && Graphviz.find() == null,
        "Graphviz's dot is installed");
    Cli.Result r = renderSvg();
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        "--render: error: Graphviz's 'dot' program is not installed (not found on PATH)."
            + " Install Graphviz: 'sudo apt-get install graphviz' (Debian, Ubuntu), 'sudo dnf"
            + " install graphviz' (Fedora), 'brew install graphviz' (macOS); or write the graph"
            + " with --format dot and render it elsewhere\n",
        r.err());
    assertTrue(Files.notExists(tmp.resolve("g.svg")));
  }

  /**
   * A graph format without {@code --stage} draws the adjoint graph: {@code --render} alone reaches
   * Graphviz (here a missing one) instead of complaining about a {@code --format dot} nobody typed.
   */
  @Test
  void graphWithoutStage_drawsTheAdjoint() {
    assertEquals(
        ok("inspect", LINREG, "--stage", "grad", "--format", "dot").out(),
        ok("inspect", LINREG, "--format", "dot").out());
    String missing = tmp.resolve("no-such-dot").toString();
    Cli.Result r =
        Properties.with(
            Graphviz.PROPERTY,
            missing,
            () -> Cli.run("inspect", LINREG, "--render", "svg", "-o", tmp.resolve("g.svg") + ""));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("gradc: error: the system property gradc.dot is '"), r.err());
  }

  @Test
  void render_dotPropertyNamesNoProgram_isABadSetting() {
    String missing = tmp.resolve("no-such-dot").toString();
    Cli.Result r = Properties.with(Graphviz.PROPERTY, missing, this::renderSvg);
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        "gradc: error: the system property gradc.dot is '"
            + missing
            + "', which is not an executable file; it must name Graphviz's dot program\n",
        r.err());
    assertTrue(Files.notExists(tmp.resolve("g.svg")));
  }

  @Test
  void render_withGraphviz_writesSvgAndPng() throws IOException {
    assumeTrue(Graphviz.find() != null, "Graphviz's dot is not installed");
    Path svg = tmp.resolve("g.svg");
    Cli.Result r =
        Cli.run("inspect", LINREG, "--stage", "autograd", "--render", "svg", "-o", svg.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("gradc: wrote " + svg + "\n", r.err());
    String text = Files.readString(svg);
    assertTrue(text.contains("<svg"), text);
    assertTrue(text.contains("MeanBackward0"), text);
    Path png = tmp.resolve("g.png");
    r = Cli.run("inspect", LINREG, "--stage", "opt", "--render", "png", "-o", png.toString());
    assertEquals(0, r.code(), r.toString());
    byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
  }
}
