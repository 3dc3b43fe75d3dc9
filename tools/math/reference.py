#!/usr/bin/python3
"""Writes the reference values MathF64Test measures gradc's elementary functions against.

    /usr/bin/python3 tools/math/reference.py [NAME...]  # rewrites ir/src/test/resources/math/*.txt

For each function, a few thousand arguments: a dense grid over the interval where the kernel
works hardest, every reduction and piece boundary with its neighbours (a few ulps either side),
log-uniform random arguments over the whole domain (both signs), subnormal and huge arguments,
and arguments near overflow and underflow of the result. The same for f32 arguments (f32 ops
round the f64 kernel once), in the *_f32.txt files.

One line per argument: the argument's bits (hex), the correctly rounded result's bits (hex) and
the rounding error (exact - rounded) in ulps of the rounded result, computed with mpmath at 60
digits (more for the reduction of huge arguments, which mpmath does exactly): enough for the
test to measure an error in ulps to a hundredth. Special values (NaN, infinities, zeros) are
checked in the test itself. Fixed seeds: the files are reproducible.
"""
import math
import os
import random
import struct
import sys

import mpmath as mp

mp.mp.dps = 60
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "ir", "src", "test", "resources", "math")

FUNCTIONS = {
    "exp": (mp.exp, (-745.2, 709.8)),
    "expm1": (mp.expm1, (-60, 709.8)),
    "log": (mp.log, (0, math.inf)),
    "log1p": (mp.log1p, (-1, math.inf)),
    "sigmoid": (lambda x: 1 / (1 + mp.exp(-x)), (-math.inf, math.inf)),
    "tanh": (mp.tanh, (-math.inf, math.inf)),
    "erf": (mp.erf, (-math.inf, math.inf)),
    "erfc": (mp.erfc, (-1e300, 40)),
    "sin": (mp.sin, (-math.inf, math.inf)),
    "cos": (mp.cos, (-math.inf, math.inf)),
    # SpecialF64's functions (tools/math/special.py); poles give no reference line
    "lgamma": (lambda x: mp.re(mp.loggamma(x)), (-math.inf, math.inf)),
    "digamma": (mp.digamma, (-math.inf, math.inf)),
    "polygamma1": (lambda x: mp.polygamma(1, x), (-40, 1e30)),
    "polygamma2": (lambda x: mp.polygamma(2, x), (-40, 1e30)),
    "polygamma3": (lambda x: mp.polygamma(3, x), (-40, 1e30)),
    "polygamma4": (lambda x: mp.polygamma(4, x), (-40, 1e30)),
    "erfinv": (mp.erfinv, (-1, 1)),
}

# Where each kernel changes pieces or reduces: the test looks closely around these.
BOUNDARIES = {
    "exp": [0.3466, 0.5 * math.log(2), 709.782712893384, -708.3964185322641, -745.1332191019411],
    "expm1": [math.log(2), -math.log(2), 0.7, 36.7, -37.43, 709.782712893384, 1e-8],
    "log": [math.sqrt(0.5), math.sqrt(2), 1, 2, 0.5, 2.2250738585072014e-308],
    "log1p": [math.sqrt(0.5) - 1, math.sqrt(2) - 1, 1, -0.5, 2 ** -54, 2 ** 53],
    "sigmoid": [0, 20, -20, 36.7, -708.4, -745],
    "tanh": [0.625, 0.75, 19.06, 1e-8],
    "erf": [0.84375, 1.25, 1.75, 2.25, 2.875, 3.5, 4.5, 5.9215871957945, 5.9375, 6, 0.25],
    "erfc": [0.25, 0.84375, 1.25, 2.25, 3.5, 6, 26.5, 27.2, 27.3, 28],
    "sin": [math.pi / 4, math.pi / 2, math.pi, 3 * math.pi / 2, 2 * math.pi, 2 ** 20 * math.pi / 2,
            1e6, 1e22, 1e300],
    "cos": [math.pi / 4, math.pi / 2, math.pi, 3 * math.pi / 2, 2 * math.pi, 2 ** 20 * math.pi / 2,
            1e6, 1e22, 1e300],
    "lgamma": [0.375, 0.75, 1, 1.375, 2, 2.75, 8, 2.4570247382208006, 2.7476826467274127,
               3.1435808883499800, 3.9552942848585979, 1e-18, 2 ** -60],
    "digamma": [1, 1.4616321449683622, 2, 10, 0.5040830082644554, 1.5734984731623506, 1e-18],
    "polygamma1": [0.5, 1, 2, 21, 22, 1e-9],
    "polygamma2": [0.5, 1, 2, 23, 24, 1e-9],
    "polygamma3": [0.5, 1, 2, 25, 26, 1e-9],
    "polygamma4": [0.5, 1, 2, 27, 28, 1e-9],
    "erfinv": [0.75, 1 - math.exp(-4), 1 - math.exp(-9), 1 - math.exp(-4.25 ** 2), 0.5,
               1 - 2 ** -53, 1e-300],
}

