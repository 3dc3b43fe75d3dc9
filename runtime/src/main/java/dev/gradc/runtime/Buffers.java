package dev.gradc.runtime;

import dev.gradc.ir.DType;
import dev.gradc.ir.NdArray;

/**
 * Buffers are plain Java arrays, contiguous and row-major: {@code double[]} for f64, {@code
 * float[]} for f32, {@code long[]} for i64 and {@code boolean[]} for bool. This class converts
 * between them and the interpreter's {@link NdArray}.
 */
public final class Buffers {
  private Buffers() {}

  /** A new zeroed buffer of {@code n} elements of {@code dtype}. */
  public static Object allocate(DType dtype, int n) {
    return switch (dtype) {
      case F64 -> new double[n];
      case F32 -> new float[n];
      case I64 -> new long[n];
      case BOOL -> new boolean[n];
    };
  }

  /** The dtype a buffer holds, or an exception naming what it is. */
  public static DType dtypeOf(Object buffer) {
    if (buffer instanceof double[]) {
      return DType.F64;
    }
    if (buffer instanceof float[]) {
      return DType.F32;
    }
    if (buffer instanceof long[]) {
      return DType.I64;
    }
    if (buffer instanceof boolean[]) {
      return DType.BOOL;
    }
    throw new IllegalArgumentException(
        "a buffer is a double[], float[], long[] or boolean[], got "
            + (buffer == null ? "null" : buffer.getClass().getSimpleName()));
  }

  public static int length(Object buffer) {
    return switch (dtypeOf(buffer)) {
      case F64 -> ((double[]) buffer).length;
      case F32 -> ((float[]) buffer).length;
      case I64 -> ((long[]) buffer).length;
      case BOOL -> ((boolean[]) buffer).length;
    };
  }

  /** Element {@code i} of any buffer as a double. */
  public static double get(Object buffer, int i) {
    return switch (dtypeOf(buffer)) {
      case F64 -> ((double[]) buffer)[i];
      case F32 -> ((float[]) buffer)[i];
      case I64 -> ((long[]) buffer)[i];
      case BOOL -> ((boolean[]) buffer)[i] ? 1 : 0;
    };
  }

  /** Sets element {@code i} of any buffer from a double (rounded to its dtype). */
  public static void set(Object buffer, int i, double v) {
    switch (dtypeOf(buffer)) {
      case F64 -> ((double[]) buffer)[i] = v;
      case F32 -> ((float[]) buffer)[i] = (float) v;
      case I64 -> ((long[]) buffer)[i] = (long) v;
      case BOOL -> ((boolean[]) buffer)[i] = v != 0;
    }
  }

  public static NdArray toNdArray(Object buffer, int[] shape) {
    if (buffer instanceof long[]) {
      return NdArray.ofLongs(shape, (long[]) buffer);
    }
    int n = length(buffer);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = get(buffer, i);
    }
    return new NdArray(dtypeOf(buffer), shape, d);
  }

  /** Copies an array into {@code out} (allocated when null); returns the buffer. */
  public static Object fromNdArray(NdArray a, Object out) {
    Object buf = out != null ? out : allocate(a.dtype(), a.size());
    if (dtypeOf(buf) != a.dtype() || length(buf) != a.size()) {
      throw new IllegalArgumentException(
          "output buffer should be a "
              + a.dtype().mnemonic()
              + " buffer of "
              + a.size()
              + " elements, got "
              + dtypeOf(buf).mnemonic()
              + " of "
              + length(buf));
    }
    for (int i = 0; i < a.size(); i++) {
      if (buf instanceof long[]) {
        ((long[]) buf)[i] = a.getLong(i);
      } else {
        set(buf, i, a.get(i));
      }
    }
    return buf;
  }
}
