package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Val.Located;
import dev.gradc.frontend.lang.Val.Num;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Indices;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's tensor constructors ({@code zeros}, {@code ones}, {@code full}, {@code *_like}, {@code
 * arange}, {@code linspace}, {@code eye}, {@code tensor}) with PyTorch's dtypes and values. The IR
 * has scalar literals only, so a constant is computed from them by existing ops: a filled tensor is
 * a broadcast literal; an index vector {@code 0, 1, ..., n-1} is built from the binary digits of
 * the index (a sum of broadcast {@code [0, 2^j]} vectors, from {@code one_hot}), so in a few
 * instructions; arange, linspace and eye are arithmetic on index vectors, and a list literal
 * selects its values by index with {@code where}.
 */
final class Constructors {
  private Constructors() {}

  /** The most elements of a constructed tensor. */
  static final int MAX_ELEMENTS = Indices.MAX_ELEMENTS;

  /** The most elements of a list literal, each selected by one {@code where}. */
  static final int MAX_LITERAL = 256;

  /** A tensor of {@code shape} filled with {@code v}. */
  static Value filled(Builder b, double v, DType dtype, List<Dim> shape) {
    return b.full(v, new Type(dtype, shape));
  }

  /** The dims of a size argument: ints (non-negative) or symbolic dims. */
  static List<Dim> size(Args a, String name) {
    List<Dim> out = new ArrayList<>();
    for (Dim d : a.sizes(name)) {
      if (d == null) {
        throw a.error(name, "Trying to create tensor with negative dimension -1: [-1]");
      }
      out.add(d);
    }
    long n = 1;
    for (Dim d : out) {
      n *= d.isStatic() ? Math.max(d.size(), 1) : 1;
      if (n > MAX_ELEMENTS) {
        throw a.error(name, "a constant tensor of more than " + MAX_ELEMENTS + " elements");
      }
    }
    return out;
  }

  /** The dtype argument, or {@code dflt} when it is None. */
  static DType dtype(Args a, DType dflt) {
    DType d = a.dtype("dtype");
    return d == null ? dflt : d;
  }

  // ---------------------------------------------------------------- index vectors

  /** {@code 0, 1, ..., n-1} as {@code i64[n]}. */
  static Value iota(Builder b, int n) {
    return Indices.iota(b, n);
  }

  // ---------------------------------------------------------------- constructors

  /** {@code torch.arange(start, end, step)}: i64 for ints, the default float dtype otherwise. */
  static Val arange(Builder b, Args a) {
    boolean oneArg = a.isNone("end");
    Num start = oneArg ? Num.ofInt(0) : number(a, "start");
    Num end = oneArg ? number(a, "start") : number(a, "end");
    Num step = number(a, "step");
    boolean ints = start.integral() && end.integral() && step.integral();
    DType d = dtype(a, ints ? DType.I64 : Builder.DEFAULT_FLOAT);
    exact(a, oneArg ? "start" : "end", end);
    if (!oneArg) {
      exact(a, "start", start);
    }
    exact(a, "step", step);
    double s = start.asDouble();
    double e = end.asDouble();
    double st = step.asDouble();
    if (st == 0) {
      throw a.error("step", "step must be nonzero");
    }
    if (!Double.isFinite(s) || !Double.isFinite(e)) {
      throw a.error(oneArg ? "start" : "end", "unsupported range: " + s + " -> " + e);
    }
    if ((st > 0 && e < s) || (st < 0 && e > s)) {
      throw a.error("step", "upper bound and larger bound inconsistent with step sign");
    }
    double count = Math.ceil((e - s) / st);
    if (count > MAX_ELEMENTS) {
      throw a.error(
          oneArg ? "start" : "end", "a constant tensor of more than " + MAX_ELEMENTS + " elements");
    }
    int n = (int) count;
    Value i = iota(b, n);
    if (ints && d == DType.I64 && s == 0 && st == 1) {
      return new Val.Tensor(i);
    }
    if (ints && d == DType.I64) {
      // start + i * step in int64, PyTorch's accumulate type for it: exact beyond 2^53.
      return new Val.Tensor(b.add(b.mul(i, Builder.lit(st, DType.I64)), Builder.lit(s, DType.I64)));
    }
    // start + i * step, computed in f64 as PyTorch's accumulate type, then in the dtype.
    Value v = b.add(b.mul(b.cast(i, DType.F64), st), s);
    return new Val.Tensor(b.cast(v, d));
  }

  /** {@code torch.linspace(start, end, steps)}: PyTorch's two-sided formula in the dtype. */
  static Val linspace(Builder b, Args a) {
    double s = number(a, "start").asDouble();
    double e = number(a, "end").asDouble();
    long steps = a.integer("steps");
    if (steps < 0) {
      throw a.error("steps", "number of steps must be non-negative");
    }
    DType d = dtype(a, Builder.DEFAULT_FLOAT);
    if (!d.isFloat()) {
      throw a.error("dtype", "linspace with an integer dtype is not supported");
    }
    int n = (int) steps;
    if (n <= 1) {
      return new Val.Tensor(filled(b, s, d, List.of(Dim.of(n))));
    }
    double step;
    if (d == DType.F32) {
      step = ((float) e - (float) s) / (float) (n - 1);
    } else {
      step = (e - s) / (n - 1);
    }
    Value i = b.cast(iota(b, n), d);
    Value head = b.add(b.mul(i, Builder.lit(step, d)), Builder.lit(s, d));
    Value back = b.sub(Builder.lit(n - 1, d), i);
    Value tail = b.sub(Builder.lit(e, d), b.mul(back, Builder.lit(step, d)));
    int halfway = n / 2;
    Value first = b.binary(Op.LT, i, Builder.lit(halfway, d));
    return new Val.Tensor(b.where(first, head, tail));
  }

