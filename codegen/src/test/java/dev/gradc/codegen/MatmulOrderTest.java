package dev.gradc.codegen;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The f64 matmul routine blocks rows of A and of B but adds the products of each element in
 * ascending order of the shared dim, so it equals the reference interpreter bit for bit: for every
 * remainder of the row blocking (n mod 4) and of the shared-dim blocking (k mod 2), and with a
 * transposed operand read in place.
 */
class MatmulOrderTest {
  @Test
  void f64Product_equalsInterpreterExactly_forEveryBlockRemainder() {
    SplittableRandom rnd = new SplittableRandom(21);
    for (int n = 1; n <= 9; n++) {
      for (int k = 1; k <= 6; k++) {
        Builder b = new Builder("mm");
        Value a = b.param("a", Type.of(DType.F64, n, k));
        Value c = b.param("c", Type.of(DType.F64, k, 5));
        b.ret(b.matmul(a, c));
        CompilerTest.assertMatches(
            b.build(),
            List.of(
                CompilerTest.random(rnd, DType.F64, n, k),
                CompilerTest.random(rnd, DType.F64, k, 5)),
            0);
      }
    }
  }

  @Test
  void f64ProductOfTransposedOperand_equalsInterpreterExactly() {
    SplittableRandom rnd = new SplittableRandom(22);
    Builder b = new Builder("mmT");
    Value a = b.param("a", Type.of(DType.F64, 37, 11));
    Value c = b.param("c", Type.of(DType.F64, 37, 6));
    b.ret(b.matmul(b.transpose(a, 0, 1), c));
    CompilerTest.assertMatches(
        b.build(),
        List.of(
            CompilerTest.random(rnd, DType.F64, 37, 11),
            CompilerTest.random(rnd, DType.F64, 37, 6)),
        0);
  }
}
