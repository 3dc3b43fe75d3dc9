package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Builtin.Kind;
import dev.gradc.frontend.lang.Builtin.Param;
import dev.gradc.frontend.lang.Val.Located;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one call, bound to a built-in's parameters by Python's rules (positional, then
 * keywords, then defaults) and checked against each parameter's {@link Kind}. Getters return the
 * checked values; errors name the function and the argument and point at the argument.
 */
final class Args {
  /** One argument as written: {@code keyword} is null for a positional argument. */
  record CallArg(String keyword, Located value, SourcePos keywordPos) {}

  private final String fn;
  private final SourcePos callPos;
  private final Map<String, Located> values = new HashMap<>();

  private Args(String fn, SourcePos callPos) {
    this.fn = fn;
    this.callPos = callPos;
  }

  /** The function as named in messages, {@code sum()} or {@code Tensor.sum()}. */
  String fn() {
    return fn;
  }

  SourcePos callPos() {
    return callPos;
  }

  /**
   * Binds a call. In the method form {@code self} goes to the parameter {@link Builtin#self()}, and
   * a trailing list-of-ints parameter takes the remaining positional arguments, as in {@code
   * x.reshape(2, -1)}.
   */
  static Args bind(Builtin f, Located self, List<CallArg> args, SourcePos callPos) {
    boolean asMethod = self != null;
    Args a = new Args(f.display(asMethod), callPos);
    List<Param> positional = new ArrayList<>();
    for (Param p : f.params()) {
      if (!(asMethod && p.name().equals(f.self())) && p.kind() != Kind.DTYPE) {
        positional.add(p);
      }
    }
    if (asMethod) {
      a.values.put(f.self(), self);
    }
    List<Located> given = new ArrayList<>();
    int firstKeyword = args.size();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).keyword() == null) {
        given.add(args.get(i).value());
      } else {
        firstKeyword = Math.min(firstKeyword, i);
      }
    }
    // Sizes as separate arguments: x.reshape(2, -1), and zeros(2, 3) whose only positional is size.
    if ((asMethod || (positional.size() == 1 && f.params().get(0).kind() == Kind.SHAPE))
        && !positional.isEmpty()) {
      int last = positional.size() - 1;
      if (positional.get(last).kind() == Kind.SHAPE && given.size() > positional.size()) {
        List<Located> rest = new ArrayList<>(given.subList(last, given.size()));
        given.subList(last, given.size()).clear();
        given.add(new Located(new Val.Seq(rest, true), rest.get(0).pos()));
      }
    }
    if (given.size() > positional.size()) {
      throw new GradcException(
          a.fn
              + " takes "
              + count(positional.size(), "positional argument")
              + " but "
              + given.size()
              + (given.size() == 1 ? " was" : " were")
              + " given",
          given.get(positional.size()).pos());
    }
    for (int i = 0; i < given.size(); i++) {
      a.values.put(positional.get(i).name(), given.get(i));
    }
    for (int i = firstKeyword; i < args.size(); i++) {
      CallArg c = args.get(i);
      Param p = f.param(c.keyword());
      if (p == null || (asMethod && p.name().equals(f.self()))) {
        List<String> names = new ArrayList<>();
        for (Param q : positional) {
          names.add(q.name());
        }
        throw new GradcException(
            a.fn
                + " got an unexpected keyword argument '"
                + c.keyword()
                + "'"
                + Diagnostics.suggestion(c.keyword(), names),
            c.keywordPos());
      }
      if (a.values.containsKey(p.name())) {
        throw new GradcException(
            a.fn + " got multiple values for argument '" + p.name() + "'", c.keywordPos());
      }
      a.values.put(p.name(), c.value());
    }
    for (Param p : f.params()) {
      Located v = a.values.get(p.name());
      if (v == null) {
        if (p.dflt() == null) {
          throw new GradcException(a.fn + " missing required argument '" + p.name() + "'", callPos);
        }
        a.values.put(p.name(), new Located(p.dflt(), callPos));
      } else {
        a.check(p, v);
      }
    }
    return a;
  }

  private static String count(int n, String what) {
    return (n == 0 ? "no" : Integer.toString(n)) + " " + what + (n == 1 ? "" : "s");
  }

  private void check(Param p, Located v) {
    Val val = v.val();
    if (val instanceof Val.Nothing && p.dflt() instanceof Val.Nothing) {
      return;
    }
    if (val instanceof Val.Sym s && p.kind() != Kind.SHAPE) {
      throw new GradcException(
          fn
              + " argument '"
              + p.name()
              + "' must be known when compiling, but "
              + s.describe()
              + " is known only when the program runs",
          v.pos());
    }
    boolean ok =
        switch (p.kind()) {
          case TENSOR -> val instanceof Val.Tensor;
          case OPERAND -> val instanceof Val.Tensor || val instanceof Val.Num;
          case NUMBER -> val instanceof Val.Num n && n.kind() != Val.Num.NumKind.BOOL;
          case NUMBER_OR_BOOL -> val instanceof Val.Num;
          case INT -> isInt(val);
          case BOOL -> val instanceof Val.Num n && n.kind() == Val.Num.NumKind.BOOL;
          case DIMS -> isInt(val) || val instanceof Val.Seq;
          case SHAPE -> isInt(val) || isDim(val) || val instanceof Val.Seq;
          case DTYPE -> val instanceof Val.Dtype || isPythonType(val);
          case STRING -> val instanceof Val.Str;
          case ANY -> true;
        };
    if (!ok) {
      throw argError(p.name(), p.kind().expected(), val, v.pos());
    }
    if (val instanceof Val.Seq s && (p.kind() == Kind.DIMS || p.kind() == Kind.SHAPE)) {
      for (Located item : s.items()) {
        if (!isInt(item.val()) && !(p.kind() == Kind.SHAPE && isDim(item.val()))) {
          throw new GradcException(
              fn
                  + " argument '"
                  + p.name()
                  + "' must be a list of ints, but holds a "
                  + item.val().typeName(),
              item.pos());
        }
      }
    }
  }

  private GradcException argError(String name, String expected, Val got, SourcePos at) {
    return new GradcException(
        fn + " argument '" + name + "' must be " + expected + ", not " + got.typeName(), at);
  }

  /** A symbolic dim such as {@code N} or {@code 3 * N}, usable as a size. */
  private static boolean isDim(Val v) {
    return v instanceof Val.Sym s && s.dim() != null;
  }

  private static boolean isPythonType(Val v) {
    return v instanceof Val.PyFunction f
        && (f.name().equals("float") || f.name().equals("int") || f.name().equals("bool"));
  }

  private static boolean isInt(Val v) {
    return v instanceof Val.Num n && n.kind() == Val.Num.NumKind.INT;
  }

  Located get(String name) {
    Located v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException(fn + " has no parameter " + name);
    }
    return v;
  }

  SourcePos pos(String name) {
    return get(name).pos();
  }

  boolean isNone(String name) {
    return get(name).val() instanceof Val.Nothing;
  }

  /** A tensor argument's IR value. */
  Value tensor(String name) {
    return ((Val.Tensor) get(name).val()).value();
  }

  /** A tensor or number argument as an IR value (numbers as weak literals); null for None. */
  Value operand(String name) {
    Val v = get(name).val();
    if (v instanceof Val.Nothing) {
      return null;
    }
    return v instanceof Val.Num n ? n.lit() : ((Val.Tensor) v).value();
  }

  double number(String name) {
    return ((Val.Num) get(name).val()).asDouble();
  }

  /**
   * A number argument that becomes a tensor's elements (a fill value): an int without an exact
   * double is refused at the argument, not rounded.
   */
  double element(String name) {
    Val.Num n = (Val.Num) get(name).val();
    if (!n.exact()) {
      throw n.tooLarge().at(pos(name));
    }
    return n.asDouble();
  }

  boolean flag(String name) {
    return ((Val.Num) get(name).val()).i() != 0;
  }

  int integer(String name) {
    return toInt(get(name));
  }

  /** A dims argument; None gives the empty list, which means every dim. */
  int[] dims(String name) {
    Located v = get(name);
    if (v.val() instanceof Val.Nothing) {
      return new int[0];
    }
    return ints(v);
  }

  /** A shape or permutation argument. */
  int[] shape(String name) {
    return ints(get(name));
  }

  /** Whether a shape argument holds a symbolic dim. */
  boolean symbolic(String name) {
    Val v = get(name).val();
    if (isDim(v)) {
      return true;
    }
    if (v instanceof Val.Seq s) {
      for (Located item : s.items()) {
        if (isDim(item.val())) {
          return true;
        }
      }
    }
    return false;
  }

  /** A shape argument as dims, with null for each {@code -1}; other negative sizes are errors. */
  List<Dim> sizes(String name) {
    Located v = get(name);
    List<Located> items = v.val() instanceof Val.Seq s ? s.items() : List.of(v);
    List<Dim> out = new ArrayList<>();
    for (Located item : items) {
      if (item.val() instanceof Val.Sym s) {
        out.add(s.dim());
      } else {
        int k = toInt(item);
        if (k < -1) {
          throw new GradcException("invalid shape dimension " + k, item.pos());
        }
        out.add(k == -1 ? null : Dim.of(k));
      }
    }
    return out;
  }

  /** A dtype argument ({@code torch.float64}, or Python's {@code float}), or null for None. */
  DType dtype(String name) {
    Val v = get(name).val();
    if (v instanceof Val.Dtype d) {
      return d.dtype();
    }
    if (v instanceof Val.PyFunction f) {
      return switch (f.name()) {
        case "float" -> DType.F64;
        case "int" -> DType.I64;
        default -> DType.BOOL;
      };
    }
    return null;
  }

  String string(String name) {
    return ((Val.Str) get(name).val()).s();
  }

  private int[] ints(Located v) {
    if (v.val() instanceof Val.Seq s) {
      int[] out = new int[s.items().size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = toInt(s.items().get(i));
      }
      return out;
    }
    return new int[] {toInt(v)};
  }

  private int toInt(Located v) {
    long x = ((Val.Num) v.val()).i();
    if (x != (int) x) {
      throw new GradcException(fn + " argument " + x + " is out of range", v.pos());
    }
    return (int) x;
  }

  /** An error about one argument, at its position. */
  GradcException error(String name, String message) {
    return new GradcException(message, pos(name));
  }
}
