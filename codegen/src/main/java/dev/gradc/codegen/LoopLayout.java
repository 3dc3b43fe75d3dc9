package dev.gradc.codegen;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The concrete shape of one loop (part of stage 4, {@link KernelLayout}): which buffers it reads
 * and writes and with what strides, which scalars it takes, how its dims collapse, and how each
 * reduction accumulates. Immutable.
 *
 * <p>Loops follow the memory layout of the largest buffer they touch. Dims of static size 1 are
 * dropped and adjacent dims merge when every access steps through them as one ({@code stride[d] ==
 * stride[d+1] * size[d+1]}), so a contiguous elementwise loop of any rank becomes one flat loop.
 * After collapsing, a loop of rank 1 is flat, over its elements; a higher rank is an outer loop
 * over rows and an inner loop over the last dim.
 */
final class LoopLayout {
  /** How a reduction member accumulates, relative to the collapsed dims. */
  enum Mode {
    /**
     * All dims reduced: one accumulator per chunk, combined by the driver in chunk order into a
     * scalar (or the one element of a keepdim result).
     */
    FULL,
    /** Only the inner dim reduced: an accumulator per row, stored after the inner loop. */
    INNER,
    /** No dim left to reduce (reduced dims had size 1): stores each element. */
    DIRECT,
    /**
     * Outer dims reduced, inner dim kept (a column sum): each chunk accumulates its own partial
     * vector; the driver combines them in chunk order.
     */
    COLUMN,
    /** Anything else: read-modify-write into an f64 accumulator buffer; runs sequentially. */
    RMW
  }

  /**
   * One buffer read or written with strides over the collapsed dims. Compared by identity: a loop
   * may read and write the same buffer through two accesses.
   */
  static final class Access {
    /** The value whose buffer this is (for a reduction: the reduction itself). */
    final Value buffer;

    final DType dtype;
    final List<Extent> strides;

    /** Where element 0 is in the buffer: zero but for a read through a slice's view. */
    final Extent offset;

    Access(Value buffer, DType dtype, List<Extent> strides, Extent offset) {
      this.buffer = buffer;
      this.dtype = dtype;
      this.strides = List.copyOf(strides);
      this.offset = offset;
    }

    Extent stride(int d) {
      return strides.get(d);
    }
  }

  /**
   * A guarded read ({@link LoopPlan.Guard}) over the collapsed dims: the value is read where the
   * index along collapsed dim {@code dim} is in {@code [lo, hi)}, and is zero elsewhere. A guarded
   * dim keeps its index: dims inside it may merge into it (which scales the bounds), it merges into
   * no outer dim. With a {@code step} other than 1 (and then no dim merged into it) the index
   * {@code i} must also be a whole number of steps from {@code first}, and the read's access has
   * stride 0 along {@code dim}: the element is {@code (i - first) / step} times {@code stride}
   * further in its buffer.
   */
  record Guard(int dim, Extent lo, Extent hi, int step, int first, Extent stride) {}

  /** A reduction member with its output access and mode. */
  static final class Reduction {
    final Inst inst;
    final Access out;
    final Mode mode;

    /** The number of elements reduced into each output, for {@code mean}. */
    final Extent count;

    /** How the elements fold: the op's own reduction; {@code sum_to} sums. */
    final Op.Reduction fold;

    Reduction(Inst inst, Access out, Mode mode, Extent count) {
      this.inst = inst;
      this.out = out;
      this.mode = mode;
      this.count = count;
      this.fold = inst.op() == Op.SUM_TO ? Op.SUM.reduction() : inst.op().reduction();
    }

    Op.Combine combine() {
      return fold.combine();
    }

    /** The accumulator's start value. */
    double identity() {
      return fold.identity();
    }

    /** True when the folded value is divided by the count of elements reduced ({@code mean}). */
    boolean dividesByCount() {
      return switch (fold.finish()) {
        case NONE -> false;
        case DIVIDE_BY_COUNT -> true;
      };
    }

    /**
     * True when the reduction sums in {@link dev.gradc.ir.SumOrder}'s logical blocks: a sum whose
     * accumulators live per chunk (full, per row, per column). Max and min need no order; a product
     * and a read-modify-write sum keep the loop's order.
     */
    boolean sumsInBlocks() {
      boolean sum =
          switch (combine()) {
            case ADD -> true;
            case MAX, MIN, MUL, LOG_ADD_EXP -> false;
          };
      return sum
          && switch (mode) {
            case FULL, INNER, COLUMN -> true;
            case DIRECT, RMW -> false;
          };
    }

