package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Val.Num;
import dev.gradc.frontend.lang.Val.Sym;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;

/**
 * The meaning of operators: between two Python numbers they compute as Python does (exact ints,
 * true and floor division, errors for division by zero); with a tensor on either side they build IR
 * through the {@link Builder}, which gives PyTorch's promotion and broadcasting. A number known
 * only when the program runs ({@link Sym}) computes in the IR and meets tensors as the Python
 * number it stands for would. Errors are unpositioned; the parser places them at the operator.
 */
final class Semantics {
  private Semantics() {}

  /** A binary operator of the language; {@code op} is its IR op on tensors, if it has one. */
  enum Operator {
    ADD("+", Op.ADD),
    SUB("-", Op.SUB),
    MUL("*", Op.MUL),
    DIV("/", Op.DIV),
    FLOORDIV("//", null),
    /** Python's modulo; on tensors PyTorch's {@code remainder}. */
    MOD("%", Op.REMAINDER),
    POW("**", Op.POW),
    MATMUL("@", Op.MATMUL),
    AND("&", null),
    OR("|", null),
    XOR("^", null),
    LSHIFT("<<", null),
    RSHIFT(">>", null),
    LT("<", Op.LT),
    LE("<=", Op.LE),
    GT(">", Op.GT),
    GE(">=", Op.GE),
    EQ("==", Op.EQ),
    NE("!=", Op.NE);

    final String symbol;
    final Op op;

    Operator(String symbol, Op op) {
      this.symbol = symbol;
      this.op = op;
    }

    /** The operator written {@code s}, or null. */
    static Operator bySymbol(String s) {
      for (Operator o : values()) {
        if (o.symbol.equals(s)) {
          return o;
        }
      }
      return null;
    }

    boolean comparison() {
      return op != null && op.isComparison();
    }
  }

  /** {@code x OP y}. */
  static Val binary(Builder b, Operator op, Val x, Val y) {
    if (x instanceof Num a && y instanceof Num c) {
      return numbers(op, a, c);
    }
    if (!isOperand(x) || !isOperand(y) || (op == Operator.MATMUL && !(x instanceof Val.Tensor))) {
      throw unsupported(op, x, y);
    }
    if (!(x instanceof Val.Tensor) && !(y instanceof Val.Tensor)) {
      return symbolic(b, op, x, y);
    }
    if (op == Operator.MATMUL) {
      if (!(y instanceof Val.Tensor yt)) {
        throw unsupported(op, x, y);
      }
      return new Val.Tensor(matmul(b, ((Val.Tensor) x).value(), yt.value()));
    }
    Value l = operand(b, x, y);
    Value r = operand(b, y, x);
    return switch (op) {
      case AND, OR, XOR -> new Val.Tensor(logical(b, op, l, r));
      case FLOORDIV, LSHIFT, RSHIFT ->
          throw new GradcException("the '" + op.symbol + "' operator on tensors is not supported");
      case ADD, SUB, MUL, DIV, MOD, POW, MATMUL, LT, LE, GT, GE, EQ, NE ->
          new Val.Tensor(tensors(b, op.op, l, r));
    };
  }

  private static GradcException unsupported(Operator op, Val x, Val y) {
    return new GradcException(
        "unsupported operand types for "
            + op.symbol
            + ": '"
            + x.typeName()
            + "' and '"
            + y.typeName()
            + "'");
  }

  private static boolean isOperand(Val v) {
    return v instanceof Val.Tensor || v instanceof Num || v instanceof Sym;
  }

  /**
   * {@code v} as an IR operand beside {@code other}: a number becomes a weak literal; a number
   * known only at run time is cast to the dtype a Python number of its kind would compute in.
   */
  private static Value operand(Builder b, Val v, Val other) {
    if (v instanceof Num n) {
      return n.lit();
    }
    if (v instanceof Sym s) {
      Value t = ((Val.Tensor) other).value();
      DType d = Builder.promote(t, Builder.lit(0, s.integral() ? DType.I64 : DType.F64));
      return b.cast(value(b, s), d);
    }
    return ((Val.Tensor) v).value();
  }

  /** The IR value of a run-time number: a scalar f64 (exact for every int a size can be). */
  static Value value(Builder b, Sym s) {
    return s.value() != null ? s.value() : b.numel(s.source(), new int[] {s.axis()}, DType.F64);
  }

