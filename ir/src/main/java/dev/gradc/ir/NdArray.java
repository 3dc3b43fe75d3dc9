package dev.gradc.ir;

import java.util.Arrays;

/**
 * A dense row-major array for the reference interpreter and for tests: a dtype, a shape and the
 * elements as doubles, each representable in the dtype (f32 values are rounded to float, bools are
 * 0 and 1, i64 values are integers).
 */
public final class NdArray {
  private final DType dtype;
  private final int[] shape;
  private final double[] data;

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
  }

  /** Wraps {@code data} without copying; the caller gives up the array. */
  static NdArray wrap(DType dtype, int[] shape, double[] data) {
    return new NdArray(data, dtype, shape);
  }

  /** The wrapping constructor; arguments in a different order from the copying one. */
  private NdArray(double[] data, DType dtype, int[] shape) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
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