    /**
     * True when the loop accumulates into a buffer of f64 partials passed as its own parameter (a
     * read-modify-write or column reduction) rather than into locals or the output.
     */
    boolean accumulatesInBuffer() {
      return mode == Mode.RMW || mode == Mode.COLUMN;
    }
  }

  /** The most chunks a loop with column reductions splits into, bounding partial vectors. */
  static final int MAX_COLUMN_CHUNKS = 64;

  final LoopPlan plan;
  final Loop loop;

  /** Element reads of values not computed here, keyed by value, in first-read order. */
  final Map<Value, Access> reads;

  /** Members stored to their own buffer. */
  final Map<Value, Access> stores;

  /** The guards of guarded reads ({@link #reads}, or scalars in {@link #guardedScalars}). */
  final Map<Value, Guard> guards;

  /** Guarded reads of a scalar (a {@code slice_backward} of a broadcast scalar): the scalar. */
  final Map<Value, Value> guardedScalars;

  final List<Reduction> reductions;

  /** Scalar values the loop takes as double parameters. */
  final List<Value> scalars;

  /** Buffers passed to the kernel, in parameter order. */
  final List<Access> buffers;

  /** Sizes of the collapsed dims. */
  final List<Extent> sizes;

  /** Some reduction runs in {@link Mode#RMW}: the loop cannot be split into chunks. */
  final boolean sequential;

  /** Some reduction runs in {@link Mode#COLUMN}: chunks are capped in number. */
  final boolean hasColumns;

  private LoopLayout(
      LoopPlan plan,
      Loop loop,
      Map<Value, Access> reads,
      Map<Value, Access> stores,
      List<Reduction> reductions,
      List<Value> scalars,
      List<Extent> sizes,
      Map<Value, Guard> guards,
      Map<Value, Value> guardedScalars) {
    this.plan = plan;
    this.loop = loop;
    this.guards = Collections.unmodifiableMap(guards);
    this.guardedScalars = Collections.unmodifiableMap(guardedScalars);
    this.reads = Collections.unmodifiableMap(reads);
    this.stores = Collections.unmodifiableMap(stores);
    this.reductions = List.copyOf(reductions);
    this.scalars = List.copyOf(scalars);
    this.sizes = List.copyOf(sizes);
    List<Access> bs = new ArrayList<>();
    for (Access a : reads.values()) {
      addBuffer(bs, a);
    }
    for (Access a : stores.values()) {
      addBuffer(bs, a);
    }
    boolean seq = false;
    boolean cols = false;
    for (Reduction r : reductions) {
      if (r.mode != Mode.FULL) {
        addBuffer(bs, r.out);
      }
      seq |= r.mode == Mode.RMW;
      cols |= r.mode == Mode.COLUMN;
    }
    this.buffers = List.copyOf(bs);
    this.sequential = seq;
    this.hasColumns = cols;
  }

  private static void addBuffer(List<Access> buffers, Access a) {
    for (Access b : buffers) {
      if (b.buffer == a.buffer) {
        return;
      }
    }
    buffers.add(a);
  }

  int rank() {
    return sizes.size();
  }

  /** The size of the inner dim (of the one dim, for a flat loop). */
  Extent innerSize() {
    return sizes.get(rank() - 1);
  }

  /** The reduction whose member is {@code m}. */
  Reduction reductionOf(Inst m) {
    for (Reduction r : reductions) {
      if (r.inst == m) {
        return r;
      }
    }
    throw new IllegalStateException("not a reduction member: " + m);
  }

  /** The number of iterations the driver splits into chunks: elements (rank 1) or rows. */
  Extent outerCount() {
    if (rank() == 1) {
      return sizes.get(0);
    }
    Extent e = Extent.ONE;
    for (int d = 0; d < rank() - 1; d++) {
      e = e.times(sizes.get(d));
    }
    return e;
  }

  /** Every non-constant extent the kernel takes as an int parameter, in parameter order. */
  List<Extent> intParams() {
    List<Extent> out = new ArrayList<>();
    for (Extent e : sizes) {
      addExtent(out, e);
    }
    for (Access a : buffers) {
      for (Extent e : a.strides) {
        addExtent(out, e);
      }
    }
    for (Access a : reads.values()) {
      for (Extent e : a.strides) {
        addExtent(out, e);
      }
      addExtent(out, a.offset);
    }
    for (Guard g : guards.values()) {
      addExtent(out, g.lo());
      addExtent(out, g.hi());
      addExtent(out, g.stride());
    }
    for (Reduction r : reductions) {
      if (r.dividesByCount()) {
        addExtent(out, r.count);
      }
    }
    return out;
  }

  private static void addExtent(List<Extent> out, Extent e) {
    if (!e.isConstant() && !out.contains(e)) {
      out.add(e);
    }
  }

