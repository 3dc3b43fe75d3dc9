package dev.gradc.frontend;

import dev.gradc.ir.DType;
import dev.gradc.ir.Type;

/**
 * PyTorch's names for dtypes and sizes, as its messages print them. The backward node names of ops
 * are facts of {@link dev.gradc.ir.Op}.
 */
public final class Names {
  private Names() {}

  /** {@code torch.float32}, {@code torch.int64}, ... */
  public static String torchDtype(DType d) {
    return switch (d) {
      case F32 -> "torch.float32";
      case F64 -> "torch.float64";
      case I64 -> "torch.int64";
      case BOOL -> "torch.bool";
    };
  }

  /** The scalar type name of ATen's messages: {@code Float}, {@code Double}, ... */
  public static String scalarType(DType d) {
    return switch (d) {
      case F32 -> "Float";
      case F64 -> "Double";
      case I64 -> "Long";
      case BOOL -> "Bool";
    };
  }

  /** The legacy tensor type name used in autograd messages: {@code torch.FloatTensor}. */
  public static String tensorType(DType d) {
    return switch (d) {
      case F32 -> "torch.FloatTensor";
      case F64 -> "torch.DoubleTensor";
      case I64 -> "torch.LongTensor";
      case BOOL -> "torch.BoolTensor";
    };
  }

  /** {@code torch.Size([2, 3])}. */
  public static String torchSize(Type t) {
    return "torch.Size(" + t.dims() + ")";
  }
}
