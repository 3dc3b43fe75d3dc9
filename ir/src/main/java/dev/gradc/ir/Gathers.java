package dev.gradc.ir;

/**
 * {@code gather}, {@code scatter_add} and {@code scatter} on flat row-major arrays, shared by the
 * interpreter and compiled code (copied into generated classes: {@code java.base} only, so its
 * errors are {@link IllegalArgumentException}s that callers turn into their own). An index of shape
 * {@code part} names, for each of its elements, the element of a tensor of shape {@code whole} at
 * the same position but along {@code dim}, where it gives the position itself. A 0-d tensor is one
 * of shape {@code [1]}.
 */
public final class Gathers {
  private Gathers() {}

  /**
   * For each element of {@code index}, in order, the flat offset in {@code whole} it names; an
   * index out of {@code [0, whole[dim])} is PyTorch's error, and nothing is read.
   */
  public static int[] offsets(long[] index, int[] whole, int[] part, int dim) {
    int rank = Math.max(1, whole.length);
    int[] w = whole.length == 0 ? new int[] {1} : whole;
    int[] p = part.length == 0 ? new int[] {1} : part;
    int[] stride = new int[rank];
    int s = 1;
    for (int d = rank - 1; d >= 0; d--) {
      stride[d] = s;
      s *= w[d];
    }
    int[] pos = new int[rank];
    int[] out = new int[index.length];
    for (int j = 0; j < index.length; j++) {
      long v = index[j];
      if (v < 0 || v >= w[dim]) {
        throw new IllegalArgumentException(
            "index " + v + " is out of bounds for dimension " + dim + " with size " + w[dim]);
      }
      int o = (int) v * stride[dim];
      for (int d = 0; d < rank; d++) {
        o += d == dim ? 0 : pos[d] * stride[d];
      }
      out[j] = o;
      for (int d = rank - 1; d >= 0 && ++pos[d] == p[d]; d--) {
        pos[d] = 0;
      }
    }
    return out;
  }

  /** {@link #indexed}'s mode: {@code gather}. */
  public static final int GATHER = 0;

  /** {@link #indexed}'s mode: {@code scatter}. */
  public static final int SCATTER = 1;

  /** {@link #indexed}'s mode: {@code scatter_add}. */
  public static final int SCATTER_ADD = 2;

