package dev.gradc.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Index vectors {@code 0, 1, ..., n-1} computed by existing ops: the IR has scalar literals only,
 * so an index vector is built from the binary digits of the index (a sum of broadcast {@code [0,
 * 2^j]} vectors, from {@code one_hot}), in a few instructions. Constructors ({@code arange}, {@code
 * eye}) and masks ({@code tril}, {@code triu}) are arithmetic on them.
 */
public final class Indices {
  private Indices() {}

  /** The most elements of an index vector. */
  public static final int MAX_ELEMENTS = 1 << 24;

  /**
   * The largest odd factor of an index vector's length: beyond a power of two, the index vector is
   * cut to length from the next power of two through a one-hot matrix of both lengths.
   */
  static final int MAX_ODD_FACTOR = 1024;

  /** {@code 0, 1, ..., n-1} as {@code i64[n]}. */
  public static Value iota(Builder b, int n) {
    if (n > MAX_ELEMENTS) {
      throw new GradcException("a constant tensor of more than " + MAX_ELEMENTS + " elements");
    }
    if (n <= 1) {
      return b.full(0, new Type(DType.I64, List.of(Dim.of(n))));
    }
    int twos = Integer.numberOfTrailingZeros(n);
    int odd = n >> twos;
    if (odd == 1) {
      return powerOfTwo(b, twos);
    }
    if (odd > MAX_ODD_FACTOR) {
      throw new GradcException(
          "a constant of length "
              + n
              + " is not supported: constants are computed when the program runs, and a length"
              + " whose odd factor is over "
              + MAX_ODD_FACTOR
              + " costs too much; use a length with more factors of two");
    }
    Value small = cut(b, odd);
    if (twos == 0) {
      return small;
    }
    // i = q * 2^twos + r: the outer sum of the two index vectors, row-major.
    Value high =
        b.mul(b.reshape(small, List.of(Dim.of(odd), Dim.of(1))), Builder.lit(1 << twos, DType.I64));
    Value low = b.reshape(powerOfTwo(b, twos), List.of(Dim.of(1), Dim.of(1 << twos)));
    return b.reshape(b.add(high, low), List.of(Dim.of(n)));
  }

  /**
   * {@code 0 .. 2^k - 1}: the sum of each binary digit's {@code [0, 2^j]}, on a [2, ..., 2] grid.
   */
  private static Value powerOfTwo(Builder b, int k) {
    Value one = b.full(1, new Type(DType.I64, List.of(Dim.of(1))));
    Value bit = b.reshape(b.oneHot(one, 2), List.of(Dim.of(2)));
    Value acc = null;
    for (int j = 0; j < k; j++) {
      List<Dim> shape = new ArrayList<>();
      for (int axis = 0; axis < k; axis++) {
        shape.add(Dim.of(axis == j ? 2 : 1));
      }
      Value digit = b.reshape(b.mul(bit, Builder.lit(1 << (k - 1 - j), DType.I64)), shape);
      acc = acc == null ? digit : b.add(acc, digit);
    }
    return b.reshape(acc, List.of(Dim.of(1 << k)));
  }

  /**
   * {@code 0 .. n-1} for an odd {@code n}, from the next power of two {@code m}: row {@code i} of
   * {@code one_hot(min(i, n-1), n)} weighted by {@code i} where {@code i < n}, summed over rows.
   */
  private static Value cut(Builder b, int n) {
    int k = 32 - Integer.numberOfLeadingZeros(n - 1);
    Value big = powerOfTwo(b, k);
    Value rows = b.oneHot(b.minimum(big, b.full(n - 1, big.type())), n);
    Value weight =
        b.where(b.binary(Op.LT, big, Builder.lit(n, DType.I64)), big, Builder.lit(0, DType.I64));
    Value weighted = b.mul(rows, b.unsqueeze(weight, 1));
    return b.sum(weighted, new int[] {0}, false);
  }
}