DENSE = {
    "exp": (-2, 2), "expm1": (-1.5, 1.5), "log": (0.5, 2.5), "log1p": (-0.5, 1.5),
    "sigmoid": (-10, 10), "tanh": (-3, 3), "erf": (-6, 6), "erfc": (-6, 27.5),
    "sin": (-10, 10), "cos": (-10, 10),
    "lgamma": (-6, 12), "digamma": (-6, 12), "polygamma1": (-4, 25), "polygamma2": (-4, 25),
    "polygamma3": (-4, 25), "polygamma4": (-4, 25), "erfinv": (-1, 1),
}


def bits(x):
    return struct.unpack("<q", struct.pack("<d", x))[0] & 0xFFFFFFFFFFFFFFFF


def f32(x):
    """x rounded to f32 (infinite beyond its range)."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def ulp(y):
    y = abs(y)
    if y == 0 or y < 2.2250738585072014e-308:
        return 5e-324
    return math.ulp(y)


def neighbours(x, n=3):
    out = [x]
    lo = hi = x
    for _ in range(n):
        lo, hi = math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf)
        out += [lo, hi]
    return out


def arguments(name, count, rnd, single):
    lo, hi = FUNCTIONS[name][1]
    xs = []
    dlo, dhi = DENSE[name]
    xs += [dlo + (dhi - dlo) * i / (count // 3) for i in range(count // 3)]
    for b in BOUNDARIES[name]:
        for s in (1, -1):
            xs += neighbours(s * b)
    for _ in range(count // 2):
        e = rnd.uniform(-30, 30) if rnd.random() < 0.5 else rnd.uniform(-320, 308)
        xs.append(rnd.choice((1, -1)) * 10 ** e)
    xs += [5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e300, 1.7976931348623157e308]
    xs += [-x for x in xs[-6:]]
    out = []
    for x in xs:
        x = f32(x) if single else x
        if lo <= x <= hi and x not in out and math.isfinite(x):
            out.append(x)
    return out


def reference(f, x):
    with mp.workdps(60 + max(0, int(math.log10(abs(x) + 1)))):
        try:
            return f(mp.mpf(x))
        except (ValueError, ZeroDivisionError):  # a pole
            return mp.inf


def write(name, single):
    f = FUNCTIONS[name][0]
    rnd = random.Random(sum(map(ord, name)) + single)
    lines = []
    for x in arguments(name, 1000 if single else 3000, rnd, single):
        exact = reference(f, x)
        y = float(exact)  # mpmath rounds to nearest
        if math.isinf(y) or math.isnan(y):
            continue
        err = float((exact - mp.mpf(y)) / ulp(y))
        lines.append(f"{bits(x):016x} {bits(y):016x} {err:.4f}")
    path = os.path.join(OUT, f"{name}{'_f32' if single else ''}.txt")
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"{path}: {len(lines)} arguments")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in sys.argv[1:] or FUNCTIONS:
        write(name, False)
        write(name, True)


if __name__ == "__main__":
    main()
