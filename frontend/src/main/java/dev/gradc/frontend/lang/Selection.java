package dev.gradc.frontend.lang;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's selection and joining functions that the IR's ops compose: {@code max}/{@code min} with
 * a dim (values and indices), {@code argmax}/{@code argmin}, {@code repeat}, {@code tile} and
 * {@code stack}, shared by the {@code .grad} builtins and the Java API. Each is elementwise ops,
 * reductions and views over an index vector, so it fuses like any other expression and reverse mode
 * differentiates it (twice) without a rule of its own; the gradients are PyTorch's: {@code
 * max(dim)} passes the gradient to the selected element only. {@code sort}, {@code topk}, {@code
 * kthvalue} and {@code median} gather their values at positions of the IR's {@code argsort} (a
 * stable sort, NaN the largest, as PyTorch's CPU sort; for {@code topk} and {@code kthvalue} the
 * orders their CPU kernels' partitions leave, {@code topk_order} and {@code kthvalue_order}), so
 * the gradient goes to the selected elements through {@code gather}'s rule and the index among
 * equal values is PyTorch's.
 */
public final class Selection {
  private Selection() {}

  /**
   * {@code torch.max(x, dim, keepdim)} ({@code max} true) or {@code torch.min}: the values and the
   * index of the first extreme element along {@code dim}, NaN counting as the extreme (PyTorch's
   * rule); the values' gradient goes to that element alone.
   */
  public static Value[] maxMin(Builder b, Value x, int dim, boolean keepdim, boolean max) {
    String fn = max ? "max()" : "min()";
    int r = x.type().rank();
    if (r == 0) {
      Builder.normalizeDim(dim, 0);
      return new Value[] {x, Builder.lit(0, DType.I64)};
    }
    int d = Builder.normalizeDim(dim, r);
    Value keep = indexKeep(b, x, d, max, fn);
    DType dt = x.type().dtype();
    Value sel = b.binary(Op.EQ, positions(b, x, d), keep);
    // The selected element, as a sum with zeros (its gradient goes there alone); a zero keeps its
    // sign through a max over the other elements masked to -inf.
    Value s = b.reduce(Op.SUM, b.where(sel, x, Builder.lit(0, dt)), new int[] {d}, true);
    Value values = s;
    if (dt.isFloat()) {
      Value z =
          b.reduce(
              Op.AMAX,
              b.where(sel, x, Builder.lit(Double.NEGATIVE_INFINITY, dt)),
              new int[] {d},
              true);
      values = b.where(b.binary(Op.EQ, s, Builder.lit(0, dt)), z, s);
    }
    if (keepdim) {
      return new Value[] {values, keep};
    }
    return new Value[] {b.squeeze(values, d), b.squeeze(keep, d)};
  }

  /**
   * {@code torch.argmax(x, dim, keepdim)} ({@code max} true) or {@code argmin}; {@code dim} null
   * reduces the flattened tensor to a scalar index.
   */
  public static Value argMaxMin(Builder b, Value x, Integer dim, boolean keepdim, boolean max) {
    String fn = max ? "argmax()" : "argmin()";
    if (dim == null) {
      if (x.type().staticNumel() == 0) {
        throw new GradcException(
            fn + ": Expected reduction dim to be specified for input.numel() == 0.");
      }
      Value flat = b.reshape(x, -1);
      Value i = b.squeeze(indexKeep(b, flat, 0, max, fn), 0);
      if (!keepdim) {
        return i;
      }
      List<Dim> ones = new ArrayList<>();
      for (int k = 0; k < x.type().rank(); k++) {
        ones.add(Dim.of(1));
      }
      return b.reshape(i, ones);
    }
    int r = x.type().rank();
    if (r == 0) {
      Builder.normalizeDim(dim, 0);
      return Builder.lit(0, DType.I64);
    }
    int d = Builder.normalizeDim(dim, r);
    Value keep = indexKeep(b, x, d, max, fn);
    return keepdim ? keep : b.squeeze(keep, d);
  }

