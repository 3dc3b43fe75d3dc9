package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Parser;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * f32 {@code + - * /} of f32 operands run in {@code float} arithmetic in compiled loops and give
 * the interpreter's bits (the f64 operation rounded to f32): random operands, operands whose
 * products and quotients overflow, underflow to subnormals or zero, signed zeros, infinities and
 * NaN; a literal that f32 cannot hold keeps the f64 arithmetic.
 */
class FloatArithmeticTest {
  private static final Func CHAIN =
      Parser.parse(
          """
          func @chain(%a: f32[64], %b: f32[64]) -> (f32[64], f32[64], f32[64], f32[64], f32[64], f32[64]) {
            %0: f32[64] = mul %a, %b
            %1: f32[64] = div %0, %b
            %2: f32[64] = sub 1.0, %1
            %3: f32[64] = add %2, %a
            %4: f32[64] = mul %3, 0.1
            %5: f32[64] = div %a, %b
            %6: f32[64] = tanh %5
            %7: f32[64] = mul %6, %6
            %8: f32[64] = mul %a, 0.1
            ret %0, %3, %4, %5, %7, %8
          }
          """);

  /**
   * {@code relu}, comparisons and {@code where} of f32 values (float arithmetic, the comparisons'
   * results chosen as ints, where's values chosen by a mask of bits) and of f64 and i64 values (the
   * same choices in doubles and longs), read back by a {@code where} on each comparison.
   */
  private static final Func CHOICES =
      Parser.parse(
          """
          func @choices(%a: f32[64], %b: f32[64], %c: f64[64], input %n: i64[64]) -> (f32[64], bool[64], bool[64], bool[64], bool[64], bool[64], bool[64], f32[64], f32[64], f64[64], f64[64], i64[64], f64[64]) {
            %0: f32[64] = relu %a
            %1: bool[64] = lt %a, %b
            %2: bool[64] = le %a, %b
            %3: bool[64] = gt %a, 0.0
            %4: bool[64] = ge %a, %b
            %5: bool[64] = eq %a, %b
            %6: bool[64] = ne %a, %b
            %7: f32[64] = where %2, %a, %b
            %8: f32[64] = where %6, 0.0, %0
            %9: f64[64] = where %1, %c, -0.0
            %10: f64[64] = relu %c
            %11: i64[64] = where %3, %n, 7.0
            %12: bool[64] = le %c, 0.5
            %13: f64[64] = where %12, %c, %10
            ret %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %13, %11, %10
          }
          """);

  /** Zeros of both signs, subnormals, extremes, infinities, NaN and values f32 cannot hold. */
  private static final double[] SPECIAL = {
    0.0,
    -0.0,
    1.0,
    -3.0,
    1e-30,
    -1e-30,
    1e30,
    -1e30,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.MAX_VALUE,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.NaN,
    0.1,
    3e-39
  };

  private static void assertSameBits(List<NdArray> args) {
    assertSameBits(CHAIN, args);
  }

  private static void assertSameBits(Func f, List<NdArray> args) {
    List<NdArray> want = Interpreter.run(f, args);
    List<NdArray> got = Loaded.of(f).run(args);
    for (int r = 0; r < want.size(); r++) {
      double[] w = want.get(r).toDoubleArray();
      double[] g = got.get(r).toDoubleArray();
      for (int i = 0; i < w.length; i++) {
        assertEquals(
            Double.doubleToLongBits(w[i]),
            Double.doubleToLongBits(g[i]),
            "result " + r + " element " + i + ": interpreter " + w[i] + ", compiled " + g[i]);
      }
    }
  }

  @Test
  void randomOperands_sameBitsAsTheInterpreter() {
    SplittableRandom rnd = new SplittableRandom(7);
    boolean differs = false;
    for (int t = 0; t < 20; t++) {
      double[] a = new double[64];
      double[] b = new double[64];
      for (int i = 0; i < 64; i++) {
        a[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(2, rnd.nextInt(-140, 120)));
        b[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(2, rnd.nextInt(-140, 120)));
        // %8 = a * 0.1: f64 arithmetic rounded once, which float arithmetic would not give here
        differs |= (float) (a[i] * 0.1) != (float) a[i] * 0.1f;
      }
      assertSameBits(
          List.of(
              NdArray.of(DType.F32, new int[] {64}, a), NdArray.of(DType.F32, new int[] {64}, b)));
    }
    assertTrue(differs, "the 0.1 literal case is exercised");
  }

  @Test
  void specialValues_sameBitsAsTheInterpreter() {
    double[] v = SPECIAL;
    double[] a = new double[64];
    double[] b = new double[64];
    for (int i = 0; i < 64; i++) {
      a[i] = (float) v[i % v.length];
      b[i] = (float) v[(i / v.length + 3 * i) % v.length];
    }
    NdArray x = NdArray.of(DType.F32, new int[] {64}, a);
    NdArray y = NdArray.of(DType.F32, new int[] {64}, b);
    assertSameBits(List.of(x, y));
    assertSameBits(List.of(y, x));
  }

  @Test
  void reluComparisonsAndWhere_sameBitsAsTheInterpreter() {
    double[] v = SPECIAL;
    SplittableRandom rnd = new SplittableRandom(11);
    for (int t = 0; t < 4; t++) {
      double[] a = new double[64];
      double[] b = new double[64];
      double[] c = new double[64];
      double[] n = new double[64];
      for (int i = 0; i < 64; i++) {
        boolean special = t == 0 || rnd.nextInt(4) == 0;
        a[i] = (float) (special ? v[i % v.length] : rnd.nextDouble(-2, 2));
        b[i] = (float) (special ? v[(3 * i + t) % v.length] : rnd.nextDouble(-2, 2));
        c[i] = special ? v[(5 * i + 1) % v.length] : rnd.nextDouble(-2, 2);
        n[i] = rnd.nextInt(-1000, 1000);
      }
      List<NdArray> args =
          List.of(
              NdArray.of(DType.F32, new int[] {64}, a),
              NdArray.of(DType.F32, new int[] {64}, b),
              NdArray.of(DType.F64, new int[] {64}, c),
              NdArray.of(DType.I64, new int[] {64}, n));
      assertSameBits(CHOICES, args);
      if (t > 0) {
        continue;
      }
      // On the special values, each comparison holds for some elements and fails for others.
      List<NdArray> got = Loaded.of(CHOICES).run(args);
      for (int r = 1; r <= 6; r++) {
        double[] bits = got.get(r).toDoubleArray();
        assertTrue(java.util.Arrays.stream(bits).anyMatch(x -> x == 1.0), "result " + r);
        assertTrue(java.util.Arrays.stream(bits).anyMatch(x -> x == 0.0), "result " + r);
      }
    }
  }
}
