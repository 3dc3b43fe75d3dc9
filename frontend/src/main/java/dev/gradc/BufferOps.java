package dev.gradc;

import dev.gradc.ir.DType;
import dev.gradc.runtime.Buffers;

/** Small elementwise helpers on buffers that do not warrant a compiled kernel. */
final class BufferOps {
  private BufferOps() {}

  /** {@code a + b} in the dtype of {@code a} (f32 sums in float, as PyTorch's accumulation). */
  static Object add(Object a, Object b) {
    // The float dtypes directly: gradient accumulation adds a leaf's gradient every step.
    if (a instanceof float[] fa && b instanceof float[] fb && fa.length == fb.length) {
      float[] out = new float[fa.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = fa[i] + fb[i];
      }
      return out;
    }
    if (a instanceof double[] da && b instanceof double[] db && da.length == db.length) {
      double[] out = new double[da.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = da[i] + db[i];
      }
      return out;
    }
    int n = Buffers.length(a);
    if (Buffers.length(b) != n) {
      throw new IllegalArgumentException("buffers of " + n + " and " + Buffers.length(b));
    }
    DType dt = Buffers.dtypeOf(a);
    Object out = Buffers.allocate(dt, n);
    for (int i = 0; i < n; i++) {
      double x = Buffers.get(a, i);
      double y = Buffers.get(b, i);
      Buffers.set(out, i, dt == DType.F32 ? (double) ((float) x + (float) y) : dt.round(x + y));
    }
    return out;
  }

  /** A buffer of {@code dtype} holding {@code values} rounded to it. */
  static Object fromDoubles(DType dtype, double[] values) {
    Object out = Buffers.allocate(dtype, values.length);
    for (int i = 0; i < values.length; i++) {
      Buffers.set(out, i, values[i]);
    }
    return out;
  }

  /** The elements of any buffer as doubles. */
  static double[] toDoubles(Object buffer) {
    double[] out = new double[Buffers.length(buffer)];
    for (int i = 0; i < out.length; i++) {
      out[i] = Buffers.get(buffer, i);
    }
    return out;
  }
}