  /**
   * {@code gather}, {@code scatter} or {@code scatter_add} ({@code mode}) for any array type (f64,
   * f32 or i64 for {@code scatter_add}), with the offsets of {@link #offsets} computed as the
   * elements go, without an array of them. {@code x} is a contiguous tensor of shape {@code whole}:
   * gather's source, or a scatter's {@code self}, which is {@code out}, an array of {@code whole}'s
   * size or one element that fills {@code out} (a broadcast scalar, as the zeros of a gradient).
   * The index has shape {@code part}; it and {@code data} (gather's {@code out}, a scatter's
   * source) are read or written through strided views of {@code part}'s elements in order (shape
   * and strides: {@code ishape}, {@code istride}; {@code dshape}, {@code dstride}), so a broadcast
   * index or source is read in place.
   *
   * <ul>
   *   <li>gather: {@code data[j] = x[offsets(index)[j]]};
   *   <li>scatter: {@code out = self; out[offsets(index)[j]] = data[j]} in order of {@code j} (of a
   *       repeated place, the last);
   *   <li>scatter_add: {@code out = self; out[offsets(index)[j]] += data[j]} in order of {@code j},
   *       so that the sums have the same bits on every run; f32 sums round to float at each
   *       addition, i64 sums wrap.
   * </ul>
   *
   * Elements go in runs along the last dim of {@code part} when every view has that last extent,
   * and one at a time otherwise; every index is checked before anything is written, with PyTorch's
   * error.
   */
  public static void indexed(
      int mode,
      Object x,
      int[] whole,
      int dim,
      int[] part,
      long[] index,
      int[] ishape,
      int[] istride,
      Object data,
      int[] dshape,
      int[] dstride,
      Object out) {
    int[] w = whole.length == 0 ? new int[] {1} : whole;
    int[] is = ishape.length == 0 ? new int[] {1} : ishape;
    int[] it = istride.length == 0 ? new int[] {0} : istride;
    int[] ds = dshape.length == 0 ? new int[] {1} : dshape;
    int[] dt = dstride.length == 0 ? new int[] {0} : dstride;
    int[] p = part.length == 0 ? new int[] {1} : part;
    int rank = w.length;
    int count = 1;
    for (int e : p) {
      count *= e;
    }
    // The place in x of index position q, less the index's own part: q's offset along every dim
    // but dim, a view of the index's shape with x's strides and none along dim.
    int[] xs = NdArray.strides(w);
    int along = xs[dim];
    int[] ps = new int[rank];
    for (int d = 0; d < rank; d++) {
      ps[d] = d == dim ? 0 : xs[d];
    }
    int last = p[rank - 1];
    boolean runs = is[is.length - 1] == last && ds[ds.length - 1] == last;
    int len = runs ? last : 1;
    int n = len == 0 ? 0 : count / len;
    int pTop = runs ? rank - 2 : rank - 1;
    int iTop = runs ? is.length - 2 : is.length - 1;
    int dTop = runs ? ds.length - 2 : ds.length - 1;
    int pIn = runs ? ps[rank - 1] : 0;
    int iIn = runs ? it[is.length - 1] : 0;
    int dIn = runs ? dt[ds.length - 1] : 0;
    check(index, is, it, iTop, iIn, len, n, w[dim], dim);
    int size = java.lang.reflect.Array.getLength(out);
    boolean filled = mode != GATHER && x != out && java.lang.reflect.Array.getLength(x) == 1;
    // The gradient of index_select, whole rows added into a filled table: a row's first run sets
    // it to the fill value plus the run (the same sum as adding to the fill), and only rows no run
    // reaches are filled, after, so that each row is written in one pass.
    boolean[] reached =
        filled && mode == SCATTER_ADD && rank == 2 && dim == 0 && runs && len == w[1] && iIn == 0
            ? new boolean[w[0]]
            : null;
    if (mode != GATHER && x != out && reached == null) {
      if (filled && size != 1) {
        fill(x, out, 0, size);
      } else {
        System.arraycopy(x, 0, out, 0, size);
      }
    }
    int[] pPos = new int[rank];
    int[] iPos = new int[is.length];
    int[] dPos = new int[ds.length];
    int po = 0;
    int io = 0;
    int doff = 0;
    int r = 0;
    if (reached != null && !(out instanceof long[])) {
      // Rows four at a time, so that their reads from memory overlap; each element still takes
      // its additions in order of j (rows are whole, so equal or apart).
      int[] at = new int[4];
      int[] from = new int[4];
      for (; r + 4 <= n; r += 4) {
        for (int q = 0; q < 4; q++) {
          int v = (int) index[io];
          at[q] = v * along;
          from[q] = doff;
          if (!reached[v]) {
            reached[v] = true;
            fill(x, out, at[q], at[q] + len);
          }
          io = next(io, iPos, is, it, iTop);
          doff = next(doff, dPos, ds, dt, dTop);
        }
        addRows(data, from, dIn, out, at, len);
      }
    }
    for (; r < n; r++) {
      if (reached != null) {
        int v = (int) index[io];
        add(data, doff, dIn, out, v * along, 1, len, reached[v] ? null : x);
        reached[v] = true;
      } else if (iIn == 0) {
        move(mode, x, po + (int) index[io] * along, pIn, data, doff, dIn, out, len);
      } else {
        for (int k = 0; k < len; k++) {
          int at = po + k * pIn + (int) index[io + k * iIn] * along;
          move(mode, x, at, 0, data, doff + k * dIn, 0, out, 1);
        }
      }
      po = next(po, pPos, p, ps, pTop);
      io = next(io, iPos, is, it, iTop);
      doff = next(doff, dPos, ds, dt, dTop);
    }
    for (int v = 0; reached != null && v < reached.length; v++) {
      int to = v;
      while (to < reached.length && !reached[to]) {
        to++;
      }
      fill(x, out, v * along, to * along);
      v = to;
    }
  }

