package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Val.Located;
import dev.gradc.frontend.lang.Val.Num;
import dev.gradc.frontend.lang.Val.Sym;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.math.MathF64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;

/**
 * What a program computes when it is compiled: Python's truth values, the {@code math} module, the
 * Python built-ins {@code len}, {@code range}, {@code float}, {@code int}, {@code bool}, {@code
 * enumerate}, {@code zip}, {@code list}, {@code tuple}, and the shape queries of tensors ({@code
 * x.shape}, {@code x.size(d)}, {@code x.dim()}, {@code x.numel()}). Every result is what CPython
 * and PyTorch give, including their errors; a symbolic dim gives a {@link Sym}.
 */
final class Python {
  private Python() {}

  /** Python's built-in functions the language has (the others are PyTorch's, in Builtins). */
  static final Set<String> BUILTINS =
      Set.of("len", "range", "float", "int", "bool", "enumerate", "zip", "list", "tuple");

  /** The constants of {@code math}. */
  static final Map<String, Double> MATH_CONSTANTS =
      Map.of(
          "pi",
          Math.PI,
          "e",
          Math.E,
          "tau",
          2 * Math.PI,
          "inf",
          Double.POSITIVE_INFINITY,
          "nan",
          Double.NaN);

  /** The one-argument functions of {@code math}, each as CPython computes it. */
  private static final Map<String, DoubleUnaryOperator> MATH_FUNCTIONS =
      Map.ofEntries(
          Map.entry("sqrt", Math::sqrt),
          Map.entry("exp", Math::exp),
          Map.entry("expm1", Math::expm1),
          Map.entry("log2", Python::log2),
          Map.entry("log10", Math::log10),
          Map.entry("log1p", Math::log1p),
          Map.entry("sin", Math::sin),
          Map.entry("cos", Math::cos),
          Map.entry("tan", Math::tan),
          Map.entry("asin", Math::asin),
          Map.entry("acos", Math::acos),
          Map.entry("atan", Math::atan),
          Map.entry("sinh", Math::sinh),
          Map.entry("cosh", Math::cosh),
          Map.entry("tanh", Math::tanh),
          Map.entry("fabs", Math::abs),
          Map.entry("erf", MathF64::erf),
          Map.entry("erfc", MathF64::erfc),
          Map.entry("degrees", Math::toDegrees),
          Map.entry("radians", Math::toRadians));

  /** Exact at powers of two, as C's log2 is. */
  private static double log2(double x) {
    if (x > 0 && Double.isFinite(x) && x == Math.scalb(1.0, Math.getExponent(x))) {
      return Math.getExponent(x);
    }
    return Math.log(x) / Math.log(2);
  }

  /** Names of {@code math}, for suggestions. */
  static Set<String> mathNames() {
    Set<String> out = new TreeSet<>(MATH_CONSTANTS.keySet());
    out.addAll(MATH_FUNCTIONS.keySet());
    out.addAll(List.of("log", "pow", "floor", "ceil", "isfinite", "isinf", "isnan", "atan2"));
    return out;
  }

  static boolean isMathFunction(String name) {
    return mathNames().contains(name) && !MATH_CONSTANTS.containsKey(name);
  }

  // ---------------------------------------------------------------- truth

  /**
   * Python's {@code bool(v)} for a value known when compiling. A tensor or a run-time number has no
   * truth value then: {@code what} names the construct in the error, which suggests {@code where}
   * for tensors.
   */
  static boolean truth(Val v, String what) {
    if (v instanceof Num n) {
      return n.integral() ? n.i() != 0 : n.d() != 0;
    }
    if (v instanceof Val.Str s) {
      return !s.s().isEmpty();
    }
    if (v instanceof Val.Seq s) {
      return !s.items().isEmpty();
    }
    if (v instanceof Val.Range r) {
      return r.length() > 0;
    }
    if (v instanceof Val.Nothing) {
      return false;
    }
    if (v instanceof Val.Tensor) {
      throw new GradcException(
          what
              + " depends on tensor data, which is known only when the program runs; it must be"
              + " a value known when compiling (numbers, shapes, dims); to choose elementwise,"
              + " use where(condition, x, y)");
    }
    if (v instanceof Sym s) {
      throw new GradcException(
          what
              + " depends on "
              + s.describe()
              + ", which is known only when the program runs; it must be a value known when"
              + " compiling");
    }
    return true;
  }

  // ---------------------------------------------------------------- math

