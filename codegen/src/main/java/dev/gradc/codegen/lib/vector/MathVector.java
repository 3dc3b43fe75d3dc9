package dev.gradc.codegen.lib.vector;

import static dev.gradc.ir.math.Coefficients.*;

import dev.gradc.ir.math.MathF64;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MathF64}'s elementary functions with the Vector API, lane by lane the same bits as the
 * scalar function for every argument (NaN, infinities, zeros of either sign, subnormals, huge and
 * tiny arguments, every boundary between pieces), in vectors of any species. So they share its
 * accuracy, measured by {@code MathF64Test} against mpmath: within 1 ulp of the correctly rounded
 * result ({@code sigmoid} 1.5, {@code erfc}'s far tail 2), and a result does not depend on the
 * vector width, on whether the vector module is present or on which lanes its neighbours hold. A
 * NaN result is NaN; its payload, which Java leaves unspecified, may differ.
 *
 * <p>How the bits stay equal: every step is the scalar step applied to each lane, from the same
 * correctly rounded operations ({@code +}, {@code -}, {@code *}, {@code /}, {@code fma}, {@code
 * min}, {@code max} with Java's semantics, which the Vector API specifies lane-wise) and the same
 * exact bit operations on the lanes' {@code long} views (reduction to {@code k ln2 + r}, powers of
 * two, exponent and mantissa splits, copying a sign). Where the scalar code branches, each branch a
 * lane of the vector needs is computed for the whole vector (a branch no lane needs is skipped) and
 * the lanes are blended by the branch's mask, so each lane holds what its branch computed. The one
 * exception is {@code sin}/{@code cos} of arguments beyond {@code 2^20 pi/2}, reduced exactly with
 * {@code BigInteger}: such lanes call the scalar function.
 *
 * <p>The {@code FloatVector} forms widen each half of the vector to f64 exactly, apply the f64 form
 * and round once, as compiled f32 code applies the scalar functions ({@code (float)
 * MathF64.exp(x)}).
 *
 * <p>Each {@code DoubleVector} method is the vector twin of {@link MathF64}'s method of its name,
 * step for step, and the {@code FloatVector} forms are one-line f32 twins of the f64 ones: Java has
 * no generics over primitives or vector species, a shared method taking a function would be a call
 * C2 may leave out of line (see below), and generated classes copy each method by name.
 *
 * <p>Speed (MathBench, 512-bit vectors, ns per element): {@code exp} 2.7 against 24 for {@code
 * MathF64.exp}; the larger functions do not gain yet: C2 on JDK 17 stops inlining once a
 * compilation reaches 18,000 IR nodes (NodeCountInliningCutoff, not settable in product JVMs), each
 * Vector API call inlines a deep tree, and a helper left out of line takes and returns boxed
 * vectors. Fewer vector calls per function (shared broadcasts, fewer pieces per vector) is the way
 * on.
 *
 * <p>Like the rest of {@code lib.vector}, the class has no fields and reads species from its
 * arguments, so its methods can be copied into generated classes; it is loaded only where {@code
 * jdk.incubator.vector} is readable. Test: {@code MathVectorTest}.
 */
public final class MathVector {
  private MathVector() {}

  // --- building blocks: MathF64's, lane-wise

  /** One step of Horner's rule, {@code p s + c}. */
  private static DoubleVector step(DoubleVector p, DoubleVector s, double c) {
    return p.lanewise(VectorOperators.FMA, s, s.broadcast(c));
  }

  private static DoubleVector fma(DoubleVector a, DoubleVector b, DoubleVector c) {
    return a.lanewise(VectorOperators.FMA, b, c);
  }

  private static LongVector bits(DoubleVector x) {
    return x.reinterpretAsLongs();
  }

  /** {@link MathF64#pow2}. */
  private static DoubleVector pow2(LongVector k) {
    return k.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
  }

  /** {@link MathF64#integer}. */
  private static DoubleVector integer(LongVector n) {
    return n.add(SHIFT_BITS).reinterpretAsDoubles().sub(SHIFT);
  }

  /** {@link MathF64#scale}. */
  private static DoubleVector scale(DoubleVector p, LongVector k) {
    LongVector k1 = k.lanewise(VectorOperators.ASHR, 1);
    return p.mul(pow2(k1)).mul(pow2(k.sub(k1)));
  }

  /** The integer {@code k} held in the low bits of {@code t = k + SHIFT}. */
  private static LongVector low(DoubleVector t) {
    return bits(t).sub(SHIFT_BITS);
  }

  /** {@code Math.copySign(m, s)}: raw bits, as the JDK's. */
  private static DoubleVector copySign(DoubleVector m, DoubleVector s) {
    return bits(m).and(Long.MAX_VALUE).or(bits(s).and(Long.MIN_VALUE)).reinterpretAsDoubles();
  }

  /** MathF64's {@code twoSumError}. */
  private static DoubleVector twoSumError(DoubleVector a, DoubleVector b, DoubleVector s) {
    DoubleVector bv = s.sub(a);
    return a.sub(s.sub(bv)).add(b.sub(bv));
  }

  private static DoubleVector expPoly(DoubleVector s) {
    DoubleVector p = s.broadcast(EXP9);
    p = step(p, s, EXP8);
    p = step(p, s, EXP7);
    p = step(p, s, EXP6);
    p = step(p, s, EXP5);
    p = step(p, s, EXP4);
    p = step(p, s, EXP3);
    p = step(p, s, EXP2);
    p = step(p, s, EXP1);
    p = step(p, s, EXP0);
    return p;
  }

  /** MathF64's {@code expm1Reduced}. */
  private static DoubleVector expm1Reduced(DoubleVector r, DoubleVector lo) {
    return r.add(fma(r.mul(r), fma(r, expPoly(r), r.broadcast(0.5)), lo));
  }

  /** {@link MathF64#exp}. */
  public static DoubleVector exp(DoubleVector x) {
    DoubleVector xc = x.max(EXP_MIN).min(EXP_MAX);
    DoubleVector t = xc.fma(INV_LN2, SHIFT);
    DoubleVector kd = t.sub(SHIFT);
    DoubleVector nkd = kd.neg();
    DoubleVector hi = fma(nkd, x.broadcast(LN2_HI), xc);
    DoubleVector r = fma(nkd, x.broadcast(LN2_LO), hi);
    DoubleVector lo = fma(nkd, x.broadcast(LN2_LO), hi.sub(r));
    return scale(expm1Reduced(r, lo).add(1), low(t));
  }

  /** {@link MathF64#expTailTimes}. */
  private static DoubleVector expTailTimes(DoubleVector x, DoubleVector tail, DoubleVector g) {
    DoubleVector xc = x.max(EXP_MIN).min(EXP_MAX);
    DoubleVector t = xc.fma(INV_LN2, SHIFT);
    DoubleVector nkd = t.sub(SHIFT).neg();
    DoubleVector hi = fma(nkd, x.broadcast(LN2_HI), xc);
    DoubleVector a = fma(nkd, x.broadcast(LN2_LO), tail);
    DoubleVector r = hi.add(a);
    DoubleVector u = expm1Reduced(r, twoSumError(hi, a, r));
    return scale(fma(g, u, g), low(t));
  }

  private static DoubleVector expm1Poly(DoubleVector s) {
    DoubleVector p = s.broadcast(EXPM111);
    p = step(p, s, EXPM110);
    p = step(p, s, EXPM19);
    p = step(p, s, EXPM18);
    p = step(p, s, EXPM17);
    p = step(p, s, EXPM16);
    p = step(p, s, EXPM15);
    p = step(p, s, EXPM14);
    p = step(p, s, EXPM13);
    p = step(p, s, EXPM12);
    p = step(p, s, EXPM11);
    p = step(p, s, EXPM10);
    return p;
  }

  /** {@link MathF64#expm1}. */
  public static DoubleVector expm1(DoubleVector x) {
    DoubleVector xc = x.max(-40.0).min(EXP_MAX);
    DoubleVector t = xc.fma(INV_LN2, SHIFT);
    DoubleVector kd = t.sub(SHIFT).blend(0.0, xc.abs().compare(VectorOperators.LE, LN2));
    DoubleVector nkd = kd.neg();
    DoubleVector hi = fma(nkd, x.broadcast(LN2_HI), xc);
    DoubleVector r = fma(nkd, x.broadcast(LN2_LO), hi);
    DoubleVector lo = fma(nkd, x.broadcast(LN2_LO), hi.sub(r));
    DoubleVector r2 = r.mul(r);
    DoubleVector r2lo = fma(r, r, r2.neg());
    DoubleVector h = fma(r, expm1Poly(r), x.broadcast(0.5));
    DoubleVector q = r.add(fma(r2, h, fma(r2lo, h, lo)));
    LongVector k = low(kd.add(SHIFT));
    DoubleVector p = pow2(k);
    DoubleVector q1 = q.add(1);
    // k in [-53, 53] for all but large |x|: kd is k, exactly, where the result is not NaN
    DoubleVector y = fma(p, q, p.sub(1));
    VectorMask<Double> small = kd.compare(VectorOperators.LT, -53);
    if (small.anyTrue()) {
      y = y.blend(fma(p, q1, x.broadcast(-1)), small);
    }
    VectorMask<Double> large = kd.compare(VectorOperators.GT, 53);
    if (large.anyTrue()) {
      y = y.blend(q1.mul(pow2(k.sub(1))).mul(2), large);
    }
    return y.blend(x, x.eq(0));
  }

  /** MathF64's {@code log1pCore}. */
  private static DoubleVector log1pCore(DoubleVector f, DoubleVector e, DoubleVector c) {
    DoubleVector s = f.div(f.add(2));
    DoubleVector z = s.mul(s);
    DoubleVector u = logPoly(z);
    DoubleVector hfsq = f.mul(0.5).mul(f);
    DoubleVector tail = fma(e, f.broadcast(LN2_LO), c);
    DoubleVector inner = hfsq.sub(fma(s, fma(z, u, hfsq), tail)).sub(f);
    return fma(e, f.broadcast(LN2_HI), inner.neg());
  }

  private static DoubleVector logPoly(DoubleVector s) {
    DoubleVector p = s.broadcast(LOG7);
    p = step(p, s, LOG6);
    p = step(p, s, LOG5);
    p = step(p, s, LOG4);
    p = step(p, s, LOG3);
    p = step(p, s, LOG2);
    p = step(p, s, LOG1);
    p = step(p, s, LOG0);
    return p;
  }

  /** The mantissa {@code f} of {@code 2^e (1 + f)}, from {@code ix = bits - SQRT_HALF_BITS}. */
  private static DoubleVector mantissa(LongVector ix) {
    return ix.and(MANTISSA).add(SQRT_HALF_BITS).reinterpretAsDoubles().sub(1);
  }

  /** {@link MathF64#log}. */
  public static DoubleVector log(DoubleVector x) {
    VectorMask<Double> subnormal = x.compare(VectorOperators.LT, 0x1p-1022);
    LongVector ix = bits(x.blend(x.mul(0x1p54), subnormal)).sub(SQRT_HALF_BITS);
    // integer(n - 54) = integer(n) - 54, both exact
    DoubleVector e =
        integer(ix.lanewise(VectorOperators.ASHR, 52)).sub(x.broadcast(0.0).blend(54.0, subnormal));
    DoubleVector y = log1pCore(mantissa(ix), e, x.broadcast(0.0));
    y = y.blend(x, x.eq(Double.POSITIVE_INFINITY));
    y = y.blend(Double.NaN, x.compare(VectorOperators.GT, 0).not());
    return y.blend(Double.NEGATIVE_INFINITY, x.eq(0));
  }

  /** {@link MathF64#log1p}. */
  public static DoubleVector log1p(DoubleVector x) {
    DoubleVector u = x.add(1);
    LongVector iu = bits(u).sub(SQRT_HALF_BITS);
    DoubleVector e = integer(iu.lanewise(VectorOperators.ASHR, 52));
    // e is 0 exactly where the scalar's long e is
    VectorMask<Double> near = e.eq(0);
    DoubleVector f = mantissa(iu).blend(x, near);
    DoubleVector above = x.broadcast(1.0).sub(u.sub(x));
    DoubleVector below = x.sub(u.sub(1));
    DoubleVector c = below.blend(above, u.compare(VectorOperators.GE, 2)).div(u).blend(0.0, near);
    DoubleVector y = log1pCore(f, e, c);
    y = y.blend(x, x.eq(0).or(x.eq(Double.POSITIVE_INFINITY)));
    y = y.blend(Double.NaN, x.compare(VectorOperators.GT, -1).not());
    return y.blend(Double.NEGATIVE_INFINITY, x.eq(-1));
  }

  /** {@link MathF64#sigmoid}. */
  public static DoubleVector sigmoid(DoubleVector x) {
    DoubleVector u = exp(x.abs().neg());
    DoubleVector den = u.add(1);
    DoubleVector d = x.broadcast(1.0).sub(den).add(u);
    DoubleVector q = u.blend(1.0, x.compare(VectorOperators.GE, 0)).div(den);
    return fma(q.neg(), d.div(den), q);
  }

  private static DoubleVector tanhPoly(DoubleVector s) {
    DoubleVector p = s.broadcast(TANH13);
    p = step(p, s, TANH12);
    p = step(p, s, TANH11);
    p = step(p, s, TANH10);
    p = step(p, s, TANH9);
    p = step(p, s, TANH8);
    p = step(p, s, TANH7);
    p = step(p, s, TANH6);
    p = step(p, s, TANH5);
    p = step(p, s, TANH4);
    p = step(p, s, TANH3);
    p = step(p, s, TANH2);
    p = step(p, s, TANH1);
    p = step(p, s, TANH0);
    return p;
  }

  /** {@link MathF64#tanh}. */
  public static DoubleVector tanh(DoubleVector x) {
    DoubleVector a = x.abs();
    VectorMask<Double> near = a.compare(VectorOperators.LT, 0.75);
    DoubleVector out = x;
    if (!near.allTrue()) {
      DoubleVector u = exp(a.mul(-2));
      DoubleVector den = u.add(1);
      DoubleVector q = u.add(u).div(den);
      DoubleVector d = x.broadcast(1.0).sub(den).add(u).div(den);
      out = copySign(x.broadcast(1.0).sub(fma(q.neg(), d, q)), x);
    }
    if (near.anyTrue()) {
      DoubleVector y = x.mul(x);
      DoubleVector small = fma(x.mul(y), tanhPoly(y), x).blend(x, x.eq(0));
      out = out.blend(small, near);
    }
    return out;
  }

  private static DoubleVector erf0(DoubleVector s) {
    DoubleVector p = s.broadcast(ERF0_11);
    p = step(p, s, ERF0_10);
    p = step(p, s, ERF0_9);
    p = step(p, s, ERF0_8);
    p = step(p, s, ERF0_7);
    p = step(p, s, ERF0_6);
    p = step(p, s, ERF0_5);
    p = step(p, s, ERF0_4);
    p = step(p, s, ERF0_3);
    p = step(p, s, ERF0_2);
    p = step(p, s, ERF0_1);
    p = step(p, s, ERF0_0);
    return p;
  }

  private static DoubleVector erf1(DoubleVector s) {
    DoubleVector p = s.broadcast(ERF1_13);
    p = step(p, s, ERF1_12);
    p = step(p, s, ERF1_11);
    p = step(p, s, ERF1_10);
    p = step(p, s, ERF1_9);
    p = step(p, s, ERF1_8);
    p = step(p, s, ERF1_7);
    p = step(p, s, ERF1_6);
    p = step(p, s, ERF1_5);
    p = step(p, s, ERF1_4);
    p = step(p, s, ERF1_3);
    p = step(p, s, ERF1_2);
    p = step(p, s, ERF1_1);
    p = step(p, s, ERF1_0);
    return p;
  }

  /** MathF64's {@code estrin15}. */
  private static DoubleVector estrin15(
      DoubleVector s,
      double c0,
      double c1,
      double c2,
      double c3,
      double c4,
      double c5,
      double c6,
      double c7,
      double c8,
      double c9,
      double c10,
      double c11,
      double c12,
      double c13,
      double c14,
      double c15) {
    DoubleVector s2 = s.mul(s);
    DoubleVector s4 = s2.mul(s2);
    DoubleVector q0 = fma(s.fma(c3, c2), s2, s.fma(c1, c0));
    DoubleVector q1 = fma(s.fma(c7, c6), s2, s.fma(c5, c4));
    DoubleVector q2 = fma(s.fma(c11, c10), s2, s.fma(c9, c8));
    DoubleVector q3 = fma(s.fma(c15, c14), s2, s.fma(c13, c12));
    return fma(fma(q3, s4, q2), s4.mul(s4), fma(q1, s4, q0));
  }

  /** MathF64's {@code erfTail}, for the lanes of {@code in}: each piece a lane of it needs. */
  private static DoubleVector erfTail(DoubleVector a, VectorMask<Double> in) {
    DoubleVector out = a;
    VectorMask<Double> left = in;
    VectorMask<Double> m = left.and(a.compare(VectorOperators.LT, 1.75));
    if (m.anyTrue()) {
      out = out.blend(erfTail1(a.sub(1.5)), m);
    }
    left = left.andNot(m);
    m = left.and(a.compare(VectorOperators.LT, 2.25));
    if (m.anyTrue()) {
      out = out.blend(erfTail2(a.sub(2.0)), m);
    }
    left = left.andNot(m);
    m = left.and(a.compare(VectorOperators.LT, 2.875));
    if (m.anyTrue()) {
      out = out.blend(erfTail3(a.sub(2.5625)), m);
    }
    left = left.andNot(m);
    m = left.and(a.compare(VectorOperators.LT, 3.5));
    if (m.anyTrue()) {
      out = out.blend(erfTail4(a.sub(3.1875)), m);
    }
    left = left.andNot(m);
    m = left.and(a.compare(VectorOperators.LT, 4.5));
    if (m.anyTrue()) {
      out = out.blend(erfTail5(a.sub(4.0)), m);
    }
    left = left.andNot(m);
    if (left.anyTrue()) {
      out = out.blend(erfTail6(a.sub(5.21875)), left);
    }
    return out;
  }

  private static DoubleVector erfTail1(DoubleVector s) {
    return estrin15(
        s, ERFT1_0, ERFT1_1, ERFT1_2, ERFT1_3, ERFT1_4, ERFT1_5, ERFT1_6, ERFT1_7, ERFT1_8, ERFT1_9,
        ERFT1_10, ERFT1_11, ERFT1_12, ERFT1_13, ERFT1_14, ERFT1_15);
  }

  private static DoubleVector erfTail2(DoubleVector s) {
    return estrin15(
        s, ERFT2_0, ERFT2_1, ERFT2_2, ERFT2_3, ERFT2_4, ERFT2_5, ERFT2_6, ERFT2_7, ERFT2_8, ERFT2_9,
        ERFT2_10, ERFT2_11, ERFT2_12, ERFT2_13, ERFT2_14, ERFT2_15);
  }

  private static DoubleVector erfTail3(DoubleVector s) {
    return estrin15(
        s, ERFT3_0, ERFT3_1, ERFT3_2, ERFT3_3, ERFT3_4, ERFT3_5, ERFT3_6, ERFT3_7, ERFT3_8, ERFT3_9,
        ERFT3_10, ERFT3_11, ERFT3_12, ERFT3_13, ERFT3_14, ERFT3_15);
  }

  private static DoubleVector erfTail4(DoubleVector s) {
    return estrin15(
        s, ERFT4_0, ERFT4_1, ERFT4_2, ERFT4_3, ERFT4_4, ERFT4_5, ERFT4_6, ERFT4_7, ERFT4_8, ERFT4_9,
        ERFT4_10, ERFT4_11, ERFT4_12, ERFT4_13, ERFT4_14, ERFT4_15);
  }

  private static DoubleVector erfTail5(DoubleVector s) {
    return estrin15(
        s, ERFT5_0, ERFT5_1, ERFT5_2, ERFT5_3, ERFT5_4, ERFT5_5, ERFT5_6, ERFT5_7, ERFT5_8, ERFT5_9,
        ERFT5_10, ERFT5_11, ERFT5_12, ERFT5_13, ERFT5_14, ERFT5_15);
  }

  private static DoubleVector erfTail6(DoubleVector s) {
    return estrin15(
        s, ERFT6_0, ERFT6_1, ERFT6_2, ERFT6_3, ERFT6_4, ERFT6_5, ERFT6_6, ERFT6_7, ERFT6_8, ERFT6_9,
        ERFT6_10, ERFT6_11, ERFT6_12, ERFT6_13, ERFT6_14, ERFT6_15);
  }

  /** {@link MathF64#erf}. */
  public static DoubleVector erf(DoubleVector x) {
    DoubleVector a = x.abs();
    VectorMask<Double> near = a.compare(VectorOperators.LT, 0.84375);
    VectorMask<Double> one = a.compare(VectorOperators.LT, 1.25).andNot(near);
    VectorMask<Double> flat = a.compare(VectorOperators.GE, 5.9375);
    VectorMask<Double> tail = near.or(one).or(flat).not();
    DoubleVector out = x.broadcast(1.0);
    if (tail.anyTrue()) {
      out = out.blend(x.broadcast(1.0).sub(erfTail(a, tail)), tail);
    }
    if (one.anyTrue()) {
      out = out.blend(erf1(a.sub(1)).add(ERX), one);
    }
    out = copySign(out, x);
    if (near.anyTrue()) {
      out = out.blend(fma(x, erf0(x.mul(x)), x).blend(x, x.eq(0)), near);
    }
    return out;
  }

  private static DoubleVector erfc1(DoubleVector s) {
    DoubleVector p = s.broadcast(ERFC1_16);
    p = step(p, s, ERFC1_15);
    p = step(p, s, ERFC1_14);
    p = step(p, s, ERFC1_13);
    p = step(p, s, ERFC1_12);
    p = step(p, s, ERFC1_11);
    p = step(p, s, ERFC1_10);
    p = step(p, s, ERFC1_9);
    p = step(p, s, ERFC1_8);
    p = step(p, s, ERFC1_7);
    p = step(p, s, ERFC1_6);
    p = step(p, s, ERFC1_5);
    p = step(p, s, ERFC1_4);
    p = step(p, s, ERFC1_3);
    p = step(p, s, ERFC1_2);
    p = step(p, s, ERFC1_1);
    p = step(p, s, ERFC1_0);
    return p;
  }

  private static DoubleVector erfc2(DoubleVector s) {
    DoubleVector p = s.broadcast(ERFC2_16);
    p = step(p, s, ERFC2_15);
    p = step(p, s, ERFC2_14);
    p = step(p, s, ERFC2_13);
    p = step(p, s, ERFC2_12);
    p = step(p, s, ERFC2_11);
    p = step(p, s, ERFC2_10);
    p = step(p, s, ERFC2_9);
    p = step(p, s, ERFC2_8);
    p = step(p, s, ERFC2_7);
    p = step(p, s, ERFC2_6);
    p = step(p, s, ERFC2_5);
    p = step(p, s, ERFC2_4);
    p = step(p, s, ERFC2_3);
    p = step(p, s, ERFC2_2);
    p = step(p, s, ERFC2_1);
    p = step(p, s, ERFC2_0);
    return p;
  }

  private static DoubleVector erfc3(DoubleVector s) {
    DoubleVector p = s.broadcast(ERFC3_18);
    p = step(p, s, ERFC3_17);
    p = step(p, s, ERFC3_16);
    p = step(p, s, ERFC3_15);
    p = step(p, s, ERFC3_14);
    p = step(p, s, ERFC3_13);
    p = step(p, s, ERFC3_12);
    p = step(p, s, ERFC3_11);
    p = step(p, s, ERFC3_10);
    p = step(p, s, ERFC3_9);
    p = step(p, s, ERFC3_8);
    p = step(p, s, ERFC3_7);
    p = step(p, s, ERFC3_6);
    p = step(p, s, ERFC3_5);
    p = step(p, s, ERFC3_4);
    p = step(p, s, ERFC3_3);
    p = step(p, s, ERFC3_2);
    p = step(p, s, ERFC3_1);
    p = step(p, s, ERFC3_0);
    return p;
  }

  private static DoubleVector erfc4(DoubleVector s) {
    DoubleVector p = s.broadcast(ERFC4_10);
    p = step(p, s, ERFC4_9);
    p = step(p, s, ERFC4_8);
    p = step(p, s, ERFC4_7);
    p = step(p, s, ERFC4_6);
    p = step(p, s, ERFC4_5);
    p = step(p, s, ERFC4_4);
    p = step(p, s, ERFC4_3);
    p = step(p, s, ERFC4_2);
    p = step(p, s, ERFC4_1);
    p = step(p, s, ERFC4_0);
    return p;
  }

  /** MathF64's {@code erfcScaled}, for the lanes of {@code in}: each piece a lane of it needs. */
  private static DoubleVector erfcScaled(DoubleVector a, VectorMask<Double> in) {
    DoubleVector out = a;
    VectorMask<Double> left = in;
    VectorMask<Double> m = left.and(a.compare(VectorOperators.LT, 2.25));
    if (m.anyTrue()) {
      out = out.blend(erfc1(a.sub(1.75)), m);
    }
    left = left.andNot(m);
    m = left.and(a.compare(VectorOperators.LT, 3.5));
    if (m.anyTrue()) {
      out = out.blend(erfc2(a.sub(2.875)), m);
    }
    left = left.andNot(m);
    m = left.and(a.compare(VectorOperators.LT, 6));
    if (m.anyTrue()) {
      out = out.blend(erfc3(a.sub(4.75)), m);
    }
    left = left.andNot(m);
    if (left.anyTrue()) {
      DoubleVector s = x1(a).div(a.mul(a)).sub(0.0145);
      out = out.blend(erfc4(s).div(a), left);
    }
    return out;
  }

  private static DoubleVector x1(DoubleVector a) {
    return a.broadcast(1.0);
  }

  /** {@link MathF64#erfc}. */
  public static DoubleVector erfc(DoubleVector x) {
    DoubleVector a = x.abs();
    VectorMask<Double> near = a.compare(VectorOperators.LT, 0.84375);
    VectorMask<Double> one = a.compare(VectorOperators.LT, 1.25).andNot(near);
    VectorMask<Double> large = near.or(one).not();
    DoubleVector out = x;
    if (large.anyTrue()) {
      // MathF64's erfcLarge
      DoubleVector hi = a.mul(a);
      DoubleVector lo = fma(a, a, hi.neg());
      DoubleVector c = expTailTimes(hi.neg(), lo.neg(), erfcScaled(a, large));
      c = c.blend(0.0, a.compare(VectorOperators.GE, 28));
      VectorMask<Double> keep = x.compare(VectorOperators.GT, 0).or(x.test(VectorOperators.IS_NAN));
      out = x.broadcast(2.0).sub(c).blend(c, keep);
    }
    if (one.anyTrue()) {
      DoubleVector q = erf1(a.sub(1));
      DoubleVector pos = x.broadcast(1 - ERX).sub(q);
      DoubleVector neg = q.add(ERX).add(1);
      out = out.blend(neg.blend(pos, x.compare(VectorOperators.GT, 0)), one);
    }
    if (near.anyTrue()) {
      DoubleVector r = x.mul(erf0(x.mul(x)));
      DoubleVector low = x.broadcast(1.0).sub(x.add(r));
      DoubleVector high = x.broadcast(0.5).sub(x.sub(0.5).add(r));
      out = out.blend(high.blend(low, x.compare(VectorOperators.LT, 0.25)), near);
    }
    return out;
  }

  /** {@link MathF64#sin}. */
  public static DoubleVector sin(DoubleVector x) {
    return sinCos(x, 0);
  }

  /** {@link MathF64#cos}. */
  public static DoubleVector cos(DoubleVector x) {
    return sinCos(x, 1);
  }

  /** MathF64's {@code sinCos}; lanes beyond {@code HUGE} call the scalar function. */
  private static DoubleVector sinCos(DoubleVector x, int shift) {
    DoubleVector a = x.abs();
    VectorMask<Double> near = a.compare(VectorOperators.LE, PI_4);
    DoubleVector rh = x;
    DoubleVector rl = x.broadcast(0.0);
    LongVector k = bits(rl);
    if (!near.allTrue()) {
      DoubleVector t = x.fma(TWO_OVER_PI, SHIFT);
      DoubleVector nkd = t.sub(SHIFT).neg();
      DoubleVector r1 = fma(nkd, x.broadcast(PIO2_1), x);
      DoubleVector w2 = nkd.mul(PIO2_2);
      DoubleVector s2 = r1.add(w2);
      DoubleVector e2 = twoSumError(r1, w2, s2);
      DoubleVector w3 = nkd.mul(PIO2_3);
      DoubleVector s3 = s2.add(w3);
      DoubleVector e3 = twoSumError(s2, w3, s3);
      DoubleVector tail = fma(nkd, x.broadcast(PIO2_4), e2.add(e3));
      DoubleVector mh = s3.add(tail);
      rh = mh.blend(x, near);
      rl = twoSumError(s3, tail, mh).blend(0.0, near);
      k = low(t).blend(0L, near.cast(k.species()));
    }
    DoubleVector y = sinCosReduced(rh, rl, k.add(shift));
    if (shift == 0) {
      y = y.blend(x, x.eq(0));
    }
    VectorMask<Double> huge =
        a.compare(VectorOperators.GE, HUGE)
            .and(a.compare(VectorOperators.LT, Double.POSITIVE_INFINITY));
    return huge.anyTrue() ? hugeLanes(x, y, huge, shift) : y;
  }

  /** {@code y} with the lanes of {@code huge} replaced by the scalar function of {@code x}'s. */
  private static DoubleVector hugeLanes(
      DoubleVector x, DoubleVector y, VectorMask<Double> huge, int shift) {
    double[] in = x.toArray();
    double[] out = y.toArray();
    for (int i = 0; i < in.length; i++) {
      if (huge.laneIsSet(i)) {
        out[i] = shift == 0 ? MathF64.sin(in[i]) : MathF64.cos(in[i]);
      }
    }
    return DoubleVector.fromArray(x.species(), out, 0);
  }

  private static DoubleVector sinPoly(DoubleVector s) {
    DoubleVector p = s.broadcast(SIN6);
    p = step(p, s, SIN5);
    p = step(p, s, SIN4);
    p = step(p, s, SIN3);
    p = step(p, s, SIN2);
    p = step(p, s, SIN1);
    p = step(p, s, SIN0);
    return p;
  }

  private static DoubleVector cosPoly(DoubleVector s) {
    DoubleVector p = s.broadcast(COS5);
    p = step(p, s, COS4);
    p = step(p, s, COS3);
    p = step(p, s, COS2);
    p = step(p, s, COS1);
    p = step(p, s, COS0);
    return p;
  }

  /** {@link MathF64#sinCosReduced}. */
  private static DoubleVector sinCosReduced(DoubleVector rh, DoubleVector rl, LongVector q) {
    DoubleVector z = rh.mul(rh);
    DoubleVector sin = rh.add(fma(rh.mul(z), sinPoly(z), fma(z.mul(-0.5), rl, rl)));
    DoubleVector hz = z.mul(0.5);
    DoubleVector w = rh.broadcast(1.0).sub(hz);
    DoubleVector cos =
        w.add(rh.broadcast(1.0).sub(w).sub(hz).add(fma(z.mul(z), cosPoly(z), rh.neg().mul(rl))));
    LongVector v = bits(sin).blend(bits(cos), q.and(1).eq(1));
    // -v flips the sign bit
    return v.lanewise(VectorOperators.XOR, q.and(2).lanewise(VectorOperators.LSHL, 62))
        .reinterpretAsDoubles();
  }

  // --- f32: each half widened exactly, the f64 form, rounded once

  private static DoubleVector half(FloatVector x, int part) {
    VectorSpecies<Double> s = VectorSpecies.of(double.class, x.shape());
    return (DoubleVector) x.convertShape(VectorOperators.F2D, s, part);
  }

  private static FloatVector join(FloatVector x, DoubleVector lo, DoubleVector hi) {
    VectorSpecies<Float> s = x.species();
    FloatVector l = (FloatVector) lo.convertShape(VectorOperators.D2F, s, 0);
    FloatVector h = (FloatVector) hi.convertShape(VectorOperators.D2F, s, -1);
    return h.blend(l, s.indexInRange(0, s.length() / 2));
  }

  /** {@link #exp(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector exp(FloatVector x) {
    return join(x, exp(half(x, 0)), exp(half(x, 1)));
  }

  /** {@link #expm1(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector expm1(FloatVector x) {
    return join(x, expm1(half(x, 0)), expm1(half(x, 1)));
  }

  /** {@link #log(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector log(FloatVector x) {
    return join(x, log(half(x, 0)), log(half(x, 1)));
  }

  /** {@link #log1p(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector log1p(FloatVector x) {
    return join(x, log1p(half(x, 0)), log1p(half(x, 1)));
  }

  /** {@link #sigmoid(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector sigmoid(FloatVector x) {
    return join(x, sigmoid(half(x, 0)), sigmoid(half(x, 1)));
  }

  /** {@link #tanh(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector tanh(FloatVector x) {
    return join(x, tanh(half(x, 0)), tanh(half(x, 1)));
  }

  /** {@link #erf(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector erf(FloatVector x) {
    return join(x, erf(half(x, 0)), erf(half(x, 1)));
  }

  /** {@link #erfc(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector erfc(FloatVector x) {
    return join(x, erfc(half(x, 0)), erfc(half(x, 1)));
  }

  /** {@link #sin(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector sin(FloatVector x) {
    return join(x, sin(half(x, 0)), sin(half(x, 1)));
  }

  /** {@link #cos(DoubleVector)} of f32 lanes, rounded once. */
  public static FloatVector cos(FloatVector x) {
    return join(x, cos(half(x, 0)), cos(half(x, 1)));
  }
}
