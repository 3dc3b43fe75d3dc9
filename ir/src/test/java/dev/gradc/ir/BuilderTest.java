package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The builder's folding and identities: literal arithmetic folds to literals of PyTorch's dtype,
 * identities drop only what is exact in IEEE arithmetic (signed zeros and NaN included), and shape
 * no-ops return their operand.
 */
class BuilderTest {
  private static final DType F = DType.F64;
  private static final double[] SPECIAL = {
    -0.0, 0.0, 1.5, -2.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-310
  };

  private static Lit lit(double v) {
    return Builder.lit(v, F);
  }

  /** {@code x op c} (or {@code c op x}) built by the folding builder and emitted as is. */
  private static void assertIdentityExact(Op op, double c, boolean litFirst) {
    String what = op.mnemonic() + (litFirst ? " " + c + ", x" : " x, " + c);
    Builder b = new Builder("identity");
    Param x = b.input("x", Type.of(F, SPECIAL.length));
    Value[] in = litFirst ? new Value[] {lit(c), x} : new Value[] {x, lit(c)};
    Value raw = b.emit(op, null, in, new int[0], false);
    Value folded = b.binary(op, in[0], in[1]);
    b.ret(raw, folded);
    List<NdArray> r =
        Interpreter.run(b.build(), NdArray.of(F, new int[] {SPECIAL.length}, SPECIAL));
    for (int i = 0; i < SPECIAL.length; i++) {
      double want = r.get(0).get(i);
      double got = r.get(1).get(i);
      assertEquals(0, Double.compare(want, got), what + " at x = " + SPECIAL[i]);
    }
  }

  @Test
  void identities_giveTheBitsOfTheUnfoldedOp() {
    for (double c : new double[] {0.0, -0.0, 1.0, -1.0}) {
      for (Op op : new Op[] {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW}) {
        assertIdentityExact(op, c, false);
        if (op != Op.POW) {
          assertIdentityExact(op, c, true);
        }
      }
    }
  }

  @Test
  void identities_dropExactIdentities() {
    Builder b = new Builder("f");
    Param x = b.param("x", Type.of(F, 3));
    assertSame(x, b.mul(x, 1.0));
    assertSame(x, b.mul(lit(1), x));
    assertSame(x, b.div(x, lit(1)));
    assertSame(x, b.pow(x, lit(1)));
    assertSame(x, b.add(x, lit(-0.0)));
    assertSame(x, b.sub(x, lit(0.0)));
    assertSame(x, b.neg(b.neg(x)));
    assertEquals(Op.NEG, ((Inst) b.mul(x, -1.0)).op());
    assertEquals(Op.NEG, ((Inst) b.sub(lit(-0.0), x)).op());
    assertEquals(3, b.size(), "only negations are emitted");
  }

  @Test
  void identities_keepAddOfPositiveZero() {
    // -0.0 + 0.0 is +0.0: the addition is not an identity on signed zeros.
    Builder b = new Builder("f");
    Param x = b.param("x", Type.of(F, 3));
    assertEquals(Op.ADD, ((Inst) b.add(x, lit(0.0))).op());
    assertEquals(Op.SUB, ((Inst) b.sub(lit(0), x)).op());
  }

  @Test
  void identities_foldIntegerZerosFreely() {
    Builder b = new Builder("f");
    Param i = b.input("i", Type.of(DType.I64, 3));
    assertSame(i, b.add(i, Builder.lit(0, DType.I64)));
    assertSame(i, b.add(Builder.lit(0, DType.I64), i));
  }

  @Test
  void folding_literals_usesPyTorchDtypes() {
    Builder b = new Builder("f");
    Lit sum = (Lit) b.add(Builder.lit(2, DType.I64), Builder.lit(3, DType.I64));
    assertEquals(5.0, sum.value());
    assertEquals(DType.I64, sum.type().dtype());
    Lit quotient = (Lit) b.div(Builder.lit(1, DType.I64), Builder.lit(3, DType.I64));
    assertEquals(DType.F32, quotient.type().dtype());
    assertEquals((double) (1f / 3f), quotient.value());
    Lit less = (Lit) b.binary(Op.LT, lit(1), lit(2));
    assertEquals(DType.BOOL, less.type().dtype());
    assertEquals(1.0, less.value());
    Lit exp = (Lit) b.exp(lit(1));
    assertEquals(Math.E, exp.value());
    Lit clamped = (Lit) b.clamp(lit(5), lit(-1), lit(2));
    assertEquals(2.0, clamped.value());
    Lit f32 = (Lit) b.mul(Builder.lit(0.1, DType.F32), Builder.lit(3, DType.F32));
    assertEquals((double) (0.1f * 3f), f32.value(), "f32 literals fold in float");
    assertEquals(0, b.size());
  }

