#!/usr/bin/python3
"""Fits the coefficients of ScalarMath.erf and measures its error against mpmath.

    /usr/bin/python3 tools/erf/fit.py            # fit, print the Java method, measure
    /usr/bin/python3 tools/erf/fit.py --write    # also rewrite the test reference values

erf is evaluated piecewise on a = |x|, without loops:

  a < 0.84375         erf = x + x * P(x^2)              P(t) = erf(sqrt t)/sqrt t - 1
  0.84375 <= a < 1.25 erf = ERX + Q(a - 1)             ERX has few bits, so the sum is exact-ish
  1.25 <= a < 6       erf = 1 - exp(-a^2) * G_k(a - c_k)  G = erfc(a) exp(a^2), on pieces k
  a >= 6              erf = +-1                         (erf rounds to 1 from 5.9215871957945)

Each polynomial interpolates its target at Chebyshev nodes (near-minimax), computed in 60-digit
arithmetic; the degree is the smallest whose approximation error, in units of the result, is below
2^-58 (about 0.03 ulp), so the error that remains is rounding. The Java evaluation is emulated
here in IEEE doubles (Python floats; math.exp for Math.exp) and compared with mpmath's erf.
"""
import math
import os
import random
import sys

import mpmath as mp

mp.mp.dps = 60

def short(v, bits=24):
    """v rounded to `bits` significant bits, so that adding a small term to it is nearly exact."""
    m, e = math.frexp(float(v))
    return math.ldexp(round(m * 2 ** bits) / 2 ** bits, e)


ERX = short(mp.erf(1))

TARGET = mp.mpf(2) ** -58


def cheb_nodes(lo, hi, n):
    return [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / (n + 1))
            for k in range(n + 1)]


def interpolate(f, lo, hi, center, n):
    """Coefficients c_0..c_n (in mp) of the polynomial in s = x - center interpolating f."""
    xs = cheb_nodes(mp.mpf(lo), mp.mpf(hi), n)
    A = mp.matrix([[(x - center) ** j for j in range(n + 1)] for x in xs])
    b = mp.matrix([f(x) for x in xs])
    c = mp.lu_solve(A, b)
    return [c[j] for j in range(n + 1)]


def horner(cs, s):
    r = 0.0
    for c in reversed(cs):
        r = r * s + c
    return r


def horner_mp(cs, s):
    r = mp.mpf(0)
    for c in reversed(cs):
        r = r * s + c
    return r


def fit(name, f, lo, hi, center, weight, max_degree=30):
    """The smallest degree whose weighted error on a dense grid is below TARGET."""
    grid = [mp.mpf(lo) + (mp.mpf(hi) - lo) * k / 400 for k in range(401)]
    for n in range(2, max_degree + 1):
        cs = interpolate(f, lo, hi, center, n)
        err = max(abs(horner_mp(cs, x - center) - f(x)) * weight(x) for x in grid)
        if err < TARGET:
            print(f"# {name}: degree {n}, weighted approximation error {mp.nstr(err, 3)}",
                  file=sys.stderr)
            return [float(c) for c in cs]
    raise SystemExit(f"{name}: no degree up to {max_degree} reaches the target")


def p_target(t):
    # erf(sqrt t)/sqrt t - 1, with its series near 0 where the quotient cancels
    if t < mp.mpf(10) ** -20:
        return 2 / mp.sqrt(mp.pi) * (1 - t / 3) - 1
    r = mp.sqrt(t)
    return mp.erf(r) / r - 1


def g_target(a):
    return mp.erfc(a) * mp.exp(a * a)


A_HI = 0.84375
B_HI = 1.25
C_PIECES = [(1.25, 2.25), (2.25, 3.5), (3.5, 6.0)]

P = fit("P", p_target, 0, A_HI ** 2, 0, lambda t: 1)
Q = fit("Q", lambda s: mp.erf(1 + s) - ERX, A_HI - 1, B_HI - 1, 0, lambda s: 1)
G = []
for lo, hi in C_PIECES:
    c = (lo + hi) / 2
    G.append((lo, hi, c, fit(f"G[{lo}, {hi})", lambda s, c=c: g_target(c + s), lo - c, hi - c, 0,
                                lambda s, c=c: mp.exp(-(c + s) ** 2))))


def erf_double(x):
    """The Java method, step for step in IEEE doubles."""
    a = abs(x)
    if a >= 6:
        return math.copysign(1.0, x)
    if a < A_HI:
        return x + x * horner(P, x * x)
    if a < B_HI:
        r = ERX + horner(Q, a - 1)
    else:
        for lo, hi, c, cs in G:
            if a < hi:
                r = 1 - math.exp(-a * a) * horner(cs, a - c)
                break
    return math.copysign(r, x)