  /**
   * {@code out[b, c] = sum over l < bag of x[index[b * bag + l, c], c]} (f64 or f32): the rows of
   * {@code x} ({@code whole}: {@code [rows, d]}) that a gather along dim 0 selects, summed per bag
   * of {@code bag} consecutive rows, without the gathered rows in between. The index, of shape
   * {@code part} ({@code [bags * bag, d]}), is read through a strided view as in {@link #indexed},
   * each index checked first. Each sum is the one of a read-modify-write loop over the gathered
   * rows: {@code +0.0} plus the rows in order, in f64, rounded once to the result's dtype.
   */
  public static void bagSum(
      Object x,
      int[] whole,
      int[] part,
      long[] index,
      int[] ishape,
      int[] istride,
      int bag,
      Object out) {
    int d = whole[1];
    boolean runs = ishape[ishape.length - 1] == d;
    int len = runs ? d : 1;
    int count = part[0] * d;
    int n = len == 0 ? 0 : count / len;
    int iTop = runs ? ishape.length - 2 : ishape.length - 1;
    int iIn = runs ? istride[ishape.length - 1] : 0;
    check(index, ishape, istride, iTop, iIn, len, n, whole[0], 0);
    double[] acc = new double[d];
    int[] iPos = new int[ishape.length];
    int io = 0;
    // from the result, which has its zeros when bags are empty
    int bags = d == 0 ? 0 : java.lang.reflect.Array.getLength(out) / d;
    for (int b = 0; b < bags; b++) {
      java.util.Arrays.fill(acc, 0.0);
      int l = 0;
      for (; runs && iIn == 0 && l + 4 <= bag; l += 4) {
        // four rows in one pass, so that their reads from memory overlap; each sum in order
        int o0 = (int) index[io] * d;
        io = next(io, iPos, ishape, istride, iTop);
        int o1 = (int) index[io] * d;
        io = next(io, iPos, ishape, istride, iTop);
        int o2 = (int) index[io] * d;
        io = next(io, iPos, ishape, istride, iTop);
        int o3 = (int) index[io] * d;
        io = next(io, iPos, ishape, istride, iTop);
        accumulateRows(x, o0, o1, o2, o3, acc);
      }
      for (; l < bag; l++) {
        for (int c = 0; c < d; c += len) {
          if (iIn == 0) {
            accumulate(x, (int) index[io] * d + c, acc, c, len);
          } else {
            for (int k = 0; k < len; k++) {
              accumulate(x, (int) index[io + k * iIn] * d + c + k, acc, c + k, 1);
            }
          }
          io = next(io, iPos, ishape, istride, iTop);
        }
      }
      if (out instanceof float[] o) {
        for (int c = 0; c < d; c++) {
          o[b * d + c] = (float) acc[c];
        }
      } else {
        System.arraycopy(acc, 0, out, b * d, d);
      }
    }
  }

  /**
   * {@code acc[k] += x[o0 + k]}, then {@code x[o1 + k]}, {@code x[o2 + k]} and {@code x[o3 + k]},
   * in f64, for every {@code k} of {@code acc}, f64 or f32 {@code x}.
   */
  private static void accumulateRows(Object x, int o0, int o1, int o2, int o3, double[] acc) {
    if (x instanceof float[] a) {
      for (int k = 0; k < acc.length; k++) {
        acc[k] = acc[k] + a[o0 + k] + a[o1 + k] + a[o2 + k] + a[o3 + k];
      }
    } else {
      double[] a = (double[]) x;
      for (int k = 0; k < acc.length; k++) {
        acc[k] = acc[k] + a[o0 + k] + a[o1 + k] + a[o2 + k] + a[o3 + k];
      }
    }
  }

  /** {@code acc[ao + k] += x[xo + k]} for {@code k < len}, f64 or f32 {@code x}, in f64. */
  private static void accumulate(Object x, int xo, double[] acc, int ao, int len) {
    if (x instanceof float[] a) {
      for (int k = 0; k < len; k++) {
        acc[ao + k] += a[xo + k];
      }
    } else {
      double[] a = (double[]) x;
      for (int k = 0; k < len; k++) {
        acc[ao + k] += a[xo + k];
      }
    }
  }

