#!/usr/bin/python3
"""Derives the polynomial coefficients of dev.gradc.ir.math.MathF64 with mpmath.

    /usr/bin/python3 tools/math/fit.py           # prints Coefficients.java, with each fit's error
    /usr/bin/python3 tools/math/fit.py --write   # and writes it to ir/.../math/Coefficients.java

Every kernel of MathF64 reduces its argument and then evaluates a polynomial with Horner's rule
(fused multiply-adds) on a short interval. Each polynomial here interpolates its target function
at Chebyshev nodes (near-minimax) in 50-digit arithmetic; its degree is the smallest whose error
on a dense grid, weighted so that it is relative to the kernel's result, stays below 2^-58 (1/64
ulp at most) before its coefficients are rounded to doubles (the comment shows the error after,
mostly the leading coefficient's rounding), so what remains of a kernel's error is the rounding of
its few final operations. The Java tests (MathF64Test) measure the whole kernels
against the mpmath values that tools/math/reference.py writes.

Targets (x the kernel's argument, r or s the reduced one):
  exp       e^r = 1 + r + r^2/2 + r^3 EXP(r),            |r| <= ln2/2
  expm1     e^r - 1 = r + r^2/2 + r^3 EXPM1(r),          |r| <= 0.7
  log       log(1+f) = f - (f^2/2 - s (f^2/2 + z LOG(z))), s = f/(2+f), z = s^2 <= 0.02944
  tanh      tanh x = x + x^3 TANH(x^2),                  |x| <= 0.75
  sin, cos  sin r = r + r^3 SIN(r^2), cos r = 1 - r^2/2 + r^4 COS(r^2), |r| <= pi/4
  erf       erf x = x + x ERF0(x^2),                     |x| <= 0.84375
            erf a = ERX + ERF1(a - 1),                   0.84375 <= a <= 1.25
            erf a = 1 - ERFTk(a - c),                    six pieces of [1.25, 5.9375], degree 15
            erfc a = exp(-a^2) ERFCk(a - c),             on [1.25, 2.25], [2.25, 3.5], [3.5, 6]
            erfc a = exp(-a^2) ERFC4(1/a^2) / a,         6 <= a <= 27.3
"""
import contextlib
import io
import math
import os
import sys

import mpmath as mp

mp.mp.dps = 50
TARGET = mp.mpf(2) ** -58


def short(v, bits):
    """v rounded to `bits` significant bits."""
    m, e = math.frexp(float(v))
    return math.ldexp(round(m * 2 ** bits) / 2 ** bits, e)


def nodes(lo, hi, n):
    return [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / (n + 1))
            for k in range(n + 1)]


def interpolate(f, lo, hi, center, n):
    xs = nodes(mp.mpf(lo), mp.mpf(hi), n)
    a = mp.matrix([[(x - center) ** j for j in range(n + 1)] for x in xs])
    b = mp.matrix([f(x) for x in xs])
    c = mp.lu_solve(a, b)
    return [c[j] for j in range(n + 1)]


def horner(cs, s):
    r = mp.mpf(0)
    for c in reversed(cs):
        r = r * s + c
    return r


def fit(name, f, lo, hi, weight, center=0, max_degree=40, min_degree=1):
    """The lowest-degree fit (coefficients rounded to doubles) under TARGET on a dense grid,
    of degree min_degree at least."""
    lo, hi, center = mp.mpf(lo), mp.mpf(hi), mp.mpf(center)
    grid = [lo + (hi - lo) * k / 600 for k in range(601)]
    for n in range(min_degree, max_degree + 1):
        exact = interpolate(f, lo, hi, center, n)
        err = max(abs(horner(exact, x - center) - f(x)) * weight(x) for x in grid)
        if err < TARGET:
            cs = [mp.mpf(float(c)) for c in exact]
            rounded = max(abs(horner(cs, x - center) - f(x)) * weight(x) for x in grid)
            print(f"  // {name}: degree {n} on [{mp.nstr(lo, 6)}, {mp.nstr(hi, 6)}], error"
                  f" {mp.nstr(err, 2)} of the result ({mp.nstr(rounded, 2)} with the"
                  f" coefficients rounded)")
            return [float(c) for c in cs]
    sys.exit(f"{name}: no degree up to {max_degree} reaches the target")