  /** {@code math.NAME(args...)} on numbers known when compiling. */
  static Val math(String name, List<Located> args, SourcePos at) {
    String fn = "math." + name + "()";
    DoubleUnaryOperator f = MATH_FUNCTIONS.get(name);
    int arity =
        switch (name) {
          case "log" -> args.size() == 2 ? 2 : 1;
          case "pow", "atan2" -> 2;
          default -> 1;
        };
    if (args.size() != arity) {
      throw new GradcException(
          fn
              + " takes "
              + (name.equals("log")
                  ? "1 or 2 arguments"
                  : arity + " argument" + (arity == 1 ? "" : "s"))
              + " ("
              + args.size()
              + " given)",
          at);
    }
    double[] x = new double[args.size()];
    for (int i = 0; i < x.length; i++) {
      Val v = args.get(i).val();
      if (v instanceof Sym s) {
        throw new GradcException(
            fn
                + " needs a number known when compiling, but its argument is "
                + s.describe()
                + "; use the torch function on a tensor instead",
            args.get(i).pos());
      }
      if (!(v instanceof Num n)) {
        throw new GradcException(
            "must be real number, not " + v.typeName() + " (in " + fn + ")", args.get(i).pos());
      }
      x[i] = n.asDouble();
    }
    switch (name) {
      case "floor", "ceil" -> {
        Val v = args.get(0).val();
        if (((Num) v).integral()) {
          return Num.ofInt(((Num) v).i());
        }
        double r = name.equals("floor") ? Math.floor(x[0]) : Math.ceil(x[0]);
        if (Double.isNaN(r)) {
          throw new GradcException("cannot convert float NaN to integer", at);
        }
        if (Double.isInfinite(r) || Math.abs(r) >= 0x1p63) {
          throw new GradcException("cannot convert float infinity to integer", at);
        }
        return Num.ofInt((long) r);
      }
      case "isfinite" -> {
        return Num.ofBool(Double.isFinite(x[0]));
      }
      case "isinf" -> {
        return Num.ofBool(Double.isInfinite(x[0]));
      }
      case "isnan" -> {
        return Num.ofBool(Double.isNaN(x[0]));
      }
      default -> {}
    }
    double r;
    boolean domain;
    switch (name) {
      case "log" -> {
        domain = x[0] <= 0 || (x.length == 2 && (x[1] <= 0 || x[1] == 1));
        r = x.length == 2 ? Math.log(x[0]) / Math.log(x[1]) : Math.log(x[0]);
      }
      case "pow" -> {
        domain = (x[0] == 0 && x[1] < 0) || (x[0] < 0 && x[1] != Math.rint(x[1]));
        r = Math.pow(x[0], x[1]);
      }
      case "atan2" -> {
        domain = false;
        r = Math.atan2(x[0], x[1]);
      }
      default -> {
        r = f.applyAsDouble(x[0]);
        domain = Double.isNaN(r) && !Double.isNaN(x[0]);
        if (name.equals("log2") || name.equals("log10") || name.equals("log1p")) {
          domain |= name.equals("log1p") ? x[0] <= -1 : x[0] <= 0;
        }
      }
    }
    if (domain || (Double.isNaN(r) && !hasNaN(x))) {
      throw new GradcException("math domain error (in " + fn + ")", at);
    }
    if (Double.isInfinite(r) && allFinite(x) && !name.equals("atan2")) {
      throw new GradcException("math range error (in " + fn + ")", at);
    }
    return Num.ofFloat(r);
  }

  private static boolean hasNaN(double[] x) {
    for (double v : x) {
      if (Double.isNaN(v)) {
        return true;
      }
    }
    return false;
  }