  @Test
  void folding_literals_matchesTheInterpreter() {
    double[] xs = {-1.5, 0.0, 0.5, 2.0};
    List<Op> ops = new ArrayList<>();
    for (Op op : Op.values()) {
      if (op.kind() == Op.Kind.ELEMENTWISE && op != Op.CAST && op != Op.DETACH) {
        ops.add(op);
      }
    }
    for (Op op : ops) {
      for (double x : xs) {
        for (double y : xs) {
          Builder b = new Builder("fold");
          Value[] in =
              op.arity() == 1
                  ? new Value[] {lit(x)}
                  : op.arity() == 2
                      ? new Value[] {lit(x), lit(y)}
                      : op == Op.WHERE
                          ? new Value[] {Builder.lit(x, DType.BOOL), lit(y), lit(x)}
                          : new Value[] {lit(x), lit(y), lit(1)};
          DType dt = op.isComparison() ? DType.BOOL : F;
          Value raw = b.emit(op, Type.scalar(dt), in, new int[0], false);
          b.ret(raw);
          double want = Interpreter.run(b.build()).get(0).item();
          Builder c = new Builder("fold");
          Value folded =
              op.arity() == 1
                  ? c.unary(op, in[0])
                  : op.arity() == 2
                      ? c.binary(op, in[0], in[1])
                      : op == Op.WHERE
                          ? c.where(in[0], in[1], in[2])
                          : c.clamp(in[0], in[1], in[2]);
          assertInstanceOf(Lit.class, folded, op + " of literals");
          assertEquals(
              0,
              Double.compare(want, ((Lit) folded).value()),
              op.mnemonic() + "(" + x + ", " + y + ")");
        }
      }
    }
  }

  @Test
  void shapeNoOps_returnTheOperand() {
    Builder b = new Builder("f");
    Param x = b.param("x", Type.of(F, 2, 3));
    assertSame(x, b.reshape(x, 2, 3));
    assertSame(x, b.reshape(x, 2, -1));
    assertSame(x, b.transpose(x, 1, 1));
    assertSame(x, b.permute(x, 0, 1));
    assertSame(x, b.squeeze(x));
    assertSame(x, b.squeeze(x, 0));
    assertSame(x, b.expand(x, -1, 3));
    assertSame(x, b.broadcastTo(x, x.type().dims()));
    assertSame(x, b.sumTo(x, x.type().dims()));
    assertSame(x, b.reshape(b.unsqueeze(x, 1), 2, 3), "a reshape chain collapses");
    Value bc =
        b.broadcastTo(b.broadcastTo(x, Type.of(F, 4, 2, 3).dims()), Type.of(F, 5, 4, 2, 3).dims());
    assertSame(x, ((Inst) bc).operand(0), "a broadcast chain collapses");
    assertEquals(3, b.size(), "unsqueeze and two broadcasts");
  }

  @Test
  void reductions_ofScalarsAndStaticCounts_fold() {
    Builder b = new Builder("f");
    Param s = b.param("s", Type.scalar(F));
    Param x = b.param("x", Type.of(F, 2, 3));
    assertSame(s, b.sum(s));
    Lit n = (Lit) b.numel(x, new int[] {1}, F);
    assertEquals(3.0, n.value());
    assertEquals(0, b.size());
  }

  @Test
  void where_literalCondition_picksABranch() {
    Builder b = new Builder("f");
    Param x = b.param("x", Type.of(F, 3));
    assertSame(x, b.where(Builder.lit(1, DType.BOOL), x, lit(2)));
    Inst other = (Inst) b.where(Builder.lit(0, DType.BOOL), x, lit(2));
    assertEquals(Op.BROADCAST, other.op());
    assertEquals(x.type(), other.type());
  }

