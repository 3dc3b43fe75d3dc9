package dev.gradc.cli;

import dev.gradc.ir.DType;
import dev.gradc.ir.NdArray;
import dev.gradc.runtime.Buffers;
import java.util.Arrays;

/**
 * The values of one tensor as the runtime takes them: a dtype, a shape, and a row-major buffer
 * ({@code double[]}, {@code float[]} or {@code long[]}, see {@link Buffers}).
 */
final class Data {
  private final DType dtype;
  private final int[] shape;
  private final Object buffer;

  Data(DType dtype, int[] shape, Object buffer) {
    if (Buffers.dtypeOf(buffer) != dtype || Buffers.length(buffer) != NdArray.numel(shape)) {
      throw new IllegalArgumentException(
          "a " + dtype.mnemonic() + Arrays.toString(shape) + " tensor needs a matching buffer");
    }
    this.dtype = dtype;
    this.shape = shape.clone();
    this.buffer = buffer;
  }

  DType dtype() {
    return dtype;
  }

  int[] shape() {
    return shape.clone();
  }

  Object buffer() {
    return buffer;
  }

  int size() {
    return Buffers.length(buffer);
  }

  double get(int i) {
    return Buffers.get(buffer, i);
  }

  /** The bytes the buffer occupies. */
  long bytes() {
    return (long) size() * elementBytes(dtype);
  }

  static int elementBytes(DType d) {
    return switch (d) {
      case F64, I64 -> 8;
      case F32 -> 4;
      case BOOL -> 1;
    };
  }

  /** The shape as PyTorch and NumPy print it: {@code [6, 3]}, {@code []} for a scalar. */
  static String shapeText(int[] shape) {
    return Arrays.toString(shape);
  }
}
