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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ops of a function whose value or derivative jumps ({@code relu}, {@code abs}, {@code sign},
 * comparisons, {@code maximum}, {@code clamp}, {@code amax}, casts of floats to integers, {@code
 * floor}, {@code ceil}, {@code round}, {@code trunc}, softplus's threshold), and a copy of the
 * function, {@link #probe}, that returns its first result followed by the operands of those ops, so
 * that one call tells on which side of every jump a point lies.
 *
 * <p>With {@code freeze}, every {@code detach} becomes an input of the probe (appended after the
 * function's parameters, in order), holding the value {@link #detached} computes at the base point.
 * With {@code activeOnly}, only ops whose operands depend on a param count.
 */
final class Kinks {
  final Func probe;
  final Func detached;
  final int detachCount;
  private final List<Kink> kinks = new ArrayList<>();

  /** One op with a jump; {@code results} index the probe's results, -1 for a literal operand. */
  private static final class Kink {
    private final Inst inst;
    private final int[] results;
    private final double[] literals;

    Kink(Inst inst, int[] results, double[] literals) {
      this.inst = inst;
      this.results = results;
      this.literals = literals;
    }
  }

  Kinks(Func f, boolean freeze, boolean activeOnly) {
    List<Inst> detaches = new ArrayList<>();
    for (Inst i : f.insts()) {
      if (freeze && i.op() == Op.DETACH) {
        detaches.add(i);
      }
    }
    detachCount = detaches.size();
    detached = detaches.isEmpty() ? null : copyReturning(f, detaches);

    Builder b = new Builder(f.name() + ".probe");
    Value[] map = declare(b, f);
    Map<Inst, Value> frozen = new HashMap<>();
    for (int k = 0; k < detaches.size(); k++) {
      frozen.put(detaches.get(k), b.input("detached_" + k, detaches.get(k).type()));
    }
    boolean[] active = new boolean[f.valueCount()];
    for (Param p : f.params()) {
      active[p.id()] = p.requiresGrad() || !activeOnly;
    }
    List<Value> results = new ArrayList<>();
    results.add(null);
    Map<Value, Integer> resultIndex = new HashMap<>();
    for (Inst i : f.insts()) {
      Value input = frozen.get(i);
      if (input != null) {
        map[i.id()] = input;
        continue;
      }
      boolean any = !activeOnly;
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
            idx[k] =
                resultIndex.computeIfAbsent(
                    map[o.id()],
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
    probe = b.build();
  }

  private static Value[] declare(Builder b, Func f) {
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
    return map;
  }

  /** A copy of {@code f} that returns {@code values}. */
  private static Func copyReturning(Func f, List<Inst> values) {
    Builder d = new Builder(f.name() + ".detached");
    Value[] map = declare(d, f);
    for (Inst i : f.insts()) {
      map[i.id()] =
          d.emit(i.op(), i.type(), Builder.mapped(i.operands(), map), i.dims(), i.keepdim());
    }
    for (Inst i : values) {
      d.ret(map[i.id()]);
    }
    return d.build();
  }

  private static boolean hasKink(Inst i) {
    DType operand = i.arity() > 0 ? i.operand(0).type().dtype() : null;
    return switch (i.op().kind()) {
      case ELEMENTWISE ->
          switch (i.op().elementwise()) {
            case RELU, ABS, SIGN, MAXIMUM, MINIMUM, LT, LE, GT, GE, EQ, NE, CLAMP, SOFTPLUS -> true;
            // the value jumps at integers (round: at halves; remainder, fmod: of the quotient)
            case FLOOR, CEIL, ROUND, TRUNC, REMAINDER, FMOD -> true;
            // jumps where an operand's sign changes (atan2's branch cut, copysign)
            case ATAN2, COPYSIGN -> true;
            case HYPOT, XLOGY, XLOG1PY, LOGADDEXP, LOGADDEXP2, POLYGAMMA -> false;
            case LGAMMA, DIGAMMA, ERFINV -> false;
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
                ERFC,
                SINC,
                EXP2,
                SINH,
                COSH,
                ASINH,
                ACOSH,
                ATANH,
                ASIN,
                ACOS,
                ATAN,
                LOG2,
                LOG10,
                DETACH ->
                false;
          };
      case REDUCTION ->
          switch (i.op().reduction().combine()) {
            case MAX, MIN -> true;
            case ADD, MUL, LOG_ADD_EXP -> false;
          };
      case NORMALIZE -> false;
      // a running maximum or minimum jumps where an element meets the extreme before it, a sorting
      // permutation where two elements of a lane meet
      // singular values are not differentiable where two meet, nor the smallest at 0
      case STRUCTURAL ->
          i.op() == Op.SVD
              || (i.op().scan() != null
                  && switch (i.op().scan()) {
                    case MAX, MIN, MAX_INDEX, MIN_INDEX, SORT_INDEX, TOPK_INDEX, KTH_INDEX -> true;
                    case SUM, PROD, LOG_SUM_EXP -> false;
                  });
    };
  }

  /**
   * The distance of one element to one jump, the magnitude of what it is computed from, and the
   * side of the jump it is on; {@code boundsTie} marks a clamp whose two bounds are equal.
   */
  private record Distance(double d, double magnitude, long side, boolean boundsTie) {
    static Distance of(double d, double magnitude) {
      return new Distance(d, magnitude, (long) Math.signum(d), false);
    }
  }

  /**
   * Every distance of the probe's results to a jump, in a fixed order: {@code x - y - c} for
   * comparisons and their kin, the distance to the nearest integer for casts, and for max and min
   * reductions each element's distance to its group's extreme.
   */
  private List<Distance> distances(Object[] results, int[][] shapes) {
    List<Distance> out = new ArrayList<>();
    for (Kink k : kinks) {
      switch (k.inst.op()) {
        case RELU, ABS, SIGN -> sides(out, k, results, 0, -1, 0);
        case SOFTPLUS -> sides(out, k, results, 0, -1, 20);
        case MAXIMUM, MINIMUM, LT, LE, GT, GE, EQ, NE -> sides(out, k, results, 0, 1, 0);
        case CLAMP -> {
          sides(out, k, results, 0, 1, 0);
          sides(out, k, results, 0, 2, 0);
          int from = out.size();
          sides(out, k, results, 1, 2, 0);
          for (int i = from; i < out.size(); i++) {
            Distance d = out.get(i);
            out.set(i, new Distance(d.d(), d.magnitude(), d.side(), d.d() == 0));
          }
        }
        case CAST, FLOOR, CEIL, TRUNC -> {
          for (int e = 0; e < length(k, results, 0); e++) {
            double x = operand(k, results, 0, e);
            out.add(new Distance(x - Math.rint(x), Math.abs(x), (long) Math.floor(x), false));
          }
        }
        case REMAINDER, FMOD -> {
          int n = Math.max(length(k, results, 0), length(k, results, 1));
          for (int e = 0; e < n; e++) {
            double q = operand(k, results, 0, e) / operand(k, results, 1, e);
            out.add(new Distance(q - Math.rint(q), Math.abs(q), (long) Math.floor(q), false));
          }
        }
        case ATAN2, COPYSIGN -> {
          sides(out, k, results, 0, -1, 0);
          sides(out, k, results, 1, -1, 0);
        }
        case ROUND -> {
          for (int e = 0; e < length(k, results, 0); e++) {
            double x = operand(k, results, 0, e);
            double half = Math.floor(x) + 0.5;
            out.add(new Distance(x - half, Math.abs(x), (long) Math.rint(x), false));
          }
        }
        case AMAX, AMIN -> extremes(out, k, results, shapes);
        case CUMMAX, CUMMIN, CUMMAX_INDICES, CUMMIN_INDICES ->
            runningExtremes(out, k, results, shapes);
        case ARGSORT, TOPK_ORDER, KTHVALUE_ORDER -> nearestInLane(out, k, results, shapes);
        case SVD -> singularGaps(out, k, results, shapes);
        default -> throw new IllegalStateException(k.inst.op().mnemonic());
      }
    }
    return out;
  }

  /**
   * Which side of its jump every operand is on, as one array; null where finite differences cannot
   * show PyTorch's gradient (a clamp whose bounds are equal gives neither bound a gradient).
   */
  long[] signature(Object[] results, int[][] shapes) {
    List<Distance> ds = distances(results, shapes);
    long[] a = new long[ds.size()];
    for (int i = 0; i < a.length; i++) {
      if (ds.get(i).boundsTie()) {
        return null;
      }
      a[i] = ds.get(i).side();
    }
    return a;
  }

  /**
   * True when some operand lies within rounding ({@code rtol} relative) of a jump at {@code base},
   * or exactly at one that {@code moved} (a nearby point) leaves: then two correct evaluations that
   * round differently may land on different sides.
   */
  boolean near(Object[] base, Object[] moved, int[][] shapes, double rtol) {
    List<Distance> b = distances(base, shapes);
    List<Distance> m = distances(moved, shapes);
    for (int i = 0; i < b.size(); i++) {
      double d = b.get(i).d();
      if (d == 0 ? m.get(i).d() != 0 : Math.abs(d) <= rtol * (1 + b.get(i).magnitude())) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when two evaluations of the probe at the same point (interpreted and compiled) put some
   * operand on different sides of a jump while both are within rounding of it.
   */
  boolean sidesDiffer(Object[] one, Object[] other, int[][] shapes, double rtol) {
    List<Distance> a = distances(one, shapes);
    List<Distance> b = distances(other, shapes);
    for (int i = 0; i < a.size(); i++) {
      double tol = rtol * (1 + a.get(i).magnitude());
      if (a.get(i).side() != b.get(i).side()
          && Math.abs(a.get(i).d()) <= tol
          && Math.abs(b.get(i).d()) <= tol) {
        return true;
      }
    }
    return false;
  }

  /** {@code x - y - c} per element; {@code y} is absent when its index is negative. */
  private static void sides(List<Distance> out, Kink k, Object[] results, int x, int y, double c) {
    int lx = length(k, results, x);
    int ly = y < 0 ? 1 : length(k, results, y);
    // an empty operand broadcasts the other to no elements
    int n = lx == 0 || ly == 0 ? 0 : Math.max(lx, ly);
    for (int e = 0; e < n; e++) {
      double a = operand(k, results, x, e);
      double b = y < 0 ? 0 : operand(k, results, y, e);
      out.add(Distance.of(a - b - c, Math.abs(a) + Math.abs(b) + Math.abs(c)));
    }
  }

  private static int length(Kink k, Object[] results, int operand) {
    int r = k.results[operand];
    return r < 0 ? 1 : Buffers.length(results[r]);
  }

  private static double operand(Kink k, Object[] results, int operand, int e) {
    int r = k.results[operand];
    if (r < 0) {
      return k.literals[operand];
    }
    Object buf = results[r];
    return Buffers.get(buf, Buffers.length(buf) == 1 ? 0 : e);
  }

  /**
   * Per element of a running maximum's or minimum's operand: its distance to the extreme of the
   * elements before it along the dim.
   */
  private static void runningExtremes(
      List<Distance> out, Kink k, Object[] results, int[][] shapes) {
    boolean max = k.inst.op().scan() == Op.Scan.MAX || k.inst.op().scan() == Op.Scan.MAX_INDEX;
    alongDim(
        out,
        k,
        results,
        shapes,
        (buf, start, inner, pos, size) -> {
          double x = Buffers.get(buf, start + pos * inner);
          double prev = Buffers.get(buf, start);
          for (int j = 1; j < pos; j++) {
            double v = Buffers.get(buf, start + j * inner);
            prev = max ? Math.max(prev, v) : Math.min(prev, v);
          }
          double dist = pos == 0 ? 1 : x - prev;
          return Distance.of(dist, Math.abs(x) + Math.abs(prev));
        });
  }

  /** Per element of a sorted lane: its distance to the nearest other element of the lane. */
  private static void nearestInLane(List<Distance> out, Kink k, Object[] results, int[][] shapes) {
    alongDim(
        out,
        k,
        results,
        shapes,
        (buf, start, inner, pos, size) -> {
          double x = Buffers.get(buf, start + pos * inner);
          double dist = 1;
          double mag = Math.abs(x);
          for (int j = 0; j < size; j++) {
            double v = Buffers.get(buf, start + j * inner);
            if (j != pos && Math.abs(x - v) < Math.abs(dist)) {
              dist = x - v;
              mag = Math.abs(x) + Math.abs(v);
            }
          }
          return Distance.of(dist, mag);
        });
  }

  /**
   * Per singular value of each matrix of the operand: its distance to the next smaller one (the
   * smallest: to 0), relative to the largest.
   */
  private static void singularGaps(List<Distance> out, Kink k, Object[] results, int[][] shapes) {
    Object buf = results[k.results[0]];
    int[] shape = shapes[k.results[0]];
    int m = shape[shape.length - 2];
    int n = shape[shape.length - 1];
    int size = Buffers.length(buf);
    double[] a = new double[size];
    for (int e = 0; e < size; e++) {
      a[e] = Buffers.get(buf, e);
    }
    int batch = m * n == 0 ? 0 : size / (m * n);
    int kk = Math.min(m, n);
    double[] s = new double[batch * kk];
    dev.gradc.ir.Svd.svd(a, s, batch, m, n, dev.gradc.ir.Svd.VALUES);
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < kk; j++) {
        double next = j + 1 < kk ? s[b * kk + j + 1] : 0;
        out.add(Distance.of(s[b * kk + j] - next, s[b * kk]));
      }
    }
  }

  /** The distance of one element of a lane along the dim, from the lane's first element. */
  private interface LaneDistance {
    Distance at(Object buf, int start, int inner, int pos, int size);
  }

  /** Per element of the operand of an op along {@code dim(0)}: its distance within its lane. */
  private static void alongDim(
      List<Distance> out, Kink k, Object[] results, int[][] shapes, LaneDistance f) {
    int r = k.results[0];
    Object buf = results[r];
    int[] shape = shapes[r];
    int d = k.inst.dim(0);
    int inner = 1;
    for (int j = d + 1; j < shape.length; j++) {
      inner *= shape[j];
    }
    int size = shape[d];
    int n = Buffers.length(buf);
    for (int e = 0; e < n; e++) {
      int pos = (e / inner) % size;
      out.add(f.at(buf, e - pos * inner, inner, pos, size));
    }
  }

  /** Per element of a max or min reduction's operand: its distance to its group's extreme. */
  private static void extremes(List<Distance> out, Kink k, Object[] results, int[][] shapes) {
    int r = k.results[0];
    Object buf = results[r];
    int[] shape = shapes[r];
    boolean[] reduced = new boolean[shape.length];
    if (k.inst.dimCount() == 0) {
      Arrays.fill(reduced, true);
    }
    for (int d : k.inst.dims()) {
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
      best.merge(key, Buffers.get(buf, e), k.inst.op() == Op.AMAX ? Math::max : Math::min);
    }
    for (int e = 0; e < n; e++) {
      double x = Buffers.get(buf, e);
      double top = best.get(group[e]);
      double d = Math.abs(top - x);
      out.add(new Distance(d, Math.abs(top), d == 0 ? 1 : 0, false));
    }
  }
}