  /** {@code torch.eye(n, m)}: ones where the row index equals the column index. */
  static Val eye(Builder b, Args a) {
    int n = a.integer("n");
    int m = a.isNone("m") ? n : a.integer("m");
    if (n < 0 || m < 0) {
      throw a.error(n < 0 ? "n" : "m", "n must be greater or equal to 0, got " + Math.min(n, m));
    }
    if ((long) n * m > MAX_ELEMENTS) {
      throw a.error("n", "a constant tensor of more than " + MAX_ELEMENTS + " elements");
    }
    DType d = dtype(a, Builder.DEFAULT_FLOAT);
    Value rows = b.reshape(iota(b, n), List.of(Dim.of(n), Dim.of(1)));
    Value cols = b.reshape(iota(b, m), List.of(Dim.of(1), Dim.of(m)));
    return new Val.Tensor(b.cast(b.binary(Op.EQ, rows, cols), d));
  }

  /** {@code torch.tensor(data)}: nested lists of numbers, with PyTorch's dtype inference. */
  static Val tensor(Builder b, Args a) {
    Located data = a.get("data");
    List<Integer> shape = new ArrayList<>();
    List<Located> flat = new ArrayList<>();
    flatten(data, shape, flat);
    boolean anyFloat = false;
    boolean allBool = true;
    for (Located x : flat) {
      Num n = (Num) x.val();
      anyFloat |= !n.integral();
      allBool &= n.kind() == Num.NumKind.BOOL;
    }
    DType inferred =
        anyFloat ? Builder.DEFAULT_FLOAT : allBool && !flat.isEmpty() ? DType.BOOL : DType.I64;
    if (flat.isEmpty()) {
      inferred = Builder.DEFAULT_FLOAT;
    }
    DType d = dtype(a, inferred);
    List<Dim> dims = new ArrayList<>();
    for (int s : shape) {
      dims.add(Dim.of(s));
    }
    for (Located x : flat) {
      Num n = (Num) x.val();
      if (!n.exact()) {
        throw n.tooLarge().at(x.pos());
      }
    }
    if (data.val() instanceof Num n) {
      return new Val.Tensor(b.cast(Builder.lit(n.asDouble(), d), d));
    }
    if (flat.size() > MAX_LITERAL) {
      throw a.error(
          "data",
          "a list literal of "
              + flat.size()
              + " numbers; at most "
              + MAX_LITERAL
              + " are supported (each costs an instruction)");
    }
    int size = flat.size();
    double first = size == 0 ? 0 : ((Num) flat.get(0).val()).asDouble();
    boolean uniform = true;
    for (Located x : flat) {
      uniform &= Double.compare(((Num) x.val()).asDouble(), first) == 0;
    }
    if (size == 0 || uniform) {
      return new Val.Tensor(filled(b, size == 0 ? 0 : first, d, dims));
    }
    Value index = iota(b, size);
    Value acc = filled(b, first, d, List.of(Dim.of(size)));
    for (int i = 1; i < size; i++) {
      double v = ((Num) flat.get(i).val()).asDouble();
      if (Double.compare(v, first) == 0) {
        continue;
      }
      Value here = b.binary(Op.EQ, index, Builder.lit(i, DType.I64));
      acc = b.where(here, Builder.lit(v, d), acc);
    }
    return new Val.Tensor(b.reshape(acc, dims));
  }

  /**
   * The numbers of nested lists in row-major order and their shape; lists must be rectangular, as
   * PyTorch requires. Walks with an explicit stack.
   */
  private static void flatten(Located data, List<Integer> shape, List<Located> flat) {
    List<Located> level = List.of(data);
    int depth = 0;
    while (true) {
      boolean seqs = level.get(0).val() instanceof Val.Seq;
      for (Located x : level) {
        if ((x.val() instanceof Val.Seq) != seqs) {
          throw new GradcException(
              "expected a sequence of length "
                  + (seqs ? ((Val.Seq) level.get(0).val()).items().size() : 0)
                  + " at dim "
                  + depth
                  + " (got "
                  + x.val().typeName()
                  + ")",
              x.pos());
        }
      }
      if (!seqs) {
        for (Located x : level) {
          if (x.val() instanceof Val.Tensor) {
            throw new GradcException(
                "tensor() of a list holding Tensors is not supported: it would copy their values"
                    + " without gradient; build the tensor with operations instead",
                x.pos());
          }
          if (!(x.val() instanceof Num)) {
            throw new GradcException(
                "tensor() data must be numbers or nested lists of numbers, not "
                    + x.val().typeName(),
                x.pos());
          }
          flat.add(x);
        }
        return;
      }
      int len = ((Val.Seq) level.get(0).val()).items().size();
      List<Located> next = new ArrayList<>();
      for (Located x : level) {
        List<Located> items = ((Val.Seq) x.val()).items();
        if (items.size() != len) {
          throw new GradcException(
              "expected sequence of length "
                  + len
                  + " at dim "
                  + depth
                  + " (got "
                  + items.size()
                  + ")",
              x.pos());
        }
        next.addAll(items);
      }
      shape.add(len);
      depth++;
      if (next.isEmpty()) {
        return;
      }
      level = next;
    }
  }

  /** Refuses, at the argument, an int whose double would round. */
  private static void exact(Args a, String name, Num n) {
    if (!n.exact()) {
      throw n.tooLarge().at(a.pos(name));
    }
  }

  private static Num number(Args a, String name) {
    Val v = a.get(name).val();
    if (!(v instanceof Num n)) {
      throw a.error(
          name, a.fn() + " argument '" + name + "' must be a number, not " + v.typeName());
    }
    return n;
  }
}