  // ---------------------------------------------------------------- construction

  /** Lays out one loop of {@code plan}. */
  static LoopLayout of(LoopPlan plan, Loop loop) {
    return new Builder(plan, loop).build();
  }

  /** The accesses of a loop with strides over its domain, before reordering and collapsing. */
  private static final class Builder {
    /** An access being laid out: its strides change as dims are reordered and merged. */
    private static final class Raw {
      final Value buffer;
      final DType dtype;
      Extent[] strides;
      final Extent offset;

      /** For a guarded read: the guarded dim (as dims are reordered and merged); else -1. */
      int guardDim = -1;

      Extent lo;
      Extent hi;
      int step = 1;
      int first;

      /** For a guarded read of a step other than 1: the base's stride per step; else zero. */
      Extent stepStride = Extent.ZERO;

      Raw(Value buffer, DType dtype, List<Extent> strides, Extent offset) {
        this.buffer = buffer;
        this.dtype = dtype;
        this.strides = strides.toArray(new Extent[0]);
        this.offset = offset;
      }

      Raw(Value buffer, DType dtype, List<Extent> strides) {
        this(buffer, dtype, strides, Extent.ZERO);
      }

      Access freeze() {
        return new Access(buffer, dtype, Arrays.asList(strides), offset);
      }
    }

    final LoopPlan plan;
    final Loop loop;
    final Map<Value, Raw> reads = new LinkedHashMap<>();
    final Map<Value, Raw> stores = new LinkedHashMap<>();

    /** Guarded reads, of buffers (also in {@link #reads}) and of scalars. */
    final Map<Value, Raw> guarded = new LinkedHashMap<>();

    final Map<Value, Value> guardedScalars = new LinkedHashMap<>();
    final List<Inst> reductions = new ArrayList<>();
    final List<Raw> reductionOuts = new ArrayList<>();
    final List<Extent> reductionCounts = new ArrayList<>();
    final List<Value> scalars = new ArrayList<>();
    Extent[] sizes;

    Builder(LoopPlan plan, Loop loop) {
      this.plan = plan;
      this.loop = loop;
    }

    LoopLayout build() {
      List<Dim> domain = loop.domain;
      for (Inst m : loop.members) {
        if (plan.isCopyMember(m)) {
          Home h = plan.home(m);
          if (h.where() == Where.VIEW) {
            read(m, h);
          } else {
            scalar(h.base());
          }
        } else {
          for (Value v : m.operands()) {
            if (!(v instanceof Lit) && !plan.isLocalTo(loop, v)) {
              operand(v);
            }
          }
        }
        if (LoopPlan.isReduction(m)) {
          reductions.add(m);
          reductionOuts.add(new Raw(m, m.type().dtype(), outputStrides(m, domain)));
          reductionCounts.add(reducedCount(m, domain));
        } else if (plan.home(m).stored() || plan.home(m).copy() == loop.index) {
          stores.put(m, new Raw(m, m.type().dtype(), Extent.contiguousStrides(domain)));
        }
      }
      collapse(reorder(domain));
      Map<Value, Access> rs = new LinkedHashMap<>();
      reads.forEach((v, a) -> rs.put(v, a.freeze()));
      Map<Value, Access> ss = new LinkedHashMap<>();
      stores.forEach((v, a) -> ss.put(v, a.freeze()));
      Map<Value, Guard> gs = new LinkedHashMap<>();
      guarded.forEach(
          (v, a) -> gs.put(v, new Guard(a.guardDim, a.lo, a.hi, a.step, a.first, a.stepStride)));
      List<Reduction> reds = new ArrayList<>();
      for (int i = 0; i < reductions.size(); i++) {
        Inst m = reductions.get(i);
        Raw out = reductionOuts.get(i);
        reds.add(new Reduction(m, out.freeze(), mode(out.strides), reductionCounts.get(i)));
      }
      return new LoopLayout(
          plan, loop, rs, ss, reds, scalars, Arrays.asList(sizes), gs, guardedScalars);
    }

    private void operand(Value v) {
      Home h = plan.home(v);
      switch (h.where()) {
        case SCALAR -> scalar(v);
        case BCAST_SCALAR -> scalar(h.base());
        case VIEW -> read(v, h);
        case ARG, BUFFER, ELEMENT ->
            read(v, v, Extent.contiguousStrides(v.type().dims()), Extent.ZERO);
      }
    }

    private void scalar(Value v) {
      if (!(v instanceof Lit) && !scalars.contains(v)) {
        scalars.add(v);
      }
    }