  /** {@code +}, {@code -}, {@code *}, {@code /} with a run-time number and no tensor. */
  private static Val symbolic(Builder b, Operator op, Val x, Val y) {
    boolean ints = integral(x) && integral(y);
    Dim dim = null;
    if (op == Operator.MUL && ints) {
      dim = product(x, y);
    }
    switch (op) {
      case ADD, SUB, MUL -> {
        return new Sym(
            ints, dim, null, 0, b.binary(op.op, scalar(b, x, DType.F64), scalar(b, y, DType.F64)));
      }
      case DIV -> {
        if (y instanceof Num n && n.asDouble() == 0) {
          throw new GradcException("division by zero");
        }
        return new Sym(
            false, null, null, 0, b.div(scalar(b, x, DType.F64), scalar(b, y, DType.F64)));
      }
      case LT, LE, GT, GE, EQ, NE -> {
        if (x instanceof Sym a
            && y instanceof Sym c
            && a.dim() != null
            && a.dim().equals(c.dim())) {
          // The same dim: equal whatever its size.
          return Num.ofBool(op == Operator.EQ || op == Operator.LE || op == Operator.GE);
        }
        throw new GradcException(
            "'"
                + op.symbol
                + "' compares "
                + describe(x, y)
                + ", known only when the program runs; comparisons of sizes need static dims");
      }
      case FLOORDIV, MOD, POW, MATMUL, AND, OR, XOR, LSHIFT, RSHIFT ->
          throw new GradcException(
              "the '"
                  + op.symbol
                  + "' operator needs numbers known when compiling, but one operand is "
                  + describe(x, y)
                  + ", known only when the program runs");
    }
    throw new AssertionError(op);
  }

  private static String describe(Val x, Val y) {
    return (x instanceof Sym s ? s : (Sym) y).describe();
  }

  private static boolean integral(Val v) {
    return v instanceof Num n ? n.integral() : ((Sym) v).integral();
  }

  private static Dim product(Val x, Val y) {
    if (x instanceof Sym s && s.dim() != null && y instanceof Num n && n.i() == (int) n.i()) {
      return n.i() > 0 ? s.dim().times((int) n.i()) : null;
    }
    if (y instanceof Sym s && s.dim() != null && x instanceof Num n && n.i() == (int) n.i()) {
      return n.i() > 0 ? s.dim().times((int) n.i()) : null;
    }
    return null;
  }

  private static Value scalar(Builder b, Val v, DType d) {
    if (v instanceof Num n) {
      return Builder.lit(n.asDouble(), d);
    }
    return b.cast(value(b, (Sym) v), d);
  }

  /** {@code &}, {@code |}, {@code ^} on bool tensors (PyTorch's logical meaning for bool). */
  private static Value logical(Builder b, Operator op, Value x, Value y) {
    if (x.type().dtype() != DType.BOOL || y.type().dtype() != DType.BOOL) {
      throw new GradcException(
          "'"
              + op.symbol
              + "' on tensors needs bool tensors (masks), got "
              + x.type()
              + " and "
              + y.type()
              + "; bitwise operations on numbers are not supported");
    }
    Value no = Builder.lit(0, DType.BOOL);
    Value yes = Builder.lit(1, DType.BOOL);
    return switch (op) {
      case AND -> b.where(x, y, no);
      case OR -> b.where(x, yes, y);
      default -> b.binary(Op.NE, x, y);
    };
  }

  /** An elementwise binary op on IR values, at least one a tensor. */
  static Value tensors(Builder b, Op op, Value x, Value y) {
    // An integer power is exact 64-bit integer arithmetic, as PyTorch's int64; a negative literal
    // exponent is PyTorch's error.
    if (op == Op.POW && !Builder.promote(x, y).isFloat() && y instanceof Lit l && l.value() < 0) {
      throw new GradcException("Integers to negative integer powers are not allowed.");
    }
    return b.binary(op, x, y);
  }

