#!/usr/bin/env python3
"""Writes the small .npy files that the command line's NumPy reader is tested against.

Each file is written by NumPy itself (numpy.save, or numpy.lib.format for other header
versions), so the tests check the reader against the real format rather than against a
reimplementation of it. The values are simple closed forms, repeated in NpyTest.

    /usr/bin/python3 tools/npy/generate.py

The files are committed; the build never runs Python.
"""
import pathlib

import numpy as np
from numpy.lib import format as npformat

OUT = pathlib.Path(__file__).resolve().parents[2] / "cli" / "src" / "test" / "resources" / "npy"


def grid(shape, dtype):
    """0.5 * i - 1 for the flat index i, in C order."""
    n = int(np.prod(shape)) if shape else 1
    return (0.5 * np.arange(n) - 1).reshape(shape).astype(dtype)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for f in OUT.glob("*.npy"):
        f.unlink()
    # Supported: C-ordered little-endian float64, float32 and int64, any rank.
    np.save(OUT / "f8_2x3.npy", grid((2, 3), "<f8"))
    np.save(OUT / "f4_4.npy", grid((4,), "<f4"))
    np.save(OUT / "i8_5.npy", np.array([0, 2, 1, 1, -3], dtype="<i8"))
    np.save(OUT / "f8_scalar.npy", np.array(2.25, dtype="<f8"))
    np.save(OUT / "f8_2x2x2.npy", grid((2, 2, 2), "<f8"))
    with open(OUT / "f8_v2_3.npy", "wb") as f:
        npformat.write_array(f, grid((3,), "<f8"), version=(2, 0))
    with open(OUT / "f8_v3_3.npy", "wb") as f:
        npformat.write_array(f, grid((3,), "<f8"), version=(3, 0))
    # A linear-regression data set for `gradc run --inputs DIR`: x (6 x 3) and y (6).
    data = OUT / "linreg"
    data.mkdir(exist_ok=True)
    np.save(data / "x.npy", grid((6, 3), "<f8"))
    np.save(data / "y.npy", np.array([1.0, -1.0, 0.5, 2.0, 0.0, -0.5], dtype="<f8"))
    # Refused, each with its own message.
    np.save(OUT / "fortran_2x3.npy", np.asfortranarray(grid((2, 3), "<f8")))
    np.save(OUT / "big_endian_3.npy", grid((3,), ">f8"))
    np.save(OUT / "bool_3.npy", np.array([True, False, True]))
    np.save(OUT / "i4_3.npy", np.array([1, 2, 3], dtype="<i4"))
    whole = (OUT / "f8_2x3.npy").read_bytes()
    (OUT / "truncated_2x3.npy").write_bytes(whole[:-8])
    (OUT / "trailing_2x3.npy").write_bytes(whole + b"\0" * 8)
    (OUT / "not_npy.npy").write_bytes(b"x,y\n1,2\n")


if __name__ == "__main__":
    main()
