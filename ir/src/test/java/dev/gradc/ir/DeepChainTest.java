package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Pipeline;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing walks the graph recursively: a chain of 100,000 instructions builds, prints, parses back,
 * verifies, interprets, differentiates and optimizes on Surefire's default 1 MB thread stack.
 */
class DeepChainTest {
  static final int LENGTH = 100_000;
  private static final DType F = DType.F64;
  private static Func chain;

  /** A long chain over f64[4] through elementwise ops, a reduction and a broadcast each round. */
  @BeforeAll
  static void build() {
    Builder b = new Builder("chain");
    Param x = b.param("x", Type.of(F, 4));
    Param y = b.input("y", Type.of(F, 4));
    Value v = x;
    for (int step = 0; b.size() < LENGTH - 1; step++) {
      switch (step % 5) {
        case 0 -> v = b.unary(Op.TANH, v);
        case 1 -> v = b.mul(v, 1.5);
        case 2 -> v = b.add(v, y);
        case 3 -> v = b.sub(v, b.reduce(Op.MEAN, v, new int[] {0}, true));
        default -> v = b.unary(Op.SIN, v);
      }
    }
    b.ret(b.sum(v));
    chain = b.build();
  }

  private static List<NdArray> args() {
    return List.of(
        NdArray.of(F, new int[] {4}, 0.5, -1, 2, 0.25),
        NdArray.of(F, new int[] {4}, 0.1, 0.2, 0.3, 0.4));
  }

  @Test
  void chain_hasTheLength() {
    assertTrue(chain.insts().size() >= LENGTH, "instructions: " + chain.insts().size());
  }

  @Test
  void chain_printsAndParsesBack() {
    String text = Printer.print(chain);
    Func parsed = Verifier.verify(Parser.parse(text));
    assertEquals(text, Printer.print(parsed));
  }

  @Test
  void chain_verifiesAndInterprets() {
    Verifier.verify(chain);
    double r = Interpreter.run(chain, args()).get(0).item();
    assertTrue(Double.isFinite(r), "result " + r);
  }

  @Test
  void chain_differentiatesOptimizesAndRuns() {
    Func vjp = Verifier.verify(Autodiff.vjp(chain));
    Func opt = Pipeline.run(vjp, (pass, out) -> Verifier.verify(out));
    List<NdArray> plain = Interpreter.run(vjp, args());
    List<NdArray> fast = Interpreter.run(opt, args());
    assertEquals(plain.get(0).item(), fast.get(0).item());
    double[] g = plain.get(1).toDoubleArray();
    double[] h = fast.get(1).toDoubleArray();
    for (int i = 0; i < g.length; i++) {
      assertTrue(Double.isFinite(g[i]), "gradient " + g[i]);
      assertEquals(g[i], h[i], 1e-12 * Math.max(1, Math.abs(g[i])));
    }
  }
}
