package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Op;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Emits the arithmetic of one elementwise op on doubles, the same arithmetic as {@link
 * dev.gradc.ir.ScalarMath}: JDK intrinsics inline, and the helpers that are not intrinsics ({@code
 * erf}, {@code sigmoid}, ...) as calls to copies of {@code ScalarMath}'s own methods placed in the
 * generated class, so compiled results equal the interpreter's bit for bit.
 */
final class OpEmitter {
  /** Pushes operand {@code k} as a double. */
  interface Operands {
    void push(int k);
  }

  private static final Type MATH = Type.getType(Math.class);
  private final GeneratorAdapter g;
  private final Type owner;
  private final LibraryCopier library;

  OpEmitter(GeneratorAdapter g, Type owner, LibraryCopier library) {
    this.g = g;
    this.owner = owner;
    this.library = library;
  }

  private void math(String name, String desc) {
    g.invokeStatic(MATH, new Method(name, desc));
  }

  private void helper(String name) {
    library.requireScalarMath(name);
    g.invokeStatic(owner, new Method(name, "(D)D"));
  }

  /** Leaves {@code op(operands)} rounded to {@code result} on the stack. */
  void emit(Op op, DType result, Operands in) {
    switch (op) {
      case ADD, SUB, MUL, DIV -> {
        in.push(0);
        in.push(1);
        g.visitInsn(
            switch (op) {
              case ADD -> Opcodes.DADD;
              case SUB -> Opcodes.DSUB;
              case MUL -> Opcodes.DMUL;
              default -> Opcodes.DDIV;
            });
      }
      case POW -> {
        in.push(0);
        in.push(1);
        library.require(dev.gradc.ir.ScalarMath.class, "pow", "(DD)D");
        g.invokeStatic(owner, new Method("pow", "(DD)D"));
      }
      case MAXIMUM -> binaryMath(in, "max");
      case MINIMUM -> binaryMath(in, "min");
      case LT, LE, GT, GE, EQ, NE -> compare(op, in);
      case WHERE -> {
        Label otherwise = new Label();
        Label done = new Label();
        in.push(0);
        g.push(0.0);
        g.visitInsn(Opcodes.DCMPL);
        g.visitJumpInsn(Opcodes.IFEQ, otherwise);
        in.push(1);
        g.goTo(done);
        g.mark(otherwise);
        in.push(2);
        g.mark(done);
      }
      case CLAMP -> {
        in.push(0);
        in.push(1);
        math("max", "(DD)D");
        in.push(2);
        math("min", "(DD)D");
      }
      case NEG -> {
        in.push(0);
        g.visitInsn(Opcodes.DNEG);
      }
      case ABS -> unaryMath(in, "abs");
      case EXP -> unaryMath(in, "exp");
      case EXPM1 -> unaryHelper(in, "expm1");
      case LOG -> unaryMath(in, "log");
      case LOG1P -> unaryHelper(in, "log1p");
      case SQRT -> unaryMath(in, "sqrt");
      case SIN -> unaryMath(in, "sin");
      case COS -> unaryMath(in, "cos");
      case TAN -> unaryMath(in, "tan");
      case TANH -> unaryMath(in, "tanh");
      case RSQRT -> {
        g.push(1.0);
        unaryMath(in, "sqrt");
        g.visitInsn(Opcodes.DDIV);
      }
      case RECIPROCAL -> {
        g.push(1.0);
        in.push(0);
        g.visitInsn(Opcodes.DDIV);
      }
      case SQUARE -> {
        in.push(0);
        g.visitInsn(Opcodes.DUP2);
        g.visitInsn(Opcodes.DMUL);
      }
      case SIGN -> unaryHelper(in, "sign");
      case SIGMOID -> unaryHelper(in, "sigmoid");
      case RELU -> unaryHelper(in, "relu");
      case SOFTPLUS -> unaryHelper(in, "softplus");
      case ERF -> unaryHelper(in, "erf");
      case DETACH, CAST -> in.push(0);
      case SUM,
          MEAN,
          AMAX,
          AMIN,
          LOGSUMEXP,
          RESHAPE,
          TRANSPOSE,
          PERMUTE,
          UNSQUEEZE,
          SQUEEZE,
          EXPAND,
          BROADCAST,
          SUM_TO,
          MATMUL,
          SOFTMAX,
          LOG_SOFTMAX,
          ONE_HOT,
          NUMEL ->
          throw new IllegalArgumentException(op.mnemonic() + " is not elementwise");
    }
    Jvm.round(g, result);
  }

  private void unaryMath(Operands in, String name) {
    in.push(0);
    math(name, "(D)D");
  }

  private void unaryHelper(Operands in, String name) {
    in.push(0);
    helper(name);
  }

  private void binaryMath(Operands in, String name) {
    in.push(0);
    in.push(1);
    math(name, "(DD)D");
  }

  /** 1.0 or 0.0; comparisons with NaN are false except {@code ne}, as in Java and PyTorch. */
  private void compare(Op op, Operands in) {
    in.push(0);
    in.push(1);
    // dcmpg gives 1 for NaN, so lt/le are false; dcmpl gives -1, so gt/ge/eq are false.
    boolean nanIsGreater = op == Op.LT || op == Op.LE;
    g.visitInsn(nanIsGreater ? Opcodes.DCMPG : Opcodes.DCMPL);
    int jump =
        switch (op) {
          case LT -> Opcodes.IFLT;
          case LE -> Opcodes.IFLE;
          case GT -> Opcodes.IFGT;
          case GE -> Opcodes.IFGE;
          case EQ -> Opcodes.IFEQ;
          default -> Opcodes.IFNE;
        };
    Label yes = new Label();
    Label done = new Label();
    g.visitJumpInsn(jump, yes);
    g.push(0.0);
    g.goTo(done);
    g.mark(yes);
    g.push(1.0);
    g.mark(done);
  }
}
