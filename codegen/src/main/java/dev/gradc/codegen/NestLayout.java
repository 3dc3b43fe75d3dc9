package dev.gradc.codegen;

import dev.gradc.codegen.Plan.Home;
import dev.gradc.codegen.Plan.Nest;
import dev.gradc.codegen.Plan.Where;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The concrete loop structure of one nest: which buffers it reads and writes and with what strides,
 * which scalars it takes, how its dims collapse, and how each reduction accumulates.
 *
 * <p>Dims of static size 1 are dropped and adjacent dims merge when every access steps through them
 * as one ({@code stride[d] == stride[d+1] * size[d+1]}), so a contiguous elementwise nest of any
 * rank becomes one flat loop. After collapsing, a nest of rank 1 is a flat loop over its elements;
 * a higher rank is an outer loop over rows and an inner loop over the last dim.
 */
final class NestLayout {
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

  /** One buffer read or written with strides over the collapsed dims. */
  static final class Access {
    /** The value whose buffer this is (for a reduction: the reduction itself). */
    final Value buffer;

    final DType dtype;
    Extent[] strides;

    Access(Value buffer, DType dtype, Extent[] strides) {
      this.buffer = buffer;
      this.dtype = dtype;
      this.strides = strides;
    }
  }

  /** A reduction member with its output access and mode. */
  static final class Reduction {
    final Inst inst;
    final Access out;
    Mode mode;

    /** The number of elements reduced into each output, for {@code mean}. */
    Extent count;

    /** Index among FULL reductions (partials slot), or -1. */
    int slot = -1;

    Reduction(Inst inst, Access out) {
      this.inst = inst;
      this.out = out;
    }

    Op combine() {
      return inst.op() == Op.AMAX ? Op.MAXIMUM : inst.op() == Op.AMIN ? Op.MINIMUM : Op.ADD;
    }

    double identity() {
      return switch (inst.op()) {
        case AMAX -> Double.NEGATIVE_INFINITY;
        case AMIN -> Double.POSITIVE_INFINITY;
        default -> 0.0;
      };
    }

    boolean isMean() {
      return inst.op() == Op.MEAN;
    }
  }

  final Plan plan;
  final Nest nest;

  /** Element reads of values not computed here, keyed by value. */
  final Map<Value, Access> reads = new LinkedHashMap<>();

  /** Members stored to their own buffer. */
  final Map<Value, Access> stores = new LinkedHashMap<>();

  final List<Reduction> reductions = new ArrayList<>();

  /** Scalar values the nest takes as double parameters. */
  final List<Value> scalars = new ArrayList<>();

  /** Buffers passed to the kernel, in parameter order. */
  final List<Access> buffers = new ArrayList<>();

  /** Sizes of the collapsed dims. */
  Extent[] sizes;

  int fullCount;
  boolean sequential;

  /** Some reduction runs in {@link Mode#COLUMN}: chunks are capped in number. */
  boolean hasColumns;

  /** The most chunks a nest with column reductions splits into, bounding partial vectors. */
  static final int MAX_COLUMN_CHUNKS = 64;

  NestLayout(Plan plan, Nest nest) {
    this.plan = plan;
    this.nest = nest;
    analyze();
  }

  int rank() {
    return sizes.length;
  }

  /** True when {@code v} is computed per element by this nest (not a reduction). */
  boolean isLocal(Value v) {
    if (v instanceof Lit) {
      return false;
    }
    Home h = plan.home(v);
    return h.where == Where.ELEMENT && h.nest == nest && nest.members.contains(v);
  }

  /** True for members whose value is read through their own view (copies of views). */
  boolean isCopyMember(Inst m) {
    Home h = plan.home(m);
    return h.where == Where.VIEW || h.where == Where.BCAST_SCALAR;
  }

  static boolean isReduction(Inst m) {
    return m.op().kind() == Op.Kind.REDUCTION || m.op() == Op.SUM_TO;
  }

  /** The scalar a broadcast-scalar value stands for, or the value itself if it is a scalar. */
  Value scalarOf(Value v) {
    if (v instanceof Lit) {
      return v;
    }
    Home h = plan.home(v);
    return h.where == Where.BCAST_SCALAR ? h.base : v;
  }