  private static boolean allFinite(double[] x) {
    for (double v : x) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- built-in functions

  /** Python's built-in {@code name} applied to positional arguments. */
  static Val builtin(Builder b, String name, List<Located> args, SourcePos at) {
    String fn = name + "()";
    switch (name) {
      case "len" -> {
        one(fn, args, at);
        return len(b, args.get(0));
      }
      case "range" -> {
        return range(args, at);
      }
      case "float", "int", "bool" -> {
        if (args.isEmpty()) {
          return name.equals("float")
              ? Num.ofFloat(0)
              : name.equals("int") ? Num.ofInt(0) : Num.ofBool(false);
        }
        one(fn, args, at);
        return convert(b, name, args.get(0));
      }
      case "list", "tuple" -> {
        if (args.isEmpty()) {
          return new Val.Seq(List.of(), name.equals("tuple"));
        }
        one(fn, args, at);
        return new Val.Seq(items(args.get(0), fn), name.equals("tuple"));
      }
      case "enumerate" -> {
        if (args.isEmpty() || args.size() > 2) {
          throw new GradcException(fn + " takes 1 or 2 arguments (" + args.size() + " given)", at);
        }
        long start = args.size() == 2 ? compileTimeInt(args.get(1), fn) : 0;
        List<Located> out = new ArrayList<>();
        for (Located item : items(args.get(0), fn)) {
          Located k = new Located(Num.ofInt(start++), item.pos());
          out.add(new Located(new Val.Seq(List.of(k, item), true), item.pos()));
        }
        return new Val.Seq(out, false);
      }
      case "zip" -> {
        List<List<Located>> lists = new ArrayList<>();
        int n = Integer.MAX_VALUE;
        for (Located a : args) {
          List<Located> l = items(a, fn);
          lists.add(l);
          n = Math.min(n, l.size());
        }
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < (args.isEmpty() ? 0 : n); i++) {
          List<Located> t = new ArrayList<>();
          for (List<Located> l : lists) {
            t.add(l.get(i));
          }
          out.add(new Located(new Val.Seq(t, true), t.get(0).pos()));
        }
        return new Val.Seq(out, false);
      }
      default -> throw new IllegalArgumentException(name);
    }
  }

  private static void one(String fn, List<Located> args, SourcePos at) {
    if (args.size() != 1) {
      throw new GradcException(fn + " takes exactly one argument (" + args.size() + " given)", at);
    }
  }

  /** The items of a list, tuple or range, for iteration. */
  static List<Located> items(Located v, String what) {
    Val val = v.val();
    if (val instanceof Val.Seq s) {
      return s.items();
    }
    if (val instanceof Val.Range r) {
      if (r.length() > ProgramParser.MAX_ITERATIONS) {
        throw new GradcException(
            what
                + " over a range of "
                + (r.length() == Long.MAX_VALUE ? "2^63 or more" : Long.toString(r.length()))
                + " items: ranges are unrolled when compiling, and at most "
                + ProgramParser.MAX_ITERATIONS
                + " items are supported",
            v.pos());
      }
      List<Located> out = new ArrayList<>();
      for (long k = 0, i = r.start(); k < r.length(); k++, i += r.step()) {
        out.add(new Located(Num.ofInt(i), v.pos()));
      }
      return out;
    }
    if (val instanceof Val.Tensor) {
      throw new GradcException(
          what + " over a Tensor is not supported; iterate over it with 'for', or index its rows",
          v.pos());
    }
    throw new GradcException("'" + val.typeName() + "' object is not iterable", v.pos());
  }

  private static Val range(List<Located> args, SourcePos at) {
    if (args.isEmpty() || args.size() > 3) {
      throw new GradcException("range expected at least 1 argument, got " + args.size(), at);
    }
    long[] v = new long[args.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = compileTimeInt(args.get(i), "range()");
    }
    long start = v.length == 1 ? 0 : v[0];
    long stop = v.length == 1 ? v[0] : v[1];
    long step = v.length == 3 ? v[2] : 1;
    if (step == 0) {
      throw new GradcException("range() arg 3 must not be zero", args.get(2).pos());
    }
    return new Val.Range(start, stop, step);
  }

  /** An int argument that must be known when compiling. */
  static long compileTimeInt(Located a, String fn) {
    Val v = a.val();
    if (v instanceof Sym s) {
      throw new GradcException(
          fn
              + " needs an int known when compiling, but got "
              + s.describe()
              + ", which is known only when the program runs",
          a.pos());
    }
    if (!(v instanceof Num n) || !n.integral()) {
      throw new GradcException(
          "'" + v.typeName() + "' object cannot be interpreted as an integer", a.pos());
    }
    return n.i();
  }

