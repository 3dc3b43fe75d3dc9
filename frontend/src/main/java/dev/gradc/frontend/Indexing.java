package dev.gradc.frontend;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's basic indexing ({@code x[1:, ::2]}, {@code x[..., 0]}, {@code x[:, None]}), shared by
 * the Java API ({@code Tensor.index}) and the {@code .grad} language: a list of index {@link Item}s
 * becomes, left to right as PyTorch applies them, a list of {@link Step}s (a {@code select}, a
 * {@code slice} or an {@code unsqueeze} at a dim of the tensor built so far) with every index
 * normalised, or PyTorch's error. Also the normalisation of {@code slice}, {@code narrow} and
 * {@code select} arguments, and the IR of a slice written back into its base.
 */
public final class Indexing {
  private Indexing() {}

  /** One index of a subscript. */
  public sealed interface Item permits At, Range, Marker {}

  /** An integer index: selects one element and removes the dim. */
  public record At(long index) implements Item {}

  /** {@code start:stop:step}, each part null when left out. */
  public record Range(Long start, Long stop, Long step) implements Item {}

  /** {@code None} (a new dim of size 1) and {@code ...} (as many {@code :} as needed). */
  public enum Marker implements Item {
    NEW_AXIS,
    ELLIPSIS
  }

  /** What one index does, in order. */
  public enum Kind {
    SELECT,
    SLICE,
    UNSQUEEZE
  }

  /**
   * One step at {@code dim} of the tensor built so far: {@code select} of element {@code start},
   * {@code slice} of {@code length} elements from {@code start} by {@code step} ({@code full} when
   * it keeps every element), or {@code unsqueeze}.
   */
  public record Step(Kind kind, int dim, int start, int step, int length, boolean full) {}

  /**
   * The items of a subscript written as in Python, without the brackets: {@code "1:, ::2"}, {@code
   * "..., 0"}, {@code ":, None"}, {@code "-1"}; integers only.
   */
  public static List<Item> parse(String subscript) {
    List<Item> items = new ArrayList<>();
    String text = subscript.strip();
    if (text.isEmpty()) {
      return items;
    }
    for (String part : text.split(",", -1)) {
      String p = part.strip();
      if (p.equals("...")) {
        items.add(Marker.ELLIPSIS);
      } else if (p.equals("None")) {
        items.add(Marker.NEW_AXIS);
      } else if (p.contains(":")) {
        String[] b = p.split(":", -1);
        if (b.length > 3) {
          throw new GradcException("invalid index '" + p + "' in '" + subscript + "'");
        }
        items.add(
            new Range(
                bound(b[0], p, subscript),
                bound(b[1], p, subscript),
                b.length > 2 ? bound(b[2], p, subscript) : null));
      } else {
        Long i = bound(p, p, subscript);
        if (i == null) {
          throw new GradcException("invalid index '' in '" + subscript + "'");
        }
        items.add(new At(i));
      }
    }
    return items;
  }