  private void analyze() {
    List<Dim> domain = nest.domain;
    for (Inst m : nest.members) {
      if (isCopyMember(m)) {
        Home h = plan.home(m);
        if (h.where == Where.VIEW) {
          read(m, h.base, h.strides);
        } else {
          scalar(h.base);
        }
      } else {
        for (Value v : m.operands()) {
          operand(v);
        }
      }
      if (isReduction(m)) {
        Access out = new Access(m, m.type().dtype(), outputStrides(m, domain));
        reductions.add(new Reduction(m, out));
      } else if (plan.home(m).stored || plan.home(m).copy == nest) {
        stores.put(m, new Access(m, m.type().dtype(), FusionPlanner.contiguousStrides(domain)));
      }
    }
    List<Dim> ordered = reorder(domain);
    collapse(ordered);
    for (Reduction r : reductions) {
      classify(r, domain);
    }
    for (Access a : reads.values()) {
      addBuffer(a);
    }
    for (Access a : stores.values()) {
      addBuffer(a);
    }
    for (Reduction r : reductions) {
      if (r.mode != Mode.FULL) {
        addBuffer(r.out);
      }
    }
  }

  private void addBuffer(Access a) {
    for (Access b : buffers) {
      if (b.buffer == a.buffer) {
        return;
      }
    }
    buffers.add(a);
  }

  private void operand(Value v) {
    if (v instanceof Lit || isLocal(v)) {
      return;
    }
    Home h = plan.home(v);
    switch (h.where) {
      case SCALAR -> scalar(v);
      case BCAST_SCALAR -> scalar(h.base);
      case VIEW -> read(v, h.base, h.strides);
      case ARG, BUFFER, ELEMENT -> read(v, v, FusionPlanner.contiguousStrides(v.type().dims()));
    }
  }

  private void scalar(Value v) {
    if (!(v instanceof Lit) && !scalars.contains(v)) {
      scalars.add(v);
    }
  }

  private void read(Value v, Value buffer, Extent[] strides) {
    reads.putIfAbsent(v, new Access(buffer, buffer.type().dtype(), strides));
  }

  /** Output strides over the nest's domain: zero on reduced dims. */
  private static Extent[] outputStrides(Inst m, List<Dim> domain) {
    int r = domain.size();
    Extent[] s = new Extent[r];
    if (m.op() == Op.SUM_TO) {
      List<Dim> t = m.type().dims();
      Extent[] ts = FusionPlanner.contiguousStrides(t);
      int off = r - t.size();
      for (int d = 0; d < r; d++) {
        int dt = d - off;
        s[d] = dt >= 0 && t.get(dt).equals(domain.get(d)) ? ts[dt] : Extent.ZERO;
      }
      return s;
    }
    boolean[] red = Typing.reducedMask(r, m.dims());
    List<Dim> kept = Typing.reduced(m.operand(0).type(), m.dims(), true).dims();
    Extent[] ks = FusionPlanner.contiguousStrides(kept);
    for (int d = 0; d < r; d++) {
      s[d] = red[d] ? Extent.ZERO : ks[d];
    }
    return s;
  }

  /**
   * Orders the loops by the memory layout of the largest buffer the nest touches, so that it is
   * read or written in order (a transposed matrix is walked along its rows, and a sum over its rows
   * becomes a column reduction). Returns the domain in the new order; every access's strides are
   * permuted the same way.
   */
  private List<Dim> reorder(List<Dim> domain) {
    Access primary = null;
    for (Access a : accesses()) {
      if (primary == null || larger(a.buffer.type().dims(), primary.buffer.type().dims())) {
        primary = a;
      }
    }
    if (primary == null) {
      return domain;
    }
    Extent[] key = primary.strides;
    Integer[] perm = new Integer[domain.size()];
    for (int d = 0; d < perm.length; d++) {
      perm[d] = d;
    }
    // Descending strides; stride 0 (a broadcast dim of the primary) goes outermost.
    java.util.Arrays.sort(perm, (x, y) -> compareStride(key[y], key[x]));
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
    for (Access a : accesses()) {
      Extent[] st = new Extent[perm.length];
      for (int d = 0; d < perm.length; d++) {
        st[d] = a.strides[perm[d]];
      }
      a.strides = st;
    }
    return out;
  }

