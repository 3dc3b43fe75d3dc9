package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.NdArray;

/** Conversions between test arrays and the Java arrays compiled code takes. */
final class Buffers {
  private Buffers() {}

  static Object from(NdArray a) {
    int n = a.size();
    return switch (a.dtype()) {
      case F64 -> a.toDoubleArray();
      case F32 -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = (float) a.get(i);
        }
        yield f;
      }
      case I64 -> {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
          l[i] = (long) a.get(i);
        }
        yield l;
      }
      case BOOL -> {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) {
          b[i] = a.get(i) != 0;
        }
        yield b;
      }
    };
  }

  static NdArray to(Object buf, DType dt, int[] shape) {
    int n = NdArray.numel(shape);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] =
          switch (dt) {
            case F64 -> ((double[]) buf)[i];
            case F32 -> ((float[]) buf)[i];
            case I64 -> ((long[]) buf)[i];
            case BOOL -> ((boolean[]) buf)[i] ? 1 : 0;
          };
    }
    return new NdArray(dt, shape, d);
  }
}
