package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The exact texts of user errors. Where PyTorch has a message for the same mistake, gradc's starts
 * with PyTorch 1.13's text (checked by running it) and may add the op and the shapes.
 */
class ErrorTextTest {
  private static final DType F = DType.F64;

  /** The message of the error {@code build} throws given fresh parameters of these types. */
  private static String error(BiFunction<Builder, List<Param>, Object> build, Type... types) {
    Builder b = new Builder("f");
    List<Param> ps = new java.util.ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      ps.add(b.param("p" + i, types[i]));
    }
    return assertThrows(GradcException.class, () -> build.apply(b, ps)).getMessage();
  }

  private static Type t(int... shape) {
    return Type.of(F, shape);
  }

  @Test
  void broadcast_mismatch_namesSizesDimOpAndShapes() {
    assertEquals(
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"
            + " (in add of shapes [3] and [4])",
        error((b, p) -> b.add(p.get(0), p.get(1)), t(3), t(4)));
  }

  @Test
  void broadcast_mismatch_countsTheDimInTheBroadcastShape() {
    Builder b = new Builder("f");
    Param a = b.param("a", t(4));
    Param c = b.param("c", t(2, 3));
    Param d = b.param("d", t(5, 1, 3));
    Param e = b.param("e", t(2, 4));
    assertEquals(
        "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1"
            + " (in mul of shapes [4] and [2, 3])",
        assertThrows(GradcException.class, () -> b.mul(a, c)).getMessage());
    assertEquals(
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 2"
            + " (in maximum of shapes [5, 1, 3] and [2, 4])",
        assertThrows(GradcException.class, () -> b.maximum(d, e)).getMessage());
    assertEquals(
        "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1"
            + " (in where of shapes [2, 4] and [2, 3])",
        assertThrows(
                GradcException.class, () -> b.where(b.binary(Op.GT, e, Builder.lit(0, F)), e, c))
            .getMessage());
  }

  @Test
  void broadcast_mismatch_symbolicDims() {
    Builder b = new Builder("f");
    Param a = b.param("a", new Type(F, List.of(Dim.sym("N"))));
    Param c = b.param("c", t(3));
    assertEquals(
        "The size of tensor a (N) must match the size of tensor b (3) at non-singleton dimension 0"
            + " (in sub of shapes [N] and [3])",
        assertThrows(GradcException.class, () -> b.sub(a, c)).getMessage());
  }

  @Test
  void broadcast_lossMismatch_namesTheLoss() {
    assertEquals(
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
            + " (in mse_loss of shapes [2, 3] and [2])",
        error((b, p) -> b.mseLoss(p.get(0), p.get(1)), t(2, 3), t(2)));
  }

  @Test
  void matmul_mismatch_showsOperandsAsMatrices() {
    BiFunction<Builder, List<Param>, Object> mm = (b, p) -> b.matmul(p.get(0), p.get(1));
    String text = "mat1 and mat2 shapes cannot be multiplied ";
    assertEquals(text + "(2x3 and 4x5)", error(mm, t(2, 3), t(4, 5)));
    assertEquals(text + "(1x3 and 4x5)", error(mm, t(3), t(4, 5)));
    assertEquals(text + "(2x3 and 4x1)", error(mm, t(2, 3), t(4)));
    assertEquals(text + "(1x3 and 4x1)", error(mm, t(3), t(4)));
    assertEquals(text + "(2x2x3 and 2x4x5)", error(mm, t(2, 2, 3), t(2, 4, 5)));
    assertEquals(
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
            + " (in matmul of shapes [2] and [3])",
        error(mm, t(2, 2, 3), t(3, 3, 5)));
    assertEquals(
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
        error(mm, t(), t(3)));
  }

  @Test
  void reshape_invalid_namesShapeAndSize() {
    assertEquals(
        "shape '[2, 5]' is invalid for input of size 6",
        error((b, p) -> b.reshape(p.get(0), 2, 5), t(6)));
    assertEquals(
        "shape '[-1, 4]' is invalid for input of size 6",
        error((b, p) -> b.reshape(p.get(0), -1, 4), t(2, 3)));
    assertEquals(
        "only one dimension can be inferred", error((b, p) -> b.reshape(p.get(0), -1, -1), t(6)));
    assertEquals("invalid shape dimension -2", error((b, p) -> b.reshape(p.get(0), -2, 3), t(6)));
  }

  @Test
  void dim_outOfRange_givesTheRange() {
    String text = "Dimension out of range (expected to be in range of ";
    assertEquals(
        text + "[-2, 1], but got 2)",
        error((b, p) -> b.sum(p.get(0), new int[] {2}, false), t(2, 3)));
    assertEquals(
        text + "[-1, 0], but got 1)", error((b, p) -> b.sum(p.get(0), new int[] {1}, false), t()));
    assertEquals(
        text + "[-3, 2], but got -4)", error((b, p) -> b.unsqueeze(p.get(0), -4), t(2, 3)));
    assertEquals(text + "[-2, 1], but got 2)", error((b, p) -> b.softmax(p.get(0), 2), t(2, 3)));
    assertEquals(
        text + "[-2, 1], but got -3)", error((b, p) -> b.transpose(p.get(0), 0, -3), t(2, 3)));
    assertEquals(
        "dim 1 appears multiple times in the list of dims",
        error((b, p) -> b.sum(p.get(0), new int[] {1, -1}, false), t(2, 3)));
  }

  @Test
  void vjp_nonScalarOutput_isPyTorchsError() {
    Builder b = new Builder("f");
    Param x = b.param("x", t(3));
    b.ret(b.mul(x, 2.0));
    Func f = b.build();
    GradcException e = assertThrows(GradcException.class, () -> Autodiff.vjp(f));
    assertEquals("grad can be implicitly created only for scalar outputs", e.getMessage());
  }

  @Test
  void expand_invalid_isPyTorchsError() {
    assertEquals(
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton"
            + " dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
        error((b, p) -> b.expand(p.get(0), 2, 4), t(3)));
  }
}
