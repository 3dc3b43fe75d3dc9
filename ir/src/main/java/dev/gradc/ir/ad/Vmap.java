package dev.gradc.ir.ad;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Batching ({@code torch.func.vmap}) as a rewrite of the IR: the function applied to every slice of
 * its batched inputs, as one function over the whole batch. Inside, a batched value carries the
 * batch dim first; an instruction none of whose operands is batched is copied unchanged, the others
 * are rewritten by their op's batching rule ({@link #rule}, one switch over {@link Op} without a
 * {@code default}), which mostly shifts the op's dims by one and broadcasts unbatched operands.
 * {@code in_dims} moves each input's batch dim to the front once; {@code out_dims} moves it out of
 * each result, and a result that does not depend on a batched input is expanded, as torch.func
 * does.
 *
 * <pre>
 * func @f.vmap(%x: f64[8, 3], %w: f64[3]) -> f64[8] {   ; in_dims = (0, None)
 *   %0: f64[8, 3] = broadcast %w
 *   %1: f64[8, 3] = mul %x, %0
 *   %2: f64[8] = sum %1, dims=[1]
 *   ret %2
 * }
 * </pre>
 */
public final class Vmap {
  private Vmap() {}

  /**
   * The batched {@code f}: parameter {@code i} gains a dim of size {@code batch} at {@code
   * inDims[i]} (null: not batched; negative from the end), result {@code k} gets one at {@code
   * outDims[k]}. At least one input must be batched.
   */
  public static Func vmap(Func f, List<Integer> inDims, List<Integer> outDims, Dim batch) {
    if (inDims.size() != f.params().size()) {
      throw new GradcException(
          "vmap: in_dims has "
              + inDims.size()
              + " entries, but the function takes "
              + f.params().size()
              + " inputs");
    }
    if (outDims.size() != f.results().size()) {
      throw new GradcException(
          "vmap: out_dims has "
              + outDims.size()
              + " entries, but the function returns "
              + f.results().size()
              + " values");
    }
    if (inDims.stream().allMatch(d -> d == null)) {
      throw new GradcException(
          "vmap: at least one input must be batched (in_dims is None for every input)");
    }
    Builder b = new Builder(f.name() + ".vmap");
    Value[] map = new Value[f.valueCount()];
    boolean[] batched = new boolean[f.valueCount()];
    int[] at = new int[f.params().size()];
    for (int i = 0; i < f.params().size(); i++) {
      Param p = f.params().get(i);
      Integer d = inDims.get(i);
      if (d == null) {
        map[p.id()] = b.addParam(p.name(), p.type(), p.role());
        continue;
      }
      at[i] = batchDim("in_dims", i, d, p.type().rank());
      List<Dim> dims = new ArrayList<>(p.type().dims());
      dims.add(at[i], batch);
      map[p.id()] = b.addParam(p.name(), p.type().withDims(dims), p.role());
      batched[p.id()] = true;
    }
    for (int i = 0; i < f.params().size(); i++) {
      int id = f.params().get(i).id();
      if (batched[id]) {
        map[id] = b.permute(map[id], toFront(at[i], map[id].type().rank()));
      }
    }
    for (Inst inst : f.insts()) {
      Value[] in = Builder.mapped(inst.operands(), map);
      boolean[] bat = new boolean[in.length];
      boolean any = false;
      for (int k = 0; k < in.length; k++) {
        Value v = inst.operand(k);
        bat[k] = !(v instanceof Lit) && batched[v.id()];
        any |= bat[k];
      }
      if (!any) {
        map[inst.id()] = b.emitLike(inst, in);
        continue;
      }
      Value r = rule(b, inst, in, bat, batch);
      Type expected = withBatch(inst.type(), batch);
      if (!r.type().equals(expected)) {
        throw new IllegalStateException(
            "batching rule of "
                + inst.op().mnemonic()
                + " gave "
                + r.type()
                + " for a result of type "
                + expected);
      }
      map[inst.id()] = r;
      batched[inst.id()] = true;
    }
    List<Value> results = new ArrayList<>();
    for (int k = 0; k < f.results().size(); k++) {
      Value out = f.result(k);
      Type t = withBatch(out.type(), batch);
      Value v;
      if (out instanceof Lit lit) {
        v = b.full(lit.value(), t);
      } else {
        v = batched[out.id()] ? map[out.id()] : b.broadcastTo(map[out.id()], t.dims());
      }
      int to = batchDim("out_dims", k, outDims.get(k), out.type().rank());
      results.add(b.permute(v, fromFront(to, t.rank())));
    }
    b.ret(results.toArray(new Value[0]));
    return b.build();
  }