  private static Long bound(String s, String part, String subscript) {
    String t = s.strip();
    if (t.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(t.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new GradcException(
          "invalid index '"
              + part
              + "' in '"
              + subscript
              + "': only integers, slices (`:`),"
              + " ellipsis (`...`) and None are valid indices");
    }
  }

  /** An error of one item of a subscript: {@code item} is its position in the list. */
  public static final class ItemError extends GradcException {
    private static final long serialVersionUID = 1L;
    private final int item;

    ItemError(GradcException cause, int item) {
      super(cause.getMessage());
      this.item = item;
    }

    public int item() {
      return item;
    }
  }

  /**
   * The steps of {@code items} applied to a tensor of shape {@code shape}, or PyTorch's error (an
   * {@link ItemError} when one item is at fault).
   */
  public static List<Step> plan(List<Item> items, List<Dim> shape) {
    int rank = shape.size();
    int specified = 0;
    int ellipses = 0;
    for (Item it : items) {
      if (it instanceof At || it instanceof Range) {
        specified++;
      } else if (it == Marker.ELLIPSIS) {
        ellipses++;
      }
    }
    if (ellipses > 1) {
      throw new GradcException("an index can only have a single ellipsis ('...')");
    }
    if (specified > rank) {
      throw new GradcException("too many indices for tensor of dimension " + rank);
    }
    List<Step> steps = new ArrayList<>();
    int d = 0; // dim of the result so far
    int s = 0; // dim of the operand
    for (int k = 0; k < items.size(); k++) {
      Item it = items.get(k);
      int before = steps.size();
      try {
        s = apply(it, shape, specified, steps, d, s);
      } catch (GradcException e) {
        throw new ItemError(e, k);
      }
      if (it == Marker.ELLIPSIS) {
        d += rank - specified;
      } else if (steps.size() > before && steps.get(before).kind() != Kind.SELECT) {
        d++;
      }
    }
    return steps;
  }

  /** Adds the step of {@code it} at dim {@code d}; returns the next dim of the operand. */
  private static int apply(
      Item it, List<Dim> shape, int specified, List<Step> steps, int d, int s) {
    if (it instanceof At a) {
      Dim size = shape.get(s);
      requireStatic(size, s);
      long n = size.size();
      if (a.index() < -n || a.index() >= n) {
        throw new GradcException(
            "index " + a.index() + " is out of bounds for dimension " + s + " with size " + n);
      }
      int i = (int) (a.index() < 0 ? a.index() + n : a.index());
      steps.add(new Step(Kind.SELECT, d, i, 1, 1, false));
      return s + 1;
    }
    if (it instanceof Range r) {
      steps.add(range(r, shape.get(s), s, d));
      return s + 1;
    }
    if (it == Marker.NEW_AXIS) {
      steps.add(new Step(Kind.UNSQUEEZE, d, 0, 1, 1, false));
      return s;
    }
    return s + shape.size() - specified;
  }

  private static Step range(Range r, Dim size, int s, int d) {
    long step = r.step() == null ? 1 : r.step();
    if (step == 0) {
      throw new GradcException("slice step cannot be zero");
    }
    if (step < 0) {
      throw new GradcException("step must be greater than zero");
    }
    if (!size.isStatic()) {
      if (r.start() == null && r.stop() == null && step == 1) {
        return new Step(Kind.SLICE, d, 0, 1, 0, true);
      }
      requireStatic(size, s);
    }
    long n = size.size();
    long start = clamp(r.start() == null ? 0 : r.start(), n);
    long stop = clamp(r.stop() == null ? n : r.stop(), n);
    return clamped(d, start, stop, step, n);
  }

  private static void requireStatic(Dim size, int s) {
    if (!size.isStatic()) {
      throw new GradcException(
          "dimension "
              + s
              + " has the symbolic size "
              + size
              + ", known only when the program runs; only ':' indexes it");
    }
  }

  /** Python's slice bound: negative from the end, then clamped to {@code [0, n]}. */
  private static long clamp(long i, long n) {
    long j = i < 0 ? i + n : i;
    return Math.max(0, Math.min(n, j));
  }

  private static Step clamped(int d, long start, long stop, long step, long n) {
    long length = stop <= start ? 0 : (stop - start + step - 1) / step;
    int st = (int) Math.min(start, n);
    int sp = (int) Math.min(step, Math.max(n, 1));
    return new Step(Kind.SLICE, d, st, sp, (int) length, st == 0 && sp == 1 && length == n);
  }

  /**
   * PyTorch's {@code x.slice(dim, start, end, step)} ({@code aten::slice}) on a dim of size {@code
   * n}: bounds negative from the end and clamped, step positive.
   */
  public static Step slice(int dim, long n, long start, long end, long step) {
    if (step <= 0) {
      throw new GradcException("slice step must be positive");
    }
    return clamped(dim, clamp(start, n), clamp(end, n), step, n);
  }

  /** PyTorch's {@code x.narrow(dim, start, length)} on a dim of size {@code n} of a tensor. */
  public static Step narrow(int dim, long n, long start, long length) {
    if (start < -n || start > n) {
      // PyTorch 1.13 checks start as if it were a dim
      throw new GradcException(
          "Dimension out of range (expected to be in range of ["
              + (-n)
              + ", "
              + (n - 1)
              + "], but got "
              + start
              + ")");
    }
    long s = start < 0 ? start + n : start;
    if (length < 0 || s + length > n) {
      throw new GradcException(
          "start (" + s + ") + length (" + length + ") exceeds dimension size (" + n + ").");
    }
    return clamped(dim, s, s + length, 1, n);
  }

  /**
   * The dims, in the tensor the views of {@code items} build from one of rank {@code rank}, of the
   * items at {@code positions} (ascending), each of them a full slice that stands for a tensor
   * index, as PyTorch places a tensor index among basic ones.
   */
  public static int[] keptDims(List<Item> items, List<Integer> positions, int rank) {
    int specified = 0;
    for (Item it : items) {
      if (it instanceof At || it instanceof Range) {
        specified++;
      }
    }
    int[] dims = new int[positions.size()];
    int out = 0;
    int j = 0;
    for (int k = 0; k < items.size(); k++) {
      Item it = items.get(k);
      if (j < dims.length && positions.get(j) == k) {
        dims[j++] = out;
      }
      if (it == Marker.ELLIPSIS) {
        out += Math.max(0, rank - specified);
      } else if (!(it instanceof At)) {
        out++;
      }
    }
    return dims;
  }

  /** The permutation that undoes {@code p} (negative dims from the end) of a rank {@code rank}. */
  public static int[] inversePermutation(int[] p, int rank) {
    int[] inv = new int[rank];
    for (int i = 0; i < rank; i++) {
      inv[Builder.normalizeDim(p[i], rank)] = i;
    }
    return inv;
  }

  /** PyTorch's {@code x.select(dim, index)} at {@code dim} of {@code shape}. */
  public static Step select(int dim, List<Dim> shape, long index) {
    Dim size = shape.get(dim);
    requireStatic(size, dim);
    long n = size.size();
    if (index < -n || index >= n) {
      throw new GradcException(
          "select(): index "
              + index
              + " out of range for tensor of size "
              + shape
              + " at dimension "
              + dim);
    }
    return new Step(Kind.SELECT, dim, (int) (index < 0 ? index + n : index), 1, 1, false);
  }

  /** The static size of {@code dim} of {@code shape}, or an error for a symbolic one. */
  public static long size(List<Dim> shape, int dim) {
    requireStatic(shape.get(dim), dim);
    return shape.get(dim).size();
  }

  /** {@code x} after one step. */
  public static Value apply(Builder b, Value x, Step s) {
    return switch (s.kind()) {
      case SELECT -> b.squeeze(b.slice(x, s.dim(), s.start(), 1, 1), s.dim());
      case SLICE -> s.full() ? x : b.slice(x, s.dim(), s.start(), s.step(), s.length());
      case UNSQUEEZE -> b.unsqueeze(x, s.dim());
    };
  }

  /**
   * {@code base} with the elements that the {@code select} or {@code slice} step {@code s} reads
   * replaced by {@code v}: PyTorch's {@code select_scatter} and {@code slice_scatter}, which
   * writing through such a view does.
   */
  public static Value scatter(Builder b, Value base, Step s, Value v) {
    if (s.kind() == Kind.UNSQUEEZE || s.full()) {
      return b.reshape(v, base.type().dims());
    }
    Value part = s.kind() == Kind.SELECT ? b.unsqueeze(v, s.dim()) : v;
    List<Dim> whole = base.type().dims();
    Value mask =
        b.sliceBackward(
            b.full(1, part.type().withDtype(DType.BOOL)), whole, s.dim(), s.start(), s.step());
    return b.where(mask, b.sliceBackward(part, whole, s.dim(), s.start(), s.step()), base);
  }
}
