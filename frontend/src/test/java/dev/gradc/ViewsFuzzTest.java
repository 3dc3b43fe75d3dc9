package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random programs mixing views and in-place updates, against a model of PyTorch's strided views:
 * every view is a map from its elements to elements of the base's storage, an in-place update of
 * any tensor writes through its map, a read reads through it. After each step every tensor must
 * read what the model reads, whichever tensor was written.
 */
class ViewsFuzzTest {

  /** A tensor of the program and its model: the storage index of each of its elements. */
  private static final class Entry {
    private final Tensor t;
    private final int[] shape;
    private final int[] index;

    Entry(Tensor t, int[] shape, int[] index) {
      this.t = t;
      this.shape = shape;
      this.index = index;
    }

    Tensor t() {
      return t;
    }

    int[] shape() {
      return shape;
    }

    int[] index() {
      return index;
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void viewsAndInPlaceUpdates_matchStridedModel(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] storage = new double[24];
    for (int i = 0; i < storage.length; i++) {
      storage[i] = i + 1;
    }
    List<Entry> all = new ArrayList<>();
    int[] id = new int[24];
    for (int i = 0; i < id.length; i++) {
      id[i] = i;
    }
    all.add(
        new Entry(Tensor.tensor(DType.F64, storage.clone()).reshape(2, 3, 4), shape(2, 3, 4), id));
    // the base itself is a view of a flat tensor here; writes to every entry share one storage
    for (int step = 0; step < 30; step++) {
      Entry e = all.get(r.nextInt(all.size()));
      int k = r.nextInt(7);
      if (k < 4) {
        all.add(view(e, r));
      } else {
        double c = r.nextInt(5) - 2;
        String what;
        switch (k) {
          case 4 -> {
            e.t().add_(c);
            for (int i : e.index()) {
              storage[i] += c;
            }
            what = "add_";
          }
          case 5 -> {
            e.t().mul_(c);
            for (int i : e.index()) {
              storage[i] *= c;
            }
            what = "mul_";
          }
          default -> {
            e.t().fill_(c);
            for (int i : e.index()) {
              storage[i] = c;
            }
            what = "fill_";
          }
        }
        for (Entry x : all) {
          double[] want = new double[x.index().length];
          for (int i = 0; i < want.length; i++) {
            want[i] = storage[x.index()[i]];
          }
          assertArrayEquals(
              want, x.t().toDoubleArray(), "seed " + seed + " step " + step + " " + what);
        }
      }
    }
  }

  private static int[] shape(int... s) {
    return s;
  }

  /**
   * A random view of {@code e}: reshape, transpose, permute, unsqueeze, squeeze, a slice ({@code
   * slice}, {@code narrow} or {@code index("...")}) or a {@code select}.
   */
  private static Entry view(Entry e, SplittableRandom r) {
    int[] s = e.shape();
    int rank = s.length;
    int kind = r.nextInt(7);
    if (kind >= 5 && rank > 0) {
      int dim = r.nextInt(rank);
      if (s[dim] > 0) {
        return sliced(e, r, dim);
      }
    }
    if (kind == 0 || rank < 2) {
      int[] ns = randomShape(e.index().length, r);
      long[] ls = new long[ns.length];
      for (int i = 0; i < ns.length; i++) {
        ls[i] = ns[i];
      }
      return new Entry(e.t().reshape(ls), ns, e.index());
    }
    if (kind == 1) {
      int a = r.nextInt(rank);
      int b = r.nextInt(rank);
      int[] p = identity(rank);
      p[a] = b;
      p[b] = a;
      return permuted(e, e.t().transpose(a, b), p);
    }
    if (kind == 2) {
      int[] p = identity(rank);
      for (int i = rank - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int tmp = p[i];
        p[i] = p[j];
        p[j] = tmp;
      }
      return permuted(e, e.t().permute(p), p);
    }
    if (kind == 3) {
      int d = r.nextInt(rank + 1);
      int[] ns = new int[rank + 1];
      for (int i = 0, j = 0; i <= rank; i++) {
        ns[i] = i == d ? 1 : s[j++];
      }
      return new Entry(e.t().unsqueeze(d), ns, e.index());
    }
    int[] ns = java.util.Arrays.stream(s).filter(x -> x != 1).toArray();
    return new Entry(e.t().squeeze(), ns, e.index());
  }

