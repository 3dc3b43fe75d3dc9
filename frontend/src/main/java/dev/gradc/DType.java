package dev.gradc;

/**
 * Element types of tensors, as PyTorch's {@code torch.float32}, {@code torch.float64}, {@code
 * torch.int64} and {@code torch.bool}. {@link #F32} is the default, as in PyTorch.
 */
public enum DType {
  F32(dev.gradc.ir.DType.F32),
  F64(dev.gradc.ir.DType.F64),
  I64(dev.gradc.ir.DType.I64),
  BOOL(dev.gradc.ir.DType.BOOL);

  private final dev.gradc.ir.DType ir;

  DType(dev.gradc.ir.DType ir) {
    this.ir = ir;
  }

  /** True for the floating-point types, the only ones that can require grad. */
  public boolean isFloatingPoint() {
    return ir.isFloat();
  }

  dev.gradc.ir.DType ir() {
    return ir;
  }

  static DType of(dev.gradc.ir.DType d) {
    return switch (d) {
      case F32 -> F32;
      case F64 -> F64;
      case I64 -> I64;
      case BOOL -> BOOL;
    };
  }

  /** PyTorch's name: {@code torch.float32}. */
  @Override
  public String toString() {
    return dev.gradc.frontend.Names.torchDtype(ir);
  }
}
