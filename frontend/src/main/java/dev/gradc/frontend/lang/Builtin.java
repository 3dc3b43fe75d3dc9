package dev.gradc.frontend.lang;

import dev.gradc.ir.Builder;
import java.util.List;

/**
 * A function of the language, named and with keywords as in PyTorch. It may be called as a function
 * ({@code sum(x, dim=1)}), as a tensor method ({@code x.sum(dim=1)}) or both; in the method form
 * the tensor binds to the parameter {@code self}.
 */
record Builtin(String name, List<Param> params, Forms forms, String self, Body body) {

  /** Where a built-in may be called from. */
  enum Forms {
    FUNCTION,
    METHOD,
    BOTH;

    boolean function() {
      return this != METHOD;
    }

    boolean method() {
      return this != FUNCTION;
    }
  }

  /** What an argument may be; the binder checks it before the body runs. */
  enum Kind {
    /** A tensor. */
    TENSOR,
    /** A tensor or a Python number. */
    OPERAND,
    /** A Python number. */
    NUMBER,
    /** A Python int. */
    INT,
    /** An int or a list or tuple of ints (dims of a reduction). */
    DIMS,
    /** A list or tuple of ints, or one int (a shape or a permutation). */
    SHAPE,
    /** True or False. */
    BOOL,
    /** A dtype: {@code torch.float64}, or Python's {@code float}, {@code int}, {@code bool}. */
    DTYPE,
    /** A string option such as {@code reduction="sum"}. */
    STRING,
    /** Anything: the body checks it (data of {@code tensor()}). */
    ANY;

    /** How the kind reads in a message: "must be X, not float". */
    String expected() {
      return switch (this) {
        case TENSOR -> "a Tensor";
        case OPERAND -> "a Tensor or a number";
        case NUMBER -> "a number";
        case INT -> "an int";
        case DIMS -> "an int or a list of ints";
        case SHAPE -> "a list of ints";
        case BOOL -> "True or False";
        case DTYPE -> "a dtype";
        case STRING -> "a string";
        case ANY -> "a value";
      };
    }
  }

  /**
   * One parameter; {@code dflt} is its default, or null when it is required. A default of {@code
   * None} also lets callers pass {@code None}.
   */
  record Param(String name, Kind kind, Val dflt) {}

  /** Computes the call's value from bound arguments; may emit instructions. */
  interface Body {
    Val apply(Builder b, Args a);
  }

  Param param(String pname) {
    for (Param p : params) {
      if (p.name().equals(pname)) {
        return p;
      }
    }
    return null;
  }

  /** The name as shown in messages: {@code sum()} or {@code Tensor.sum()}. */
  String display(boolean asMethod) {
    return (asMethod ? "Tensor." : "") + name + "()";
  }
}
