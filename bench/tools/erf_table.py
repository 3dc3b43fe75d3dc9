#!/usr/bin/python3
"""Coefficients of the piecewise polynomial erf of the hand-written Black-Scholes baseline.

erf is odd; on [0, 0.25) erf(x) = x * q(x^2) with q its Taylor series, and on each [0.25 k, 0.25 (k + 1)) for k = 1..23
it is a polynomial in t = x - (0.25 k + 0.125). Each piece is a least-squares Chebyshev fit to
math.erf at Chebyshev nodes, converted to the power basis. Prints the Java table and the largest
error of the evaluation, done in doubles as the Java code does it.
"""
import math

import numpy as np
from numpy.polynomial import chebyshev as C

WIDTH = 0.25
PIECES = 24
DEGREE = 11
SMALL_DEGREE = 9


def fit(f, lo, hi, degree):
    """f on [lo, hi] as a polynomial in t = x - centre; the fit is of f(x) - f(centre), which is
    small, so the rounding of the least-squares solve stays far below an ulp of f."""
    centre = (lo + hi) / 2
    half = (hi - lo) / 2
    u = np.cos(np.pi * (np.arange(200) + 0.5) / 200)
    x = centre + u * half
    cheb = C.chebfit(u, [f(v) - f(centre) for v in x], degree)
    power = C.cheb2poly(cheb)  # in u
    coeffs = [c / half**k for k, c in enumerate(power)]
    coeffs[0] += f(centre)
    return coeffs


def small(x):
    return math.erf(x) / x if x else 2 / math.sqrt(math.pi)


def main():
    # erf(x) / x = 2/sqrt(pi) * sum_n (-x^2)^n / (n! (2n + 1)): the Taylor series, exact enough.
    q = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1))
         for n in range(SMALL_DEGREE + 1)]
    pieces = [fit(math.erf, WIDTH * k, WIDTH * (k + 1), DEGREE) for k in range(1, PIECES)]

    def evaluate(x):
        a = abs(x)
        if a < WIDTH:
            s = a * a
            r = 0.0
            for c in reversed(q):
                r = r * s + c
            r *= a
        elif a < WIDTH * PIECES:
            k = int(a / WIDTH)
            t = a - (WIDTH * k + WIDTH / 2)
            r = 0.0
            for c in reversed(pieces[k - 1]):
                r = r * t + c
        else:
            r = 1.0
        return math.copysign(r, x)

    xs = np.concatenate([np.linspace(-7, 7, 400001), np.geomspace(1e-300, 0.3, 5000)])
    worst_abs = max(abs(evaluate(x) - math.erf(x)) for x in xs)
    for lo, hi in [(0, 0.25), (0.25, 1), (1, 3), (3, 7)]:
        sub = [x for x in xs if lo <= abs(x) < hi]
        print("// ", lo, hi, max(abs(evaluate(x) - math.erf(x)) / abs(math.erf(x)) for x in sub if x))
    worst_rel = max(abs(evaluate(x) - math.erf(x)) / abs(math.erf(x)) for x in xs if x)
    print(f"// max abs error {worst_abs:.3g}, max rel error {worst_rel:.3g} against libm erf")
    print("  private static final double[] SMALL = {")
    print("    " + ", ".join(repr(float(c)) for c in q))
    print("  };")
    print("  private static final double[] PIECES = {")
    for p in pieces:
        print("    " + ", ".join(repr(float(c)) for c in p) + ",")
    print("  };")


if __name__ == "__main__":
    main()
