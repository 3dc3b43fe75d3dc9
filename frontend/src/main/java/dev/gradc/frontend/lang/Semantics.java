package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Val.Num;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;

/**
 * The meaning of operators: between two Python numbers they compute as Python does (exact ints,
 * true division, errors for division by zero); with a tensor on either side they build IR through
 * the {@link Builder}, which gives PyTorch's promotion and broadcasting. Errors are unpositioned;
 * the parser places them at the operator.
 */
final class Semantics {
  private Semantics() {}

  /** The source symbol of an operator, for messages. */
  static String symbol(Op op) {
    return switch (op) {
      case ADD -> "+";
      case SUB -> "-";
      case MUL -> "*";
      case DIV -> "/";
      case POW -> "**";
      case MATMUL -> "@";
      case LT -> "<";
      case LE -> "<=";
      case GT -> ">";
      case GE -> ">=";
      case EQ -> "==";
      case NE -> "!=";
      default -> op.mnemonic();
    };
  }

  /** {@code x OP y} for an arithmetic or comparison operator. */
  static Val binary(Builder b, Op op, Val x, Val y) {
    if (x instanceof Num a && y instanceof Num c) {
      return numbers(op, a, c);
    }
    if (!isOperand(x) || !isOperand(y) || (op == Op.MATMUL && !(x instanceof Val.Tensor))) {
      throw new GradcException(
          "unsupported operand types for "
              + symbol(op)
              + ": '"
              + x.typeName()
              + "' and '"
              + y.typeName()
              + "'");
    }
    Value l = value(x);
    Value r = value(y);
    if (op == Op.MATMUL) {
      if (!(y instanceof Val.Tensor)) {
        throw new GradcException(
            "unsupported operand types for @: 'Tensor' and '" + y.typeName() + "'");
      }
      return new Val.Tensor(matmul(b, l, r));
    }
    return new Val.Tensor(tensors(b, op, l, r));
  }

  private static boolean isOperand(Val v) {
    return v instanceof Val.Tensor || v instanceof Num;
  }

  private static Value value(Val v) {
    return v instanceof Num n ? n.lit() : ((Val.Tensor) v).value();
  }

  /** An elementwise binary op on IR values, at least one a tensor. */
  static Value tensors(Builder b, Op op, Value x, Value y) {
    if (op == Op.POW && !Builder.promote(x, y).isFloat()) {
      throw new GradcException(
          "integer powers are not supported (got "
              + x.type()
              + " ** "
              + y.type()
              + "); make one side floating point, e.g. x.double() or 2.0");
    }
    return b.binary(op, x, y);
  }

  /** {@code x @ y}: both operands floating point of one dtype, as PyTorch requires. */
  static Value matmul(Builder b, Value x, Value y) {
    DType dx = x.type().dtype();
    DType dy = y.type().dtype();
    if (!dx.isFloat() || !dy.isFloat()) {
      throw new GradcException(
          "matmul needs floating-point tensors, got "
              + x.type()
              + " and "
              + y.type()
              + "; convert them with .double() or .float()");
    }
    if (dx != dy) {
      throw new GradcException(
          "expected both matmul operands to have the same dtype, but got "
              + dx.mnemonic()
              + " and "
              + dy.mnemonic());
    }
    return b.matmul(x, y);
  }

  /** Unary minus. */
  static Val negate(Builder b, Val x) {
    if (x instanceof Num n) {
      return n.kind() == Num.NumKind.FLOAT ? Num.ofFloat(-n.d()) : Num.ofInt(negateExact(n.i()));
    }
    if (!(x instanceof Val.Tensor t)) {
      throw new GradcException("bad operand type for unary -: '" + x.typeName() + "'");
    }
    return new Val.Tensor(b.neg(t.value()));
  }

  private static long negateExact(long v) {
    try {
      return Math.negateExact(v);
    } catch (ArithmeticException e) {
      throw overflow();
    }
  }

  /** {@code a OP b} on two Python numbers, with Python's result types. */
  static Num numbers(Op op, Num a, Num b) {
    boolean ints = a.integral() && b.integral();
    double x = a.asDouble();
    double y = b.asDouble();
    try {
      switch (op) {
        case ADD -> {
          return ints ? Num.ofInt(Math.addExact(a.i(), b.i())) : Num.ofFloat(x + y);
        }
        case SUB -> {
          return ints ? Num.ofInt(Math.subtractExact(a.i(), b.i())) : Num.ofFloat(x - y);
        }
        case MUL -> {
          return ints ? Num.ofInt(Math.multiplyExact(a.i(), b.i())) : Num.ofFloat(x * y);
        }
        case DIV -> {
          if (y == 0) {
            throw new GradcException("division by zero");
          }
          return Num.ofFloat(x / y);
        }
        case POW -> {
          return power(a, b, ints);
        }
        case LT -> {
          return Num.ofBool(ints ? a.i() < b.i() : x < y);
        }
        case LE -> {
          return Num.ofBool(ints ? a.i() <= b.i() : x <= y);
        }
        case GT -> {
          return Num.ofBool(ints ? a.i() > b.i() : x > y);
        }
        case GE -> {
          return Num.ofBool(ints ? a.i() >= b.i() : x >= y);
        }
        case EQ -> {
          return Num.ofBool(ints ? a.i() == b.i() : x == y);
        }
        case NE -> {
          return Num.ofBool(ints ? a.i() != b.i() : x != y);
        }
        default -> throw new GradcException("unsupported operand types for " + symbol(op));
      }
    } catch (ArithmeticException e) {
      throw overflow();
    }
  }

  private static Num power(Num a, Num b, boolean ints) {
    double x = a.asDouble();
    double y = b.asDouble();
    if (x == 0 && y < 0) {
      throw new GradcException("0.0 cannot be raised to a negative power");
    }
    if (ints && b.i() >= 0) {
      long base = a.i();
      long e = b.i();
      if (base == 0 || base == 1) {
        return Num.ofInt(e == 0 ? 1 : base);
      }
      if (base == -1) {
        return Num.ofInt(e % 2 == 0 ? 1 : -1);
      }
      long r = 1;
      for (long k = 0; k < e; k++) {
        r = Math.multiplyExact(r, base); // |base| >= 2 overflows within 64 steps
      }
      return Num.ofInt(r);
    }
    if (x < 0 && y != Math.rint(y)) {
      throw new GradcException("a negative number raised to a fractional power is complex");
    }
    return Num.ofFloat(Math.pow(x, y));
  }

  private static GradcException overflow() {
    return new GradcException("integer overflow: the result does not fit in 64 bits");
  }
}