  /**
   * PyTorch's error for the first index, in index order, out of {@code [0, size)}: {@code n} runs
   * of {@code len} elements, as {@link #indexed} reads them (dims {@code top} down to 0 advance a
   * run, {@code inner} is the stride within it), an index constant along a run read once.
   */
  private static void check(
      long[] index,
      int[] shape,
      int[] stride,
      int top,
      int inner,
      int len,
      int n,
      int size,
      int dim) {
    int reads = inner == 0 ? 1 : len;
    int[] pos = new int[shape.length];
    int o = 0;
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < reads; k++) {
        long v = index[o + k * inner];
        if (v < 0 || v >= size) {
          throw new IllegalArgumentException(
              "index " + v + " is out of bounds for dimension " + dim + " with size " + size);
        }
      }
      o = next(o, pos, shape, stride, top);
    }
  }

  /**
   * The offset of the next run of a strided view: advances the position over dims {@code top} down
   * to 0, as an odometer.
   */
  private static int next(int off, int[] pos, int[] shape, int[] stride, int top) {
    for (int d = top; d >= 0; d--) {
      if (++pos[d] < shape[d]) {
        return off + stride[d];
      }
      off -= stride[d] * (shape[d] - 1);
      pos[d] = 0;
    }
    return off;
  }

  /**
   * One run of {@code len} elements: gather copies {@code x} at {@code at} (step {@code xStep})
   * into {@code data} at {@code d} (step {@code dStep}); scatter copies, and scatter_add adds,
   * {@code data} there into {@code out} at {@code at}, in order.
   */
  private static void move(
      int mode, Object x, int at, int xStep, Object data, int d, int dStep, Object out, int len) {
    if (mode == GATHER) {
      copy(x, at, xStep, data, d, dStep, len);
    } else if (mode == SCATTER) {
      copy(data, d, dStep, out, at, xStep, len);
    } else {
      add(data, d, dStep, out, at, xStep, len, null);
    }
  }

  /** {@code b[bo + k * bs] = a[ao + k * as]} for {@code k} in order, for any array type. */
  private static void copy(Object a, int ao, int as, Object b, int bo, int bs, int len) {
    if (as == 1 && bs == 1) {
      System.arraycopy(a, ao, b, bo, len);
    } else if (a instanceof double[] x) {
      double[] y = (double[]) b;
      for (int k = 0; k < len; k++) {
        y[bo + k * bs] = x[ao + k * as];
      }
    } else if (a instanceof float[] x) {
      float[] y = (float[]) b;
      for (int k = 0; k < len; k++) {
        y[bo + k * bs] = x[ao + k * as];
      }
    } else if (a instanceof long[] x) {
      long[] y = (long[]) b;
      for (int k = 0; k < len; k++) {
        y[bo + k * bs] = x[ao + k * as];
      }
    } else {
      boolean[] x = (boolean[]) a;
      boolean[] y = (boolean[]) b;
      for (int k = 0; k < len; k++) {
        y[bo + k * bs] = x[ao + k * as];
      }
    }
  }

  /**
   * {@code b[bo + k * bs] += a[ao + k * as]} for {@code k} in order (f64, f32 or i64); with a
   * one-element array {@code first}, {@code b[bo + k * bs] = first[0] + a[ao + k * as]} instead.
   */
  private static void add(
      Object a, int ao, int as, Object b, int bo, int bs, int len, Object first) {
    if (a instanceof double[] x) {
      double[] y = (double[]) b;
      for (int k = 0; k < len; k++) {
        int at = bo + k * bs;
        y[at] = (first == null ? y[at] : ((double[]) first)[0]) + x[ao + k * as];
      }
    } else if (a instanceof float[] x) {
      float[] y = (float[]) b;
      if (first != null) {
        float f = ((float[]) first)[0];
        for (int k = 0; k < len; k++) {
          y[bo + k * bs] = f + x[ao + k * as];
        }
      } else if (as == 1 && bs == 1) {
        for (int k = 0; k < len; k++) {
          y[bo + k] += x[ao + k];
        }
      } else {
        for (int k = 0; k < len; k++) {
          y[bo + k * bs] += x[ao + k * as];
        }
      }
    } else {
      long[] x = (long[]) a;
      long[] y = (long[]) b;
      for (int k = 0; k < len; k++) {
        int at = bo + k * bs;
        y[at] = (first == null ? y[at] : ((long[]) first)[0]) + x[ao + k * as];
      }
    }
  }

  /**
   * {@code b[at[q] + k] += a[from[q] + k * as]} for {@code k < len}, rows {@code q} of four in turn
   * for each {@code k} (f64 or f32).
   */
  private static void addRows(Object a, int[] from, int as, Object b, int[] at, int len) {
    int s0 = from[0];
    int s1 = from[1];
    int s2 = from[2];
    int s3 = from[3];
    int o0 = at[0];
    int o1 = at[1];
    int o2 = at[2];
    int o3 = at[3];
    if (a instanceof float[] x) {
      float[] y = (float[]) b;
      for (int k = 0; k < len; k++) {
        y[o0 + k] += x[s0 + k * as];
        y[o1 + k] += x[s1 + k * as];
        y[o2 + k] += x[s2 + k * as];
        y[o3 + k] += x[s3 + k * as];
      }
    } else {
      double[] x = (double[]) a;
      double[] y = (double[]) b;
      for (int k = 0; k < len; k++) {
        y[o0 + k] += x[s0 + k * as];
        y[o1 + k] += x[s1 + k * as];
        y[o2 + k] += x[s2 + k * as];
        y[o3 + k] += x[s3 + k * as];
      }
    }
  }

  /** Elements {@code from} to {@code to} of {@code out} set to {@code one[0]}, any array type. */
  private static void fill(Object one, Object out, int from, int to) {
    if (out instanceof double[] o) {
      java.util.Arrays.fill(o, from, to, ((double[]) one)[0]);
    } else if (out instanceof float[] o) {
      java.util.Arrays.fill(o, from, to, ((float[]) one)[0]);
    } else if (out instanceof long[] o) {
      java.util.Arrays.fill(o, from, to, ((long[]) one)[0]);
    } else {
      java.util.Arrays.fill((boolean[]) out, from, to, ((boolean[]) one)[0]);
    }
  }
}
