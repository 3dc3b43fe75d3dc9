package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Role;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The language's entry point, its program model and its limits. */
class GradLanguageTest {

  private static String repeat(String s, int n) {
    return s.repeat(n);
  }

  private static double eval(String source, NdArray... args) {
    Func f = GradLanguage.parse("t.grad", source).func();
    return Interpreter.run(Verifier.verify(f), args).get(0).item();
  }

  @Test
  void parse_linearRegression_declarationsInOrderWithPositions() {
    Program p =
        GradLanguage.parse(
            "dir/lin.grad",
            """
            input x: f64[N, 3]
            input y: f64[N]
            param w: f64[3]
            param b: f64
            pred = x @ w + b
            return mean((pred - y) ** 2)
            """);
    assertEquals("lin", p.func().name());
    assertEquals(
        List.of("x", "y", "w", "b"), p.declarations().stream().map(Declaration::name).toList());
    Declaration w = p.declaration("w");
    assertEquals(Role.PARAM, w.role());
    assertEquals(Type.of(DType.F64, 3), w.type());
    assertEquals(new SourcePos("dir/lin.grad", 3, 7), w.pos());
    assertEquals(Role.INPUT, p.declaration("x").role());
  }

  @Test
  void position_eachInstruction_pointsAtItsOperatorOrCall() {
    Program p =
        GradLanguage.parse("p.grad", "param w: f64[3]\ninput x: f64[3]\nreturn sum(w * x)\n");
    List<Inst> insts = p.func().insts();
    assertEquals(Op.MUL, insts.get(0).op());
    assertEquals(new SourcePos("p.grad", 3, 14), p.position(insts.get(0)));
    assertEquals(Op.SUM, insts.get(1).op());
    assertEquals(new SourcePos("p.grad", 3, 8), p.position(insts.get(1)));
  }

  @Test
  void diagnostic_ofProgram_rendersLineAndCaret() {
    Program p = GradLanguage.parse("p.grad", "param w: f64[3]\nreturn sum(w)\n");
    assertEquals(
        "p.grad:2:8: error: bad input\nreturn sum(w)\n       ^\n",
        p.diagnostic(new SourcePos("p.grad", 2, 8), "bad input"));
  }

  @Test
  void parse_100000NestedParentheses_positionedErrorNotStackOverflow() {
    String src = "param x: f64\nreturn " + repeat("(", 100_000) + "x" + repeat(")", 100_000) + "\n";
    ProgramException e =
        assertThrows(ProgramException.class, () -> GradLanguage.parse("d.grad", src));
    assertEquals(2, e.pos().line());
    assertEquals(8 + ProgramParser.MAX_DEPTH, e.pos().column());
    assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
  }

  @Test
  void parse_100000UnclosedParentheses_reportsTheInnermostAsPythonDoes() {
    String src = "param x: f64\nreturn " + repeat("(", 100_000) + "x\n";
    ProgramException e =
        assertThrows(ProgramException.class, () -> GradLanguage.parse("d.grad", src));
    assertEquals(
        "d.grad:2:100007: error: '(' was never closed", e.diagnostic().lines().findFirst().get());
  }

  @Test
  void parse_deeplyNestedWithBlocks_positionedError() {
    StringBuilder src = new StringBuilder("param x: f64\n");
    int levels = ProgramParser.MAX_DEPTH + 1;
    for (int i = 0; i < levels; i++) {
      src.append(" ".repeat(i)).append("with no_grad:\n");
    }
    src.append(" ".repeat(levels)).append("y = x\nreturn x\n");
    ProgramException e =
        assertThrows(ProgramException.class, () -> GradLanguage.parse("w.grad", src.toString()));
    assertEquals(levels + 1, e.pos().line());
    assertTrue(e.getMessage().contains("nested 'with' blocks"), e.getMessage());
  }

  @Test
  void parse_nestingAtTheLimit_parses() {
    int n = ProgramParser.MAX_DEPTH - 1;
    String src = "param x: f64\nreturn " + repeat("(", n) + "x * 2" + repeat(")", n) + "\n";
    assertEquals(6.0, eval(src, NdArray.scalar(DType.F64, 3)));
  }

  @Test
  void parse_longChainsOfUnaryAndBinaryOperators_noRecursion() {
    // Deep enough that a parser recursing per operator would overflow a 1 MB stack.
    int n = 20_000;
    String negs = "param x: f64\nreturn " + repeat("-", n) + "x\n";
    assertEquals(3.0, eval(negs, NdArray.scalar(DType.F64, 3)));
    String sum = "param x: f64\nreturn x" + repeat(" + x", n) + "\n";
    assertEquals(2.0 * (n + 1), eval(sum, NdArray.scalar(DType.F64, 2)));
    String pows = "param x: f64\nreturn x" + repeat(" ** 1", n) + "\n";
    assertEquals(5.0, eval(pows, NdArray.scalar(DType.F64, 5)));
    String methods = "param x: f64\nreturn x" + repeat(".abs()", n) + "\n";
    assertEquals(4.0, eval(methods, NdArray.scalar(DType.F64, -4)));
  }

