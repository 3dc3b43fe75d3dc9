package dev.gradc.codegen.lib;

import dev.gradc.ir.SumOrder;

/**
 * Floating-point sums in one fixed order, the same for every vector width, thread count and
 * machine: the <b>logical block</b> of 16 lanes. A sum over a range {@code [from, to)} keeps 16
 * partial sums, each starting at {@code +0.0}; element {@code from + i} is added to partial {@code
 * i mod 16}, in ascending order of {@code i}; the 16 partials are then combined pairwise by
 * halving, {@link #tree16}: lane {@code l} with lane {@code l + 8}, then {@code l + 4}, {@code l +
 * 2}, {@code l + 1}. This scalar form keeps the partials in 16 locals; the vector form ({@code
 * lib.vector.ReduceVector}) keeps them in 16 / (lanes per vector) vectors (2 of 8 f64 lanes with
 * AVX-512, 4 with AVX2, 8 with NEON), loads the last partial block with a mask (lanes past the end
 * add {@code +0.0}, which leaves a partial unchanged: a partial that starts at {@code +0.0} is
 * never {@code -0.0}), and combines through the same {@link #tree16}: the two forms give the same
 * bits for every length.
 *
 * <p>f32 data is summed in f64 partials (exactly widened); the caller rounds the result once. A sum
 * over a long range is split into fixed-size chunks (a size that does not depend on the thread
 * count, a multiple of 16), whose results are added in chunk order.
 *
 * <p><b>Error bound.</b> With unit roundoff {@code u} of the partials ({@code 2^-53} in f64, also
 * for f32 data) and {@code n} elements, the computed sum {@code S} of a range satisfies {@code |S -
 * sum x| <= g(ceil(n / 16) + 3) * sum |x|}, {@code g(j) = j u / (1 - j u)}: each element passes
 * through at most {@code ceil(n / 16) - 1} additions in its lane and 4 in the tree. A range split
 * into chunks of {@code c} elements adds {@code n / c} more: {@code g(c / 16 + 3 + n / c)}. This is
 * 16 times tighter than one accumulator in order ({@code g(n - 1)}), the order codegen used before;
 * for f32 data it stays far below f32's own rounding ({@code 2^-24}), so f32 results keep the
 * accuracy of f64 accumulation, rounded once.
 *
 * <p>The chunks and the order are defined once, in {@link SumOrder}, for the interpreter too. Fused
 * loops follow it: each sum reduction keeps 16 partials indexed from the chunk's start (a row sum:
 * from the row's start; a column sum: 16 partial vectors indexed by row), combined by {@link
 * #tree16} at the end of each chunk, where the chunk's partial is stored. {@code amax}/{@code amin}
 * need no order: their result is the same for any order.
 *
 * <p>Its f32 and f64 methods are twins on purpose, line for line: Java has no generics over
 * primitive arrays, boxing or a shared method taking {@code double} per element would cost the
 * vectorized loop its speed, and {@code LibraryCopier} copies each method into a generated class by
 * name, so a method must stand alone. A change to one twin is made to the other in the same commit;
 * the bit-identity tests ({@code GemmBitsTest}, {@code ReduceTest}) run both.
 */
public final class Reduce {
  private Reduce() {}

  /** {@link SumOrder#tree16}: the fixed combination of 16 partial sums. */
  public static double tree16(double[] s, int off) {
    return SumOrder.tree16(s, off);
  }

