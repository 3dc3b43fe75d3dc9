package dev.gradc.frontend;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * PyTorch's integer-tensor indexing ({@code index_select}, {@code take_along_dim}) and the scatter
 * family ({@code index_add}, {@code scatter_add} with a larger source), shared by the Java API and
 * the {@code .grad} language, as compositions of the IR's {@code gather} and {@code scatter_add}:
 * an index along one dim is broadcast to the shape gather reads. Their gradients are those of the
 * two ops, which are each other's adjoints, so they differentiate twice; errors carry PyTorch's
 * texts.
 */
public final class Gathering {
  private Gathering() {}

  /** {@code x.index_select(dim, index)}: whole slices of {@code x} at a 1-d i64 index. */
  public static Value indexSelect(Builder b, Value x, int dim, Value index) {
    if (index.type().dtype() != DType.I64) {
      throw new GradcException("index_select(): Expected dtype int32 or int64 for index");
    }
    if (index.type().rank() > 1) {
      throw new GradcException("index_select(): Index is supposed to be a vector");
    }
    int d = Builder.normalizeDim(dim, Math.max(1, x.type().rank()));
    if (x.type().rank() == 0) {
      return b.gather(x, d, b.reshape(index, List.of()));
    }
    return b.gather(x, d, along(b, index, x.type().dims(), d));
  }

  /**
   * {@code self.index_add(dim, index, source, alpha=alpha)}, out of place: {@code alpha * source}'s
   * slices added to those of {@code self} that the 1-d index names, in index order.
   */
  public static Value indexAdd(
      Builder b, Value self, int dim, Value index, Value source, double alpha) {
    if (index.type().dtype() != DType.I64) {
      throw new GradcException("index_add_(): Expected dtype int32/int64 for index");
    }
    if (index.type().rank() > 1) {
      throw new GradcException("index_add_(): Index is supposed to be a vector");
    }
    if (self.type().dtype() != source.type().dtype()) {
      throw new GradcException(
          "index_add_(): self ("
              + Names.scalarType(self.type().dtype())
              + ") and source ("
              + Names.scalarType(source.type().dtype())
              + ") must have the same scalar type");
    }
    int d = Builder.normalizeDim(dim, Math.max(1, self.type().rank()));
    Dim n = index.type().rank() == 0 ? Dim.of(1) : index.type().dim(0);
    List<Dim> src = source.type().rank() == 0 ? List.of(Dim.of(1)) : source.type().dims();
    if (source.type().rank() > 1 && source.type().rank() != self.type().rank()) {
      throw new GradcException(
          "index_add_(): Source/destination tensor must have same slice shapes.");
    }
    if (!src.get(d).equals(n)) {
      throw new GradcException(
          "index_add_(): Number of indices ("
              + n
              + ") should be equal to source.size(dim): ("
              + src.get(d)
              + "), for dim: "
              + dim);
    }
    for (int i = 0; i < self.type().rank(); i++) {
      if (i != d && !self.type().dim(i).equals(src.get(i))) {
        throw new GradcException(
            "source tensor shape must match self tensor shape, excluding the specified dimension."
                + " Got self.shape = "
                + self.type().dims()
                + " source.shape = "
                + source.type().dims());
      }
    }
    Value scaled = alpha == 1 ? source : b.mul(source, Builder.lit(alpha, source.type().dtype()));
    if (self.type().rank() == 0) {
      return b.scatterAdd(self, d, b.reshape(index, List.of()), b.reshape(scaled, List.of()));
    }
    return b.scatterAdd(self, d, along(b, index, self.type().withDims(src).dims(), d), scaled);
  }

  /**
   * {@code self.scatter_add(dim, index, src)}, out of place: {@code src}'s elements at the places
   * the index names; a source larger than the index is read in its leading part, as PyTorch's.
   */
  public static Value scatterAdd(Builder b, Value self, int dim, Value index, Value src) {
    return b.scatterAdd(self, dim, index, leading(b, src, index));
  }

