package dev.gradc.codegen;

import dev.gradc.ir.Op;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * How a reduction folds an element into its accumulator, and the accumulator's start value. Every
 * place that accumulates (kernels, chunk partials, column partials) emits it through {@link #emit},
 * so a reduction combines the same way wherever its partial sums meet.
 */
enum Combine {
  ADD(0.0),
  MAX(Double.NEGATIVE_INFINITY),
  MIN(Double.POSITIVE_INFINITY);

  private static final Type MATH = Type.getType(Math.class);

  /** The accumulator's start value: {@code combine(identity, x) == x}. */
  final double identity;

  Combine(double identity) {
    this.identity = identity;
  }

  /**
   * The combine of a reduction member. Ops that loops do not reduce are an error: {@code
   * logsumexp}, {@code softmax} and {@code log_softmax} are lowered before planning.
   */
  static Combine of(Op op) {
    return switch (op) {
      case SUM, MEAN, SUM_TO -> ADD;
      case AMAX -> MAX;
      case AMIN -> MIN;
      case LOGSUMEXP,
          ADD,
          SUB,
          MUL,
          DIV,
          POW,
          MAXIMUM,
          MINIMUM,
          LT,
          LE,
          GT,
          GE,
          EQ,
          NE,
          WHERE,
          CLAMP,
          NEG,
          ABS,
          SIGN,
          EXP,
          EXPM1,
          LOG,
          LOG1P,
          SQRT,
          RSQRT,
          SQUARE,
          RECIPROCAL,
          SIN,
          COS,
          TAN,
          TANH,
          SIGMOID,
          RELU,
          SOFTPLUS,
          ERF,
          DETACH,
          CAST,
          RESHAPE,
          TRANSPOSE,
          PERMUTE,
          UNSQUEEZE,
          SQUEEZE,
          EXPAND,
          BROADCAST,
          MATMUL,
          SOFTMAX,
          LOG_SOFTMAX,
          ONE_HOT,
          NUMEL ->
          throw new IllegalArgumentException(op.mnemonic() + " is not a loop reduction");
    };
  }

  /** With the accumulator and an element (doubles) on the stack, leaves their combination. */
  void emit(GeneratorAdapter g) {
    switch (this) {
      case ADD -> g.visitInsn(Opcodes.DADD);
      case MAX -> g.invokeStatic(MATH, new Method("max", "(DD)D"));
      case MIN -> g.invokeStatic(MATH, new Method("min", "(DD)D"));
    }
  }
}
