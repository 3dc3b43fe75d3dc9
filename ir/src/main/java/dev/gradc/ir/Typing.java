package dev.gradc.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape and dtype inference: the result type of an op applied to operands, or a {@link
 * GradcException} that says why the op does not apply. Broadcasting is explicit in the IR, so the
 * non-literal operands of an elementwise op have one type; {@link #broadcast} computes the common
 * shape the builder broadcasts to, with PyTorch's message when there is none.
 */
public final class Typing {
  private Typing() {}

  /**
   * The result type of {@code op}. Ops that take their target from the result type (reshape,
   * expand, broadcast, sum_to, cast, one_hot, numel) and elementwise ops whose operands are all
   * literals need {@code target}; for the others a non-null {@code target} must equal the inferred
   * type.
   */
  public static Type infer(Op op, Value[] in, int[] dims, boolean keepdim, Type target) {
    if (in.length != op.arity()) {
      throw new GradcException(
          op.mnemonic() + " takes " + op.arity() + " operands, got " + in.length);
    }
    if (!op.hasDims() && dims.length != 0) {
      throw new GradcException(op.mnemonic() + " takes no dims");
    }
    if (op.kind() != Op.Kind.REDUCTION && keepdim) {
      throw new GradcException(op.mnemonic() + " takes no keepdim");
    }
    Type t = inferUnchecked(op, in, dims, keepdim, target);
    if (target != null && !target.equals(t)) {
      throw new GradcException(
          op.mnemonic() + " produces " + t + ", but the result is declared as " + target);
    }
    return t;
  }

  private static Type inferUnchecked(Op op, Value[] in, int[] dims, boolean keepdim, Type target) {
    Type x = in[0].type();
    return switch (op.kind()) {
      case ELEMENTWISE -> elementwise(op, in, target);
      case REDUCTION -> reduction(op, x, dims, keepdim);
      case NORMALIZE -> normalize(op, x, dims);
      case STRUCTURAL ->
          switch (op.structure()) {
            case RESHAPE -> reshape(op, x, target);
            case TRANSPOSE -> transpose(op, x, dims);
            case PERMUTE -> permute(op, x, dims);
            case UNSQUEEZE -> unsqueeze(op, x, dims);
            case SQUEEZE -> squeeze(op, x, dims);
            case BROADCAST -> broadcastTo(op, x, target);
            case SUM_TO -> sumTo(op, x, target);
            case MATMUL -> matmul(x, in[1].type());
            case SVD -> svd(op, x, dims);
            case SLICE -> slice(op, x, requireTarget(op, target, x), dims);
            case SLICE_BACKWARD -> slice(op, requireTarget(op, target, x), x, dims);
            case GATHER -> gather(x, in[1].type(), dims);
            case SCATTER_ADD, SCATTER -> scatter(op, x, in[1].type(), in[2].type(), dims);
            case ONE_HOT -> oneHot(x, target);
            case NUMEL -> numel(op, x, dims, target);
            case SCAN -> scan(op, x, dims);
          };
    };
  }

  /** A cumulative op: {@code dims=[dim, reverse]}; indices are i64, values keep the dtype. */
  private static Type scan(Op op, Type x, int[] dims) {
    requireDtype(op, x);
    if (x.dtype() == DType.BOOL) {
      throw new GradcException(op.mnemonic() + " expects a numeric operand, got " + x);
    }
    int extra = op.scan().extraDims();
    if (dims.length != 2 + extra || (dims[1] != 0 && dims[1] != 1)) {
      throw new GradcException(
          op.mnemonic()
              + (extra == 0
                  ? " takes dims=[dim, reverse] (reverse 0 or 1)"
                  : extra == 1
                      ? " takes dims=[dim, 0, k]"
                      : " takes dims=[dim, largest, k, sorted] (largest and sorted 0 or 1)"));
    }
    checkRange(op, dims[0], x.rank());
    if (extra > 0) {
      Dim size = x.dim(dims[0]);
      int min = extra == 1 ? 1 : 0;
      if (dims[2] < min || (size.isStatic() && dims[2] > size.size())) {
        throw new GradcException(op.mnemonic() + ": k " + dims[2] + " out of range for " + x);
      }
      if (extra == 2 && dims[3] != 0 && dims[3] != 1) {
        throw new GradcException(op.mnemonic() + ": sorted must be 0 or 1, got " + dims[3]);
      }
    }
    return op.scan().isIndex() ? x.withDtype(DType.I64) : x;
  }

  private static Type reduction(Op op, Type x, int[] dims, boolean keepdim) {
    requireDtype(op, x);
    checkReduceDims(op, x.rank(), dims);
    return reduced(x, dims, keepdim);
  }

  private static Type normalize(Op op, Type x, int[] dims) {
    requireDtype(op, x);
    if (dims.length != 1) {
      throw new GradcException(op.mnemonic() + " takes exactly one dim");
    }
    checkRange(op, dims[0], Math.max(1, x.rank()));
    return x;
  }

  private static void requireDtype(Op op, Type t) {
    if (!op.dtypes().accepts(t.dtype())) {
      throw new GradcException(
          op.mnemonic()
              + " expects a "
              + (op.dtypes() == Op.Dtypes.FLOAT ? "floating-point" : "numeric")
              + " operand, got "
              + t);
    }
  }

  /** Checks that an elementwise op accepts an operand of type {@code t}, with the IR's message. */
  public static void checkOperand(Op op, Type t) {
    requireDtype(op, t);
  }

  private static Type elementwise(Op op, Value[] in, Type target) {
    // The operands that carry data; a literal is a weak scalar that takes their dtype.
    Type common = null;
    for (int i = 0; i < in.length; i++) {
      if (in[i] instanceof Lit) {
        continue;
      }
      Type t = in[i].type();
      if (op == Op.WHERE && i == 0) {
        if (t.dtype() != DType.BOOL) {
          throw new GradcException(
              "where expected condition to be a boolean tensor, but got a tensor with dtype "
                  + t.dtype().mnemonic());
        }
        continue;
      }
      if (common == null) {
        common = t;
      } else if (!common.equals(t)) {
        throw new GradcException(
            op.mnemonic() + " operands differ: " + common + " and " + t + " (broadcast first)");
      }
    }
    List<Dim> shape = common != null ? common.dims() : null;
    if (op == Op.WHERE && !(in[0] instanceof Lit)) {
      List<Dim> c = in[0].type().dims();
      if (shape == null) {
        shape = c;
      } else if (!shape.equals(c)) {
        throw new GradcException(
            "where condition " + in[0].type() + " differs from its operands " + common);
      }
    }
    if (common == null) {
      if (target == null) {
        throw new GradcException(op.mnemonic() + " of literals needs a declared result type");
      }
      if (shape != null && !shape.equals(target.dims())) {
        throw new GradcException(op.mnemonic() + " result " + target + " has the wrong shape");
      }
      return target;
    }
    requireDtype(op, common);
    if (op == Op.CAST) {
      if (target == null) {
        throw new GradcException("cast needs a declared result type");
      }
      if (!target.dims().equals(common.dims())) {
        throw new GradcException("cast cannot change the shape " + common + " to " + target);
      }
      return target;
    }
    Type result = common.withDims(shape);
    return op.isComparison() ? result.withDtype(DType.BOOL) : result;
  }

  private static void checkRange(Op op, int d, int rank) {
    if (d < 0 || d >= rank) {
      throw new GradcException(
          "Dimension out of range (expected to be in range of ["
              + (-rank)
              + ", "
              + (rank - 1)
              + "], but got "
              + d
              + ") in "
              + op.mnemonic());
    }
  }

  private static void checkReduceDims(Op op, int rank, int[] dims) {
    for (int i = 0; i < dims.length; i++) {
      checkRange(op, dims[i], Math.max(rank, 1));
      if (i > 0 && dims[i] <= dims[i - 1]) {
        throw new GradcException(op.mnemonic() + " dims must be sorted and distinct");
      }
    }
  }

  /**
   * PyTorch's error for reducing no elements by an op that {@linkplain Op.Reduction#needsElements
   * needs some}, or null: {@code name} is the function as called ({@code amax}, {@code max}),
   * {@code dims} the dims as given, negative ones too (none: all dims).
   */
  public static String emptyReductionError(String name, Op op, Type x, int[] dims) {
    if (!op.reduction().needsElements()) {
      return null;
    }
    if (dims.length == 0) {
      for (Dim d : x.dims()) {
        if (d.factor() == 0) {
          return name
              + "(): Expected reduction dim to be specified for input.numel() == 0. Specify the"
              + " reduction dim with the 'dim' argument.";
        }
      }
      return null;
    }
    for (int d : dims) {
      int i = d < 0 ? d + x.rank() : d;
      if (i >= 0 && i < x.rank() && x.dim(i).factor() == 0) {
        return name + "(): Expected reduction dim " + d + " to have non-zero size.";
      }
    }
    return null;
  }

  /** The type of {@code x} reduced over {@code dims} (all dims when empty). */
  public static Type reduced(Type x, int[] dims, boolean keepdim) {
    if (x.rank() == 0) {
      return x;
    }
    boolean[] red = reducedMask(x.rank(), dims);
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      if (!red[i]) {
        out.add(x.dim(i));
      } else if (keepdim) {
        out.add(Dim.of(1));
      }
    }
    return x.withDims(out);
  }

  /** Which of {@code rank} dims a dims attribute reduces; an empty attribute means all. */
  public static boolean[] reducedMask(int rank, int[] dims) {
    boolean[] red = new boolean[rank];
    if (dims.length == 0) {
      Arrays.fill(red, true);
    }
    for (int d : dims) {
      if (d < rank) {
        red[d] = true;
      }
    }
    return red;
  }

  private static Type reshape(Op op, Type x, Type target) {
    Type t = requireTarget(op, target, x);
    if (!x.sameNumel(t)) {
      throw new GradcException(
          "shape '" + t.shapeString() + "' is invalid for input of shape " + x.shapeString());
    }
    return t;
  }

  private static Type transpose(Op op, Type x, int[] dims) {
    if (dims.length != 2 || dims[0] >= dims[1]) {
      throw new GradcException("transpose takes two distinct sorted dims");
    }
    checkRange(op, dims[0], x.rank());
    checkRange(op, dims[1], x.rank());
    List<Dim> out = new ArrayList<>(x.dims());
    out.set(dims[0], x.dim(dims[1]));
    out.set(dims[1], x.dim(dims[0]));
    return x.withDims(out);
  }

  private static Type permute(Op op, Type x, int[] dims) {
    if (dims.length != x.rank()) {
      throw new GradcException(
          "permute: number of dims don't match in permute: " + dims.length + " dims for " + x);
    }
    boolean[] seen = new boolean[dims.length];
    List<Dim> out = new ArrayList<>();
    for (int d : dims) {
      checkRange(op, d, x.rank());
      if (seen[d]) {
        throw new GradcException("permute: repeated dim " + d);
      }
      seen[d] = true;
      out.add(x.dim(d));
    }
    return x.withDims(out);
  }

  private static Type unsqueeze(Op op, Type x, int[] dims) {
    if (dims.length != 1) {
      throw new GradcException("unsqueeze takes one dim");
    }
    checkRange(op, dims[0], x.rank() + 1);
    List<Dim> out = new ArrayList<>(x.dims());
    out.add(dims[0], Dim.of(1));
    return x.withDims(out);
  }

  private static Type squeeze(Op op, Type x, int[] dims) {
    List<Dim> out = new ArrayList<>(x.dims());
    for (int i = dims.length - 1; i >= 0; i--) {
      checkRange(op, dims[i], x.rank());
      if (i > 0 && dims[i] <= dims[i - 1]) {
        throw new GradcException("squeeze dims must be sorted and distinct");
      }
      if (!x.dim(dims[i]).equals(Dim.of(1))) {
        throw new GradcException(
            "squeeze of dim " + dims[i] + " of " + x + ", which is not of size 1");
      }
      out.remove(dims[i]);
    }
    return x.withDims(out);
  }

  private static Type broadcastTo(Op op, Type x, Type target) {
    Type t = requireTarget(op, target, x);
    checkBroadcastTo(x.dims(), t.dims());
    return t;
  }

  private static Type sumTo(Op op, Type x, Type target) {
    Type t = requireTarget(op, target, x);
    checkBroadcastTo(t.dims(), x.dims());
    return t;
  }

  private static Type requireTarget(Op op, Type target, Type x) {
    if (target == null) {
      throw new GradcException(op.mnemonic() + " needs a declared result type");
    }
    if (target.dtype() != x.dtype()) {
      throw new GradcException(op.mnemonic() + " cannot change the dtype of " + x);
    }
    return target;
  }

  /** Checks that {@code from} broadcasts to {@code to}, with PyTorch's {@code expand} message. */
  public static void checkBroadcastTo(List<Dim> from, List<Dim> to) {
    int off = to.size() - from.size();
    if (off < 0) {
      throw new GradcException(
          "the number of sizes provided ("
              + to.size()
              + ") must be greater or equal to the number of dimensions in the tensor ("
              + from.size()
              + ")");
    }
    for (int i = 0; i < from.size(); i++) {
      Dim f = from.get(i);
      Dim t = to.get(i + off);
      if (!f.equals(t) && !f.equals(Dim.of(1))) {
        throw new GradcException(
            "The expanded size of the tensor ("
                + t
                + ") must match the existing size ("
                + f
                + ") at non-singleton dimension "
                + (i + off)
                + ".  Target sizes: "
                + to
                + ".  Tensor sizes: "
                + from);
      }
    }
  }

  /**
   * The broadcast of two shapes as in PyTorch; the error names both sizes, the dimension, the op
   * and both shapes.
   */
  public static List<Dim> broadcast(List<Dim> a, List<Dim> b, String opName) {
    if (a.equals(b)) {
      return a;
    }
    int n = Math.max(a.size(), b.size());
    List<Dim> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int ia = i - (n - a.size());
      int ib = i - (n - b.size());
      Dim da = ia >= 0 ? a.get(ia) : Dim.of(1);
      Dim db = ib >= 0 ? b.get(ib) : Dim.of(1);
      if (da.equals(db) || db.equals(Dim.of(1))) {
        out.add(da);
      } else if (da.equals(Dim.of(1))) {
        out.add(db);
      } else {
        throw new GradcException(
            "The size of tensor a ("
                + da
                + ") must match the size of tensor b ("
                + db
                + ") at non-singleton dimension "
                + i
                + " (in "
                + opName
                + " of shapes "
                + a
                + " and "
                + b
                + ")");
      }
    }
    return out;
  }

  /**
   * A part of the reduced singular value decomposition of {@code [..., m, n]}: {@code dims=[part]},
   * {@code [..., k]}, {@code [..., m, k]} or {@code [..., k, n]} with {@code k = min(m, n)}.
   */
  private static Type svd(Op op, Type x, int[] dims) {
    if (!x.dtype().isFloat()) {
      throw new GradcException(
          "linalg.svd: Expected a floating point or complex tensor as input. Got "
              + x.dtype().scalarTypeName());
    }
    if (x.rank() < 2) {
      throw new GradcException("linalg.svd: The input tensor A must have at least 2 dimensions.");
    }
    if (dims.length != 1 || dims[0] < Svd.VALUES || dims[0] > Svd.VH) {
      throw new GradcException(op.mnemonic() + " takes dims=[part] (0 S, 1 U, 2 Vh)");
    }
    Dim m = x.dim(x.rank() - 2);
    Dim n = x.dim(x.rank() - 1);
    Dim k;
    if (m.equals(n)) {
      k = m;
    } else if (m.isStatic() && n.isStatic()) {
      k = m.size() <= n.size() ? m : n;
    } else {
      throw new GradcException(
          "linalg.svd: the matrix dims "
              + m
              + " and "
              + n
              + " have no known minimum; give them fixed sizes or one size");
    }
    List<Dim> out = new ArrayList<>(x.dims().subList(0, x.rank() - 2));
    switch (dims[0]) {
      case Svd.VALUES -> out.add(k);
      case Svd.U -> {
        out.add(m);
        out.add(k);
      }
      default -> {
        out.add(k);
        out.add(n);
      }
    }
    return x.withDims(out);
  }

  private static Type matmul(Type a, Type b) {
    requireDtype(Op.MATMUL, a);
    requireDtype(Op.MATMUL, b);
    if (a.dtype() != b.dtype()) {
      throw new GradcException(
          "expected both matmul operands to have the same dtype, but got "
              + a.dtype().mnemonic()
              + " and "
              + b.dtype().mnemonic());
    }
    if (a.rank() == 0 || b.rank() == 0) {
      throw new GradcException(
          "both arguments to matmul need to be at least 1D, but they are "
              + a.rank()
              + "D and "
              + b.rank()
              + "D");
    }
    Dim ka = a.dim(a.rank() - 1);
    Dim kb = b.dim(b.rank() == 1 ? 0 : b.rank() - 2);
    if (!ka.equals(kb)) {
      throw new GradcException(
          "mat1 and mat2 shapes cannot be multiplied ("
              + matText(a, true)
              + " and "
              + matText(b, false)
              + ")");
    }
    List<Dim> batchA = a.rank() > 2 ? a.dims().subList(0, a.rank() - 2) : List.of();
    List<Dim> batchB = b.rank() > 2 ? b.dims().subList(0, b.rank() - 2) : List.of();
    List<Dim> out = new ArrayList<>(broadcast(batchA, batchB, "matmul"));
    if (a.rank() >= 2) {
      out.add(a.dim(a.rank() - 2));
    }
    if (b.rank() >= 2) {
      out.add(b.dim(b.rank() - 1));
    }
    return a.withDims(out);
  }

  /** A matmul operand's dims as PyTorch prints them, a 1-D operand as a row or column matrix. */
  private static String matText(Type t, boolean left) {
    if (t.rank() == 1) {
      return left ? "1x" + t.dim(0) : t.dim(0) + "x1";
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < t.rank(); i++) {
      s.append(i == 0 ? "" : "x").append(t.dim(i));
    }
    return s.toString();
  }

  /**
   * Checks that {@code part} is {@code whole} sliced by {@code dims=[dim, start, step]} (the length
   * is {@code part}'s size along {@code dim}) and returns the type of the op's result: {@code part}
   * for {@code slice}, {@code whole} for {@code slice_backward}.
   */
  private static Type slice(Op op, Type whole, Type part, int[] dims) {
    if (dims.length != 3) {
      throw new GradcException(op.mnemonic() + " takes dims=[dim, start, step]");
    }
    int d = dims[0];
    checkRange(op, d, whole.rank());
    if (part.rank() != whole.rank()) {
      throw new GradcException(op.mnemonic() + " cannot change the rank of " + whole);
    }
    for (int i = 0; i < whole.rank(); i++) {
      if (i != d && !whole.dim(i).equals(part.dim(i))) {
        throw new GradcException(op.mnemonic() + " of " + whole + " cannot give " + part);
      }
    }
    if (!whole.dim(d).isStatic() || !part.dim(d).isStatic()) {
      throw new GradcException(op.mnemonic() + " needs a static size along dim " + d);
    }
    int size = whole.dim(d).size();
    int length = part.dim(d).size();
    int start = dims[1];
    int step = dims[2];
    long last = start + (long) step * (length - 1);
    boolean inRange =
        length == 0
            ? start >= 0 && start <= size
            : start >= 0 && start < size && last >= 0 && last < size;
    if (step == 0 || !inRange) {
      throw new GradcException(
          op.mnemonic()
              + " of "
              + length
              + " elements from "
              + start
              + " by "
              + step
              + " is out of range for dim "
              + d
              + " of size "
              + size);
    }
    return op == Op.SLICE ? part : whole;
  }

  /** {@code gather}: PyTorch's checks of the index, and its shape as the result's. */
  private static Type gather(Type x, Type index, int[] dims) {
    checkIndex(Op.GATHER, x, index, dims, "input");
    for (int i = 0; i < x.rank(); i++) {
      if (i != dims[0] && !fitsWithin(index.dim(i), x.dim(i))) {
        throw new GradcException(
            "Size does not match at dimension "
                + i
                + " expected index "
                + index.dims()
                + " to be smaller than self "
                + x.dims()
                + " apart from dimension "
                + dims[0]);
      }
    }
    return index.withDtype(x.dtype());
  }

  /**
   * {@code scatter_add} and {@code scatter}: PyTorch's checks of the index and the source, whose
   * shape the index has (the language and the Java API narrow a larger source first).
   */
  private static Type scatter(Op op, Type self, Type index, Type src, int[] dims) {
    requireDtype(op, self);
    checkIndex(op, self, index, dims, "self");
    if (src.dtype() != self.dtype()) {
      throw new GradcException("scatter(): Expected self.dtype to be equal to src.dtype");
    }
    boolean fits = src.rank() == index.rank();
    for (int i = 0; fits && i < index.rank(); i++) {
      fits =
          index.dim(i).equals(src.dim(i))
              && (i == dims[0] || fitsWithin(index.dim(i), self.dim(i)));
    }
    if (!fits) {
      throw new GradcException(
          "Expected index "
              + index.dims()
              + " to be smaller than self "
              + self.dims()
              + " apart from dimension "
              + dims[0]
              + " and to be smaller size than src "
              + src.dims());
    }
    return self;
  }

  /** The checks {@code gather} and {@code scatter_add} share: one dim, an i64 index of x's rank. */
  private static void checkIndex(Op op, Type x, Type index, int[] dims, String name) {
    if (dims.length != 1) {
      throw new GradcException(op.mnemonic() + " takes exactly one dim");
    }
    checkRange(op, dims[0], Math.max(1, x.rank()));
    if (index.dtype() != DType.I64) {
      throw new GradcException(op.mnemonic() + "(): Expected dtype int64 for index");
    }
    if (index.rank() != x.rank()) {
      throw new GradcException(
          "Index tensor must have the same number of dimensions as " + name + " tensor");
    }
  }

  /** Whether an index of size {@code i} fits within a dim of size {@code x} (symbolic: equal). */
  private static boolean fitsWithin(Dim i, Dim x) {
    return i.equals(x) || (i.isStatic() && x.isStatic() && i.size() <= x.size());
  }

  private static Type oneHot(Type x, Type target) {
    if (x.dtype() != DType.I64) {
      throw new GradcException("one_hot is only applicable to index tensor.");
    }
    if (target == null
        || target.dtype() != DType.I64
        || target.rank() != x.rank() + 1
        || !target.dims().subList(0, x.rank()).equals(x.dims())
        || !target.dim(x.rank()).isStatic()) {
      throw new GradcException("one_hot needs a result i64[..., classes] for " + x);
    }
    return target;
  }

  private static Type numel(Op op, Type x, int[] dims, Type target) {
    checkReduceDims(op, x.rank(), dims);
    if (target == null || !target.isScalar() || !target.dtype().isFloat()) {
      throw new GradcException("numel needs a floating-point scalar result type");
    }
    return target;
  }
}
