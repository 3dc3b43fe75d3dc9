package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reduction op cannot exist without its fold, so none compiles silently as another: the op's
 * reduction constructor needs a {@link Op.Combine}, and the identity is the combine's own fact.
 */
class ReductionFactsTest {
  @Test
  void everyReductionOp_carriesItsFold() {
    int reductions = 0;
    for (Op op : Op.values()) {
      if (op.kind() == Op.Kind.REDUCTION) {
        Op.Reduction r = op.reduction();
        assertNotNull(r, op + " has no reduction");
        assertNotNull(r.combine(), op + " has no combine");
        assertEquals(r.combine().identity(), r.identity(), op.toString());
        reductions++;
      }
    }
    assertEquals(true, reductions >= 5, "reductions found: " + reductions);
  }

  @Test
  void eachCombinesIdentity_leavesEveryValueUnchanged() {
    List<Double> xs = List.of(-3.5, -0.0, 0.0, 1e-300, 2.0, 7e300, Double.NEGATIVE_INFINITY);
    for (double x : xs) {
      // A sum starts at +0.0, as PyTorch's: the sum of [-0.0] is +0.0 there too.
      assertEquals(x == 0 ? 0.0 : x, Op.Combine.ADD.identity() + x, "ADD " + x);
      assertEquals(x, Op.Combine.MUL.identity() * x, "MUL " + x);
      assertEquals(x, Math.max(Op.Combine.MAX.identity(), x), "MAX " + x);
      assertEquals(x, Math.min(Op.Combine.MIN.identity(), x), "MIN " + x);
    }
    // log(exp(acc) + exp(x)) leaves x unchanged exactly when exp(acc) is 0.
    assertEquals(0.0, Math.exp(Op.Combine.LOG_ADD_EXP.identity()));
  }

  @Test
  void aReductionWithoutCombineOrFinish_isRefused() {
    NullPointerException e =
        assertThrows(
            NullPointerException.class, () -> new Op.Reduction(null, Op.Reduction.Finish.NONE));
    assertEquals("a reduction needs its combine", e.getMessage());
    assertThrows(NullPointerException.class, () -> new Op.Reduction(Op.Combine.ADD, null));
  }
}
