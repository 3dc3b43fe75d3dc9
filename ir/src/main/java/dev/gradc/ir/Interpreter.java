package dev.gradc.ir;

import dev.gradc.ir.math.MathF64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: evaluates any {@link Func} on given arrays, one instruction at a time,
 * in f64 with each result rounded to its dtype (so f32 arithmetic is float arithmetic, as in
 * PyTorch; reductions accumulate in f64). It is the oracle for compiled code, so it stays simple:
 * plain loops over multi-indices, no fusion, no cleverness.
 */
public final class Interpreter {
  private final Map<String, Integer> env;
  private final NdArray[] vals;

  private Interpreter(Func f, Map<String, Integer> env) {
    this.env = env;
    this.vals = new NdArray[f.valueCount()];
  }

  /** Evaluates {@code f} on arguments in parameter order; returns its results. */
  public static List<NdArray> run(Func f, List<NdArray> args) {
    return run(f, args, false);
  }

  /**
   * As {@link #run(Func, List)}, in anomaly mode: after each instruction its float result is
   * checked, and the first non-finite value is an {@link AnomalyException} naming the instruction,
   * its op (or, for a value reverse mode computed, the {@code grad_fn} it belongs to) and its
   * source position ({@link Func#origin}). A forward value is reported where a non-finite element
   * first appears: when none of its operands has one (so a {@code -inf} literal used as a mask is
   * not an anomaly, and neither are the values a non-finite input reaches). A backward value is
   * reported, as by PyTorch, when it is an output of a backward function (the gradient of an
   * operand of the forward op); the intermediate values of one gradient rule are not checked, since
   * rules mask some of them ({@code pow}'s {@code x^(e-1)} at 0).
   */
  public static List<NdArray> runDetectingAnomalies(Func f, List<NdArray> args) {
    return run(f, args, true);
  }