  /**
   * {@code torch.take_along_dim(x, indices, dim)}: {@code gather} after broadcasting {@code x} and
   * the indices to each other but along {@code dim}; without a dim ({@code null}), of both
   * flattened.
   */
  public static Value takeAlongDim(Builder b, Value x, Value indices, Integer dim) {
    if (indices.type().dtype() != DType.I64) {
      throw new GradcException(
          "torch.take_along_dim(): dtype of indices should be Long but got "
              + Names.scalarType(indices.type().dtype()));
    }
    if (dim == null) {
      return b.gather(flat(b, x), 0, flat(b, indices));
    }
    int rx = x.type().rank();
    if (rx != indices.type().rank()) {
      throw new GradcException(
          "torch.take_along_dim(): input and indices should have the same number of dimensions,"
              + " but got "
              + rx
              + " dimensions for input, and "
              + indices.type().rank()
              + " dimensions for indices");
    }
    int d = Builder.normalizeDim(dim, Math.max(1, rx));
    if (rx == 0) {
      return b.gather(x, d, indices);
    }
    List<Dim> xs = new ArrayList<>(x.type().dims());
    xs.set(d, indices.type().dim(d));
    List<Dim> shape =
        new ArrayList<>(Typing.broadcast(xs, indices.type().dims(), "take_along_dim"));
    Value idx = b.broadcastTo(indices, shape);
    shape.set(d, x.type().dim(d));
    return b.gather(b.broadcastTo(x, shape), d, idx);
  }

  /** A 1-d (or 0-d) index as the index of {@code gather} reading whole slices of {@code shape}. */
  private static Value along(Builder b, Value index, List<Dim> shape, int d) {
    Dim n = index.type().rank() == 0 ? Dim.of(1) : index.type().dim(0);
    List<Dim> one = new ArrayList<>(Collections.nCopies(shape.size(), Dim.of(1)));
    one.set(d, n);
    List<Dim> out = new ArrayList<>(shape);
    out.set(d, n);
    return b.broadcastTo(b.reshape(index, one), out);
  }

  /** {@code src} narrowed to the index's shape, where it is larger along a static dim. */
  private static Value leading(Builder b, Value src, Value index) {
    Value s = src;
    if (src.type().rank() != index.type().rank()) {
      return s; // typing names the mismatch
    }
    for (int i = 0; i < index.type().rank(); i++) {
      Dim have = src.type().dim(i);
      Dim want = index.type().dim(i);
      if (!have.equals(want) && have.isStatic() && want.isStatic() && want.size() < have.size()) {
        s = b.slice(s, i, 0, 1, want.size());
      }
    }
    return s;
  }

  private static Value flat(Builder b, Value x) {
    return b.reshape(x, -1);
  }

  /** PyTorch's texts for an index out of range. */
  public enum OutOfRange {
    /** {@code index 5 is out of bounds for dimension 1 with size 3}. */
    BOUNDS,
    /** {@code index out of range in self} ({@code index_select}, {@code index_add}). */
    IN_SELF,
    /** {@code index_select} along dim 1 of two or more dims. */
    DATA_BOUNDS
  }

  /**
   * PyTorch's error for the first known index out of {@code [-size, size)} ({@code wraps}) or
   * {@code [0, size)}; nothing when all are in range.
   */
  public static void checkIndices(
      long[] index, long size, int dim, boolean wraps, OutOfRange text) {
    for (long v : index) {
      if (v >= size || v < (wraps ? -size : 0)) {
        throw new GradcException(
            switch (text) {
              case DATA_BOUNDS ->
                  "INDICES element is out of DATA bounds, id=" + v + " axis_dim=" + size;
              case IN_SELF -> "index out of range in self";
              case BOUNDS ->
                  "index " + v + " is out of bounds for dimension " + dim + " with size " + size;
            });
      }
    }
  }
}