  /**
   * The batched form of {@code inst} on operands {@code in}, of which those marked {@code batched}
   * carry the batch dim {@code n} first: a value of {@code inst}'s type with {@code n} in front.
   */
  static Value rule(Builder b, Inst inst, Value[] in, boolean[] batched, Dim n) {
    return switch (inst.op()) {
      case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, ATAN2, HYPOT, REMAINDER, FMOD ->
          elementwise(b, inst, in, batched, n);
      case COPYSIGN, XLOGY, XLOG1PY, LOGADDEXP, LOGADDEXP2, LT, LE, GT, GE, EQ, NE ->
          elementwise(b, inst, in, batched, n);
      case WHERE, CLAMP, NEG, ABS, SIGN, EXP, EXPM1, LOG, LOG1P, SQRT, RSQRT, SQUARE ->
          elementwise(b, inst, in, batched, n);
      case RECIPROCAL, SIN, COS, TAN, TANH, SIGMOID, RELU, SOFTPLUS, ERF, SINH, COSH, ASINH ->
          elementwise(b, inst, in, batched, n);
      case ACOSH, ATANH, ASIN, ACOS, ATAN, LOG2, LOG10, ERFC, SINC, EXP2, FLOOR, CEIL, ROUND ->
          elementwise(b, inst, in, batched, n);
      case TRUNC, DETACH, CAST -> elementwise(b, inst, in, batched, n);
      case POLYGAMMA, LGAMMA, DIGAMMA, ERFINV -> elementwise(b, inst, in, batched, n);
      case SUM, MEAN, AMAX, AMIN, LOGSUMEXP, PROD -> reduction(b, inst, in[0], n);
      case SOFTMAX, LOG_SOFTMAX -> {
        if (inst.type().isScalar()) {
          // a scalar normalizes along its one implicit dim
          Value r =
              b.emit(inst.op(), null, new Value[] {b.unsqueeze(in[0], 1)}, new int[] {1}, false);
          yield b.squeeze(r, 1);
        }
        yield emit(b, inst, n, in, inst.dim(0) + 1);
      }
      case CUMSUM, CUMPROD, LOGCUMSUMEXP, CUMMAX, CUMMIN, CUMMAX_INDICES, CUMMIN_INDICES ->
          emit(b, inst, n, in, inst.dim(0) + 1, inst.dim(1));
      case ARGSORT, TOPK_ORDER, KTHVALUE_ORDER -> {
        // dims=[dim, order, k...]: only the dim moves past the batch dim
        int[] dims = inst.dims();
        dims[0]++;
        yield emit(b, inst, n, in, dims);
      }
      case RESHAPE, ONE_HOT -> emit(b, inst, n, in);
      case TRANSPOSE, UNSQUEEZE, SQUEEZE -> emit(b, inst, n, in, shifted(inst.dims()));
      case PERMUTE -> {
        int[] order = new int[inst.dimCount() + 1];
        for (int i = 0; i < inst.dimCount(); i++) {
          order[i + 1] = inst.dim(i) + 1;
        }
        yield emit(b, inst, n, in, order);
      }
      case EXPAND, BROADCAST -> {
        // broadcasting aligns trailing dims: the new leading dims go after the batch dim
        Value x = aligned(b, in[0], inst.type().rank() - inst.operand(0).type().rank(), n);
        yield emit(b, inst, n, new Value[] {x});
      }
      case SUM_TO -> {
        Value x = in[0];
        int extra = inst.operand(0).type().rank() - inst.type().rank();
        if (extra > 0) {
          int[] leading = new int[extra];
          for (int i = 0; i < extra; i++) {
            leading[i] = i + 1;
          }
          x = b.emit(Op.SUM, null, new Value[] {x}, leading, false);
        }
        Type t = withBatch(inst.type(), n);
        yield x.type().equals(t) ? x : b.emit(Op.SUM_TO, t, new Value[] {x}, new int[0], false);
      }
      case MATMUL -> matmul(b, inst, in, batched, n);
      // the matrix dims are the last two: the batch dim is one more batch of matrices
      case SVD -> emit(b, inst, n, in, inst.dims());
      case SLICE, SLICE_BACKWARD -> emit(b, inst, n, in, inst.dim(0) + 1, inst.dim(1), inst.dim(2));
      case GATHER, SCATTER_ADD, SCATTER -> indexed(b, inst, in, batched, n);
      case NUMEL -> {
        // the count does not depend on the values: the same for every element of the batch
        int rank = inst.operand(0).type().rank();
        int[] dims = inst.dimCount() == 0 ? range(1, rank + 1) : shifted(inst.dims());
        Value c =
            rank == 0
                ? Builder.lit(1, inst.type().dtype())
                : b.numel(in[0], dims, inst.type().dtype());
        yield b.broadcastTo(c, withBatch(inst.type(), n).dims());
      }
    };
  }