    private void read(Value v, Value buffer, List<Extent> strides, Extent offset) {
      Extent off = offset == null ? Extent.ZERO : offset;
      reads.putIfAbsent(v, new Raw(buffer, buffer.type().dtype(), strides, off));
    }

    /** A read through the view {@code h} of {@code v}, guarded or not. */
    private void read(Value v, Home h) {
      LoopPlan.Guard g = h.guard();
      if (g == null) {
        read(v, h.base(), h.strides(), h.offset());
        return;
      }
      if (guarded.containsKey(v)) {
        return;
      }
      Raw raw;
      Value b = h.base();
      // a step other than 1 steps through the base by the emitter's division, not by a stride
      List<Extent> strides = new ArrayList<>(h.strides());
      if (g.step() != 1) {
        strides.set(g.dim(), Extent.ZERO);
      }
      if (b instanceof Lit || plan.home(b).where() == Where.SCALAR) {
        scalar(b);
        guardedScalars.put(v, b);
        raw = new Raw(b, v.type().dtype(), strides);
      } else {
        read(v, b, strides, h.offset());
        raw = reads.get(v);
      }
      raw.guardDim = g.dim();
      raw.lo = Extent.constant(g.lo());
      raw.hi = Extent.constant(g.hi());
      raw.step = g.step();
      raw.first = g.first();
      raw.stepStride = g.step() == 1 ? Extent.ZERO : h.strides().get(g.dim());
      guarded.put(v, raw);
    }

    /** Which dims of the loop's domain {@code m} reduces. */
    private static boolean[] reducedDims(Inst m, List<Dim> domain) {
      int r = domain.size();
      if (m.op() != Op.SUM_TO) {
        return Typing.reducedMask(r, m.dims());
      }
      List<Dim> t = m.type().dims();
      int off = r - t.size();
      boolean[] red = new boolean[r];
      for (int d = 0; d < r; d++) {
        int dt = d - off;
        red[d] = dt < 0 || !t.get(dt).equals(domain.get(d));
      }
      return red;
    }

    /** Output strides over the loop's domain: zero on reduced dims. */
    private static List<Extent> outputStrides(Inst m, List<Dim> domain) {
      boolean[] red = reducedDims(m, domain);
      List<Dim> kept = new ArrayList<>();
      for (int d = 0; d < red.length; d++) {
        kept.add(red[d] ? Dim.of(1) : domain.get(d));
      }
      List<Extent> ks = Extent.contiguousStrides(kept);
      List<Extent> s = new ArrayList<>();
      for (int d = 0; d < red.length; d++) {
        s.add(red[d] ? Extent.ZERO : ks.get(d));
      }
      return s;
    }

    /**
     * The count of elements folded into each output element: the product of the reduced dims (not
     * the domain's size over the output's, which is 0 / 0 when a kept dim is empty).
     */
    private static Extent reducedCount(Inst m, List<Dim> domain) {
      boolean[] red = reducedDims(m, domain);
      List<Dim> dims = new ArrayList<>();
      for (int d = 0; d < red.length; d++) {
        if (red[d]) {
          dims.add(domain.get(d));
        }
      }
      return Extent.product(dims);
    }

    private List<Raw> accesses() {
      List<Raw> all = new ArrayList<>(reads.values());
      all.addAll(stores.values());
      all.addAll(reductionOuts);
      for (Map.Entry<Value, Raw> e : guarded.entrySet()) {
        if (guardedScalars.containsKey(e.getKey())) {
          all.add(e.getValue());
        }
      }
      return all;
    }

    /**
     * Orders the loops by the memory layout of the largest buffer the loop touches, so that it is
     * read or written in order (a transposed matrix is walked along its rows, and a sum over its
     * rows becomes a column reduction). Returns the domain in the new order; every access's strides
     * are permuted the same way.
     */
    private List<Dim> reorder(List<Dim> domain) {
      Raw primary = null;
      for (Raw a : accesses()) {
        if (primary == null || larger(a.buffer.type().dims(), primary.buffer.type().dims())) {
          primary = a;
        }
      }
      if (primary == null) {
        return domain;
      }
      Extent[] key = primary.strides.clone();
      if (primary.step != 1) {
        // a read of a step other than 1 steps through the guarded dim by its stride per step
        key[primary.guardDim] = primary.stepStride;
      }
      Integer[] perm = new Integer[domain.size()];
      for (int d = 0; d < perm.length; d++) {
        perm[d] = d;
      }
      // Descending strides; stride 0 (a broadcast dim of the primary) goes outermost.
      Arrays.sort(perm, (x, y) -> compareStride(key[y], key[x]));
      boolean identity = true;
      for (int d = 0; d < perm.length; d++) {
        identity &= perm[d] == d;
      }
      if (identity) {
        return domain;
      }
      List<Dim> out = new ArrayList<>();
      for (int d : perm) {
        out.add(domain.get(d));
      }
      for (Raw a : guarded.values()) {
        a.guardDim = Arrays.asList(perm).indexOf(a.guardDim);
      }
      for (Raw a : accesses()) {
        Extent[] st = new Extent[perm.length];
        for (int d = 0; d < perm.length; d++) {
          st[d] = a.strides[perm[d]];
        }
        a.strides = st;
      }
      return out;
    }