  /**
   * {@code x @ y}: both operands of one dtype, floating point or i64 (exact, wrapping), as PyTorch
   * requires; PyTorch has no bool product.
   */
  static Value matmul(Builder b, Value x, Value y) {
    DType dx = x.type().dtype();
    DType dy = y.type().dtype();
    if (dx == DType.BOOL || dy == DType.BOOL) {
      throw new GradcException(
          "matmul needs numeric tensors, got "
              + x.type()
              + " and "
              + y.type()
              + "; convert them with .long(), .double() or .float()");
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
    if (x instanceof Sym s) {
      return new Sym(s.integral(), null, null, 0, b.neg(value(b, s)));
    }
    if (!(x instanceof Val.Tensor t)) {
      throw new GradcException("bad operand type for unary -: '" + x.typeName() + "'");
    }
    return new Val.Tensor(b.neg(t.value()));
  }

  /** {@code ~x}: bitwise not of an int, logical not of a bool tensor. */
  static Val invert(Builder b, Val x) {
    if (x instanceof Num n && n.integral()) {
      return Num.ofInt(~n.i());
    }
    if (x instanceof Val.Tensor t) {
      if (t.value().type().dtype() != DType.BOOL) {
        throw new GradcException(
            "'~' on tensors needs a bool tensor (a mask), got "
                + t.value().type()
                + "; bitwise operations on numbers are not supported");
      }
      return new Val.Tensor(b.binary(Op.EQ, t.value(), Builder.lit(0, DType.BOOL)));
    }
    throw new GradcException("bad operand type for unary ~: '" + x.typeName() + "'");
  }

  private static long negateExact(long v) {
    try {
      return Math.negateExact(v);
    } catch (ArithmeticException e) {
      throw overflow();
    }
  }

  /** {@code a OP b} on two Python numbers, with Python's result types. */
  static Num numbers(Operator op, Num a, Num b) {
    boolean ints = a.integral() && b.integral();
    boolean bools = a.kind() == Num.NumKind.BOOL && b.kind() == Num.NumKind.BOOL;
    double x = a.asDouble();
    double y = b.asDouble();
    try {
      return switch (op) {
        case ADD -> ints ? Num.ofInt(Math.addExact(a.i(), b.i())) : Num.ofFloat(x + y);
        case SUB -> ints ? Num.ofInt(Math.subtractExact(a.i(), b.i())) : Num.ofFloat(x - y);
        case MUL -> ints ? Num.ofInt(Math.multiplyExact(a.i(), b.i())) : Num.ofFloat(x * y);
        case DIV -> {
          if (y == 0) {
            throw new GradcException("division by zero");
          }
          yield Num.ofFloat(x / y);
        }
        case FLOORDIV, MOD -> floorDivMod(op, a, b, ints);
        case POW -> power(a, b, ints);
        case AND, OR, XOR -> {
          if (!ints) {
            throw unsupported(op, a, b);
          }
          long r =
              op == Operator.AND
                  ? a.i() & b.i()
                  : op == Operator.OR ? a.i() | b.i() : a.i() ^ b.i();
          yield bools ? Num.ofBool(r != 0) : Num.ofInt(r);
        }
        case LSHIFT, RSHIFT -> shift(op, a, b, ints);
        case MATMUL -> throw unsupported(op, a, b);
        case LT -> Num.ofBool(ints ? a.i() < b.i() : x < y);
        case LE -> Num.ofBool(ints ? a.i() <= b.i() : x <= y);
        case GT -> Num.ofBool(ints ? a.i() > b.i() : x > y);
        case GE -> Num.ofBool(ints ? a.i() >= b.i() : x >= y);
        case EQ -> Num.ofBool(ints ? a.i() == b.i() : x == y);
        case NE -> Num.ofBool(ints ? a.i() != b.i() : x != y);
      };
    } catch (ArithmeticException e) {
      throw overflow();
    }
  }

  /** Python's {@code //} and {@code %}: the quotient rounds down, the remainder has y's sign. */
  private static Num floorDivMod(Operator op, Num a, Num b, boolean ints) {
    if (ints) {
      if (b.i() == 0) {
        throw new GradcException("integer division or modulo by zero");
      }
      if (op == Operator.FLOORDIV && a.i() == Long.MIN_VALUE && b.i() == -1) {
        throw overflow();
      }
      return Num.ofInt(
          op == Operator.FLOORDIV ? Math.floorDiv(a.i(), b.i()) : Math.floorMod(a.i(), b.i()));
    }
    double x = a.asDouble();
    double y = b.asDouble();
    if (y == 0) {
      throw new GradcException(
          op == Operator.FLOORDIV ? "float floor division by zero" : "float modulo");
    }
    // CPython's float_divmod, so that results agree to the last bit.
    double mod = x % y;
    double div = (x - mod) / y;
    if (mod != 0) {
      if ((y < 0) != (mod < 0)) {
        mod += y;
        div -= 1.0;
      }
    } else {
      mod = Math.copySign(0.0, y);
    }
    double floordiv;
    if (div != 0) {
      floordiv = Math.floor(div);
      if (div - floordiv > 0.5) {
        floordiv += 1.0;
      }
    } else {
      floordiv = Math.copySign(0.0, x / y);
    }
    return Num.ofFloat(op == Operator.FLOORDIV ? floordiv : mod);
  }

  private static Num shift(Operator op, Num a, Num b, boolean ints) {
    if (!ints) {
      throw unsupported(op, a, b);
    }
    if (b.i() < 0) {
      throw new GradcException("negative shift count");
    }
    if (op == Operator.RSHIFT) {
      return Num.ofInt(b.i() >= 64 ? (a.i() < 0 ? -1 : 0) : a.i() >> b.i());
    }
    if (a.i() == 0) {
      return Num.ofInt(0);
    }
    long r = a.i();
    for (long k = 0; k < b.i(); k++) {
      r = Math.multiplyExact(r, 2); // overflows within 64 steps
    }
    return Num.ofInt(r);
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