  /** Unbatched tensor operands broadcast to the batch; literals stay inline. */
  private static Value elementwise(Builder b, Inst inst, Value[] in, boolean[] batched, Dim n) {
    Value[] ops = new Value[in.length];
    for (int k = 0; k < in.length; k++) {
      ops[k] = batched[k] || in[k] instanceof Lit ? in[k] : spread(b, in[k], n);
    }
    return emit(b, inst, n, ops);
  }

  /** Reduces the same dims, one further right; a scalar operand reduces its one element. */
  private static Value reduction(Builder b, Inst inst, Value x, Dim n) {
    int rank = inst.operand(0).type().rank();
    if (rank == 0) {
      Value one = b.unsqueeze(x, 1);
      return b.emit(inst.op(), withBatch(inst.type(), n), new Value[] {one}, new int[] {1}, false);
    }
    int[] dims = inst.dimCount() == 0 ? range(1, rank + 1) : shifted(inst.dims());
    return b.emit(inst.op(), withBatch(inst.type(), n), new Value[] {x}, dims, inst.keepdim());
  }

  /**
   * {@code a @ b} with the batch dim in front: a vector operand becomes a row (left) or column
   * (right) matrix, a batched operand gains size-1 batch dims so that its batch dim stays in front
   * of the other's batch dims, and the added row or column is squeezed away after the product.
   */
  private static Value matmul(Builder b, Inst inst, Value[] in, boolean[] batched, Dim n) {
    int ra = inst.operand(0).type().rank();
    int rb = inst.operand(1).type().rank();
    if (ra == 2 && rb == 1 && !batched[0]) {
      // a matrix times a batch of vectors: one matrix product, the batch as rows
      return b.matmul(in[1], b.transposeLast(in[0]));
    }
    if (ra == 1 && rb == 2 && !batched[1]) {
      return b.matmul(in[0], in[1]);
    }
    if (ra >= 2 && rb == 2 && !batched[1]) {
      // a batch of matrices times one matrix: the batch folds into the rows, one matrix product
      Value r = b.matmul(b.reshape(in[0], foldRows(in[0].type())), in[1]);
      return b.reshape(r, withBatch(inst.type(), n).dims());
    }
    Value x = ra == 1 ? b.unsqueeze(in[0], batched[0] ? 1 : 0) : in[0];
    Value y = rb == 1 ? b.unsqueeze(in[1], batched[1] ? 2 : 1) : in[1];
    int stack = Math.max(Math.max(ra, 2), Math.max(rb, 2)) - 2;
    if (batched[0]) {
      x = aligned(b, x, stack - (Math.max(ra, 2) - 2), n);
    }
    if (batched[1]) {
      y = aligned(b, y, stack - (Math.max(rb, 2) - 2), n);
    }
    Value r = b.matmul(x, y);
    if (ra == 1) {
      r = b.squeeze(r, -2);
    }
    if (rb == 1) {
      r = b.squeeze(r, -1);
    }
    return r;
  }

