package dev.gradc.ir.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.AnomalyException;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Origin;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Origins ({@link Func#origin}) follow values through the passes that replace them (folding, CSE,
 * DCE) and through reverse mode, where an adjoint is attributed to the forward op it
 * differentiates.
 */
class OriginTest {
  private static final Type T = Type.of(DType.F64, 3);

  private static SourcePos line(int n) {
    return new SourcePos("p.grad", n, 5);
  }

  /** The only instruction of {@code f} with op {@code op}. */
  private static Inst only(Func f, Op op) {
    List<Inst> found = f.insts().stream().filter(i -> i.op() == op).toList();
    assertEquals(1, found.size(), op + " in\n" + f);
    return found.get(0);
  }

  @Test
  void foldingCseAndDce_keepEachSurvivingValuesPosition() {
    Builder b = new Builder("f");
    Value x = b.param("x", T);
    b.at(line(1));
    Value dead = b.unary(Op.SIN, x);
    b.at(line(2));
    Value one =
        b.emit(Op.MUL, null, new Value[] {x, Builder.lit(1.0, DType.F64)}, new int[0], false);
    Value e1 = b.unary(Op.EXP, one);
    b.at(line(3));
    Value e2 = b.unary(Op.EXP, x);
    b.at(line(4));
    Value s = b.sum(b.add(e1, e2));
    b.ret(s);
    Func f = b.build();
    assertEquals(line(1), f.position(dead));

    Func g = Pipeline.run(f, (pass, out) -> Verifier.verify(out));
    // mul x, 1 folded to x, the two exps merged into the first, sin dropped as dead.
    assertEquals(line(2), g.position(only(g, Op.EXP)));
    assertEquals(line(4), g.position(only(g, Op.ADD)));
    assertEquals(line(4), g.position(only(g, Op.SUM)));
    assertTrue(g.insts().stream().noneMatch(i -> i.op() == Op.SIN), g.toString());
    assertNull(g.position(g.params().get(0)));
  }

  @Test
  void vjp_attributesEachAdjointToItsForwardOp_andThePassesKeepIt() {
    Builder b = new Builder("f");
    Value x = b.param("x", T);
    b.at(line(7));
    Value l = b.unary(Op.LOG, x);
    b.at(line(8));
    Value s = b.sum(b.mul(l, 2.0));
    b.ret(s);
    Func vjp = Pipeline.run(Autodiff.vjp(b.build()), (pass, out) -> Verifier.verify(out));

    Value grad = vjp.result(1);
    Origin o = vjp.origin(grad);
    assertEquals("LogBackward0", o.gradFn(), vjp.toString());
    assertEquals("log", o.forwardOp());
    assertEquals(0, o.output());
    assertEquals(line(7), o.pos());
    // The forward log keeps its own, forward, origin.
    assertEquals(Origin.at(line(7)), vjp.origin(only(vjp, Op.LOG)));

    NdArray at = NdArray.of(DType.F64, new int[] {3}, 1.0, 0.0, 2.0);
    AnomalyException e =
        assertThrows(
            AnomalyException.class, () -> Interpreter.runDetectingAnomalies(vjp, List.of(at)));
    assertEquals(line(7), e.pos());
    assertTrue(e.getMessage().contains("'log' returned -inf values"), e.getMessage());
    assertEquals(2, Interpreter.run(vjp, List.of(at)).size(), "unchecked, the same program runs");
  }
}