  private List<Access> accesses() {
    List<Access> all = new ArrayList<>(reads.values());
    all.addAll(stores.values());
    for (Reduction r : reductions) {
      all.add(r.out);
    }
    return all;
  }

  /** Orders strides by size: more symbols first, then the coefficient; zero is the largest. */
  private static int compareStride(Extent a, Extent b) {
    if (a.isZero() || b.isZero()) {
      return Boolean.compare(a.isZero(), b.isZero());
    }
    int c = Integer.compare(a.symbols().size(), b.symbols().size());
    return c != 0 ? c : Long.compare(a.coeff(), b.coeff());
  }

  private static boolean larger(List<Dim> a, List<Dim> b) {
    Extent x = Extent.product(a);
    Extent y = Extent.product(b);
    return compareStride(x, y) > 0 && !x.isZero();
  }

  private List<Extent[]> allStrides() {
    List<Extent[]> all = new ArrayList<>();
    for (Access a : reads.values()) {
      all.add(a.strides);
    }
    for (Access a : stores.values()) {
      all.add(a.strides);
    }
    for (Reduction red : reductions) {
      all.add(red.out.strides);
    }
    return all;
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
    List<Extent[]> all = allStrides();
    List<List<Extent>> st = new ArrayList<>();
    for (Extent[] s : all) {
      List<Extent> l = new ArrayList<>();
      for (int d : keep) {
        l.add(s[d]);
      }
      st.add(l);
    }
    // Merge d with d+1 when every access steps through both as one dim.
    for (int d = size.size() - 2; d >= 0; d--) {
      boolean ok = true;
      for (List<Extent> s : st) {
        ok &= s.get(d).equals(s.get(d + 1).times(size.get(d + 1)));
      }
      if (ok) {
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
    int i = 0;
    for (Access a : reads.values()) {
      a.strides = st.get(i++).toArray(new Extent[0]);
    }
    for (Access a : stores.values()) {
      a.strides = st.get(i++).toArray(new Extent[0]);
    }
    for (Reduction red : reductions) {
      red.out.strides = st.get(i++).toArray(new Extent[0]);
    }
  }

  private void classify(Reduction r, List<Dim> domain) {
    int rank = sizes.length;
    int zeros = 0;
    for (Extent s : r.out.strides) {
      zeros += s.isZero() ? 1 : 0;
    }
    boolean innerOnly = rank >= 2 && zeros == 1 && r.out.strides[rank - 1].isZero();
    boolean outerOnly = rank >= 2 && zeros == rank - 1 && !r.out.strides[rank - 1].isZero();
    if (zeros == rank) {
      r.mode = Mode.FULL;
    } else if (innerOnly) {
      r.mode = Mode.INNER;
    } else if (outerOnly) {
      r.mode = Mode.COLUMN;
      hasColumns = true;
    } else if (zeros == 0) {
      r.mode = Mode.DIRECT;
    } else {
      r.mode = Mode.RMW;
    }
    if (r.mode == Mode.FULL) {
      r.slot = fullCount++;
    }
    if (r.mode == Mode.RMW) {
      sequential = true;
    }
    // The count of reduced elements: the product of the domain over the reduced dims.
    Extent in = Extent.product(domain);
    Extent out = Extent.product(r.inst.type().dims());
    r.count = divide(in, out);
  }

  private static Extent divide(Extent a, Extent b) {
    List<String> syms = new ArrayList<>(a.symbols());
    for (String s : b.symbols()) {
      if (!syms.remove(s)) {
        throw new IllegalStateException("cannot divide " + a + " by " + b);
      }
    }
    return new Extent(a.coeff() / b.coeff(), syms);
  }

  /** The number of iterations the driver splits into chunks: elements (rank 1) or rows. */
  Extent outerCount() {
    if (sizes.length == 1) {
      return sizes[0];
    }
    Extent e = Extent.ONE;
    for (int d = 0; d < sizes.length - 1; d++) {
      e = e.times(sizes[d]);
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
    }
    for (Reduction r : reductions) {
      if (r.isMean()) {
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
}