  /**
   * {@code gather}, {@code scatter_add} and {@code scatter}: every operand batched (the index has
   * the data's rank), along the dim one further right; 0-d operands as one-element vectors.
   */
  private static Value indexed(Builder b, Inst inst, Value[] in, boolean[] batched, Dim n) {
    Value[] ops = new Value[in.length];
    boolean scalar = inst.operand(0).type().isScalar();
    for (int k = 0; k < in.length; k++) {
      Value v = batched[k] ? in[k] : spread(b, in[k], n);
      ops[k] = scalar ? b.unsqueeze(v, 1) : v;
    }
    Type t = withBatch(inst.type(), n);
    if (scalar) {
      List<Dim> one = new ArrayList<>(t.dims());
      one.add(Dim.of(1));
      Value r = b.emit(inst.op(), t.withDims(one), ops, new int[] {1}, false);
      return b.squeeze(r, 1);
    }
    return b.emit(inst.op(), t, ops, new int[] {inst.dim(0) + 1}, false);
  }

  /** The dims of {@code t} with every dim but the last folded into one: {@code [rows, k]}. */
  private static List<Dim> foldRows(Type t) {
    List<Dim> lead = t.dims().subList(0, t.rank() - 1);
    Dim rows = Type.product(lead);
    if (rows == null) {
      throw new GradcException("vmap: cannot fold the batch of " + t + " into rows");
    }
    return List.of(rows, t.dim(t.rank() - 1));
  }

  /** {@code inst}'s op on {@code ops} with the batched result type and the given dims. */
  private static Value emit(Builder b, Inst inst, Dim n, Value[] ops, int... dims) {
    return b.emit(inst.op(), withBatch(inst.type(), n), ops, dims, inst.keepdim());
  }

  /** {@code inst}'s op on {@code ops} with the batched result type and its own dims. */
  private static Value emit(Builder b, Inst inst, Dim n, Value[] ops) {
    return emit(b, inst, n, ops, inst.dims());
  }

  /** An unbatched value broadcast along a new leading batch dim. */
  private static Value spread(Builder b, Value v, Dim n) {
    return b.broadcastTo(v, withBatch(v.type(), n).dims());
  }

  /** A batched value with {@code count} size-1 dims inserted after the batch dim. */
  private static Value aligned(Builder b, Value x, int count, Dim n) {
    if (count <= 0) {
      return x;
    }
    List<Dim> dims = new ArrayList<>();
    dims.add(n);
    dims.addAll(Collections.nCopies(count, Dim.of(1)));
    dims.addAll(x.type().dims().subList(1, x.type().rank()));
    return b.reshape(x, dims);
  }

  /** {@code t} with the batch dim {@code n} in front. */
  public static Type withBatch(Type t, Dim n) {
    List<Dim> dims = new ArrayList<>(t.rank() + 1);
    dims.add(n);
    dims.addAll(t.dims());
    return t.withDims(dims);
  }

  private static int batchDim(String what, int i, Integer d, int rank) {
    int r = rank + 1;
    if (d < -r || d >= r) {
      throw new GradcException(
          "vmap: "
              + what
              + "["
              + i
              + "]="
              + d
              + " is out of range for a value of "
              + rank
              + " dims (expected a dim in ["
              + (-r)
              + ", "
              + (r - 1)
              + "])");
    }
    return d < 0 ? d + r : d;
  }

  /** The permutation that moves dim {@code at} of {@code rank} dims to the front. */
  private static int[] toFront(int at, int rank) {
    int[] order = new int[rank];
    order[0] = at;
    for (int i = 1; i < rank; i++) {
      order[i] = i <= at ? i - 1 : i;
    }
    return order;
  }

  /** The permutation that moves the front dim of {@code rank} dims to {@code at}. */
  private static int[] fromFront(int at, int rank) {
    int[] order = new int[rank];
    for (int i = 0; i < rank; i++) {
      order[i] = i == at ? 0 : i < at ? i + 1 : i;
    }
    return order;
  }

  private static int[] shifted(int[] dims) {
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      out[i] = dims[i] + 1;
    }
    return out;
  }

  private static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }
}
