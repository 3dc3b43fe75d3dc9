package dev.gradc.ir;

import java.util.Arrays;

/**
 * A dense row-major array for the reference interpreter and for tests: a dtype, a shape and the
 * elements as doubles, each representable in the dtype (f32 values are rounded to float, bools are
 * 0 and 1, i64 values are integers). An i64 array also keeps its exact elements as longs ({@link
 * #getLong}); its doubles are those rounded.
 */
public final class NdArray {
  private final DType dtype;
  private final int[] shape;
  private final double[] data;
  private final long[] longs;

  public NdArray(DType dtype, int[] shape, double[] data) {
    this.dtype = dtype;
    this.shape = shape.clone();
    if (data.length != numel(shape)) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " needs "
              + numel(shape)
              + " elements, got "
              + data.length);
    }
    this.data = data.clone();
    for (int i = 0; i < this.data.length; i++) {
      this.data[i] = dtype.round(this.data[i]);
    }
    this.longs = longsOf(dtype, this.data);
  }

  private static long[] longsOf(DType dtype, double[] data) {
    if (dtype != DType.I64) {
      return null;
    }
    long[] l = new long[data.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = (long) data[i];
    }
    return l;
  }

  /** An i64 array of exactly these elements (copied). */
  public static NdArray ofLongs(int[] shape, long... data) {
    return wrapLongs(shape.clone(), data.clone());
  }

  /** Wraps {@code data} without copying; the caller gives up the arrays. */
  static NdArray wrapLongs(int[] shape, long[] data) {
    double[] d = new double[data.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = data[i];
    }
    if (d.length != numel(shape)) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + numel(shape) + " elements");
    }
    return new NdArray(d, DType.I64, shape, data);
  }

  /** Wraps {@code data} without copying; the caller gives up the array. */
  static NdArray wrap(DType dtype, int[] shape, double[] data) {
    return new NdArray(data, dtype, shape);
  }

  /** The wrapping constructor; arguments in a different order from the copying one. */
  private NdArray(double[] data, DType dtype, int[] shape) {
    this(data, dtype, shape, longsOf(dtype, data));
  }

  private NdArray(double[] data, DType dtype, int[] shape, long[] longs) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
    this.longs = longs;
  }

  /** The same elements in another shape of as many elements (exact for i64). */
  NdArray reshaped(int[] newShape) {
    return new NdArray(data.clone(), dtype, newShape, longs == null ? null : longs.clone());
  }

  /** {@code out[j] = this[index[j]]} in {@code newShape} (exact for i64). */
  NdArray select(int[] newShape, int[] index) {
    double[] d = new double[index.length];
    long[] l = longs == null ? null : new long[index.length];
    for (int j = 0; j < index.length; j++) {
      d[j] = data[index[j]];
      if (l != null) {
        l[j] = longs[index[j]];
      }
    }
    return new NdArray(d, dtype, newShape, l);
  }

  /**
   * The adjoint of {@link #select}: zeros of {@code newShape} with {@code out[index[j]] = this[j]}
   * (exact for i64).
   */
  NdArray scatter(int[] newShape, int[] index) {
    int n = numel(newShape);
    double[] d = new double[n];
    long[] l = longs == null ? null : new long[n];
    for (int j = 0; j < index.length; j++) {
      d[index[j]] = data[j];
      if (l != null) {
        l[index[j]] = longs[j];
      }
    }
    return new NdArray(d, dtype, newShape, l);
  }

  /** The exact elements of an i64 array. */
  long[] longs() {
    return longs.clone();
  }

  /**
   * {@code out = this; out[at[j]] += src[j]} in order of {@code j}, rounded to the dtype at each
   * addition (exact, wrapping, for i64).
   */
  NdArray scatterAdd(NdArray src, int[] at) {
    double[] d = data.clone();
    long[] l = longs == null ? null : longs.clone();
    for (int j = 0; j < at.length; j++) {
      if (l != null) {
        l[at[j]] += src.longs[j];
        d[at[j]] = l[at[j]];
      } else {
        d[at[j]] = dtype.round(d[at[j]] + src.data[j]);
      }
    }
    return new NdArray(d, dtype, shape.clone(), l);
  }

  public static NdArray scalar(DType dtype, double v) {
    return new NdArray(dtype, new int[0], new double[] {v});
  }

  public static NdArray of(DType dtype, int[] shape, double... data) {
    return new NdArray(dtype, shape, data);
  }

  public DType dtype() {
    return dtype;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public int size() {
    return data.length;
  }

  public double get(int i) {
    return data[i];
  }

  /** Element {@code i} as an integer: exact for i64, else the double truncated. */
  public long getLong(int i) {
    return longs != null ? longs[i] : (long) data[i];
  }

  /** A copy of the elements. */
  public double[] toDoubleArray() {
    return data.clone();
  }

  /** The only element of a one-element array. */
  public double item() {
    if (data.length != 1) {
      throw new IllegalStateException(
          "a Tensor with " + data.length + " elements cannot be converted to Scalar");
    }
    return data[0];
  }

  public static int numel(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /** Row-major strides of a shape. */
  public static int[] strides(int[] shape) {
    int[] st = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= shape[i];
    }
    return st;
  }

  @Override
  public String toString() {
    return dtype.mnemonic() + Arrays.toString(shape) + " " + Arrays.toString(data);
  }
}