  private static List<NdArray> run(Func f, List<NdArray> args, boolean detectAnomalies) {
    List<int[]> shapes = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      shapes.add(args.get(i).shape());
    }
    Map<String, Integer> env = Bindings.bind(f.params(), shapes);
    Interpreter it = new Interpreter(f, env);
    for (int i = 0; i < args.size(); i++) {
      Param p = f.params().get(i);
      NdArray a = args.get(i);
      if (a.dtype() != p.type().dtype()) {
        throw new GradcException(
            "argument %"
                + p.name()
                + " should be "
                + p.type().dtype().mnemonic()
                + ", got "
                + a.dtype().mnemonic());
      }
      it.vals[i] = a;
    }
    int[] lastUse = lastUses(f);
    for (Inst inst : f.insts()) {
      try {
        it.vals[inst.id()] = it.eval(inst);
      } catch (ArithmeticException e) {
        if (!"integer overflow".equals(e.getMessage())) {
          throw e;
        }
        // Array sizes are computed with exact arithmetic: this value cannot be stored.
        throw new GradcException(
            "a value of type "
                + inst.type()
                + " has more elements than a Java array holds; the reference interpreter stores"
                + " every value");
      }
      if (detectAnomalies) {
        it.checkFinite(f, inst);
      }
      // Free what no later instruction reads, so long chains run in bounded memory.
      for (int k = 0; k < inst.arity(); k++) {
        int id = inst.operand(k).id();
        if (id >= f.params().size() && lastUse[id] == inst.id()) {
          it.vals[id] = null;
        }
      }
    }
    List<NdArray> out = new ArrayList<>();
    for (Value r : f.results()) {
      out.add(it.value(r));
    }
    return out;
  }

  public static List<NdArray> run(Func f, NdArray... args) {
    return run(f, List.of(args));
  }

  /** Throws the anomaly of {@code inst}'s result, if it has one (see runDetectingAnomalies). */
  private void checkFinite(Func f, Inst inst) {
    if (!inst.type().dtype().isFloat()) {
      return;
    }
    NdArray r = vals[inst.id()];
    int bad = firstNonFinite(r);
    if (bad < 0) {
      return;
    }
    Origin o = f.origin(inst);
    if (o != null && o.isBackward()) {
      if (o.output() < 0) {
        return;
      }
    } else {
      for (int k = 0; k < inst.arity(); k++) {
        NdArray a = value(inst.operand(k));
        if (a.dtype().isFloat() && firstNonFinite(a) >= 0) {
          return;
        }
      }
    }
    throw AnomalyException.of(f, inst, r.get(bad));
  }

  private static int firstNonFinite(NdArray a) {
    for (int i = 0; i < a.size(); i++) {
      if (!Double.isFinite(a.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int[] lastUses(Func f) {
    int[] last = new int[f.valueCount()];
    for (Inst inst : f.insts()) {
      for (int k = 0; k < inst.arity(); k++) {
        int id = inst.operand(k).id();
        if (id >= 0) {
          last[id] = inst.id();
        }
      }
      Inst sumOfExp = inst.op() == Op.LOG ? LogSumExp.sumOfExp(inst.operand(0)) : null;
      int x = sumOfExp == null ? -1 : LogSumExp.argument(sumOfExp).id();
      if (x >= 0) {
        last[x] = inst.id();
      }
    }
    for (Value r : f.results()) {
      if (r.id() >= 0) {
        last[r.id()] = Integer.MAX_VALUE;
      }
    }
    return last;
  }

  private NdArray value(Value v) {
    if (v instanceof Lit) {
      return NdArray.scalar(v.type().dtype(), ((Lit) v).value());
    }
    return vals[v.id()];
  }

  private int[] shapeOf(Value v) {
    return v.type().shape(env);
  }

  private NdArray eval(Inst inst) {
    Inst sumOfExp = inst.op() == Op.LOG ? LogSumExp.sumOfExp(inst.operand(0)) : null;
    if (sumOfExp != null) {
      return logOfSumOfExp(sumOfExp, inst);
    }
    return switch (inst.op().kind()) {
      case ELEMENTWISE -> elementwise(inst);
      case REDUCTION -> reduce(inst);
      case NORMALIZE -> normalize(inst);
      case STRUCTURAL ->
          switch (inst.op().structure()) {
            case RESHAPE, SQUEEZE, UNSQUEEZE -> value(inst.operand(0)).reshaped(shapeOf(inst));
            case TRANSPOSE, PERMUTE -> permute(inst);
            case BROADCAST -> broadcast(inst);
            case SUM_TO -> sumTo(inst);
            case MATMUL -> matmul(inst);
            case SVD -> svd(inst);
            case SLICE -> {
              int[] shape = shapeOf(inst);
              yield value(inst.operand(0))
                  .select(shape, sliceIndex(shapeOf(inst.operand(0)), shape, inst));
            }
            case SLICE_BACKWARD -> {
              int[] shape = shapeOf(inst);
              yield value(inst.operand(0))
                  .scatter(shape, sliceIndex(shape, shapeOf(inst.operand(0)), inst));
            }
            case GATHER -> value(inst.operand(0)).select(shapeOf(inst), indexOffsets(inst));
            case SCATTER_ADD ->
                value(inst.operand(0)).scatterAdd(value(inst.operand(2)), indexOffsets(inst));
            case SCATTER ->
                value(inst.operand(0)).scatterSet(value(inst.operand(2)), indexOffsets(inst));
            case ONE_HOT -> oneHot(inst);
            case NUMEL -> numel(inst);
            case SCAN -> scan(inst);
          };
    };
  }

  /** A part of the singular value decomposition, by {@link Svd} as compiled code computes it. */
  private NdArray svd(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] s = x.shape();
    int m = s[s.length - 2];
    int n = s[s.length - 1];
    int[] shape = shapeOf(inst);
    int size = NdArray.numel(shape);
    boolean f32 = x.dtype() == DType.F32;
    Object in;
    if (f32) {
      float[] f = new float[x.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) x.get(i);
      }
      in = f;
    } else {
      in = x.toDoubleArray();
    }
    Object out = f32 ? new float[size] : new double[size];
    int batch = NdArray.numel(java.util.Arrays.copyOf(s, s.length - 2));
    try {
      Svd.svd(in, out, batch, m, n, inst.dim(0));
    } catch (IllegalArgumentException e) {
      // a matrix holding NaN, PyTorch's error (compiled code's CompiledKernel converts it alike)
      throw new GradcException(e.getMessage());
    }
    double[] r = new double[size];
    for (int i = 0; i < size; i++) {
      r[i] = out instanceof float[] f ? f[i] : ((double[]) out)[i];
    }
    return NdArray.wrap(x.dtype(), shape, r);
  }

  /** A cumulative op, by {@link Scans} as compiled code computes it. */
  private NdArray scan(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] s = x.shape();
    int d = inst.dim(0);
    int n = x.size();
    DType dt = x.dtype();
    Op.Scan k = inst.op().scan();
    Object in;
    Object out;
    if (dt == DType.I64) {
      long[] l = new long[n];
      for (int i = 0; i < n; i++) {
        l[i] = x.getLong(i);
      }
      in = l;
      out = new long[n];
    } else if (dt == DType.F32) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = (float) x.get(i);
      }
      in = f;
      out = k.isIndex() ? new long[n] : new float[n];
    } else {
      in = x.toDoubleArray();
      out = k.isIndex() ? new long[n] : new double[n];
    }
    int outer = NdArray.numel(java.util.Arrays.copyOfRange(s, 0, d));
    int inner = NdArray.numel(java.util.Arrays.copyOfRange(s, d + 1, s.length));
    int extra = k.extraDims();
    Scans.scan(
        in,
        out,
        outer,
        s[d],
        inner,
        k.code(),
        inst.dim(1) == 1,
        extra > 0 ? inst.dim(2) : 0,
        extra > 1 && inst.dim(3) == 1);
    if (out instanceof long[] l) {
      return NdArray.wrapLongs(s.clone(), l);
    }
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = out instanceof float[] f ? f[i] : ((double[]) out)[i];
    }
    return NdArray.wrap(dt, s.clone(), r);
  }

  private NdArray elementwise(Inst inst) {
    int[] shape = shapeOf(inst);
    int n = NdArray.numel(shape);
    NdArray[] in = new NdArray[inst.arity()];
    for (int k = 0; k < in.length; k++) {
      in[k] = value(inst.operand(k));
    }
    DType dt = inst.type().dtype();
    DType operand = inst.operand(inst.arity() - 1).type().dtype();
    if (ScalarMath.isInteger(inst.op(), operand, dt)) {
      try {
        return integer(inst.op(), in, shape, dt);
      } catch (IllegalArgumentException e) {
        // a data error of integer arithmetic (ZeroDivisionError), as compiled code raises it
        throw new GradcException(e.getMessage());
      }
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double x = at(in[0], i);
      double y = in.length > 1 ? at(in[1], i) : 0;
      double z = in.length > 2 ? at(in[2], i) : 0;
      out[i] = dt.round(ScalarMath.apply(inst.op(), x, y, z));
    }
    return NdArray.wrap(dt, shape, out);
  }

  /** An op in 64-bit integer arithmetic ({@link ScalarMath#isInteger}), exact on i64 elements. */
  private static NdArray integer(Op op, NdArray[] in, int[] shape, DType dt) {
    int n = NdArray.numel(shape);
    if (dt != DType.I64) {
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] =
            op == Op.CAST
                ? ScalarMath.castFromLong(atLong(in[0], i), dt)
                : ScalarMath.applyLong(op, atLong(in[0], i), atLong(in[1], i), 0);
      }
      return NdArray.wrap(dt, shape, out);
    }
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long y = in.length > 1 ? atLong(in[1], i) : 0;
      long z = in.length > 2 ? atLong(in[2], i) : 0;
      out[i] = ScalarMath.applyLong(op, atLong(in[0], i), y, z);
    }
    return NdArray.wrapLongs(shape, out);
  }

  /** Element {@code i} as an integer (exact for i64), or the only element of a literal. */
  private static long atLong(NdArray a, int i) {
    return a.rank() == 0 ? a.getLong(0) : a.getLong(i);
  }

  /** Element {@code i}, or the only element of a literal. */
  private static double at(NdArray a, int i) {
    return a.rank() == 0 ? a.get(0) : a.get(i);
  }

  private NdArray reduce(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] s = x.shape();
    boolean[] red = Typing.reducedMask(s.length, inst.dims());
    int[] outIndex = reducedIndex(s, red);
    int[] outShape = shapeOf(inst);
    int m = NdArray.numel(outShape);
    int n = x.size();
    Op.Reduction r = inst.op().reduction();
    if (x.dtype() == DType.I64) {
      return NdArray.wrapLongs(outShape, reduceLong(r.combine(), x, outIndex, m));
    }
    double[] acc = new double[m];
    java.util.Arrays.fill(acc, r.identity());
    switch (r.combine()) {
      case ADD -> acc = SumOrder.sums(x::get, n, outIndex, m, SumOrder.rowLength(s, red));
      case MAX -> {
        for (int i = 0; i < n; i++) {
          acc[outIndex[i]] = Math.max(acc[outIndex[i]], x.get(i));
        }
      }
      case MIN -> {
        for (int i = 0; i < n; i++) {
          acc[outIndex[i]] = Math.min(acc[outIndex[i]], x.get(i));
        }
      }
      case MUL -> {
        for (int i = 0; i < n; i++) {
          acc[outIndex[i]] *= x.get(i);
        }
      }
      case LOG_ADD_EXP -> logSumExp(x, outIndex, acc);
    }
    switch (r.finish()) {
      case NONE -> {}
      case DIVIDE_BY_COUNT -> {
        double[] count = new double[m];
        for (int i = 0; i < n; i++) {
          count[outIndex[i]]++;
        }
        for (int j = 0; j < m; j++) {
          acc[j] /= count[j];
        }
      }
    }
    DType dt = inst.type().dtype();
    for (int j = 0; j < m; j++) {
      acc[j] = dt.round(acc[j]);
    }
    return NdArray.wrap(dt, outShape, acc);
  }

  /**
   * An i64 {@code sum}, {@code amax} or {@code amin} in 64-bit integer arithmetic, wrapping as
   * PyTorch's int64 does ({@code mean} and {@code logsumexp} take floats only).
   */
  private static long[] reduceLong(Op.Combine c, NdArray x, int[] outIndex, int m) {
    long[] acc = new long[m];
    java.util.Arrays.fill(
        acc,
        switch (c) {
          case ADD -> 0L;
          case MUL -> 1L;
          case MAX -> Long.MIN_VALUE;
          case MIN -> Long.MAX_VALUE;
          case LOG_ADD_EXP -> throw new IllegalArgumentException("logsumexp of i64");
        });
    for (int i = 0; i < outIndex.length; i++) {
      long v = x.getLong(i);
      int o = outIndex[i];
      acc[o] =
          switch (c) {
            case ADD -> acc[o] + v;
            case MUL -> acc[o] * v;
            case MAX -> Math.max(acc[o], v);
            case MIN -> Math.min(acc[o], v);
            case LOG_ADD_EXP -> throw new IllegalArgumentException("logsumexp of i64");
          };
    }
    return acc;
  }

  /** {@code log} of {@code sum(exp(x))}: {@code logsumexp(x)} over the sum's dims. */
  private NdArray logOfSumOfExp(Inst sumOfExp, Inst log) {
    NdArray x = value(LogSumExp.argument(sumOfExp));
    int[] outIndex = reducedIndex(x.shape(), Typing.reducedMask(x.rank(), sumOfExp.dims()));
    int[] outShape = shapeOf(log);
    double[] acc = new double[NdArray.numel(outShape)];
    java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
    logSumExp(x, outIndex, acc);
    DType dt = log.type().dtype();
    for (int j = 0; j < acc.length; j++) {
      acc[j] = dt.round(acc[j]);
    }
    return NdArray.wrap(dt, outShape, acc);
  }

  /**
   * {@code log(sum(exp(x)))} into {@code acc} (filled with {@code -inf}) as PyTorch computes it:
   * shifted by the maximum unless it is infinite, so all {@code -inf} gives {@code -inf}.
   */
  private static void logSumExp(NdArray x, int[] outIndex, double[] acc) {
    int m = acc.length;
    for (int i = 0; i < outIndex.length; i++) {
      acc[outIndex[i]] = Math.max(acc[outIndex[i]], x.get(i));
    }
    double[] shift = new double[m];
    for (int j = 0; j < m; j++) {
      shift[j] = Double.isInfinite(acc[j]) ? 0 : acc[j];
    }
    double[] sum = new double[m];
    for (int i = 0; i < outIndex.length; i++) {
      sum[outIndex[i]] += MathF64.exp(x.get(i) - shift[outIndex[i]]);
    }
    for (int j = 0; j < m; j++) {
      acc[j] = MathF64.log(sum[j]) + shift[j];
    }
  }

  /** For each element of a shape, the flat index of its cell after reducing the masked dims. */
  static int[] reducedIndex(int[] s, boolean[] red) {
    int n = NdArray.numel(s);
    int[] kept = s.clone();
    for (int d = 0; d < s.length; d++) {
      if (red[d]) {
        kept[d] = 1;
      }
    }
    int[] kst = NdArray.strides(kept);
    int[] idx = new int[s.length];
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int o = 0;
      for (int d = 0; d < s.length; d++) {
        if (!red[d]) {
          o += idx[d] * kst[d];
        }
      }
      out[i] = o;
      increment(idx, s);
    }
    return out;
  }

  /** Advances a row-major multi-index. */
  private static void increment(int[] idx, int[] shape) {
    for (int d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        return;
      }
      idx[d] = 0;
    }
  }

  /** The source index {@code sum_d j[d] * strides[d]} of each multi-index {@code j} of a shape. */
  private static int[] gather(int[] outShape, int[] strides) {
    int n = NdArray.numel(outShape);
    int[] out = new int[n];
    int[] idx = new int[outShape.length];
    for (int i = 0; i < n; i++) {
      int o = 0;
      for (int d = 0; d < idx.length; d++) {
        o += idx[d] * strides[d];
      }
      out[i] = o;
      increment(idx, outShape);
    }
    return out;
  }

  /**
   * For each element of {@code part}, in order, the index in {@code whole} that {@code slice} with
   * {@code inst}'s {@code dims=[dim, start, step]} reads.
   */
  private static int[] sliceIndex(int[] whole, int[] part, Inst inst) {
    int[] st = NdArray.strides(whole).clone();
    int d = inst.dim(0);
    int offset = inst.dim(1) * st[d];
    st[d] *= inst.dim(2);
    int[] index = gather(part, st);
    for (int i = 0; i < index.length; i++) {
      index[i] += offset;
    }
    return index;
  }

  private NdArray permute(Inst inst) {
    NdArray x = value(inst.operand(0));
    int r = x.rank();
    int[] perm = new int[r];
    for (int d = 0; d < r; d++) {
      perm[d] = d;
    }
    if (inst.op() == Op.TRANSPOSE) {
      perm[inst.dim(0)] = inst.dim(1);
      perm[inst.dim(1)] = inst.dim(0);
    } else {
      perm = inst.dims();
    }
    int[] inStrides = NdArray.strides(x.shape());
    int[] st = new int[r];
    for (int d = 0; d < r; d++) {
      st[d] = inStrides[perm[d]];
    }
    int[] shape = shapeOf(inst);
    return x.select(shape, gather(shape, st));
  }

  /**
   * Strides that read a {@code from}-shaped array as if it had shape {@code to} (0 on broadcast
   * dims).
   */
  static int[] broadcastStrides(int[] from, int[] to) {
    int[] fst = NdArray.strides(from);
    int[] st = new int[to.length];
    int off = to.length - from.length;
    for (int d = 0; d < from.length; d++) {
      st[d + off] = from[d] == 1 && to[d + off] != 1 ? 0 : fst[d];
    }
    return st;
  }

  private NdArray broadcast(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] shape = shapeOf(inst);
    return x.select(shape, gather(shape, broadcastStrides(x.shape(), shape)));
  }

  private NdArray sumTo(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] in = x.shape();
    int[] shape = shapeOf(inst);
    int[] st = broadcastStrides(shape, in);
    int[] outIndex = new int[x.size()];
    int[] idx = new int[in.length];
    boolean[] red = new boolean[in.length];
    for (int d = 0; d < in.length; d++) {
      red[d] = st[d] == 0;
    }
    for (int i = 0; i < x.size(); i++) {
      int o = 0;
      for (int d = 0; d < in.length; d++) {
        o += idx[d] * st[d];
      }
      outIndex[i] = o;
      increment(idx, in);
    }
    double[] out =
        SumOrder.sums(
            x::get, x.size(), outIndex, NdArray.numel(shape), SumOrder.rowLength(in, red));
    DType dt = inst.type().dtype();
    for (int j = 0; j < out.length; j++) {
      out[j] = dt.round(out[j]);
    }
    return NdArray.wrap(dt, shape, out);
  }

  private NdArray matmul(Inst inst) {
    NdArray a = value(inst.operand(0));
    NdArray b = value(inst.operand(1));
    int[] as = a.shape();
    int[] bs = b.shape();
    // View 1-D operands as matrices: [k] is [1, k] on the left and [k, 1] on the right.
    int[] a2 = as.length == 1 ? new int[] {1, as[0]} : as;
    int[] b2 = bs.length == 1 ? new int[] {bs[0], 1} : bs;
    int n = a2[a2.length - 2];
    int k = a2[a2.length - 1];
    int m = b2[b2.length - 1];
    int[] batchA = java.util.Arrays.copyOf(a2, a2.length - 2);
    int[] batchB = java.util.Arrays.copyOf(b2, b2.length - 2);
    int[] batch = new int[Math.max(batchA.length, batchB.length)];
    for (int d = 0; d < batch.length; d++) {
      int ia = d - (batch.length - batchA.length);
      int ib = d - (batch.length - batchB.length);
      batch[d] = Math.max(ia >= 0 ? batchA[ia] : 1, ib >= 0 ? batchB[ib] : 1);
    }
    int[] sta = broadcastStrides(batchA, batch);
    int[] stb = broadcastStrides(batchB, batch);
    int nb = NdArray.numel(batch);
    DType dt = inst.type().dtype();
    // i64: exact products summed in 64-bit arithmetic that wraps, as PyTorch's int64.
    long[] longs = dt == DType.I64 ? new long[nb * n * m] : null;
    double[] out = longs != null ? null : new double[nb * n * m];
    int[] idx = new int[batch.length];
    boolean f32 = dt == DType.F32;
    boolean matvec = as.length <= 2 && bs.length <= 2 && (n == 1 || m == 1);
    if (matvec && longs == null) {
      return NdArray.wrap(dt, shapeOf(inst), matvec(a, b, n, k, m, dt));
    }
    for (int t = 0; t < nb; t++) {
      int oa = 0;
      int ob = 0;
      for (int d = 0; d < batch.length; d++) {
        oa += idx[d] * sta[d];
        ob += idx[d] * stb[d];
      }
      oa *= n * k;
      ob *= k * m;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          if (longs != null) {
            long s = 0;
            for (int p = 0; p < k; p++) {
              s += a.getLong(oa + i * k + p) * b.getLong(ob + p * m + j);
            }
            longs[(t * n + i) * m + j] = s;
            continue;
          }
          // Matrix products: from +0.0, one fused multiply-add per product in ascending order,
          // rounded to the element type at each step, as compiled products (lib.Gemm).
          double s = 0;
          for (int p = 0; p < k; p++) {
            double x = a.get(oa + i * k + p);
            double y = b.get(ob + p * m + j);
            s = f32 ? Math.fma((float) x, (float) y, (float) s) : Math.fma(x, y, s);
          }
          out[(t * n + i) * m + j] = dt.round(s);
        }
      }
      increment(idx, batch);
    }
    return longs != null
        ? NdArray.wrapLongs(shapeOf(inst), longs)
        : NdArray.wrap(dt, shapeOf(inst), out);
  }

  /**
   * A matrix-vector product as codegen lowers it, a broadcast multiply and a sum: the products in
   * f64, summed in {@link SumOrder}'s order over {@code [n, k]} (per row) when {@code m == 1}, else
   * over {@code [k, m]} (per column), rounded once.
   */
  private static double[] matvec(NdArray a, NdArray b, int n, int k, int m, DType dt) {
    double[] out;
    if (m == 1) {
      int[] outIndex = new int[n * k];
      for (int i = 0; i < n * k; i++) {
        outIndex[i] = i / Math.max(1, k);
      }
      int rowLength = SumOrder.rowLength(new int[] {n, k}, new boolean[] {false, true});
      out = SumOrder.sums(i -> a.get(i) * b.get(i % k), n * k, outIndex, n, rowLength);
    } else {
      int[] outIndex = new int[k * m];
      for (int i = 0; i < k * m; i++) {
        outIndex[i] = i % m;
      }
      int rowLength = SumOrder.rowLength(new int[] {k, m}, new boolean[] {true, false});
      out = SumOrder.sums(i -> a.get(i / m) * b.get(i), k * m, outIndex, m, rowLength);
    }
    for (int j = 0; j < out.length; j++) {
      out[j] = dt.round(out[j]);
    }
    return out;
  }

  private NdArray normalize(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] s = x.shape();
    int d = inst.dim(0);
    int outer = 1;
    int len = s.length == 0 ? 1 : s[d];
    int inner = 1;
    for (int i = 0; i < s.length; i++) {
      if (i < d) {
        outer *= s[i];
      } else if (i > d) {
        inner *= s[i];
      }
    }
    double[] out = new double[x.size()];
    DType dt = inst.type().dtype();
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * len * inner + in;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
          max = Math.max(max, x.get(base + j * inner));
        }
        double sum = 0;
        for (int j = 0; j < len; j++) {
          sum += MathF64.exp(x.get(base + j * inner) - max);
        }
        for (int j = 0; j < len; j++) {
          double v = x.get(base + j * inner) - max;
          double r =
              switch (inst.op().normalization()) {
                case SOFTMAX -> MathF64.exp(v) / sum;
                case LOG_SOFTMAX -> v - MathF64.log(sum);
              };
          out[base + j * inner] = dt.round(r);
        }
      }
    }
    return NdArray.wrap(dt, s, out);
  }

  /**
   * The flat offsets, in the first operand, that a {@code gather} or {@code scatter_add} reads or
   * adds to ({@link Gathers#offsets}), with PyTorch's error for an index out of range.
   */
  private int[] indexOffsets(Inst inst) {
    try {
      return Gathers.offsets(
          value(inst.operand(1)).longs(),
          shapeOf(inst.operand(0)),
          shapeOf(inst.operand(1)),
          inst.dim(0));
    } catch (IllegalArgumentException e) {
      throw new GradcException(e.getMessage());
    }
  }

  private NdArray oneHot(Inst inst) {
    NdArray x = value(inst.operand(0));
    int[] shape = shapeOf(inst);
    int c = shape[shape.length - 1];
    double[] out = new double[x.size() * c];
    for (int i = 0; i < x.size(); i++) {
      double v = x.get(i);
      if (v < 0) {
        throw new GradcException("Class values must be non-negative.");
      }
      if (v >= c) {
        throw new GradcException("Class values must be smaller than num_classes.");
      }
      out[i * c + (int) v] = 1;
    }
    return NdArray.wrap(DType.I64, shape, out);
  }

  private NdArray numel(Inst inst) {
    int[] s = shapeOf(inst.operand(0));
    boolean[] red = Typing.reducedMask(s.length, inst.dims());
    double n = 1;
    for (int d = 0; d < s.length; d++) {
      if (red[d]) {
        n *= s[d];
      }
    }
    return NdArray.scalar(inst.type().dtype(), n);
  }
}
