package dev.gradc.frontend;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
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
              + self.type().dtype().scalarTypeName()
              + ") and source ("
              + source.type().dtype().scalarTypeName()
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
   * {@code self.scatter(dim, index, src)}, out of place: {@code src}'s elements written at the
   * places the index names, in index order (of a repeated place, the last write stays); a source
   * larger than the index is read in its leading part.
   */
  public static Value scatter(Builder b, Value self, int dim, Value index, Value src) {
    return b.scatter(self, dim, index, leading(b, src, index));
  }

  /** {@code self.scatter(dim, index, value)}: the number written at the places the index names. */
  public static Value scatter(Builder b, Value self, int dim, Value index, double value) {
    DType dt = self.type().dtype();
    return b.scatter(self, dim, index, b.full(dt.round(value), index.type().withDtype(dt)));
  }

  /**
   * {@code x.masked_fill(mask, value)}: {@code value} (a number, or a 0-d tensor) where the bool
   * mask is true, in {@code x}'s dtype; mask and {@code x} broadcast, as PyTorch's out-of-place
   * form.
   */
  public static Value maskedFill(Builder b, Value x, Value mask, Value value) {
    if (mask.type().dtype() != DType.BOOL) {
      throw new GradcException(
          "masked_fill_ only supports boolean masks, but got mask with dtype "
              + mask.type().dtype().scalarTypeName());
    }
    if (value.type().rank() != 0) {
      throw new GradcException(
          "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
              + value.type().rank()
              + " dimension(s).");
    }
    DType dt = x.type().dtype();
    Value v = value instanceof Lit lit ? Builder.lit(dt.round(lit.value()), dt) : b.cast(value, dt);
    return b.where(mask, v, x);
  }

  /**
   * {@code x[indices]} with an i64 tensor: the rows of {@code x} (along dim 0, negative indices
   * from the end) in the indices' shape, followed by {@code x}'s other dims. A bool mask gives a
   * shape that depends on the data, which compiled programs cannot have: the error says what to
   * write instead.
   */
  public static Value indexTensor(Builder b, Value x, Value indices) {
    requireLongIndex(indices);
    if (x.type().rank() == 0) {
      throw new GradcException("too many indices for tensor of dimension 0");
    }
    Value zero = Builder.lit(0, DType.I64);
    Value n = b.numel(x, new int[] {0}, DType.I64);
    Value wrapped = b.where(b.binary(Op.LT, indices, zero), b.add(indices, n), indices);
    Value rows = indexSelect(b, x, 0, b.reshape(wrapped, -1));
    List<Dim> shape = new ArrayList<>(indices.type().dims());
    shape.addAll(x.type().dims().subList(1, x.type().rank()));
    return b.reshape(rows, shape);
  }

  /** PyTorch's error unless {@code indices} is an i64 tensor; a bool mask's says what to write. */
  private static void requireLongIndex(Value indices) {
    DType it = indices.type().dtype();
    if (it == DType.BOOL) {
      throw new GradcException(
          "indexing with a bool mask gives as many elements as the mask holds true, which is known"
              + " only from the data; keep the shape with where(mask, x, 0) or"
              + " x.masked_fill(~mask, 0) and reduce over it");
    }
    if (it != DType.I64) {
      throw new GradcException("tensors used as indices must be long, byte or bool tensors");
    }
  }

  /**
   * {@code torch.index_put(x, indices, values, accumulate)}, out of place: {@code values},
   * broadcast to the shape {@code x[indices]} has, written (or, with {@code accumulate}, added) at
   * the places the indices name. The i64 indices (negative from the end) index the leading dims and
   * broadcast together; of a repeated place the last write in index order stays, and accumulated
   * values are added in index order (the same bits on every run). One bool mask of the leading dims
   * is a {@code where}, with values that broadcast over the masked elements.
   */
  public static Value indexPut(
      Builder b, Value x, List<Value> indices, Value values, boolean accumulate) {
    int rank = x.type().rank();
    if (indices.size() > rank) {
      throw new GradcException(
          "too many indices for tensor of dimension " + rank + " (got " + indices.size() + ")");
    }
    if (indices.isEmpty()) {
      throw new GradcException("index_put: expected at least one index");
    }
    DType dt = x.type().dtype();
    Value v = values;
    if (v instanceof Lit lit) {
      v = Builder.lit(dt.round(lit.value()), dt);
    } else if (v.type().dtype() != dt) {
      throw new GradcException(
          "Index put requires the source and destination dtypes match, got "
              + dt.scalarTypeName()
              + " for the destination and "
              + v.type().dtype().scalarTypeName()
              + " for the source.");
    }
    for (Value i : indices) {
      DType it = i.type().dtype();
      if (it != DType.I64 && it != DType.BOOL) {
        throw new GradcException("tensors used as indices must be long, byte or bool tensors");
      }
    }
    if (indices.get(0).type().dtype() == DType.BOOL) {
      if (indices.size() > 1) {
        throw new GradcException(
            "a bool mask together with other indices is not supported in index_put; combine the"
                + " conditions into one mask");
      }
      return maskPut(b, x, indices.get(0), v, accumulate);
    }
    int k = indices.size();
    for (int j = 1; j < k; j++) {
      if (indices.get(j).type().dtype() == DType.BOOL) {
        throw new GradcException(
            "a bool mask together with other indices is not supported in index_put; combine the"
                + " conditions into one mask");
      }
    }
    List<Dim> shape = indexShape(indices);
    List<Dim> rest = x.type().dims().subList(k, rank);
    List<Dim> target = new ArrayList<>(shape);
    target.addAll(rest);
    checkValues(v, target);
    Value flatX = flatLeading(b, x, k, "index_put");
    Value flatIndex = b.reshape(linearIndex(b, x, indices, shape), -1);
    Dim n = flatIndex.type().dim(0);
    List<Dim> srcDims = new ArrayList<>();
    srcDims.add(n);
    srcDims.addAll(rest);
    Value src = b.reshape(b.broadcastTo(v, target), srcDims);
    Value idx = along(b, flatIndex, srcDims, 0);
    Value put = accumulate ? b.scatterAdd(flatX, 0, idx, src) : b.scatter(flatX, 0, idx, src);
    return b.reshape(put, x.type().dims());
  }

  /** The shape the i64 index tensors broadcast to, or PyTorch's error naming their shapes. */
  private static List<Dim> indexShape(List<Value> indices) {
    List<Dim> shape = indices.get(0).type().dims();
    for (int j = 1; j < indices.size(); j++) {
      try {
        shape = Typing.broadcast(shape, indices.get(j).type().dims(), "index");
      } catch (GradcException e) {
        StringBuilder shapes = new StringBuilder();
        for (Value i : indices) {
          shapes.append(shapes.length() == 0 ? "" : ", ").append(i.type().dims());
        }
        throw new GradcException(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
                + shapes);
      }
    }
    return shape;
  }

  /** {@code x} with its leading {@code k} dims flattened into one. */
  private static Value flatLeading(Builder b, Value x, int k, String fn) {
    Dim places = Type.product(x.type().dims().subList(0, k));
    if (places == null) {
      throw new GradcException(
          fn + " with " + k + " indices needs at most one symbolic dim among those they index");
    }
    List<Dim> flatDims = new ArrayList<>();
    flatDims.add(places);
    flatDims.addAll(x.type().dims().subList(k, x.type().rank()));
    return b.reshape(x, flatDims);
  }

  /**
   * The place that the i64 {@code indices} (negative from the end, broadcast to {@code shape}) name
   * along the flattened leading dims of {@code x}, one per index dim. With two or more, an index
   * out of its own range names a place past the end, which the gather or scatter refuses.
   */
  private static Value linearIndex(Builder b, Value x, List<Value> indices, List<Dim> shape) {
    int k = indices.size();
    Value zero = Builder.lit(0, DType.I64);
    Value linear = null;
    List<Value> outside = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      Value n = b.numel(x, new int[] {j}, DType.I64);
      Value i = b.broadcastTo(indices.get(j), shape);
      Value w = b.where(b.binary(Op.LT, i, zero), b.add(i, n), i);
      Value term = j == k - 1 ? w : b.mul(w, b.numel(x, range(j + 1, k), DType.I64));
      linear = linear == null ? term : b.add(linear, term);
      if (k > 1) {
        outside.add(b.binary(Op.LT, w, zero));
        outside.add(b.binary(Op.GE, w, n));
      }
    }
    if (k > 1) {
      Value past = b.numel(x, range(0, k), DType.I64);
      for (Value o : outside) {
        linear = b.where(o, past, linear);
      }
    }
    return linear;
  }

  /**
   * PyTorch's advanced indexing once the basic indices have been applied: the i64 tensors {@code
   * indices} index the dims {@code dims} (ascending) of {@code x} and broadcast together. The
   * broadcast shape takes the place of the indexed dims when they are adjacent and comes first
   * otherwise, followed by the dims not indexed, as in PyTorch. One index of dim 0 is {@link
   * #indexTensor}.
   */
  public static Value indexTensors(Builder b, Value x, int[] dims, List<Value> indices) {
    for (Value i : indices) {
      requireLongIndex(i);
    }
    int k = dims.length;
    if (k == 1 && dims[0] == 0) {
      return indexTensor(b, x, indices.get(0));
    }
    int[] order = frontOrder(dims, x.type().rank());
    List<Dim> shape = indexShape(indices);
    Value front = b.permute(x, order);
    Value rows =
        indexSelect(
            b,
            flatLeading(b, front, k, "indexing"),
            0,
            b.reshape(linearIndex(b, front, indices, shape), -1));
    List<Dim> out = new ArrayList<>(shape);
    out.addAll(front.type().dims().subList(k, front.type().rank()));
    Value result = b.reshape(rows, out);
    int[] back = backOrder(dims, shape.size(), out.size());
    return back == null ? result : b.permute(result, back);
  }

  /**
   * PyTorch's {@code x[..., idx, ...] = values} once the basic indices have been applied ({@code
   * index_put_} with {@code None} for the dims not indexed): the i64 tensors {@code indices} index
   * the dims {@code dims} (ascending) of {@code x}, and {@code values} broadcast to the shape
   * {@code x[...]} has ({@link #indexTensors}'s layout). As {@link #indexPut} of those dims moved
   * first.
   */
  public static Value indexPutAt(
      Builder b, Value x, int[] dims, List<Value> indices, Value values, boolean accumulate) {
    int k = dims.length;
    boolean leading = true;
    for (int j = 0; j < k; j++) {
      leading &= dims[j] == j;
    }
    if (leading) {
      return indexPut(b, x, indices, values, accumulate);
    }
    for (Value i : indices) {
      if (i.type().dtype() == DType.BOOL) {
        throw new GradcException(
            "a bool mask together with other indices is not supported in assignment; write"
                + " x = where(mask, v, x) with the mask broadcast over x");
      }
      requireLongIndex(i);
    }
    int rank = x.type().rank();
    int[] order = frontOrder(dims, rank);
    Value front = b.permute(x, order);
    List<Dim> shape = indexShape(indices);
    List<Dim> out = new ArrayList<>(shape);
    out.addAll(front.type().dims().subList(k, rank));
    Value v = values;
    if (!(v instanceof Lit)) {
      int[] back = backOrder(dims, shape.size(), out.size());
      List<Dim> target = out;
      if (back != null) {
        target = new ArrayList<>();
        for (int d : back) {
          target.add(out.get(d));
        }
      }
      checkValues(v, target);
      v = b.broadcastTo(v, target);
      if (back != null) {
        v = b.permute(v, Indexing.inversePermutation(back, back.length));
      }
    }
    Value put = indexPut(b, front, indices, v, accumulate);
    return b.permute(put, Indexing.inversePermutation(order, rank));
  }

  /** The dims {@code dims} (ascending) of a rank {@code rank} first, the others after in order. */
  private static int[] frontOrder(int[] dims, int rank) {
    int k = dims.length;
    if (k > rank) {
      throw new GradcException(
          "too many indices for tensor of dimension " + rank + " (got " + k + ")");
    }
    int[] order = new int[rank];
    boolean[] indexed = new boolean[rank];
    for (int j = 0; j < k; j++) {
      order[j] = dims[j];
      indexed[dims[j]] = true;
    }
    int o = k;
    for (int d = 0; d < rank; d++) {
      if (!indexed[d]) {
        order[o++] = d;
      }
    }
    return order;
  }

  /**
   * Where PyTorch puts the {@code m} broadcast dims of tensor indices at {@code dims}: the
   * permutation of {@code [broadcast dims, the others]} (of rank {@code rank}) that puts them back
   * where the first indexed dim was when the indexed dims are adjacent and not first, else null.
   */
  private static int[] backOrder(int[] dims, int m, int rank) {
    int k = dims.length;
    boolean adjacent = dims[k - 1] - dims[0] == k - 1;
    int at = dims[0];
    if (!adjacent || at == 0) {
      return null;
    }
    int[] back = new int[rank];
    int p = 0;
    for (int d = 0; d < at; d++) {
      back[p++] = m + d;
    }
    for (int d = 0; d < m; d++) {
      back[p++] = d;
    }
    for (int d = m + at; d < rank; d++) {
      back[p++] = d;
    }
    return back;
  }

  /** {@code x[mask] = values} (or {@code +=} with {@code accumulate}) as a {@code where}. */
  private static Value maskPut(Builder b, Value x, Value mask, Value v, boolean accumulate) {
    int m = mask.type().rank();
    List<Dim> xs = x.type().dims();
    for (int i = 0; i < m; i++) {
      if (!mask.type().dim(i).equals(xs.get(i))) {
        throw new GradcException(
            "The shape of the mask "
                + mask.type().dims()
                + " at index "
                + i
                + " does not match the shape of the indexed tensor "
                + xs
                + " at index "
                + i);
      }
    }
    List<Dim> rest = xs.subList(m, xs.size());
    int vr = v.type().rank();
    boolean overRest =
        vr <= rest.size()
            || (vr == rest.size() + 1 && v.type().dim(0).isStatic() && v.type().dim(0).size() == 1);
    if (!overRest) {
      throw new GradcException(
          "values of shape "
              + v.type().dims()
              + " for x[mask]: the number of elements the mask selects is known only from the"
              + " data; give values that broadcast over them (of shape "
              + rest
              + " or fewer dims), or write where(mask, values, x)");
    }
    List<Dim> target = new ArrayList<>();
    target.add(Dim.of(1));
    target.addAll(rest);
    checkValues(v, target);
    Value vs = b.broadcastTo(vr == rest.size() + 1 ? b.reshape(v, rest) : v, rest);
    vs = b.broadcastTo(vs, xs);
    List<Dim> maskDims = new ArrayList<>(mask.type().dims());
    maskDims.addAll(Collections.nCopies(rest.size(), Dim.of(1)));
    Value cond = b.broadcastTo(b.reshape(mask, maskDims), xs);
    return b.where(cond, accumulate ? b.add(x, vs) : vs, x);
  }

  /** PyTorch's error unless {@code v} broadcasts to {@code target}, the shape it is written to. */
  private static void checkValues(Value v, List<Dim> target) {
    List<Dim> vs = v.type().dims();
    boolean ok = vs.size() <= target.size();
    for (int i = 1; ok && i <= vs.size(); i++) {
      Dim have = vs.get(vs.size() - i);
      Dim want = target.get(target.size() - i);
      ok = have.equals(want) || (have.isStatic() && have.size() == 1);
    }
    if (!ok) {
      throw new GradcException(
          "shape mismatch: value tensor of shape "
              + vs
              + " cannot be broadcast to indexing result of shape "
              + target);
    }
  }

  private static int[] range(int from, int to) {
    int[] r = new int[to - from];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
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
              + indices.type().dtype().scalarTypeName());
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