  /** The sum of {@code x[from], ..., x[to - 1]} in the logical-block order. */
  public static double sumF64(double[] x, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    double s8 = 0;
    double s9 = 0;
    double s10 = 0;
    double s11 = 0;
    double s12 = 0;
    double s13 = 0;
    double s14 = 0;
    double s15 = 0;
    int i = from;
    for (; i + 16 <= to; i += 16) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
      s4 += x[i + 4];
      s5 += x[i + 5];
      s6 += x[i + 6];
      s7 += x[i + 7];
      s8 += x[i + 8];
      s9 += x[i + 9];
      s10 += x[i + 10];
      s11 += x[i + 11];
      s12 += x[i + 12];
      s13 += x[i + 13];
      s14 += x[i + 14];
      s15 += x[i + 15];
    }
    double[] s = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    for (int l = 0; i < to; i++, l++) {
      s[l] += x[i];
    }
    return tree16(s, 0);
  }

  /** The sum of f32 data in f64 partials, in the logical-block order; the caller rounds. */
  public static double sumF32(float[] x, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    double s8 = 0;
    double s9 = 0;
    double s10 = 0;
    double s11 = 0;
    double s12 = 0;
    double s13 = 0;
    double s14 = 0;
    double s15 = 0;
    int i = from;
    for (; i + 16 <= to; i += 16) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
      s4 += x[i + 4];
      s5 += x[i + 5];
      s6 += x[i + 6];
      s7 += x[i + 7];
      s8 += x[i + 8];
      s9 += x[i + 9];
      s10 += x[i + 10];
      s11 += x[i + 11];
      s12 += x[i + 12];
      s13 += x[i + 13];
      s14 += x[i + 14];
      s15 += x[i + 15];
    }
    double[] s = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    for (int l = 0; i < to; i++, l++) {
      s[l] += x[i];
    }
    return tree16(s, 0);
  }

  /**
   * The sum of the products {@code x[xOff + i] * y[yOff + i]}, {@code i < n}, each rounded (the
   * value of an elementwise {@code mul}, summed as {@code sum} sums), in the logical-block order.
   */
  public static double dotF64(double[] x, int xOff, double[] y, int yOff, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    double s8 = 0;
    double s9 = 0;
    double s10 = 0;
    double s11 = 0;
    double s12 = 0;
    double s13 = 0;
    double s14 = 0;
    double s15 = 0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      int a = xOff + i;
      int b = yOff + i;
      s0 += x[a] * y[b];
      s1 += x[a + 1] * y[b + 1];
      s2 += x[a + 2] * y[b + 2];
      s3 += x[a + 3] * y[b + 3];
      s4 += x[a + 4] * y[b + 4];
      s5 += x[a + 5] * y[b + 5];
      s6 += x[a + 6] * y[b + 6];
      s7 += x[a + 7] * y[b + 7];
      s8 += x[a + 8] * y[b + 8];
      s9 += x[a + 9] * y[b + 9];
      s10 += x[a + 10] * y[b + 10];
      s11 += x[a + 11] * y[b + 11];
      s12 += x[a + 12] * y[b + 12];
      s13 += x[a + 13] * y[b + 13];
      s14 += x[a + 14] * y[b + 14];
      s15 += x[a + 15] * y[b + 15];
    }
    double[] s = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    for (int l = 0; i < n; i++, l++) {
      s[l] += x[xOff + i] * y[yOff + i];
    }
    return tree16(s, 0);
  }

  /** {@link #dotF64} of f32 data: each product rounded to f32, summed in f64 partials. */
  public static double dotF32(float[] x, int xOff, float[] y, int yOff, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    double s8 = 0;
    double s9 = 0;
    double s10 = 0;
    double s11 = 0;
    double s12 = 0;
    double s13 = 0;
    double s14 = 0;
    double s15 = 0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      int a = xOff + i;
      int b = yOff + i;
      s0 += x[a] * y[b];
      s1 += x[a + 1] * y[b + 1];
      s2 += x[a + 2] * y[b + 2];
      s3 += x[a + 3] * y[b + 3];
      s4 += x[a + 4] * y[b + 4];
      s5 += x[a + 5] * y[b + 5];
      s6 += x[a + 6] * y[b + 6];
      s7 += x[a + 7] * y[b + 7];
      s8 += x[a + 8] * y[b + 8];
      s9 += x[a + 9] * y[b + 9];
      s10 += x[a + 10] * y[b + 10];
      s11 += x[a + 11] * y[b + 11];
      s12 += x[a + 12] * y[b + 12];
      s13 += x[a + 13] * y[b + 13];
      s14 += x[a + 14] * y[b + 14];
      s15 += x[a + 15] * y[b + 15];
    }
    double[] s = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
    for (int l = 0; i < n; i++, l++) {
      s[l] += x[xOff + i] * y[yOff + i];
    }
    return tree16(s, 0);
  }
}