  private static Val convert(Builder b, String to, Located a) {
    Val v = a.val();
    if (v instanceof Val.Tensor) {
      throw new GradcException(
          to
              + "() of a Tensor needs its data, which is known only when the program runs; use"
              + " the tensor itself (it meets numbers as they do)",
          a.pos());
    }
    if (v instanceof Sym s) {
      if (to.equals("bool")) {
        throw new GradcException(
            "bool() of " + s.describe() + " is known only when the program runs", a.pos());
      }
      if (to.equals("float")) {
        return new Sym(false, null, null, 0, Semantics.value(b, s));
      }
      if (s.integral()) {
        return s;
      }
      throw new GradcException(
          "int() of a float known only when the program runs is not supported", a.pos());
    }
    if (v instanceof Val.Str s) {
      return parse(to, s.s(), a.pos());
    }
    if (!(v instanceof Num n)) {
      throw new GradcException(
          to + "() argument must be a string or a number, not '" + v.typeName() + "'", a.pos());
    }
    switch (to) {
      case "float" -> {
        return Num.ofFloat(n.asDouble());
      }
      case "bool" -> {
        return Num.ofBool(truth(n, "bool()"));
      }
      default -> {
        if (n.integral()) {
          return Num.ofInt(n.i());
        }
        if (Double.isNaN(n.d())) {
          throw new GradcException("cannot convert float NaN to integer", a.pos());
        }
        if (Double.isInfinite(n.d()) || Math.abs(n.d()) >= 0x1p63) {
          throw new GradcException("cannot convert float infinity to integer", a.pos());
        }
        return Num.ofInt((long) n.d());
      }
    }
  }

  /** {@code float('-inf')}, {@code int('3')}, as Python parses them. */
  private static Val parse(String to, String text, SourcePos at) {
    String t = text.strip().replace("_", "");
    if (to.equals("bool")) {
      return Num.ofBool(!text.isEmpty());
    }
    if (to.equals("int")) {
      try {
        return Num.ofInt(Long.parseLong(t.startsWith("+") ? t.substring(1) : t));
      } catch (NumberFormatException e) {
        throw new GradcException("invalid literal for int() with base 10: " + repr(text), at);
      }
    }
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    double sign = lower.startsWith("-") ? -1 : 1;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return Num.ofFloat(sign * Double.POSITIVE_INFINITY);
    }
    if (unsigned.equals("nan")) {
      return Num.ofFloat(Double.NaN);
    }
    if (!unsigned.isEmpty() && unsigned.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      return Num.ofFloat(Double.parseDouble(lower));
    }
    throw new GradcException("could not convert string to float: " + repr(text), at);
  }

  private static String repr(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  // ---------------------------------------------------------------- shapes

  /** {@code len(v)}: of a list, tuple, range, string, or the first dim of a tensor. */
  static Val len(Builder b, Located a) {
    Val v = a.val();
    if (v instanceof Val.Seq s) {
      return Num.ofInt(s.items().size());
    }
    if (v instanceof Val.Range r) {
      return Num.ofInt(r.length());
    }
    if (v instanceof Val.Str s) {
      return Num.ofInt(s.s().codePointCount(0, s.s().length()));
    }
    if (v instanceof Val.Tensor t) {
      if (t.value().type().rank() == 0) {
        throw new GradcException("len() of a 0-d tensor", a.pos());
      }
      return size(t.value(), 0);
    }
    throw new GradcException("object of type '" + v.typeName() + "' has no len()", a.pos());
  }

  /** Dim {@code d} of a tensor: an int, or a {@link Sym} for a symbolic dim. */
  static Val size(Value x, int d) {
    Dim dim = x.type().dim(d);
    return dim.isStatic() ? Num.ofInt(dim.size()) : new Sym(true, dim, x, d, null);
  }

  /** {@code x.shape}: a tuple of its dims. */
  static Val shape(Value x, SourcePos pos) {
    List<Located> items = new ArrayList<>();
    for (int d = 0; d < x.type().rank(); d++) {
      items.add(new Located(size(x, d), pos));
    }
    return new Val.Seq(items, true);
  }

  /** {@code x.numel()}: the element count, an int or a {@link Sym}. */
  static Val numel(Builder b, Value x) {
    Type t = x.type();
    Dim n = t.numel();
    if (n != null && n.isStatic()) {
      return Num.ofInt(n.size());
    }
    return new Sym(true, n, null, 0, b.numel(x, new int[0], DType.F64));
  }

  /**
   * Dim index {@code d} of a rank-{@code rank} tensor, negative from the end, as PyTorch checks.
   */
  static int dimIndex(long d, int rank) {
    int r = Math.max(rank, 1);
    if (d < -r || d >= r) {
      throw new GradcException(
          "Dimension out of range (expected to be in range of ["
              + -r
              + ", "
              + (r - 1)
              + "], but got "
              + d
              + ")");
    }
    return (int) (d < 0 ? d + r : d);
  }
}
