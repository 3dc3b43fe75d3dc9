package dev.gradc.frontend.fuzz;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Central finite differences of a function's scalar result along directions in its params' space,
 * on the reference interpreter, with Richardson extrapolation ({@code (4 D(h/2) - D(h)) / 3}).
 *
 * <p>The function differentiated is the program with every {@code detach} (and so every {@code with
 * no_grad:} value) frozen at its value at the base point, since that is what autograd's gradient is
 * the derivative of. A direction is used only if no kink lies inside its stencil: every op whose
 * derivative jumps ({@code relu}, {@code abs}, comparisons, {@code maximum}, {@code clamp}, {@code
 * amax}, casts to integers, softplus's threshold) must see its operands on the same side of the
 * kink at all five stencil points. Exact ties that stay exact (a value compared with a broadcast
 * copy of itself) are not kinks.
 */
final class FiniteDifferences {
  static final double H = 1e-4;

  private final Func frozen;
  private final Func detachedValues;
  private final List<Kink> kinks = new ArrayList<>();
  private final int detachCount;

  /** One op with a kink; {@code results} index the frozen function's results, -1 for a literal. */
  private static final class Kink {
    private final Inst inst;
    private final int[] results;
    private final double[] literals;

    Kink(Inst inst, int[] results, double[] literals) {
      this.inst = inst;
      this.results = results;
      this.literals = literals;
    }

    Inst inst() {
      return inst;
    }

    int[] results() {
      return results;
    }

    double[] literals() {
      return literals;
    }
  }

  FiniteDifferences(Func f) {
    List<Inst> detaches = new ArrayList<>();
    for (Inst i : f.insts()) {
      if (i.op() == Op.DETACH) {
        detaches.add(i);
      }
    }
    detachCount = detaches.size();
    Builder d = new Builder(f.name() + ".detached");
    Value[] dmap = declare(d, f);
    for (Inst i : f.insts()) {
      dmap[i.id()] =
          d.emit(i.op(), i.type(), Builder.mapped(i.operands(), dmap), i.dims(), i.keepdim());
    }
    List<Value> dres = new ArrayList<>();
    for (Inst i : detaches) {
      dres.add(dmap[i.id()]);
    }
    if (dres.isEmpty()) {
      dres.add(dmap[f.result(0).id()]);
    }
    d.ret(dres.toArray(new Value[0]));
    detachedValues = d.build();

    Builder b = new Builder(f.name() + ".frozen");
    Value[] map = declare(b, f);
    Map<Inst, Value> frozenInputs = new HashMap<>();
    for (int k = 0; k < detaches.size(); k++) {
      frozenInputs.put(detaches.get(k), b.input("detached_" + k, detaches.get(k).type()));
    }
    boolean[] active = new boolean[f.valueCount()];
    for (Param p : f.params()) {
      active[p.id()] = p.requiresGrad();
    }
    List<Value> results = new ArrayList<>();
    results.add(null);
    Map<Value, Integer> resultIndex = new HashMap<>();
    for (Inst i : f.insts()) {
      Value frozenInput = frozenInputs.get(i);
      if (frozenInput != null) {
        map[i.id()] = frozenInput;
        continue;
      }
      boolean any = false;
      for (Value o : i.operands()) {
        any |= o.id() >= 0 && active[o.id()];
      }
      active[i.id()] = any;
      map[i.id()] =
          b.emit(i.op(), i.type(), Builder.mapped(i.operands(), map), i.dims(), i.keepdim());
      if (any && hasKink(i)) {
        int[] idx = new int[i.arity()];
        double[] lits = new double[i.arity()];
        for (int k = 0; k < i.arity(); k++) {
          Value o = i.operand(k);
          if (o instanceof Lit l) {
            idx[k] = -1;
            lits[k] = l.value();
          } else {
            Value m = map[o.id()];
            idx[k] =
                resultIndex.computeIfAbsent(
                    m,
                    v -> {
                      results.add(v);
                      return results.size() - 1;
                    });
          }
        }
        kinks.add(new Kink(i, idx, lits));
      }
    }
    Value r = f.result(0);
    results.set(0, r instanceof Lit ? r : map[r.id()]);
    b.ret(results.toArray(new Value[0]));
    frozen = b.build();
  }

  private static Value[] declare(Builder b, Func f) {
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
    return map;
  }

  private static boolean hasKink(Inst i) {
    DType operand = i.arity() > 0 ? i.operand(0).type().dtype() : null;
    return switch (i.op()) {
      case RELU, ABS, SIGN, MAXIMUM, MINIMUM, LT, LE, GT, GE, EQ, NE, CLAMP, SOFTPLUS, AMAX, AMIN ->
          true;
      case CAST -> operand != null && operand.isFloat() && !i.type().dtype().isFloat();
      case ADD,
          SUB,
          MUL,
          DIV,
          POW,
          WHERE,
          NEG,
          EXP,
          EXPM1,
          LOG,
          LOG1P,
          SQRT,
          RSQRT,
          SQUARE,
          RECIPROCAL,
          SIN,
          COS,
          TAN,
          TANH,
          SIGMOID,
          ERF,
          DETACH,
          SUM,
          MEAN,
          LOGSUMEXP,
          RESHAPE,
          TRANSPOSE,
          PERMUTE,
          UNSQUEEZE,
          SQUEEZE,
          EXPAND,
          BROADCAST,
          SUM_TO,
          MATMUL,
          SOFTMAX,
          LOG_SOFTMAX,
          ONE_HOT,
          NUMEL ->
          false;
    };
  }

  /** What a gradient check found. */
  record Result(int directions, int kinked, int nonFinite, String mismatch) {}

  /**
   * Compares {@code grads} (one buffer per param that requires grad, in order) with finite
   * differences at {@code args}; returns the first mismatch, or null.
   */
  Result check(Object[] args, int[][] shapes, Object[] grads, SplittableRandom rnd) {
    List<Param> params = frozenParams();
    Object[] detached =
        detachCount == 0
            ? new Object[0]
            : Kernels.interpret(detachedValues).call(args, shapes, null);
    int[][] detachedShapes =
        detachCount == 0 ? new int[0][] : Kernels.interpret(detachedValues).resultShapes(shapes);
    Object[] full = Arrays.copyOf(args, args.length + detachCount);
    int[][] fullShapes = Arrays.copyOf(shapes, shapes.length + detachCount);
    for (int k = 0; k < detachCount; k++) {
      full[args.length + k] = detached[k];
      fullShapes[args.length + k] = detachedShapes[k];
    }
    CompiledFunction run = Kernels.interpret(frozen);
    int[][] resultShapes = run.resultShapes(fullShapes);
    // the grad params' positions and sizes
    List<Integer> gradArgs = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < args.length; i++) {
      if (params.get(i).requiresGrad()) {
        gradArgs.add(i);
        total += Buffers.length(args[i]);
      }
    }
    double[] g = new double[total];
    int at = 0;
    for (Object grad : grads) {
      for (int k = 0; k < Buffers.length(grad); k++) {
        g[at++] = Buffers.get(grad, k);
      }
    }
    double gnorm = 0;
    for (double v : g) {
      gnorm = Math.max(gnorm, Math.abs(v));
    }
    Object[] base = run.call(full, fullShapes, null);
    double f0 = Buffers.get(base[0], 0);
    long[] sig0 = signature(base, resultShapes);
    if (sig0 == null) {
      return new Result(0, 1, 0, null);
    }
    int checked = 0;
    int kinked = 0;
    int nonFinite = 0;
    int wanted = Math.min(total, 8);
    for (int attempt = 0; attempt < 16 && checked < wanted; attempt++) {
      double[] v = new double[total];
      if (total <= 8) {
        if (attempt >= total) {
          break;
        }
        v[attempt] = 1;
      } else if (attempt % 2 == 0) {
        v[rnd.nextInt(total)] = 1;
      } else {
        double n = 0;
        for (int k = 0; k < total; k++) {
          v[k] = rnd.nextDouble(-1, 1);
          n += v[k] * v[k];
        }
        for (int k = 0; k < total; k++) {
          v[k] /= Math.sqrt(n);
        }
      }
      double[] fs = new double[4];
      boolean kink = false;
      double[] steps = {H, -H, H / 2, -H / 2};
      for (int s = 0; s < 4; s++) {
        Object[] moved = full.clone();
        int off = 0;
        for (int i : gradArgs) {
          Object buf = copy(args[i]);
          for (int k = 0; k < Buffers.length(buf); k++) {
            Buffers.set(buf, k, Buffers.get(buf, k) + steps[s] * v[off + k]);
          }
          off += Buffers.length(buf);
          moved[i] = buf;
        }
        Object[] out = run.call(moved, fullShapes, null);
        fs[s] = Buffers.get(out[0], 0);
        long[] sig = signature(out, resultShapes);
        kink |= sig == null || !Arrays.equals(sig0, sig);
      }
      if (kink) {
        kinked++;
        continue;
      }
      if (!Double.isFinite(fs[0] + fs[1] + fs[2] + fs[3])) {
        nonFinite++;
        continue;
      }
      double d1 = (fs[0] - fs[1]) / (2 * H);
      double d2 = (fs[2] - fs[3]) / H;
      double fd = (4 * d2 - d1) / 3;
      double ad = 0;
      for (int k = 0; k < total; k++) {
        ad += g[k] * v[k];
      }
      double tol = 1e-6 * (Math.abs(ad) + gnorm) + 1e-10 * (1 + Math.abs(f0)) / H;
      if (!(Math.abs(fd - ad) <= tol)) {
        return new Result(
            checked,
            kinked,
            nonFinite,
            "directional derivative "
                + describe(v)
                + ": autograd "
                + ad
                + ", finite differences "
                + fd
                + " (tolerance "
                + tol
                + ")");
      }
      checked++;
    }
    return new Result(checked, kinked, nonFinite, null);
  }

  private List<Param> frozenParams() {
    return frozen.params();
  }

  private static String describe(double[] v) {
    int nonzero = 0;
    int last = -1;
    for (int k = 0; k < v.length; k++) {
      if (v[k] != 0) {
        nonzero++;
        last = k;
      }
    }
    return nonzero == 1 ? "along element " + last + " of the params" : "along a random direction";
  }

  private static Object copy(Object buf) {
    Object c = Buffers.allocate(Buffers.dtypeOf(buf), Buffers.length(buf));
    System.arraycopy(buf, 0, c, 0, Buffers.length(buf));
    return c;
  }

  /**
   * Which side of its kink every kinked op's operands are on, as one array; null at a point where
   * finite differences cannot show PyTorch's gradient.
   */
  private long[] signature(Object[] results, int[][] shapes) {
    List<Long> out = new ArrayList<>();
    for (Kink k : kinks) {
      Inst i = k.inst();
      switch (i.op()) {
        case RELU, ABS, SIGN -> sides(out, k, results, 0, Double.NaN, 0);
        case SOFTPLUS -> sides(out, k, results, 0, Double.NaN, 20);
        case MAXIMUM, MINIMUM, LT, LE, GT, GE, EQ, NE -> sides(out, k, results, 0, 1, 0);
        case CLAMP -> {
          sides(out, k, results, 0, 1, 0);
          sides(out, k, results, 0, 2, 0);
          int n = out.size();
          sides(out, k, results, 1, 2, 0);
          if (out.subList(n, out.size()).contains(0L)) {
            // min == max: PyTorch then gives neither bound a gradient, which no difference shows
            return null;
          }
        }
        case CAST -> {
          int n = length(k, results, 0);
          for (int e = 0; e < n; e++) {
            out.add((long) Math.floor(operand(k, results, 0, e)));
          }
        }
        case AMAX, AMIN -> extremes(out, k, results, shapes);
        default -> throw new IllegalStateException(i.op().mnemonic());
      }
    }
    long[] a = new long[out.size()];
    for (int e = 0; e < a.length; e++) {
      a[e] = out.get(e);
    }
    return a;
  }

  /** The sign of {@code x - y - c} per element, {@code y} absent when its index is NaN. */
  private static void sides(List<Long> out, Kink k, Object[] results, int x, double y, double c) {
    int n = Math.max(length(k, results, x), Double.isNaN(y) ? 1 : length(k, results, (int) y));
    for (int e = 0; e < n; e++) {
      double d =
          operand(k, results, x, e) - (Double.isNaN(y) ? 0 : operand(k, results, (int) y, e)) - c;
      out.add((long) Math.signum(d));
    }
  }

  private static int length(Kink k, Object[] results, int operand) {
    int r = k.results()[operand];
    return r < 0 ? 1 : Buffers.length(results[r]);
  }

  private static double operand(Kink k, Object[] results, int operand, int e) {
    int r = k.results()[operand];
    if (r < 0) {
      return k.literals()[operand];
    }
    Object buf = results[r];
    return Buffers.get(buf, Buffers.length(buf) == 1 ? 0 : e);
  }

  /** Per element of a max or min reduction's operand: whether it is its group's extreme. */
  private static void extremes(List<Long> out, Kink k, Object[] results, int[][] shapes) {
    Inst i = k.inst();
    int r = k.results()[0];
    Object buf = results[r];
    int[] shape = shapes[r];
    boolean[] reduced = new boolean[shape.length];
    if (i.dimCount() == 0) {
      Arrays.fill(reduced, true);
    }
    for (int d : i.dims()) {
      reduced[d] = true;
    }
    int n = Buffers.length(buf);
    int[] group = new int[n];
    Map<Integer, Double> best = new HashMap<>();
    for (int e = 0; e < n; e++) {
      int rem = e;
      int key = 0;
      for (int d = shape.length - 1, stride = 1; d >= 0; d--) {
        int idx = rem % shape[d];
        rem /= shape[d];
        if (!reduced[d]) {
          key += idx * stride;
          stride *= shape[d];
        }
      }
      group[e] = key;
      double v = Buffers.get(buf, e);
      best.merge(key, v, i.op() == Op.AMAX ? Math::max : Math::min);
    }
    for (int e = 0; e < n; e++) {
      out.add(Buffers.get(buf, e) == best.get(group[e]) ? 1L : 0L);
    }
  }
}