  /** The index of the first extreme (or NaN) element along {@code d}, with {@code d} kept. */
  private static Value indexKeep(Builder b, Value x, int d, boolean max, String fn) {
    if (x.type().dtype() == DType.BOOL) {
      throw new GradcException(fn + " is not implemented for bool tensors in gradc");
    }
    Dim size = x.type().dim(d);
    if (size.symbol() != null) {
      throw new GradcException(
          fn
              + " along a dim of symbolic size "
              + size
              + " is not supported: the size must be known");
    }
    int n = size.factor();
    if (n == 0) {
      throw new GradcException(fn + ": Expected reduction dim " + d + " to have non-zero size.");
    }
    int[] dims = {d};
    Value m = b.reduce(max ? Op.AMAX : Op.AMIN, x, dims, true);
    Value nan = b.binary(Op.NE, x, x);
    Value hit = b.where(nan, nan, b.binary(Op.EQ, x, m));
    Value pos = positions(b, x, d);
    return b.reduce(Op.AMIN, b.where(hit, pos, Builder.lit(n, DType.I64)), dims, true);
  }

  /** {@code 0 .. n-1} along dim {@code d} of {@code x}, size 1 along the others (i64). */
  private static Value positions(Builder b, Value x, int d) {
    int n = x.type().dim(d).factor();
    List<Dim> shape = new ArrayList<>();
    for (int k = 0; k < x.type().rank(); k++) {
      shape.add(k == d ? Dim.of(n) : Dim.of(1));
    }
    return b.reshape(Constructors.iota(b, n), shape);
  }