def emit(prefix, cs):
    for j, c in enumerate(cs):
        print(f"  public static final double {prefix}{j} = {c!r};")


def small(f, limit):
    """f, continued to its limit at 0, and evaluated with enough digits near 0 that the
    cancellation in its formula (a difference divided by a power of x) costs nothing."""
    def g(x):
        if x == 0:
            return limit
        with mp.workdps(300):
            return +f(mp.mpf(x))
    return g


def main():
    ln2 = mp.log(2)
    ln2_hi = short(ln2, 42)  # 11 bits of k times 42 bits: exact
    print(f"  public static final double LN2_HI = {ln2_hi!r};")
    print(f"  public static final double LN2_LO = {float(ln2 - ln2_hi)!r};")
    print(f"  public static final double INV_LN2 = {float(1 / ln2)!r};")

    def q_exp(r):
        return (mp.exp(r) - 1 - r - r * r / 2) / r ** 3
    emit("EXP", fit("exp", small(q_exp, mp.mpf(1) / 6), -0.3466, 0.3466,
                    lambda r: abs(r) ** 3 / mp.exp(r)))
    emit("EXPM1", fit("expm1", small(q_exp, mp.mpf(1) / 6), -0.7, 0.7,
                      lambda r: abs(r) ** 3 / abs(mp.expm1(r)) if r else 0))

    def u_log(z):
        s = mp.sqrt(z)
        return (2 * mp.atanh(s) - 2 * s) / (s * z)
    # log(1+f) = 2s + s z U(z): the term is relative to log(1+f), about 2s
    emit("LOG", fit("log", small(u_log, mp.mpf(2) / 3), 0, 0.02944, lambda z: z / 2))

    def p_tanh(y):
        x = mp.sqrt(y)
        return (mp.tanh(x) - x) / x ** 3
    emit("TANH", fit("tanh", small(p_tanh, -mp.mpf(1) / 3), 0, 0.75 ** 2,
                     lambda y: y ** 1.5 / mp.tanh(mp.sqrt(y)) if y else 0))

    def s_sin(y):
        x = mp.sqrt(y)
        return (mp.sin(x) - x) / x ** 3
    def c_cos(y):
        return (mp.cos(mp.sqrt(y)) - 1 + y / 2) / y ** 2
    q = (mp.pi / 4) ** 2 * mp.mpf(1.0001)
    emit("SIN", fit("sin", small(s_sin, -mp.mpf(1) / 6), 0, q,
                    lambda y: y ** 1.5 / mp.sin(mp.sqrt(y)) if y else 0))
    emit("COS", fit("cos", small(c_cos, mp.mpf(1) / 24), 0, q, lambda y: y ** 2 / mp.cos(mp.sqrt(y))))
    pio2 = mp.pi / 2
    # pi/2 in four parts: three of 33 bits (k of up to 20 bits times each is exact), the rest
    parts = []
    rest = pio2
    for _ in range(3):
        p = short(rest, 33)
        parts.append(p)
        rest -= p
    parts.append(float(rest))
    for j, p in enumerate(parts):
        print(f"  public static final double PIO2_{j + 1} = {p!r};")
    print(f"  public static final double TWO_OVER_PI = {float(2 / mp.pi)!r};")
    # For the reduction of huge arguments: the bits of 2/pi down to 2^-1280, in hex (a double's
    # exponent is below 1024, so over 256 bits remain after its binary point), and pi/2 as a
    # double-length constant.
    with mp.workdps(500):
        bits = int(mp.floor(2 / mp.pi * mp.mpf(2) ** 1280))
        print(f'  public static final String TWO_OVER_PI_BITS = "{bits:x}";')
        hi = float(mp.pi / 2)
        print(f"  public static final double PIO2_HI = {hi!r};")
        print(f"  public static final double PIO2_LO = {float(mp.pi / 2 - hi)!r};")

    def p_erf(t):
        x = mp.sqrt(t)
        return mp.erf(x) / x - 1
    emit("ERF0_", fit("erf near 0", small(p_erf, 2 / mp.sqrt(mp.pi) - 1), 0, 0.84375 ** 2,
                      lambda t: mp.sqrt(t) / mp.erf(mp.sqrt(t)) if t else 1))
    erx = short(mp.erf(1), 24)
    print(f"  public static final double ERX = {erx!r};")
    # Relative to erf; erfc = (1 - ERX) - ERF1 shares it, at about 3e-17 of erfc
    emit("ERF1_", fit("erf near 1", lambda a: mp.erf(a) - erx, 0.84375, 1.25,
                      lambda a: 1 / mp.erf(a), center=1))

    def g(a):
        return mp.erfc(a) * mp.exp(a * a)
    for k, (lo, hi, c) in enumerate([(1.25, 2.25, 1.75), (2.25, 3.5, 2.875), (3.5, 6, 4.75)]):
        emit(f"ERFC{k + 1}_", fit(f"erfc on [{lo}, {hi}]", g, lo, hi, lambda a: 1 / g(a), center=c))

    # erf itself beyond 1.25 needs erfc only to an ulp of 1, not to its own relative precision:
    # erf a = 1 - ERFTk(a - c) with no exponential, all of degree 15 (evaluated by Estrin's
    # scheme, one shape for every piece), on pieces narrow enough for that degree.
    for k, (lo, hi) in enumerate(ERF_TAIL_PIECES):
        c = (lo + hi) / 2
        emit(f"ERFT{k + 1}_", fit(f"erf on [{lo}, {hi}]", mp.erfc, lo, hi, lambda a: 1 / mp.erf(a),
                                  center=c, max_degree=15, min_degree=15))

    def tail(t):
        a = 1 / mp.sqrt(t)
        return a * g(a)
    emit("ERFC4_", fit("erfc beyond 6", tail, 1 / mp.mpf(27.3) ** 2, 1 / mp.mpf(36),
                       lambda t: 1 / tail(t), center=0.0145))


