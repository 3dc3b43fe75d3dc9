package dev.gradc.ir;

import java.util.function.IntToDoubleFunction;

/**
 * The one order of every floating-point sum reduction ({@code sum}, {@code mean}, {@code sum_to}),
 * shared by the interpreter, the scalar kernels and the vector kernels, so that all of them give
 * the same bits whatever the thread count, vector width or machine.
 *
 * <p>The reduction's input is viewed in its collapsed shape (dims of size 1 dropped, neighbouring
 * dims that are both reduced or both kept merged). A collapsed shape of rank 0 or 1 is flat: a
 * <b>chunk</b> is {@link #CHUNK} elements. Otherwise it is rows of its last dim, and a chunk is
 * {@code max(1, CHUNK / row length)} whole rows (a row is never split). Each output sums, per
 * chunk, its own elements of the chunk in the <b>logical block</b> order: 16 partials starting at
 * {@code +0.0}, its {@code k}-th element in the chunk added to partial {@code k mod 16} in
 * ascending {@code k}, the partials combined by {@link #tree16}; the chunk results are added in
 * chunk order to {@code +0.0}. f32 data is summed in f64 and rounded once.
 *
 * <p>Compiled kernels split their loops into the same chunks (their chunk size is {@link #CHUNK}),
 * so they match the interpreter bit for bit whenever their loop walks the input in its row-major
 * order with the same row length. They do not when fusion gives the loop another shape: a
 * transposed walk, a loop not collapsed to the interpreter's rank, a kernel whose loops have rows
 * of different lengths, a column sum over more than 64 chunks (codegen caps their number), or a
 * reduction over some outer and some inner dims (run read-modify-write, in loop order). Results
 * then still do not depend on the thread count; they differ from the interpreter by rounding only.
 *
 * <p>A partial that starts at {@code +0.0} is never {@code -0.0}, so adding {@code +0.0} (a lane
 * past the end of a vector, a chunk without elements of an output) leaves it unchanged. Error
 * bound: {@code Reduce}'s class comment.
 */
public final class SumOrder {
  private SumOrder() {}

  /** Partial sums per logical block. */
  public static final int BLOCK = 16;

  /** Elements (flat loops) or, divided by the row length, rows per chunk. */
  public static final int CHUNK = 1 << 15;

  /** The fixed combination of 16 partial sums: halving, {@code l} with {@code l + 8}, ... */
  public static double tree16(
      double s0,
      double s1,
      double s2,
      double s3,
      double s4,
      double s5,
      double s6,
      double s7,
      double s8,
      double s9,
      double s10,
      double s11,
      double s12,
      double s13,
      double s14,
      double s15) {
    double t0 = s0 + s8;
    double t1 = s1 + s9;
    double t2 = s2 + s10;
    double t3 = s3 + s11;
    double t4 = s4 + s12;
    double t5 = s5 + s13;
    double t6 = s6 + s14;
    double t7 = s7 + s15;
    double u0 = t0 + t4;
    double u1 = t1 + t5;
    double u2 = t2 + t6;
    double u3 = t3 + t7;
    return (u0 + u2) + (u1 + u3);
  }

  /** {@link #tree16} of {@code s[off], ..., s[off + 15]}. */
  public static double tree16(double[] s, int off) {
    return tree16(
        s[off + 0],
        s[off + 1],
        s[off + 2],
        s[off + 3],
        s[off + 4],
        s[off + 5],
        s[off + 6],
        s[off + 7],
        s[off + 8],
        s[off + 9],
        s[off + 10],
        s[off + 11],
        s[off + 12],
        s[off + 13],
        s[off + 14],
        s[off + 15]);
  }

  /**
   * For a column sum's chunk: {@code out[off + j] = tree16} of the partials {@code p[l * n + j]},
   * {@code l < lanes} ({@code lanes <= 16}; the partials past {@code lanes} are {@code +0.0}).
   */
  public static void columnTrees(double[] p, int lanes, int n, double[] out, int off) {
    double[] s = new double[BLOCK];
    for (int j = 0; j < n; j++) {
      for (int l = 0; l < lanes; l++) {
        s[l] = p[l * n + j];
      }
      out[off + j] = tree16(s, 0);
    }
  }

  /** The rows per chunk of a collapsed shape whose rows have {@code rowLength} elements. */
  public static int chunkRows(int rowLength) {
    return Math.max(1, CHUNK / Math.max(1, rowLength));
  }

  /**
   * The row length of the collapsed shape of an input of shape {@code shape} reduced over {@code
   * reduced}: its last collapsed dim, or 1 when the collapsed shape is flat.
   */
  public static int rowLength(int[] shape, boolean[] reduced) {
    int rank = 0;
    int last = 1;
    boolean lastReduced = false;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1) {
        continue;
      }
      if (rank > 0 && reduced[d] == lastReduced) {
        last *= shape[d];
      } else {
        rank++;
        last = shape[d];
        lastReduced = reduced[d];
      }
    }
    return rank >= 2 ? last : 1;
  }

  /**
   * The sums of {@code n} elements {@code x(i)} (in row-major order) into {@code m} outputs,
   * element {@code i} into output {@code outIndex[i]}, in the order of the class comment; {@code
   * rowLength} from {@link #rowLength}.
   */
  public static double[] sums(IntToDoubleFunction x, int n, int[] outIndex, int m, int rowLength) {
    int chunk = rowLength <= 1 ? CHUNK : chunkRows(rowLength) * rowLength;
    double[] total = new double[m];
    double[] p = new double[m * BLOCK];
    int[] count = new int[m];
    int[] touched = new int[m];
    for (int c0 = 0, c1; c0 < n; c0 = c1) {
      c1 = c0 + Math.min(chunk, n - c0);
      int t = 0;
      for (int i = c0; i < c1; i++) {
        int o = outIndex[i];
        if (count[o] == 0) {
          touched[t++] = o;
        }
        p[o * BLOCK + (count[o]++ & (BLOCK - 1))] += x.applyAsDouble(i);
      }
      for (int k = 0; k < t; k++) {
        int o = touched[k];
        total[o] += tree16(p, o * BLOCK);
        java.util.Arrays.fill(p, o * BLOCK, o * BLOCK + BLOCK, 0.0);
        count[o] = 0;
      }
    }
    return total;
  }

  // tree16 is written out, one addition a line, so that the order is plain to read and the method,
  // which generated classes copy, needs neither an array nor a loop. (This note stands last so that
  // the copied method keeps its line numbers.)
}