  /** A slice or select of {@code e} along {@code dim}, written one of several ways. */
  private static Entry sliced(Entry e, SplittableRandom r, int dim) {
    int n = e.shape()[dim];
    int start = r.nextInt(n);
    int step = 1 + r.nextInt(2);
    int length = 1 + r.nextInt((n - 1 - start) / step + 1);
    int stop = start + (length - 1) * step + 1;
    int way = r.nextInt(5);
    if (way == 0) {
      int i = r.nextBoolean() ? start - n : start;
      Tensor t =
          switch (r.nextInt(3)) {
            case 0 -> e.t().select(dim, i);
            case 1 -> e.t().unbind(dim).get(start);
            default -> e.t().index(":, ".repeat(dim) + i);
          };
      return slicedModel(e, t, dim, start, 1, 1, true);
    }
    if (way == 4) {
      // a piece of split or chunk: pieces of `size` elements, the last shorter
      boolean chunk = r.nextBoolean();
      int chunks = 1 + r.nextInt(n);
      int size = chunk ? (n + chunks - 1) / chunks : 1 + r.nextInt(n);
      int piece = r.nextInt((n + size - 1) / size);
      int len = Math.min(size, n - piece * size);
      Tensor t = chunk ? e.t().chunk(chunks, dim).get(piece) : e.t().split(size, dim).get(piece);
      return slicedModel(e, t, dim, piece * size, 1, len, false);
    }
    Tensor t =
        switch (way) {
          case 1 -> e.t().slice(dim, start, stop, step);
          case 2 ->
              e.t()
                  .index(
                      "..., "
                          + start
                          + ":"
                          + stop
                          + ":"
                          + step
                          + ", :".repeat(e.shape().length - 1 - dim));
          default ->
              step == 1
                  ? e.t().narrow(dim, start - n, length)
                  : e.t().slice(dim, start - n, stop, step);
        };
    return slicedModel(e, t, dim, start, step, length, false);
  }

  /**
   * The model of a slice of {@code e}: {@code length} elements from {@code start} by {@code step}.
   */
  private static Entry slicedModel(
      Entry e, Tensor t, int dim, int start, int step, int length, boolean drop) {
    int[] s = e.shape();
    int[] ns = s.clone();
    ns[dim] = length;
    int[] stride = new int[s.length];
    int acc = 1;
    for (int i = s.length - 1; i >= 0; i--) {
      stride[i] = acc;
      acc *= s[i];
    }
    int count = 1;
    for (int x : ns) {
      count *= x;
    }
    int[] index = new int[count];
    int[] pos = new int[s.length];
    for (int flat = 0; flat < count; flat++) {
      int rem = flat;
      for (int i = s.length - 1; i >= 0; i--) {
        pos[i] = rem % ns[i];
        rem /= ns[i];
      }
      int src = 0;
      for (int i = 0; i < s.length; i++) {
        src += (i == dim ? start + pos[i] * step : pos[i]) * stride[i];
      }
      index[flat] = e.index()[src];
    }
    if (drop) {
      int[] dropped = new int[s.length - 1];
      for (int i = 0, j = 0; i < s.length; i++) {
        if (i != dim) {
          dropped[j++] = ns[i];
        }
      }
      ns = dropped;
    }
    return new Entry(t, ns, index);
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }

  /**
   * The model of {@code e.permute(p)}: result element at {@code j} is {@code e} at {@code j∘p⁻¹}.
   */
  private static Entry permuted(Entry e, Tensor t, int[] p) {
    int[] s = e.shape();
    int n = s.length;
    int[] ns = new int[n];
    for (int i = 0; i < n; i++) {
      ns[i] = s[p[i]];
    }
    int[] stride = new int[n];
    int acc = 1;
    for (int i = n - 1; i >= 0; i--) {
      stride[i] = acc;
      acc *= s[i];
    }
    int[] index = new int[e.index().length];
    int[] pos = new int[n];
    for (int flat = 0; flat < index.length; flat++) {
      int rem = flat;
      for (int i = n - 1; i >= 0; i--) {
        pos[i] = rem % ns[i];
        rem /= ns[i];
      }
      int src = 0;
      for (int i = 0; i < n; i++) {
        src += pos[i] * stride[p[i]];
      }
      index[flat] = e.index()[src];
    }
    return new Entry(t, ns, index);
  }

  private static int[] randomShape(int numel, SplittableRandom r) {
    List<Integer> dims = new ArrayList<>();
    int left = numel;
    for (int f : new int[] {2, 3, 2, 2}) {
      if (left % f == 0 && r.nextBoolean()) {
        dims.add(f);
        left /= f;
      }
    }
    dims.add(left);
    if (r.nextInt(4) == 0) {
      dims.add(r.nextInt(dims.size() + 1), 1);
    }
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }
}
