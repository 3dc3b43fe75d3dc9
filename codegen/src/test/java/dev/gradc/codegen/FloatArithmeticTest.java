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
import java.util.function.DoubleToLongFunction;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * f32 {@code + - * /} of f32 operands run in {@code float} arithmetic in scalar kernels and give
 * the interpreter's bits (the f64 operation rounded to f32): random operands, operands whose
 * products and quotients overflow, underflow to subnormals or zero, signed zeros, infinities and
 * NaN; a literal that f32 cannot hold keeps the f64 arithmetic. {@code relu}, {@code neg}, {@code
 * abs}, {@code maximum}, {@code minimum}, {@code clamp}, comparisons and {@code where} of f32
 * values likewise, sign of zeros and of NaN included. The classes load without their vector forms,
 * so the scalar kernels run (the vector backend has its own test, {@code VectorKernelBitsTest}).
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

  /**
   * {@code neg}, {@code abs}, {@code maximum}, {@code minimum} and {@code clamp} of f32 values
   * (float arithmetic), chained so that one feeds the next, and the same ops of f64 values (double
   * arithmetic); {@code maximum} and {@code minimum} of {@code x} and {@code -x} meet zeros of both
   * signs in both orders, and {@code clamp}'s infinite bound is an absent one.
   */
  private static final Func SIGNS =
      Parser.parse(
          """
          func @signs(%a: f32[64], %b: f32[64], %c: f64[64]) -> (f32[64], f32[64], f32[64], f32[64], f32[64], f32[64], f32[64], f32[64], f32[64], f64[64], f64[64], f64[64], f32[64], f32[64]) {
            %0: f32[64] = neg %a
            %1: f32[64] = abs %a
            %2: f32[64] = maximum %a, %b
            %3: f32[64] = minimum %a, %b
            %4: f32[64] = clamp %a, %b, 1.0
            %5: f32[64] = clamp %b, -inf, %a
            %6: f32[64] = maximum %0, -0.0
            %7: f32[64] = minimum %1, 0.0
            %8: f32[64] = neg %3
            %9: f64[64] = neg %c
            %10: f64[64] = abs %c
            %11: f64[64] = maximum %c, %9
            %12: f32[64] = maximum %a, %0
            %13: f32[64] = minimum %0, %a
            ret %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13
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

  /** A NaN with its sign bit set and a payload, which neg and abs must keep as the f64 ops do. */
  private static final double NEGATIVE_NAN = Float.intBitsToFloat(0xffc00123);

  private static void assertSameBits(List<NdArray> args) {
    assertSameBits(CHAIN, args);
  }

  private static void assertSameBits(Func f, List<NdArray> args) {
    assertSameBits(f, args, r -> false);
  }

  /**
   * Runs {@code f} compiled and interpreted and compares every element's bits; in the results that
   * {@code raw} accepts, a NaN's sign and payload too. Returns the compiled results. Only some
   * results can be held to a NaN's raw bits: those of neg and abs do not depend on the JIT tier (as
   * those of {@code Math.abs(float)} would: its interpreted form keeps a NaN's sign), but which of
   * two NaNs {@code Math.max} and {@code Math.min} return does, for doubles too, in the
   * interpreter's own arithmetic.
   */
  private static List<NdArray> assertSameBits(Func f, List<NdArray> args, IntPredicate raw) {
    List<NdArray> want = Interpreter.run(f, args);
    List<NdArray> got = Loaded.scalarOf(f).run(args);
    for (int r = 0; r < want.size(); r++) {
      double[] w = want.get(r).toDoubleArray();
      double[] g = got.get(r).toDoubleArray();
      DoubleToLongFunction bits =
          raw.test(r) ? Double::doubleToRawLongBits : Double::doubleToLongBits;
      for (int i = 0; i < w.length; i++) {
        assertEquals(
            Long.toHexString(bits.applyAsLong(w[i])),
            Long.toHexString(bits.applyAsLong(g[i])),
            "result " + r + " element " + i + ": interpreter " + w[i] + ", compiled " + g[i]);
      }
    }
    return got;
  }

  /**
   * 64 values of {@code d} for pass {@code pass}: on pass 0 all special, element {@code i} being
   * {@code v[at(i) % v.length]}; on later passes a quarter of them special, the others uniform in
   * (-2, 2).
   */
  private static NdArray operand(
      DType d, int pass, SplittableRandom rnd, double[] v, IntUnaryOperator at) {
    double[] x = new double[64];
    for (int i = 0; i < 64; i++) {
      boolean special = pass == 0 || rnd.nextInt(4) == 0;
      x[i] = special ? v[at.applyAsInt(i) % v.length] : rnd.nextDouble(-2, 2);
    }
    // NdArray rounds f32 values to f32
    return NdArray.of(d, new int[] {64}, x);
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
      int pass = t;
      double[] n = new double[64];
      for (int i = 0; i < 64; i++) {
        n[i] = rnd.nextInt(-1000, 1000);
      }
      List<NdArray> args =
          List.of(
              operand(DType.F32, t, rnd, v, i -> i),
              operand(DType.F32, t, rnd, v, i -> 3 * i + pass),
              operand(DType.F64, t, rnd, v, i -> 5 * i + 1),
              NdArray.of(DType.I64, new int[] {64}, n));
      List<NdArray> got = assertSameBits(CHOICES, args, r -> false);
      if (t > 0) {
        continue;
      }
      // On the special values, each comparison holds for some elements and fails for others.
      for (int r = 1; r <= 6; r++) {
        double[] bits = got.get(r).toDoubleArray();
        assertTrue(java.util.Arrays.stream(bits).anyMatch(x -> x == 1.0), "result " + r);
        assertTrue(java.util.Arrays.stream(bits).anyMatch(x -> x == 0.0), "result " + r);
      }
    }
  }

  @Test
  void negAbsMaximumMinimumClamp_sameBitsAsTheInterpreter() {
    double[] v = java.util.Arrays.copyOf(SPECIAL, SPECIAL.length + 1);
    v[SPECIAL.length] = NEGATIVE_NAN;
    SplittableRandom rnd = new SplittableRandom(13);
    for (int t = 0; t < 4; t++) {
      int pass = t;
      // special values in many pairs, each as a and as b
      List<NdArray> args =
          List.of(
              operand(DType.F32, t, rnd, v, i -> i),
              operand(DType.F32, t, rnd, v, i -> i / v.length + 5 * i + pass),
              operand(DType.F64, t, rnd, v, i -> 7 * i + pass));
      // raw bits for neg and abs of f32 and f64 values
      List<NdArray> got = assertSameBits(SIGNS, args, r -> r <= 1 || r == 9 || r == 10);
      if (t > 0) {
        continue;
      }
      // The cases that decide on signs are there: neg and abs of -NaN keep its payload and
      // flip or clear its sign; the zeros' signs.
      int k = SPECIAL.length;
      assertEquals(0x7fc00123, Float.floatToRawIntBits((float) got.get(0).toDoubleArray()[k]));
      assertEquals(0x7fc00123, Float.floatToRawIntBits((float) got.get(1).toDoubleArray()[k]));
      assertEquals(0x80000000, Float.floatToRawIntBits((float) got.get(0).toDoubleArray()[0]));
      assertEquals(0, Float.floatToRawIntBits((float) got.get(1).toDoubleArray()[1]));
      // max(-(+0), -0) is -0, max(-(-0), -0) is +0; min(|-0|, +0) is +0; max(x, -x) is +0 and
      // min(-x, x) is -0 for x = +0 and x = -0, whichever operand the zero of each sign is
      assertEquals(0x80000000, Float.floatToRawIntBits((float) got.get(6).toDoubleArray()[0]));
      assertEquals(0, Float.floatToRawIntBits((float) got.get(6).toDoubleArray()[1]));
      assertEquals(0, Float.floatToRawIntBits((float) got.get(7).toDoubleArray()[1]));
      for (int i = 0; i < 2; i++) {
        assertEquals(0, Float.floatToRawIntBits((float) got.get(12).toDoubleArray()[i]));
        assertEquals(0x80000000, Float.floatToRawIntBits((float) got.get(13).toDoubleArray()[i]));
      }
    }
  }
}
