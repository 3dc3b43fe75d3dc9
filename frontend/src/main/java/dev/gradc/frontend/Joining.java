package dev.gradc.frontend;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's joining and splitting ({@code cat}, {@code flip}, {@code roll}; the sizes of {@code
 * split}, {@code chunk} and {@code unbind}), shared by the Java API and the {@code .grad} language,
 * as compositions of {@code slice} and {@code slice_backward}: {@code cat} writes each operand into
 * zeros of the result and picks it with {@code where} (exact, signed zeros included), {@code flip}
 * is a slice with step -1, {@code roll} the two slices of a dim swapped. Their gradients are those
 * of the parts, so they differentiate twice; errors carry PyTorch's texts.
 */
public final class Joining {
  private Joining() {}

  /**
   * {@code torch.cat(xs, dim)}: the operands, promoted to one dtype, end to end along {@code dim}.
   */
  public static Value cat(Builder b, List<Value> xs, int dim) {
    if (xs.isEmpty()) {
      throw new GradcException("torch.cat(): expected a non-empty list of Tensors");
    }
    List<Value> parts = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      Value x = xs.get(i);
      if (x.type().rank() == 0) {
        throw new GradcException(
            "zero-dimensional tensor (at position " + i + ") cannot be concatenated");
      }
      // PyTorch skips 1-d empty tensors, whatever the others' shapes
      if (!(x.type().rank() == 1 && x.type().dim(0).equals(Dim.of(0)))) {
        parts.add(x);
      }
    }
    DType dt = Builder.promote(xs.toArray(new Value[0]));
    if (parts.isEmpty()) {
      return b.cast(xs.get(0), dt);
    }
    List<Dim> first = parts.get(0).type().dims();
    int d = Builder.normalizeDim(dim, first.size());
    long total = 0;
    for (int i = 0; i < parts.size(); i++) {
      List<Dim> s = parts.get(i).type().dims();
      if (s.size() != first.size()) {
        throw new GradcException(
            "Tensors must have same number of dimensions: got "
                + first.size()
                + " and "
                + s.size());
      }
      for (int k = 0; k < s.size(); k++) {
        if (k != d && !s.get(k).equals(first.get(k))) {
          throw new GradcException(
              "Sizes of tensors must match except in dimension "
                  + d
                  + ". Expected size "
                  + first.get(k)
                  + " but got size "
                  + s.get(k)
                  + " for tensor number "
                  + xs.indexOf(parts.get(i))
                  + " in the list.");
        }
      }
      total += parts.size() == 1 ? 0 : Indexing.size(s, d);
    }
    if (parts.size() == 1) {
      return b.cast(parts.get(0), dt);
    }
    List<Dim> whole = new ArrayList<>(first);
    whole.set(d, Dim.of(Math.toIntExact(total)));
    Value out = null;
    int offset = 0;
    for (Value x : parts) {
      Value part = b.cast(x, dt);
      Value placed = b.sliceBackward(part, whole, d, offset, 1);
      if (out == null) {
        out = placed;
      } else {
        Value mask =
            b.sliceBackward(b.full(1, part.type().withDtype(DType.BOOL)), whole, d, offset, 1);
        out = b.where(mask, placed, out);
      }
      offset += part.type().dim(d).size();
    }
    return out;
  }

  /** {@code torch.flip(x, dims)}: the order of the elements along each of {@code dims} reversed. */
  public static Value flip(Builder b, Value x, int[] dims) {
    int rank = x.type().rank();
    boolean[] seen = new boolean[Math.max(rank, 1)];
    for (int dim : dims) {
      int d = Builder.normalizeDim(dim, rank);
      if (seen[d]) {
        throw new GradcException("dim " + d + " appears multiple times in the list of dims");
      }
      seen[d] = true;
      if (rank == 0) {
        continue;
      }
      int n = (int) Indexing.size(x.type().dims(), d);
      if (n > 1) {
        x = b.slice(x, d, n - 1, -1, n);
      }
    }
    return x;
  }

  /**
   * {@code torch.roll(x, shifts, dims)}: each dim rotated by its shift, elements leaving at the end
   * coming back at the start; without dims, the flattened tensor rotated by one shift.
   */
  public static Value roll(Builder b, Value x, long[] shifts, int[] dims) {
    if (dims.length == 0) {
      if (shifts.length != 1) {
        throw new GradcException(
            "shifts and dimensions must align. shifts: " + shifts.length + ", dims:0");
      }
      List<Dim> shape = x.type().dims();
      Value flat = b.reshape(x, List.of(product(shape)));
      return b.reshape(roll(b, flat, shifts, new int[] {0}), shape);
    }
    if (shifts.length != dims.length) {
      throw new GradcException(
          "shifts and dimensions must align. shifts: " + shifts.length + ", dims:" + dims.length);
    }
    for (int i = 0; i < dims.length; i++) {
      int d = Builder.normalizeDim(dims[i], x.type().rank());
      if (x.type().rank() == 0) {
        continue;
      }
      long n = Indexing.size(x.type().dims(), d);
      if (n == 0) {
        continue;
      }
      int k = (int) Math.floorMod(shifts[i], n);
      if (k != 0) {
        Value tail = b.slice(x, d, (int) n - k, 1, k);
        Value head = b.slice(x, d, 0, 1, (int) n - k);
        x = cat(b, List.of(tail, head), d);
      }
    }
    return x;
  }

  private static Dim product(List<Dim> shape) {
    Dim p = Dim.of(1);
    for (Dim d : shape) {
      if (!d.isStatic() && !p.equals(Dim.of(1))) {
        throw new GradcException("roll without dims needs static sizes, got " + shape);
      }
      p = d.isStatic() ? p.times(d.size()) : d.times(p.size());
    }
    return p;
  }

  /**
   * The slices ({@code dims=[dim, start, 1]}, their lengths) of {@code x.split(splitSize, dim)}:
   * pieces of {@code splitSize} elements, the last shorter.
   */
  public static long[] splitSizes(long n, long splitSize) {
    if (splitSize < 0) {
      throw new GradcException(
          "split expects split_size be non-negative, but got split_size=" + splitSize);
    }
    if (splitSize == 0) {
      if (n != 0) {
        throw new GradcException(
            "split_size can only be 0 if dimension size is 0, but got dimension size of " + n);
      }
      return new long[] {0};
    }
    int pieces = (int) Math.max(1, (n + splitSize - 1) / splitSize);
    long[] sizes = new long[pieces];
    for (int i = 0; i < pieces; i++) {
      sizes[i] = Math.min(splitSize, n - i * splitSize);
    }
    return sizes;
  }

  /** Checks {@code x.split([sizes...], dim)}'s sizes against the dim's size {@code n}. */
  public static long[] checkSections(long n, long[] sizes, int dim) {
    long sum = 0;
    for (long s : sizes) {
      if (s < 0) {
        throw new GradcException(
            "split_with_sizes expects split_sizes have only non-negative entries, but got"
                + " split_sizes="
                + text(sizes));
      }
      sum += s;
    }
    if (sum != n) {
      throw new GradcException(
          "split_with_sizes expects split_sizes to sum exactly to "
              + n
              + " (input tensor's size at dimension "
              + dim
              + "), but got split_sizes="
              + text(sizes));
    }
    return sizes.clone();
  }

  /** The sizes of {@code x.chunk(chunks, dim)}: pieces of {@code ceil(n / chunks)} elements. */
  public static long[] chunkSizes(long n, long chunks) {
    if (chunks <= 0) {
      throw new GradcException("chunk expects `chunks` to be greater than 0, got: " + chunks);
    }
    if (n == 0) {
      return new long[(int) chunks];
    }
    return splitSizes(n, (n + chunks - 1) / chunks);
  }

  /** The slice steps of consecutive pieces of these sizes along {@code dim}. */
  public static List<Indexing.Step> pieces(int dim, long n, long[] sizes) {
    List<Indexing.Step> steps = new ArrayList<>();
    long start = 0;
    for (long s : sizes) {
      boolean full = start == 0 && s == n;
      steps.add(new Indexing.Step(Indexing.Kind.SLICE, dim, (int) start, 1, (int) s, full));
      start += s;
    }
    return steps;
  }

  private static String text(long[] sizes) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < sizes.length; i++) {
      s.append(i == 0 ? "" : ", ").append(sizes[i]);
    }
    return s.append("]").toString();
  }
}
