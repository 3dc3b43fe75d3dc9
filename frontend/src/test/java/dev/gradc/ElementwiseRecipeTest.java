package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Op;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import org.junit.jupiter.api.Test;

/** Shared recipes for small integer literals behave exactly as fresh ones. */
class ElementwiseRecipeTest {
  @Test
  void smallIntegerLiterals_areShared_andEmitTheirValue() {
    for (int v = -16; v <= 16; v++) {
      ElementwiseRecipe r = ElementwiseRecipe.withLiteral(Op.MUL, v);
      assertSame(r, ElementwiseRecipe.withLiteral(Op.MUL, v));
      assertEquals(new ElementwiseRecipe(Op.MUL, true, v), r);
      assertEquals(v, r.value());
    }
  }

  @Test
  void negativeZeroAndOtherLiterals_keepTheirOwnValue() {
    ElementwiseRecipe nz = ElementwiseRecipe.withLiteral(Op.ADD, -0.0);
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(nz.value()));
    assertNotEquals(ElementwiseRecipe.withLiteral(Op.ADD, 0.0), nz);
    assertEquals(17.0, ElementwiseRecipe.withLiteral(Op.ADD, 17).value());
    assertEquals(0.5, ElementwiseRecipe.withLiteral(Op.ADD, 0.5).value());
    // The shared recipe of 3 emits x * 3.
    Builder b = new Builder("f");
    Value x = b.param("x", Type.of(DType.F64, 2));
    b.ret(ElementwiseRecipe.withLiteral(Op.MUL, 3).apply(b, new Value[] {x}));
    Func f = b.build();
    assertTrue(Printer.print(f).contains("mul %x, 3.0"), Printer.print(f));
  }
}
