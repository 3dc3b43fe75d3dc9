package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A reduction op cannot exist without its fold, so none compiles silently as another. */
class ReductionFactsTest {
  @Test
  void everyReductionOp_carriesItsFold() {
    int reductions = 0;
    for (Op op : Op.values()) {
      if (op.kind() == Op.Kind.REDUCTION) {
        Op.Reduction r = op.reduction();
        assertNotNull(r, op + " has no reduction");
        assertNotNull(r.combine(), op + " has no combine");
        reductions++;
      }
    }
    assertEquals(true, reductions >= 5, "reductions found: " + reductions);
  }

  @Test
  void aReductionWithoutCombineOrFinish_isRefused() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> new Op.Reduction(null, 1.0));
    assertEquals("a reduction needs its combine", e.getMessage());
    assertThrows(NullPointerException.class, () -> new Op.Reduction(Op.Combine.ADD, 0.0, null));
  }
}
