#!/usr/bin/python3
"""Derives the polynomial coefficients of dev.gradc.ir.math.SpecialF64 with mpmath.

    /usr/bin/python3 tools/math/special.py           # prints SpecialCoefficients.java
    /usr/bin/python3 tools/math/special.py --write   # and writes it to ir/.../math/

The same method as fit.py (whose fit() it uses): Chebyshev interpolation in 50-digit arithmetic,
the smallest degree whose error relative to the kernel's result stays below 2^-58.

Targets (t the reduced argument):
  lgamma    lgamma(1 + t) = t LGAMMA1(t),                   -0.25 <= t <= 0.375
            lgamma(2 + t) = t LGAMMA2(t),                   -0.625 <= t <= 0.75
            lgamma x = (x - 1/2)(log x - 1) + LGAMMA_S0 + z LGAMMAS(z^2), z = 1/x <= 1/8
  digamma   digamma(X0 + t) = t DIGAMMA(t), X0 its positive zero, -0.4617 <= t <= 0.5384
            digamma x = log x - 1/(2x) - y DIGAMMAS(y), y = 1/x^2 <= 1/100
  erfinv    erfinv x = x ERFINV0(x^2),                      |x| <= 0.75
            erfinv x = ERFINVk(w - c), w = sqrt(-log(1 - x)), four pieces of [1.17, 6.07]
  polygamma the Bernoulli numbers B_2j / (2j)! of the Euler-Maclaurin tail (exact rationals,
            rounded once)
"""
import contextlib
import io
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(__file__))
from fit import emit, fit, small  # noqa: E402

mp.mp.dps = 50

# Pieces of erfinv's tail in w = sqrt(-log(1 - |x|)), from |x| = 0.75 to 1 - 2^-53.
ERFINV_PIECES = [(1.17, 2.0), (2.0, 3.0), (3.0, 4.25), (4.25, 6.07)]


def main():
    def lg1(t):
        return mp.loggamma(1 + t) / t
    emit("LGAMMA1_", fit("lgamma near 1", small(lg1, -mp.euler), -0.25, 0.375,
                         lambda t: 1 / abs(lg1(t)) if t else 1))

    def lg2(t):
        return mp.loggamma(2 + t) / t
    emit("LGAMMA2_", fit("lgamma near 2", small(lg2, 1 - mp.euler), -0.625, 0.75,
                         lambda t: 1 / abs(lg2(t)) if t else 1))

    c0 = mp.log(2 * mp.pi) / 2 - mp.mpf(1) / 2
    print(f"  public static final double LGAMMA_S0 = {float(c0)!r};")

    def stirling(y):
        x = 1 / mp.sqrt(y)
        with mp.workdps(80):
            return (mp.loggamma(x) - (x - mp.mpf(1) / 2) * (mp.log(x) - 1) - c0) * x
    emit("LGAMMAS", fit("lgamma beyond 8", small(stirling, mp.mpf(1) / 12), 0, mp.mpf(1) / 64,
                        lambda y: 1 / (mp.sqrt(y) * mp.loggamma(1 / mp.sqrt(y))) if y else 0))

    x0 = mp.findroot(mp.digamma, 1.4616)
    hi = float(x0)
    print(f"  public static final double DIGAMMA_X0 = {hi!r};")
    print(f"  public static final double DIGAMMA_X0_LO = {float(x0 - hi)!r};")
    print(f"  public static final double DIGAMMA_X0M1 = {float(x0 - 1)!r};")
    print(f"  public static final double DIGAMMA_X0M1_LO = {float(x0 - 1 - float(x0 - 1))!r};")

    def dg(t):
        return mp.digamma(x0 + t) / t
    emit("DIGAMMA", fit("digamma near its zero", small(dg, mp.psi(1, x0)), 1 - x0, 2 - x0,
                        lambda t: 1 / abs(dg(t)) if t else 1))

    def dgs(y):
        x = 1 / mp.sqrt(y)
        with mp.workdps(80):
            return (mp.log(x) - 1 / (2 * x) - mp.digamma(x)) / y
    emit("DIGAMMAS", fit("digamma beyond 10", small(dgs, mp.mpf(1) / 12), 0, mp.mpf(1) / 100,
                         lambda y: y / mp.digamma(1 / mp.sqrt(y)) if y else 0))

    def ei0(y):
        x = mp.sqrt(y)
        return mp.erfinv(x) / x
    emit("ERFINV0_", fit("erfinv near 0", small(ei0, mp.sqrt(mp.pi) / 2), 0, 0.5625,
                         lambda y: 1 / ei0(y) if y else 1))

    def tail(w):
        return mp.erfinv(1 - mp.exp(-w * w))
    for k, (lo, hi) in enumerate(ERFINV_PIECES):
        c = (lo + hi) / 2
        emit(f"ERFINV{k + 1}_", fit(f"erfinv for w in [{lo}, {hi}]", tail, lo, hi,
                                    lambda w: 1 / tail(w), center=c))
        print(f"  public static final double ERFINV{k + 1}_C = {c!r};")

    for j in range(1, 13):
        print(f"  public static final double BERNOULLI{j} ="
              f" {float(mp.bernoulli(2 * j) / mp.factorial(2 * j))!r};")


JAVA = os.path.join(os.path.dirname(__file__), "..", "..", "ir", "src", "main", "java", "dev",
                    "gradc", "ir", "math", "SpecialCoefficients.java")

HEAD = """package dev.gradc.ir.math;

/**
 * The constants of {@link SpecialF64}'s kernels. Written by {@code tools/math/special.py}, which
 * derives the polynomials and prints their errors; do not edit by hand.
 */
public final class SpecialCoefficients {
  private SpecialCoefficients() {}

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
