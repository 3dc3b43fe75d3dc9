package dev.gradc.frontend.lang;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Lit;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Value;
import java.util.List;

/**
 * What a {@code .grad} expression evaluates to while the program is parsed: a tensor (an IR value),
 * a Python number (known when compiling, or a {@link Sym} known only when the program runs), a
 * string, a list, tuple or range, {@code None}, a function (built-in, possibly bound to a tensor as
 * a method; Python's own; or a {@code def}), a dtype, or a module namespace such as {@code torch}.
 * Code that is parsed but not run (a branch not taken) evaluates to {@link Unknown}.
 */
sealed interface Val
    permits Val.Tensor,
        Val.Num,
        Val.Sym,
        Val.Str,
        Val.Seq,
        Val.Range,
        Val.Nothing,
        Val.Function,
        Val.PyFunction,
        Val.UserFunction,
        Val.Transform,
        Val.Transformed,
        Val.Pullback,
        Val.Dtype,
        Val.Module,
        Val.Unknown {

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

    /** Whether {@link #asDouble} is exact: every float, and ints of at most 53 significant bits. */
    boolean exact() {
      double v = (double) i;
      return !integral() || (v != 0x1p63 && (long) v == i);
    }

    /** The error for an int that a tensor's literal or constant element cannot hold exactly. */
    GradcException tooLarge() {
      return new GradcException("the integer " + i + " is too large to use with a tensor");
    }

    /**
     * The number as a weak-scalar literal: it takes the dtype of the tensors it meets, as a Python
     * number does in PyTorch.
     */
    Lit lit() {
      double v = (double) i;
      if (!exact()) {
        // Literals are stored as doubles: refuse rather than round.
        throw tooLarge();
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

  /**
   * A Python {@code int} or {@code float} whose value is known only when the program runs: a
   * symbolic dim such as {@code N}, or arithmetic on one. {@code dim} is set when the number is a
   * dim (so it can size a shape); the IR value, a scalar {@code i64} or {@code f64}, is made from
   * {@code source} and {@code axis} ({@code numel} of that axis) when {@code value} is null.
   */
  record Sym(boolean integral, Dim dim, Value source, int axis, Value value) implements Val {
    @Override
    public String typeName() {
      return integral ? "int" : "float";
    }

    /** How the number reads in messages: its dim ({@code N}) or "a size". */
    String describe() {
      return dim != null ? "the size " + dim : "a number computed from sizes";
    }
  }

  /** A Python string. */
  record Str(String s) implements Val {
    @Override
    public String typeName() {
      return "str";
    }
  }

  /** Python's {@code range(start, stop, step)}. */
  record Range(long start, long stop, long step) implements Val {
    /** The number of items; {@link Long#MAX_VALUE} when that does not fit a long. */
    long length() {
      try {
        if (step > 0) {
          return start >= stop ? 0 : Math.addExact(Math.subtractExact(stop, start + 1) / step, 1);
        }
        return start <= stop
            ? 0
            : Math.addExact(Math.subtractExact(start, stop + 1) / Math.negateExact(step), 1);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }

    @Override
    public String typeName() {
      return "range";
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

  /** One of Python's built-in functions ({@code len}, {@code range}, {@code float}, ...). */
  record PyFunction(String name) implements Val {
    @Override
    public String typeName() {
      return "builtin_function_or_method";
    }
  }

  /**
   * A function defined with {@code def}: calls inline its body, which starts at token {@code
   * bodyStart}. {@code defaults} holds the value of each parameter's default, or null.
   */
  record UserFunction(
      String name, List<String> params, List<Val> defaults, int bodyStart, SourcePos pos)
      implements Val {
    @Override
    public String typeName() {
      return "function";
    }
  }

  /** One of torch.func's transforms, {@code grad} or {@code vmap} ({@link FuncTransforms}). */
  record Transform(String name) implements Val {
    @Override
    public String typeName() {
      return "function";
    }
  }

  /** A def with transforms applied, the outermost first: {@code vmap(grad(f))}. */
  record Transformed(UserFunction def, List<FuncTransforms.Step> steps) implements Val {
    @Override
    public String typeName() {
      return "function";
    }
  }

  /**
   * The function {@code vjp(f, *primals)} returns: {@code back} is the vjp of the traced {@code f}
   * with one cotangent input per result, called with {@code inputs} (the primals, then what {@code
   * f} closed over) and the cotangents, nested as {@code shape}.
   */
  record Pullback(
      Func back, List<Value> inputs, int results, int primals, FuncTransforms.Shape shape)
      implements Val {
    @Override
    public String typeName() {
      return "function";
    }
  }

  /** A dtype such as {@code torch.float64}. */
  record Dtype(DType dtype) implements Val {
    @Override
    public String typeName() {
      return "torch.dtype";
    }
  }

  /** The value of code that is parsed but not run. */
  record Unknown() implements Val {
    @Override
    public String typeName() {
      return "object";
    }
  }

  /** A namespace: {@code torch}, {@code F}, {@code math}, ... */
  record Module(String name) implements Val {
    @Override
    public String typeName() {
      return "module";
    }
  }

  /** A value with the source position of the expression that produced it. */
  record Located(Val val, SourcePos pos) {}
}