    /** Orders strides by size: more symbols first, then the coefficient; zero is the largest. */
    private static int compareStride(Extent a, Extent b) {
      if (a.isZero() || b.isZero()) {
        return Boolean.compare(a.isZero(), b.isZero());
      }
      int c = Integer.compare(a.symbols().size(), b.symbols().size());
      // a slice that runs backwards steps as far as forwards
      return c != 0 ? c : Long.compare(Math.abs(a.coeff()), Math.abs(b.coeff()));
    }

    private static boolean larger(List<Dim> a, List<Dim> b) {
      Extent x = Extent.product(a);
      Extent y = Extent.product(b);
      return compareStride(x, y) > 0 && !x.isZero();
    }

    private void collapse(List<Dim> domain) {
      List<Extent> size = new ArrayList<>();
      List<Integer> keep = new ArrayList<>();
      for (int d = 0; d < domain.size(); d++) {
        if (!domain.get(d).equals(Dim.of(1))) {
          keep.add(d);
          size.add(Extent.of(domain.get(d)));
        }
      }
      List<Raw> all = accesses();
      List<List<Extent>> st = new ArrayList<>();
      for (Raw a : all) {
        List<Extent> l = new ArrayList<>();
        for (int d : keep) {
          l.add(a.strides[d]);
        }
        st.add(l);
      }
      // A guarded dim's index in the kept dims.
      List<Integer> guardDims = new ArrayList<>();
      for (Raw g : guarded.values()) {
        guardDims.add(keep.indexOf(g.guardDim));
      }
      // Merge d with d+1 when every access steps through both as one dim, and d+1 is not guarded
      // (its index would be lost); a guarded d takes d+1 in, its bounds scaled by d+1's size,
      // unless its guard has a step other than 1 (whose residue is of the dim's own index).
      for (int d = size.size() - 2; d >= 0; d--) {
        boolean ok = !guardDims.contains(d + 1);
        int j = 0;
        for (Raw g : guarded.values()) {
          ok &= g.step == 1 || guardDims.get(j) != d;
          j++;
        }
        for (List<Extent> s : st) {
          ok &= s.get(d).equals(s.get(d + 1).times(size.get(d + 1)));
        }
        if (ok) {
          int k = 0;
          for (Raw g : guarded.values()) {
            int gd = guardDims.get(k);
            if (gd == d) {
              g.lo = g.lo.times(size.get(d + 1));
              g.hi = g.hi.times(size.get(d + 1));
            } else if (gd > d + 1) {
              guardDims.set(k, gd - 1);
            }
            k++;
          }
          size.set(d, size.get(d).times(size.get(d + 1)));
          size.remove(d + 1);
          for (List<Extent> s : st) {
            s.set(d, s.get(d + 1));
            s.remove(d + 1);
          }
        }
      }
      if (size.isEmpty()) {
        size.add(Extent.ONE);
        for (List<Extent> s : st) {
          s.add(Extent.ZERO);
        }
      }
      sizes = size.toArray(new Extent[0]);
      int k = 0;
      for (Raw g : guarded.values()) {
        g.guardDim = guardDims.get(k++);
      }
      for (int i = 0; i < all.size(); i++) {
        all.get(i).strides = st.get(i).toArray(new Extent[0]);
      }
    }

    /** How a reduction with these collapsed output strides accumulates. */
    private Mode mode(Extent[] out) {
      int rank = sizes.length;
      int zeros = 0;
      for (Extent s : out) {
        zeros += s.isZero() ? 1 : 0;
      }
      boolean innerOnly = rank >= 2 && zeros == 1 && out[rank - 1].isZero();
      boolean outerOnly = rank >= 2 && zeros == rank - 1 && !out[rank - 1].isZero();
      if (zeros == rank) {
        return Mode.FULL;
      } else if (innerOnly) {
        return Mode.INNER;
      } else if (outerOnly) {
        return Mode.COLUMN;
      } else if (zeros == 0) {
        return Mode.DIRECT;
      }
      return Mode.RMW;
    }
  }
}
