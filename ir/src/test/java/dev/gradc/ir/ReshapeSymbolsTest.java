package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reshapes between shapes whose element count has a repeated symbol, found by random testing. */
class ReshapeSymbolsTest {
  static final Dim N = Dim.sym("N");

  @Test
  void sameNumel_productOfTheSameSymbol() {
    Type a = new Type(DType.F64, List.of(N, Dim.of(1), N));
    assertTrue(a.sameNumel(new Type(DType.F64, List.of(N, N))));
    assertTrue(a.sameNumel(new Type(DType.F64, List.of(Dim.of(1), N, Dim.of(1), N))));
    assertTrue(!a.sameNumel(new Type(DType.F64, List.of(N, Dim.of(2)))));
  }

  @Test
  void unsqueezeOfSquareSymbolicTensor_differentiatesAndRuns() {
    Builder b = new Builder("sq");
    Value x = b.param("x", new Type(DType.F64, List.of(N, Dim.of(1), N)));
    b.ret(b.sum(b.square(b.unsqueeze(x, 0))));
    Func g = Verifier.verify(Autodiff.vjp(b.build()));
    double[] data = {1, 2, 3, 4};
    List<NdArray> out = Interpreter.run(g, NdArray.of(DType.F64, new int[] {2, 1, 2}, data));
    assertEquals(30.0, out.get(0).item());
    assertEquals(
        List.of(2.0, 4.0, 6.0, 8.0),
        java.util.Arrays.stream(out.get(1).toDoubleArray()).boxed().toList());
  }

  @Test
  void reshapeToADifferentCount_isStillAnError() {
    Builder b = new Builder("bad");
    Value x = b.param("x", new Type(DType.F64, List.of(N, N)));
    GradcException e =
        assertThrows(
            GradcException.class,
            () ->
                b.emit(
                    Op.RESHAPE,
                    new Type(DType.F64, List.of(N)),
                    new Value[] {x},
                    new int[0],
                    false));
    assertEquals("shape '[N]' is invalid for input of shape [N, N]", e.getMessage());
  }
}