  /** {@code x.repeat(*reps)}: {@code x} tiled {@code reps[k]} times along dim {@code k}. */
  public static Value repeat(Builder b, Value x, int[] reps) {
    int k = reps.length;
    int r = x.type().rank();
    if (k < r) {
      throw new GradcException(
          "Number of dimensions of repeat dims can not be smaller than number of dimensions of"
              + " tensor");
    }
    List<Dim> padded = new ArrayList<>();
    for (int i = 0; i < k - r; i++) {
      padded.add(Dim.of(1));
    }
    padded.addAll(x.type().dims());
    for (int rep : reps) {
      if (rep < 0) {
        List<String> sizes = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          Dim p = padded.get(i);
          sizes.add(
              p.symbol() == null ? String.valueOf((long) p.factor() * reps[i]) : p + "*" + reps[i]);
        }
        throw new GradcException(
            "Trying to create tensor with negative dimension "
                + rep
                + ": ["
                + String.join(", ", sizes)
                + "]");
      }
    }
    List<Dim> spread = new ArrayList<>();
    List<Dim> expanded = new ArrayList<>();
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      spread.add(Dim.of(1));
      spread.add(padded.get(i));
      expanded.add(Dim.of(reps[i]));
      expanded.add(padded.get(i));
      out.add(padded.get(i).times(reps[i]));
    }
    Value v = b.reshape(x, spread);
    return b.reshape(b.expand(v, expanded), out);
  }

  /** {@code torch.tile(x, reps)}: {@link #repeat} with {@code reps} padded by leading ones. */
  public static Value tile(Builder b, Value x, int[] reps) {
    int r = x.type().rank();
    if (reps.length >= r) {
      return repeat(b, x, reps);
    }
    int[] full = new int[r];
    Arrays.fill(full, 1);
    System.arraycopy(reps, 0, full, r - reps.length, reps.length);
    return repeat(b, x, full);
  }

  /**
   * {@code torch.stack(xs, dim)}: the tensors, promoted to one dtype, along a new dim {@code dim}.
   * Each is broadcast along the new dim and picked where the position is its own, so the result is
   * one fused loop.
   */
  public static Value stack(Builder b, List<Value> xs, int dim) {
    if (xs.isEmpty()) {
      throw new GradcException("stack expects a non-empty TensorList");
    }
    List<Dim> shape = xs.get(0).type().dims();
    for (int i = 1; i < xs.size(); i++) {
      if (!xs.get(i).type().dims().equals(shape)) {
        throw new GradcException(
            "stack expects each tensor to be equal size, but got "
                + shape
                + " at entry 0 and "
                + xs.get(i).type().dims()
                + " at entry "
                + i);
      }
    }
    int d = Builder.normalizeDim(dim, shape.size() + 1);
    DType dt = Builder.promote(xs.toArray(new Value[0]));
    int n = xs.size();
    List<Dim> outShape = new ArrayList<>(shape);
    outShape.add(d, Dim.of(n));
    List<Dim> posShape = new ArrayList<>();
    for (int k = 0; k <= shape.size(); k++) {
      posShape.add(k == d ? Dim.of(n) : Dim.of(1));
    }
    Value pos = n == 1 ? null : b.reshape(Constructors.iota(b, n), posShape);
    Value out = null;
    for (int i = n - 1; i >= 0; i--) {
      Value u = b.unsqueeze(b.cast(xs.get(i), dt), d);
      out =
          out == null
              ? b.broadcastTo(u, outShape)
              : b.where(b.binary(Op.EQ, pos, Builder.lit(i, DType.I64)), u, out);
    }
    return out;
  }

  /**
   * {@code torch.sort(x, dim, descending)}: the values and their i64 positions, stably (PyTorch's
   * CPU sort is stable whatever {@code stable} says), NaN the largest.
   */
  public static Value[] sort(Builder b, Value x, int dim, boolean descending) {
    if (x.type().rank() == 0) {
      Builder.normalizeDim(dim, 0);
      return new Value[] {x, Builder.lit(0, DType.I64)};
    }
    int d = Builder.normalizeDim(dim, x.type().rank());
    Value idx = b.scan(Op.ARGSORT, x, d, descending);
    return new Value[] {b.gather(x, d, idx), idx};
  }

  /** {@code torch.argsort(x, dim, descending)}: the positions of {@link #sort}. */
  public static Value argsort(Builder b, Value x, int dim, boolean descending) {
    return sort(b, x, dim, descending)[1];
  }

  /**
   * {@code torch.topk(x, k, dim, largest, sorted)}: the {@code k} largest (or smallest) values
   * along {@code dim} and their positions, in PyTorch's order (sorted, or as its selection left
   * them).
   */
  public static Value[] topk(Builder b, Value x, int k, int dim, boolean largest, boolean sorted) {
    requireNotBool(x, "topk_cpu");
    int r = x.type().rank();
    int d = Builder.normalizeDim(dim, r);
    Dim size = r == 0 ? Dim.of(1) : x.type().dim(d);
    if (k < 0 || (size.isStatic() && k > size.size())) {
      throw new GradcException("selected index k out of range");
    }
    if (r == 0) {
      return k == 0
          ? new Value[] {b.reshape(x, 0), b.reshape(Builder.lit(0, DType.I64), 0)}
          : sort(b, x, dim, largest);
    }
    Value idx = b.slice(b.order(Op.TOPK_ORDER, x, d, largest, k, sorted), d, 0, 1, k);
    return new Value[] {b.gather(x, d, idx), idx};
  }

  /**
   * {@code torch.kthvalue(x, k, dim, keepdim)}: the {@code k}-th smallest value along {@code dim}
   * (from 1, NaN the largest) and its position.
   */
  public static Value[] kthvalue(Builder b, Value x, int k, int dim, boolean keepdim) {
    requireNotBool(x, "kthvalue_cpu");
    int r = x.type().rank();
    int d = Builder.normalizeDim(dim, r);
    Dim size = r == 0 ? Dim.of(1) : x.type().dim(d);
    if (k < 1 || (size.isStatic() && k > size.size())) {
      throw new GradcException("kthvalue(): selected number k out of range for dimension " + d);
    }
    if (r == 0) {
      return new Value[] {x, Builder.lit(0, DType.I64)};
    }
    Value idx = b.slice(b.order(Op.KTHVALUE_ORDER, x, d, false, k, false), d, k - 1, 1, 1);
    return keep(b, new Value[] {b.gather(x, d, idx), idx}, d, keepdim);
  }

  /**
   * {@code torch.median(x, dim, keepdim)}: the lower median along {@code dim} and its position, or
   * the first NaN of a lane that holds one.
   */
  public static Value[] median(Builder b, Value x, int dim, boolean keepdim) {
    requireNotBool(x, "median_cpu");
    int r = x.type().rank();
    int d = Builder.normalizeDim(dim, r);
    if (r == 0) {
      return new Value[] {x, Builder.lit(0, DType.I64)};
    }
    int n = staticSize(x, d, "median()");
    if (n == 0) {
      throw new GradcException("median(): Expected reduction dim " + d + " to have non-zero size.");
    }
    Value idx = b.slice(b.scan(Op.ARGSORT, x, d, false), d, (n - 1) / 2, 1, 1);
    if (x.type().dtype().isFloat()) {
      // descending and stable, a lane's first NaN comes first; ascending, any NaN comes last
      Value last = b.gather(x, d, b.slice(b.scan(Op.ARGSORT, x, d, false), d, n - 1, 1, 1));
      Value firstNaN = b.slice(b.scan(Op.ARGSORT, x, d, true), d, 0, 1, 1);
      idx = b.where(b.binary(Op.NE, last, last), firstNaN, idx);
    }
    return keep(b, new Value[] {b.gather(x, d, idx), idx}, d, keepdim);
  }

  /**
   * {@code torch.median(x)}: the lower median of all elements, NaN if one is NaN (or there are
   * none). Its gradient is PyTorch's {@code evenly_distribute_backward}: shared equally by the
   * elements equal to the median (or, for NaN, by the NaNs).
   */
  public static Value median(Builder b, Value x) {
    requireNotBool(x, "median_cpu");
    DType dt = x.type().dtype();
    Value flat = b.reshape(x, -1);
    int n = staticSize(flat, 0, "median()");
    if (n == 0) {
      return b.full(dt.isFloat() ? Double.NaN : 0, new dev.gradc.ir.Type(dt, List.of()));
    }
    Value order = b.scan(Op.ARGSORT, flat, 0, false);
    Value m = b.squeeze(b.gather(flat, 0, b.slice(order, 0, (n - 1) / 2, 1, 1)), 0);
    if (!dt.isFloat()) {
      return m;
    }
    Value last = b.squeeze(b.gather(flat, 0, b.slice(order, 0, n - 1, 1, 1)), 0);
    Value md = b.detach(b.where(b.binary(Op.NE, last, last), last, m));
    Value xd = b.detach(flat);
    Value zero = Builder.lit(0, dt);
    Value mask =
        b.where(b.binary(Op.NE, md, md), b.binary(Op.NE, flat, flat), b.binary(Op.EQ, flat, md));
    Value share = b.div(b.cast(mask, dt), b.reduce(Op.SUM, b.cast(mask, dt), new int[] {0}, false));
    // m - 0.0 keeps m's bits (and the sign of a zero); the sum carries the shares' gradient
    Value finite =
        b.sub(md, b.sum(b.mul(b.where(mask, b.sub(xd, flat), zero), share), new int[] {0}, false));
    Value infinite = b.sum(b.mul(b.where(mask, flat, zero), share), new int[] {0}, false);
    Value isFinite = b.binary(Op.EQ, b.sub(md, md), zero);
    return b.where(isFinite, finite, infinite);
  }

  private static Value[] keep(Builder b, Value[] valuesIndices, int d, boolean keepdim) {
    if (keepdim) {
      return valuesIndices;
    }
    return new Value[] {b.squeeze(valuesIndices[0], d), b.squeeze(valuesIndices[1], d)};
  }

  private static void requireNotBool(Value x, String kernel) {
    if (x.type().dtype() == DType.BOOL) {
      throw new GradcException("\"" + kernel + "\" not implemented for 'Bool'");
    }
  }

  private static int staticSize(Value x, int d, String fn) {
    Dim size = x.type().dim(d);
    if (!size.isStatic()) {
      throw new GradcException(
          fn
              + " along a dim of symbolic size "
              + size
              + " is not supported: the size must be known");
    }
    return size.size();
  }
}
