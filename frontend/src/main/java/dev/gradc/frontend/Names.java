package dev.gradc.frontend;

import dev.gradc.ir.DType;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Type;

/**
 * PyTorch's names for dtypes, sizes and the backward nodes of IR ops, as its messages print them.
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

  /** The legacy tensor type name used in autograd messages: {@code torch.FloatTensor}. */
  public static String tensorType(DType d) {
    return switch (d) {
      case F32 -> "torch.FloatTensor";
      case F64 -> "torch.DoubleTensor";
      case I64 -> "torch.LongTensor";
      case BOOL -> "torch.BoolTensor";
    };
  }

  /** PyTorch's node for a matrix product of operands of these ranks. */
  public static String matmulGradFn(int ra, int rb) {
    if (ra == 1 && rb == 1) {
      return "DotBackward0";
    }
    if (ra == 2 && rb == 1) {
      return "MvBackward0";
    }
    if (ra == 1 && rb == 2) {
      return "SqueezeBackward3";
    }
    return ra == 2 && rb == 2 ? "MmBackward0" : "UnsafeViewBackward0";
  }

  /** {@code torch.Size([2, 3])}. */
  public static String torchSize(Type t) {
    return "torch.Size(" + t.dims() + ")";
  }

  /**
   * The backward node PyTorch records for the op of {@code inst}; null for ops whose result never
   * requires grad.
   */
  public static String gradFn(Inst inst) {
    return switch (inst.op()) {
      case ADD -> "AddBackward0";
      case SUB -> "SubBackward0";
      case MUL -> "MulBackward0";
      case DIV -> "DivBackward0";
      case POW -> inst.operand(1) instanceof dev.gradc.ir.Lit ? "PowBackward0" : "PowBackward1";
      case MAXIMUM -> "MaximumBackward0";
      case MINIMUM -> "MinimumBackward0";
      case SIGN -> "SignBackward0";
      case LT, LE, GT, GE, EQ, NE, DETACH, ONE_HOT, NUMEL -> null;
      case WHERE -> "WhereBackward0";
      case CLAMP -> "ClampBackward0";
      case NEG -> "NegBackward0";
      case ABS -> "AbsBackward0";
      case EXP -> "ExpBackward0";
      case EXPM1 -> "Expm1Backward0";
      case LOG -> "LogBackward0";
      case LOG1P -> "Log1PBackward0";
      case SQRT -> "SqrtBackward0";
      case RSQRT -> "RsqrtBackward0";
      case SQUARE -> "PowBackward0";
      case RECIPROCAL -> "ReciprocalBackward0";
      case SIN -> "SinBackward0";
      case COS -> "CosBackward0";
      case TAN -> "TanBackward0";
      case TANH -> "TanhBackward0";
      case SIGMOID -> "SigmoidBackward0";
      case RELU -> "ReluBackward0";
      case SOFTPLUS -> "SoftplusBackward0";
      case ERF -> "ErfBackward0";
      case CAST -> "ToCopyBackward0";
      case SUM -> inst.dimCount() == 0 ? "SumBackward0" : "SumBackward1";
      case MEAN -> inst.dimCount() == 0 ? "MeanBackward0" : "MeanBackward1";
      case AMAX -> "AmaxBackward0";
      case AMIN -> "AminBackward0";
      case LOGSUMEXP -> "LogsumexpBackward0";
      case RESHAPE -> "ViewBackward0";
      case TRANSPOSE -> "TransposeBackward0";
      case PERMUTE -> "PermuteBackward0";
      case UNSQUEEZE -> "UnsqueezeBackward0";
      case SQUEEZE -> "SqueezeBackward1";
      case EXPAND, BROADCAST -> "ExpandBackward0";
      case SUM_TO -> "SumBackward1";
      case MATMUL -> matmulGradFn(inst.operand(0).type().rank(), inst.operand(1).type().rank());
      case SOFTMAX -> "SoftmaxBackward0";
      case LOG_SOFTMAX -> "LogSoftmaxBackward0";
    };
  }
}