  @Test
  void power_isRightAssociativeAndBindsTighterThanUnaryMinus() {
    NdArray two = NdArray.scalar(DType.F64, 2);
    assertEquals(-4.0, eval("param x: f64\nreturn -x ** 2\n", two));
    assertEquals(512.0, eval("param x: f64\nreturn x ** 3 ** 2\n", two));
    assertEquals(0.25, eval("param x: f64\nreturn x ** -x\n", two));
  }

  @Test
  void pythonNumbers_computeExactlyAsPython() {
    NdArray one = NdArray.scalar(DType.F64, 1);
    assertEquals(1.0 / 3, eval("param x: f64\nreturn x * (1 / 3)\n", one));
    assertEquals(Math.pow(2, 62), eval("param x: f64\nreturn x * 2 ** 62\n", one));
    // 2**53 + 1 has no double: refused rather than rounded.
    assertThrows(
        ProgramException.class, () -> eval("param x: f64\nreturn x * (2 ** 53 + 1)\n", one));
    assertEquals(-0.5, eval("param x: f64\nreturn x * 2 ** -1 * -1\n", one));
    assertEquals(1.0, eval("param x: f64\nreturn x * (2 < 3)\n", one));
  }

  @Test
  void noGrad_reassignedParam_hasNoGradient() {
    Func f =
        GradLanguage.parse(
                "n.grad", "param w: f64[2]\nwith no_grad:\n    v = w * 3\nreturn sum(v * w)\n")
            .func();
    NdArray w = NdArray.of(DType.F64, new int[] {2}, 1, 2);
    List<NdArray> out = Interpreter.run(Autodiff.vjp(f), w);
    assertEquals(15.0, out.get(0).item());
    // d/dw sum(detach(3w) * w) = 3w, not 6w.
    assertEquals(3.0, out.get(1).get(0));
    assertEquals(6.0, out.get(1).get(1));
  }

  @Test
  void everyBuiltin_hasAUniqueNameAndItsSelfAmongItsParams() {
    for (Builtin f : Builtins.all()) {
      assertTrue(f.param(f.self()) != null, f.name());
    }
    assertTrue(Builtins.functionNames().contains("logsumexp"));
    assertTrue(Builtins.methodNames().contains("expand"));
  }

  @Test
  void functionName_ofPaths_isAnIdentifier() {
    assertEquals("mlp", GradLanguage.functionName("examples/mlp.grad"));
    assertEquals("my_loss", GradLanguage.functionName("C:\\x\\my-loss.grad"));
    assertEquals("program", GradLanguage.functionName(".grad"));
    assertEquals("a_b", GradLanguage.functionName("a.b.grad"));
  }

  @Test
  void distance_countsTranspositionsOnce() {
    assertEquals(1, Diagnostics.distance("sigmiod", "sigmoid"));
    assertEquals(2, Diagnostics.distance("log_sum_exp", "logsumexp"));
    assertEquals(
        "; did you mean 'logsumexp'?",
        Diagnostics.suggestion("log_sum_exp", List.of("logsumexp", "log")));
    assertEquals("", Diagnostics.suggestion("zzz", List.of("logsumexp")));
  }

  @Test
  void distance_threeRows_matchTheFullTable() {
    assertEquals(0, Diagnostics.distance("", ""));
    assertEquals(3, Diagnostics.distance("abc", ""));
    assertEquals(3, Diagnostics.distance("", "xyz"));
    assertEquals(3, Diagnostics.distance("kitten", "sitting"));
    assertEquals(1, Diagnostics.distance("ab", "ba"));
    assertEquals(2, Diagnostics.distance("abcd", "badc"));
    assertEquals(3, Diagnostics.distance("ca", "abc"));
  }

  /**
   * Regression: an undefined 1 MB name took 9 s and 1.1 GB, comparing it by edit distance with
   * every known name. Long names get no suggestion and candidates too different in length are
   * skipped; the diagnostic shows a window of the line. Measured as the bytes this thread
   * allocates, about 6 MB now (the source itself is 1 MB of chars).
   */
  @Test
  void undefinedHugeName_boundedWorkAndDiagnostic() {
    String name = "a".repeat(1_000_000);
    String src = "param w: f64[3]\nreturn sum(w * " + name + ")\n";
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = bean.getCurrentThreadAllocatedBytes();
    ProgramException e =
        assertThrows(ProgramException.class, () -> GradLanguage.parse("big.grad", src));
    String diagnostic = e.diagnostic();
    long allocated = bean.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 64L << 20, allocated + " bytes allocated");
    assertTrue(
        diagnostic.startsWith("big.grad:2:16: error: unknown name 'aaaa"),
        diagnostic.substring(0, 80));
    List<String> lines = diagnostic.lines().toList();
    assertEquals(3, lines.size());
    assertEquals("return sum(w * " + "a".repeat(145) + "...", lines.get(1));
    assertEquals(" ".repeat(15) + "^", lines.get(2));
    assertEquals("", Diagnostics.suggestion("b".repeat(65), List.of("b".repeat(64))));
    assertEquals(
        "; did you mean '" + "b".repeat(64) + "'?",
        Diagnostics.suggestion("b".repeat(63) + "c", List.of("b".repeat(64))));
  }
}
