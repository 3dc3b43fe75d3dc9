package dev.gradc.frontend.lang;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Lit;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Value;
import java.util.List;

/**
 * What a {@code .grad} expression evaluates to while the program is parsed: a tensor (an IR value),
 * a Python number, a list or tuple, {@code None}, a function (possibly bound to a tensor as a
 * method), or a module namespace such as {@code torch}.
 */
sealed interface Val permits Val.Tensor, Val.Num, Val.Seq, Val.Nothing, Val.Function, Val.Module {

  /** The Python type name used in messages: {@code Tensor}, {@code int}, {@code list}, ... */
  String typeName();

  /** A tensor: an IR value of the function being built. */
  record Tensor(Value value) implements Val {
    @Override
    public String typeName() {
      return "Tensor";
    }
  }

  /** A Python {@code int}, {@code float} or {@code bool}; ints are exact 64-bit integers. */
  record Num(NumKind kind, long i, double d) implements Val {
    enum NumKind {
      INT,
      FLOAT,
      BOOL
    }

    static Num ofInt(long v) {
      return new Num(NumKind.INT, v, 0);
    }

    static Num ofFloat(double v) {
      return new Num(NumKind.FLOAT, 0, v);
    }

    static Num ofBool(boolean v) {
      return new Num(NumKind.BOOL, v ? 1 : 0, 0);
    }

    /** True for {@code int} and {@code bool}, which Python computes with exactly. */
    boolean integral() {
      return kind != NumKind.FLOAT;
    }

    double asDouble() {
      return integral() ? i : d;
    }

    /**
     * The number as a weak-scalar literal: it takes the dtype of the tensors it meets, as a Python
     * number does in PyTorch.
     */
    Lit lit() {
      double v = (double) i;
      if (integral() && (v == 0x1p63 || (long) v != i)) {
        // Literals are stored as doubles: refuse rather than round.
        throw new GradcException("the integer " + i + " is too large to use with a tensor");
      }
      return switch (kind) {
        case INT -> Builder.lit(v, DType.I64);
        case FLOAT -> Builder.lit(d, DType.F64);
        case BOOL -> Builder.lit(v, DType.BOOL);
      };
    }

    @Override
    public String typeName() {
      return switch (kind) {
        case INT -> "int";
        case FLOAT -> "float";
        case BOOL -> "bool";
      };
    }
  }

  /** A list {@code [a, b]} or tuple {@code (a, b)}, with the position of each item. */
  record Seq(List<Located> items, boolean tuple) implements Val {
    @Override
    public String typeName() {
      return tuple ? "tuple" : "list";
    }
  }

  /** Python's {@code None}. */
  record Nothing() implements Val {
    @Override
    public String typeName() {
      return "NoneType";
    }
  }

  /** A built-in function; {@code self} is the tensor of a method form ({@code x.sum}), or null. */
  record Function(Builtin builtin, Located self) implements Val {
    @Override
    public String typeName() {
      return "function";
    }
  }

  /** A namespace that holds the built-in functions: {@code torch}, {@code F}, ... */
  record Module(String name) implements Val {
    @Override
    public String typeName() {
      return "module";
    }
  }

  /** A value with the source position of the expression that produced it. */
  record Located(Val val, SourcePos pos) {}
}