# Pieces of erf's tail, 1.25 to 5.9375 (erf rounds to 1 from 5.9216 on); their centres are
# exact in a few bits, so a - c is exact.
ERF_TAIL_PIECES = [(1.25, 1.75), (1.75, 2.25), (2.25, 2.875), (2.875, 3.5), (3.5, 4.5),
                   (4.5, 5.9375)]

JAVA = os.path.join(os.path.dirname(__file__), "..", "..", "ir", "src", "main", "java", "dev",
                    "gradc", "ir", "math", "Coefficients.java")

HEAD = """package dev.gradc.ir.math;

/**
 * The constants of {@link MathF64}'s kernels. Written by {@code
 * tools/math/fit.py}, which derives the polynomials and prints their errors; do not edit by hand.
 * All are compile-time constants, which javac copies into the classes that use them: reading
 * them reads no field.
 */
public final class Coefficients {
  private Coefficients() {}

  /** 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer. */
  public static final double SHIFT = 0x1.8p52;

  public static final long SHIFT_BITS = 0x4338000000000000L;

  /** The bits of sqrt(1/2): {@code x = 2^e m} with {@code m} in {@code [sqrt(1/2), sqrt(2))}. */
  public static final long SQRT_HALF_BITS = 0x3fe6a09e667f3bcdL;

  public static final long MANTISSA = 0x000fffffffffffffL;

  public static final double LN2 = 0.6931471805599453;

  /** Above: exp overflows; below EXP_MIN: exp underflows to 0. */
  public static final double EXP_MAX = 710;

  public static final double EXP_MIN = -746;

  /** Beyond this, sin and cos reduce their argument exactly, with BigInteger: |k| >= 2^20. */
  public static final double HUGE = 0x1p20 * 1.5707963267948966;

  /** pi/4: sin and cos need no reduction below it. */
  public static final double PI_4 = 0.7853981633974483;

"""


if __name__ == "__main__":
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        main()
    java = HEAD + text.getvalue() + "}\n"
    sys.stdout.write(java)
    if "--write" in sys.argv:
        with open(JAVA, "w") as f:
            f.write(java)