  /**
   * A slice of a {@code where} picking by a {@code slice_backward}ed block of trues (how {@code
   * cat} picks its parts and its gradient splits them), and a slice of a {@code slice_backward},
   * give the bits of the unfolded slice for every slice of the dim; the slices that read one branch
   * only are slices of that branch.
   */
  @Test
  void slices_ofPlacedBlocks_giveTheBitsOfTheUnfoldedSlice() {
    int w = 7;
    int[][] masks = {{2, 1, 3}, {1, 2, 3}, {6, -2, 3}, {0, 3, 3}};
    int folded = 0;
    for (int[] m : masks) {
      for (boolean literalElse : new boolean[] {false, true}) {
        Builder b = new Builder("slices");
        Param x = b.input("x", Type.of(F, 2, w));
        Param y = b.input("y", Type.of(F, 2, w));
        Param p = b.input("p", Type.of(F, 2, m[2]));
        Value trues = b.full(1, Type.of(DType.BOOL, 2, m[2]));
        Value mask = b.sliceBackward(trues, Type.of(F, 2, w).dims(), 1, m[0], m[1]);
        Value picked = b.where(mask, x, literalElse ? lit(-0.0) : y);
        Value placed = b.sliceBackward(p, Type.of(F, 2, w).dims(), 1, m[0], m[1]);
        List<Value> out = new ArrayList<>();
        for (int start = 0; start < w; start++) {
          for (int step = -3; step <= 3; step++) {
            for (int n = 1; step != 0 && start + step * (n - 1) >= 0; n++) {
              if (start + step * (n - 1) >= w) {
                break;
              }
              for (Value v : new Value[] {picked, placed}) {
                Type t = Type.of(F, 2, n);
                out.add(b.emit(Op.SLICE, t, new Value[] {v}, new int[] {1, start, step}, false));
                Value s = b.slice(v, 1, start, step, n);
                out.add(s);
                if (!(s instanceof Inst si && si.op() == Op.SLICE && si.operand(0) == v)) {
                  folded++;
                }
              }
            }
          }
        }
        b.ret(out.toArray(new Value[0]));
        double[] xs = new double[2 * w];
        double[] ys = new double[2 * w];
        double[] ps = new double[2 * m[2]];
        for (int i = 0; i < xs.length; i++) {
          xs[i] = i + 1;
          ys[i] = -(i + 1) * 0.5;
        }
        for (int i = 0; i < ps.length; i++) {
          ps[i] = 100 + i;
        }
        List<NdArray> r =
            Interpreter.run(
                b.build(),
                NdArray.of(F, new int[] {2, w}, xs),
                NdArray.of(F, new int[] {2, w}, ys),
                NdArray.of(F, new int[] {2, m[2]}, ps));
        for (int k = 0; k < r.size(); k += 2) {
          for (int i = 0; i < r.get(k).size(); i++) {
            assertEquals(
                0,
                Double.compare(r.get(k).get(i), r.get(k + 1).get(i)),
                "mask " + java.util.Arrays.toString(m) + ", slice " + k / 2 + " at " + i);
          }
        }
      }
    }
    assertEquals(true, folded > 100, folded + " slices folded");
  }

  @Test
  void slices_ofACatAndOfItsGradient_areSlicesOfTheParts() {
    // cat([a, b], 1) as the frontend writes it, and the gradient of a from where's rule
    Builder b = new Builder("cat");
    Param a = b.param("a", Type.of(F, 3, 4));
    Param c = b.param("b", Type.of(F, 3, 5));
    Param g = b.param("g", Type.of(F, 3, 9));
    List<Dim> whole = Type.of(F, 3, 9).dims();
    Value mask = b.sliceBackward(b.full(1, Type.of(DType.BOOL, 3, 5)), whole, 1, 4, 1);
    Value cat =
        b.where(mask, b.sliceBackward(c, whole, 1, 4, 1), b.sliceBackward(a, whole, 1, 0, 1));
    assertSame(a, b.slice(cat, 1, 0, 1, 4));
    assertSame(c, b.slice(cat, 1, 4, 1, 5));
    Inst ga = (Inst) b.slice(b.where(mask, lit(0), g), 1, 0, 1, 4);
    Inst gb = (Inst) b.slice(b.where(mask, g, lit(0)), 1, 4, 1, 5);
    assertEquals(Op.SLICE, ga.op());
    assertSame(g, ga.operand(0));
    assertSame(g, gb.operand(0));
    Inst across = (Inst) b.slice(cat, 1, 2, 1, 4);
    assertSame(cat, across.operand(0), "a slice across both parts reads the cat");
  }

  @Test
  void boolArithmetic_isLogicalAsInPyTorch() {
    Builder b = new Builder("f");
    Type t = Type.of(DType.BOOL, 4);
    Param p = b.input("p", t);
    Param q = b.input("q", t);
    Value[] rs = {
      b.add(p, q), b.mul(p, q), b.maximum(p, q), b.minimum(p, q), b.binary(Op.LT, p, q)
    };
    for (Value r : rs) {
      assertEquals(t, r.type());
    }
    b.ret(rs);
    NdArray pv = NdArray.of(DType.BOOL, new int[] {4}, 1, 0, 0, 1);
    NdArray qv = NdArray.of(DType.BOOL, new int[] {4}, 1, 1, 0, 0);
    List<NdArray> out = Interpreter.run(Verifier.verify(b.build()), pv, qv);
    assertArrayEquals(new double[] {1, 1, 0, 1}, out.get(0).toDoubleArray(), "add is or");
    assertArrayEquals(new double[] {1, 0, 0, 0}, out.get(1).toDoubleArray(), "mul is and");
    assertArrayEquals(new double[] {1, 1, 0, 1}, out.get(2).toDoubleArray(), "maximum is or");
    assertArrayEquals(new double[] {1, 0, 0, 0}, out.get(3).toDoubleArray(), "minimum is and");
    assertArrayEquals(new double[] {0, 1, 0, 0}, out.get(4).toDoubleArray(), "lt");
  }

  @Test
  void boolSubtraction_isRejectedWithPyTorchsMessage() {
    Builder b = new Builder("f");
    Param p = b.input("p", Type.of(DType.BOOL, 2));
    Param x = b.input("x", Type.of(F, 2));
    GradcException e = assertThrows(GradcException.class, () -> b.sub(x, p));
    assertEquals(
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to"
            + " invert a mask, use the `~` or `logical_not()` operator instead.",
        e.getMessage());
  }
}
