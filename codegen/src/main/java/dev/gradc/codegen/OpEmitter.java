package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Op;
import dev.gradc.ir.ScalarMath;
import dev.gradc.ir.math.MathF64;
import dev.gradc.ir.math.SpecialF64;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Emits the arithmetic of one elementwise op on doubles, the same arithmetic as {@link ScalarMath}:
 * exact JDK operations ({@code abs}, {@code sqrt}, {@code min}, {@code max}) inline, the elementary
 * functions as calls to copies of {@link MathF64}'s methods and the other helpers as copies of
 * {@code ScalarMath}'s, placed in the generated class, so compiled results equal the interpreter's
 * bit for bit.
 */
final class OpEmitter {
  /** Pushes operand {@code k} as a double. */
  interface Operands {
    void push(int k);
  }

  private static final Type MATH = Type.getType(Math.class);
  private static final Type STRICT_MATH = Type.getType(StrictMath.class);
  private static final Type DOUBLE = Type.getType(Double.class);
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

  /** Leaves {@code op(operands)} rounded to {@code result} on the stack. */
  void emit(Op op, DType result, Operands in) {
    switch (op.elementwise()) {
      case ADD -> binary(in, Opcodes.DADD);
      case SUB -> binary(in, Opcodes.DSUB);
      case MUL -> binary(in, Opcodes.DMUL);
      case DIV -> binary(in, Opcodes.DDIV);
      case POW -> binaryLibrary("pow", "D", in);
      case MAXIMUM -> binaryMath(in, "max");
      case MINIMUM -> binaryMath(in, "min");
      case COPYSIGN -> binaryMath(in, "copySign");
      case ATAN2, HYPOT -> {
        in.push(0);
        in.push(1);
        g.invokeStatic(STRICT_MATH, new Method(op.mnemonic(), "(DD)D"));
      }
      // Java's % of doubles is C's fmod
      case FMOD -> binary(in, Opcodes.DREM);
      case REMAINDER, XLOGY, XLOG1PY, LOGADDEXP, LOGADDEXP2 ->
          binaryLibrary(op.mnemonic(), "D", in);
      case POLYGAMMA -> {
        in.push(0);
        in.push(1);
        library.require(SpecialF64.class, op.mnemonic(), "(DD)D");
        g.invokeStatic(owner, new Method(op.mnemonic(), "(DD)D"));
      }
      case LT, LE, GT, GE, EQ, NE -> compare(op.elementwise(), in);
      case WHERE -> select(in, false);
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
      // JDK methods, named as the ops.
      case ABS, SQRT, TAN -> {
        in.push(0);
        math(op.mnemonic(), "(D)D");
      }
      // MathF64's and ScalarMath's methods, named as the ops, copied into the class.
      // exact JDK roundings, named as the ops
      case EXP2 -> {
        g.push(2.0);
        in.push(0);
        g.invokeStatic(STRICT_MATH, new Method("pow", "(DD)D"));
      }
      case FLOOR, CEIL -> {
        in.push(0);
        math(op.mnemonic(), "(D)D");
      }
      case ROUND -> {
        in.push(0);
        math("rint", "(D)D");
      }
      // fdlibm's, the same bits on every machine, named as the ops
      case SINH, COSH, ASIN, ACOS, ATAN, LOG10 -> {
        in.push(0);
        g.invokeStatic(STRICT_MATH, new Method(op.mnemonic(), "(D)D"));
      }
      case EXP, EXPM1, LOG, LOG1P, SIN, COS, TANH, SIGMOID, ERF, ERFC ->
          unaryLibrary(MathF64.class, op, in);
      case SIGN, RELU, SOFTPLUS, ASINH, ACOSH, ATANH, LOG2, TRUNC, SINC ->
          unaryLibrary(ScalarMath.class, op, in);
      case LGAMMA, DIGAMMA, ERFINV -> unaryLibrary(SpecialF64.class, op, in);
      case RSQRT -> {
        g.push(1.0);
        in.push(0);
        math("sqrt", "(D)D");
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
      case DETACH, CAST -> in.push(0);
    }
    if (!op.isComparison()) {
      // A comparison's 0.0 or 1.0 is already every dtype's own value.
      Jvm.round(g, result);
    }
  }

  /**
   * {@code where}: operand 1 where operand 0 (a double) is not zero (NaN included), else operand 2;
   * both are longs when {@code longs}, else doubles. Both values are pushed, and their bits chosen
   * by a mask of all ones or zeros: C2 makes the mask's choice a conditional move, where a branch
   * choosing between doubles stays a branch on the data, mispredicted half the time when the
   * condition is random.
   */
  private void select(Operands in, boolean longs) {
    int mask = selectMask(in);
    in.push(1);
    if (!longs) {
      g.invokeStatic(DOUBLE, new Method("doubleToRawLongBits", "(D)J"));
    }
    g.loadLocal(mask);
    g.visitInsn(Opcodes.LAND);
    in.push(2);
    if (!longs) {
      g.invokeStatic(DOUBLE, new Method("doubleToRawLongBits", "(D)J"));
    }
    g.loadLocal(mask);
    g.push(-1L);
    g.visitInsn(Opcodes.LXOR);
    g.visitInsn(Opcodes.LAND);
    g.visitInsn(Opcodes.LOR);
    if (!longs) {
      g.invokeStatic(DOUBLE, new Method("longBitsToDouble", "(J)D"));
    }
  }

  /**
   * A long local holding {@code -1L} when operand 0 (a double) is not zero (NaN included), else
   * {@code 0L}: where's choice, as a mask for selecting bits.
   */
  int selectMask(Operands in) {
    // bits & MAX is zero only for ±0; (m | -m) >> 63 is then 0, else all ones.
    in.push(0);
    g.invokeStatic(DOUBLE, new Method("doubleToRawLongBits", "(D)J"));
    g.push(Long.MAX_VALUE);
    g.visitInsn(Opcodes.LAND);
    g.visitInsn(Opcodes.DUP2);
    g.visitInsn(Opcodes.LNEG);
    g.visitInsn(Opcodes.LOR);
    g.push(63);
    g.visitInsn(Opcodes.LSHR);
    int mask = g.newLocal(Type.LONG_TYPE);
    g.storeLocal(mask);
    return mask;
  }

  /**
   * Leaves {@code op(operands)} for an op in 64-bit integer arithmetic ({@link
   * ScalarMath#isInteger}), the same arithmetic as {@link ScalarMath#applyLong}: {@code in} pushes
   * i64 operands as longs and others as doubles; the result is a long for i64, else a double.
   */
  void emitInteger(Op op, DType operand, DType result, Operands in) {
    switch (op.integerOp()) {
      case ADD -> binary(in, Opcodes.LADD);
      case SUB -> binary(in, Opcodes.LSUB);
      case MUL -> binary(in, Opcodes.LMUL);
      case POW -> binaryLibrary("powLong", "J", in);
      case MAXIMUM -> longMath(in, "max", 2);
      case MINIMUM -> longMath(in, "min", 2);
      case REMAINDER -> binaryLibrary("remainderLong", "J", in);
      case FMOD -> binaryLibrary("fmodLong", "J", in);
      case CLAMP -> {
        longMath(in, "max", 2);
        in.push(2);
        math("min", "(JJ)J");
      }
      case NEG -> {
        in.push(0);
        g.visitInsn(Opcodes.LNEG);
      }
      case ABS -> longMath(in, "abs", 1);
      case SIGN -> {
        in.push(0);
        g.invokeStatic(Type.getType(Long.class), new Method("signum", "(J)I"));
        g.visitInsn(Opcodes.I2L);
      }
      case SQUARE -> {
        in.push(0);
        g.visitInsn(Opcodes.DUP2);
        g.visitInsn(Opcodes.LMUL);
      }
      case RELU -> {
        in.push(0);
        g.push(0L);
        math("max", "(JJ)J");
      }
      case IDENTITY -> in.push(0);
      // lcmp gives -1, 0 or 1, exact on longs
      case LT, LE, GT, GE, EQ, NE -> compareLongs(op.elementwise(), in);
      case WHERE -> select(in, true);
      case CAST -> {
        in.push(0);
        if (operand != DType.I64) {
          g.visitInsn(Opcodes.D2L);
        } else if (result == DType.F32) {
          // rounded once, from the long, as the interpreter's (float) x
          g.visitInsn(Opcodes.L2F);
          g.visitInsn(Opcodes.F2D);
        } else if (result != DType.I64) {
          g.visitInsn(Opcodes.L2D);
          Jvm.round(g, result);
        }
      }
    }
  }

  private void longMath(Operands in, String name, int arity) {
    for (int k = 0; k < arity; k++) {
      in.push(k);
    }
    math(name, arity == 1 ? "(J)J" : "(JJ)J");
  }

  /**
   * With an accumulator and an element (doubles) on the stack, leaves their combination: how every
   * loop, chunk partial and column partial of a reduction folds.
   */
  void combine(Op.Combine c) {
    switch (c) {
      case ADD -> g.visitInsn(Opcodes.DADD);
      case MUL -> g.visitInsn(Opcodes.DMUL);
      case MAX -> math("max", "(DD)D");
      case MIN -> math("min", "(DD)D");
      case LOG_ADD_EXP ->
          throw new IllegalArgumentException(
              "logsumexp is lowered to amax and sum before planning");
    }
  }

  /** Calls {@link ScalarMath}'s binary {@code name} on two {@code kind}s (D, J), copied in. */
  private void binaryLibrary(String name, String kind, Operands in) {
    in.push(0);
    in.push(1);
    String desc = "(" + kind + kind + ")" + kind;
    library.require(ScalarMath.class, name, desc);
    g.invokeStatic(owner, new Method(name, desc));
  }

  /** Calls {@code cls}'s method named as the op, copied into the class. */
  private void unaryLibrary(Class<?> cls, Op op, Operands in) {
    in.push(0);
    library.require(cls, op.mnemonic(), "(D)D");
    g.invokeStatic(owner, new Method(op.mnemonic(), "(D)D"));
  }

  private void binary(Operands in, int opcode) {
    in.push(0);
    in.push(1);
    g.visitInsn(opcode);
  }

  private void binaryMath(Operands in, String name) {
    in.push(0);
    in.push(1);
    math(name, "(DD)D");
  }

  /** 1.0 or 0.0: {@code op} of operands 0 and 1 as longs, as {@link #compare} (gt, ge swapped). */
  private void compareLongs(Op.Elementwise op, Operands in) {
    boolean swap = op == Op.Elementwise.GT || op == Op.Elementwise.GE;
    comparison(op, in, "J", swap, "lt", "le");
  }

  /**
   * 1.0 or 0.0: {@code op} of operands 0 and 1 as doubles, by {@link ScalarMath}'s comparisons
   * without a branch ({@code lt} and {@code le} as {@code gt} and {@code ge} of the operands
   * swapped). A branch on the data would be compiled for the way it went while C2 profiled it, and
   * deoptimized the first time it goes the other way.
   */
  void compare(Op.Elementwise op, Operands in) {
    boolean swap = op == Op.Elementwise.LT || op == Op.Elementwise.LE;
    comparison(op, in, "D", swap, "gt", "ge");
  }

  /**
   * Calls ScalarMath's comparison of two operands of {@code kind} ("D" or "J"), pushed in swapped
   * order when {@code swap}: {@code strict} for lt and gt, {@code loose} for le and ge.
   */
  private void comparison(
      Op.Elementwise op, Operands in, String kind, boolean swap, String strict, String loose) {
    in.push(swap ? 1 : 0);
    in.push(swap ? 0 : 1);
    String name =
        switch (op) {
          case LT, GT -> strict;
          case LE, GE -> loose;
          case EQ -> "eq";
          case NE -> "ne";
          default -> throw new IllegalArgumentException(op + " is not a comparison");
        };
    String desc = "(" + kind + kind + ")D";
    library.require(ScalarMath.class, name, desc);
    g.invokeStatic(owner, new Method(name, desc));
  }
}