def ulps(x):
    exact = mp.erf(mp.mpf(x))
    got = erf_double(x)
    ulp = math.ulp(float(exact)) if exact != 0 else math.ulp(0.0)
    return float(abs(mp.mpf(got) - exact) / ulp)


def measure(points):
    worst, at = 0.0, None
    for x in points:
        e = ulps(x)
        if e > worst:
            worst, at = e, x
    return worst, at


def java_literal(v):
    return repr(float(v))


def java_poly(cs, indent):
    """Horner's rule on p, two steps per statement: p = (p * s + c_k) * s + c_k-1."""
    lines = [f"p = {java_literal(cs[-1])} * s {term(cs[-2])};"]
    k = len(cs) - 3
    while k >= 0:
        if k >= 1:
            lines.append(f"p = (p * s {term(cs[k])}) * s {term(cs[k - 1])};")
            k -= 2
        else:
            lines.append(f"p = p * s {term(cs[k])};")
            k -= 1
    return "\n".join(indent + line for line in lines)


def term(c):
    return f"- {java_literal(-c)}" if c < 0 else f"+ {java_literal(c)}"


def java():
    out = []
    out.append("  public static double erf(double x) {")
    out.append("    // Declared first, p gets a local slot with one-byte loads and stores.")
    out.append("    double p;")
    out.append("    double s;")
    out.append("    double a = Math.abs(x);")
    out.append("    if (a >= 6) {")
    out.append("      return Math.copySign(1.0, x);")
    out.append("    }")
    out.append("    // NaN fails every comparison below and comes out of the last piece as NaN.")
    out.append(f"    if (a < {A_HI}) {{")
    out.append("      s = x * x;")
    out.append(java_poly(P, "      "))
    out.append("      return x + x * p;")
    out.append("    }")
    out.append(f"    if (a < {B_HI}) {{")
    out.append("      s = a - 1;")
    out.append(java_poly(Q, "      "))
    out.append(f"      return Math.copySign({java_literal(ERX)} + p, x);")
    out.append("    }")
    for i, (lo, hi, c, cs) in enumerate(G):
        if i == 0:
            out.append(f"    if (a < {hi}) {{")
        elif i < len(G) - 1:
            out.append(f"    }} else if (a < {hi}) {{")
        else:
            out.append("    } else {")
        out.append(f"      s = a - {c};")
        out.append(java_poly(cs, "      "))
    out.append("    }")
    out.append("    return Math.copySign(1 - Math.exp(-a * a) * p, x);")
    out.append("  }")
    return "\n".join(out)


def main():
    print(java())
    rnd = random.Random(20261126)
    grid = [6.5 * k / 200000 for k in range(200001)]
    edges = []
    for e in [A_HI, B_HI] + [hi for _, hi, _, _ in G]:
        v = e
        for _ in range(50):
            edges += [v, -v]
            v = math.nextafter(v, 0)
        v = e
        for _ in range(50):
            v = math.nextafter(v, 7)
            edges += [v]
    randoms = [rnd.uniform(-6.5, 6.5) for _ in range(100000)]
    tiny = [math.copysign(10 ** rnd.uniform(-310, 0), rnd.uniform(-1, 1)) for _ in range(20000)]
    for name, pts in [("grid of 200001 points on [0, 6.5]", grid), ("piece boundaries", edges),
                      ("100000 uniform points on [-6.5, 6.5]", randoms),
                      ("20000 log-uniform points of magnitude 1e-310..1", tiny)]:
        worst, at = measure(pts)
        print(f"# max error {worst:.3f} ulp on {name} (at {at!r})", file=sys.stderr)
    if "--write" in sys.argv:
        write_reference(rnd)


def write_reference(rnd):
    """x (exact, as Java's Double.toString reads it back) and erf(x) to 25 digits."""
    xs = [0.0, -0.0, 1e-300, 5e-324, 1e-10, -1e-10]
    xs += [7.0 * k / 2000 for k in range(2001)]
    xs += [A_HI, math.nextafter(A_HI, 0), B_HI, math.nextafter(B_HI, 0)]
    xs += [hi for _, hi, _, _ in G] + [math.nextafter(hi, 0) for _, hi, _, _ in G]
    xs += [rnd.uniform(-6.5, 6.5) for _ in range(1500)]
    xs += [math.copysign(10 ** rnd.uniform(-300, 0), rnd.uniform(-1, 1)) for _ in range(300)]
    path = "ir/src/test/resources/erf/reference.txt"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("# x erf(x): erf to 25 significant digits, from mpmath (tools/erf/fit.py)\n")
        for x in xs:
            f.write(f"{x!r} {mp.nstr(mp.erf(mp.mpf(x)), 25)}\n")
    print(f"wrote {len(xs)} reference values to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
