package dev.gradc.codegen;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.LibraryCall;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.ResultKind;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 3, plan loops: {@code Func} (lowered) to {@link LoopPlan}. Partitions a function into loops
 * and library calls, in one pass over its instructions:
 *
 * <ul>
 *   <li>An elementwise op or a reduction joins a loop over its iteration domain (its result's
 *       shape; a reduction's operand's shape): the loop computing one of its operands, or else the
 *       latest loop over the same domain that comes after everything it reads. So independent
 *       computations over one domain share a loop, forward and adjoint alike.
 *   <li>A value that needs a finished reduction cannot join the loop of that reduction: it starts
 *       or joins a later one.
 *   <li>Broadcast, expand, transpose, permute, reshapes and slices are strided views of a buffer,
 *       not loops; a view of a value computed in a loop makes that loop store the value. A slice's
 *       view starts at an offset into the buffer ({@link Home#offset}) and steps by its stride
 *       times the slice's step, so {@code x[:, 1:] - x[:, :-1]} is one loop reading {@code x}
 *       twice; a slice of one element, or one whose offset is no one extent ({@code 4*N + 1}), is a
 *       library call.
 *   <li>A {@code slice_backward} (a slice's gradient, each part of a {@code cat}) is a guarded view
 *       of its operand ({@link LoopPlan.Guard}): loops read the operand in place at the shifted
 *       index inside the slice (for a step other than 1, at the indices a whole number of steps
 *       from its start) and zero elsewhere, so {@code cat([a, b])} or the gradient of {@code x[:,
 *       ::2]} is never written out unless a library call or a result needs it, which a copy loop
 *       then writes.
 *   <li>A value read outside its loop, or returned, is stored; everything else stays in locals.
 *   <li>Values with one element are scalars in the driver, between steps.
 *   <li>Matmul, one_hot, a slice_backward of one element or along a symbolic dim, gather,
 *       scatter_add and scatter are library calls on contiguous buffers, except what they read in
 *       place ({@link LoopPlan#readsInPlace}): matmul's views, the index and source views of gather
 *       and scatter, a scatter's broadcast scalar; never a view from an offset, which a loop copies
 *       for them. A sum per bag of the rows a gather selects is one library call with the gather
 *       ({@link LoopPlan#bagSumGather}), which never stores them.
 *   <li>A loop holds at most {@link #MAX_MEMBERS} members, so every kernel method stays small
 *       enough for the JIT.
 * </ul>
 *
 * {@link PlanVerifier} states these rules as the plan's invariants. While planning, homes and loops
 * are drafts that later instructions update (a later reader makes a value stored); the plan is made
 * of their final state.
 */
final class FusionPlanner {
  /**
   * The most members one loop takes, which keeps each kernel method well under C2's 8,000-byte
   * limit (a member costs tens of bytes); a longer chain continues in a new loop.
   */
  static final int MAX_MEMBERS = 200;

  /** A home while planning; see {@link Home} for the fields. */
  private static final class Draft {
    final Where where;
    int readyAt = -1;
    LoopDraft loop;
    boolean stored;
    Value base;
    List<Extent> strides;
    Extent offset;
    LoopDraft copy;
    int output = -1;

    /** For the in-place view of a {@code slice_backward}: the elements it reads; else null. */
    LoopPlan.Guard guard;

    /**
     * A reshape of a plain view that strides cannot express, not yet copied: gather and scatter
     * calls read it in place through its base view; any other reader first copies the base.
     */
    boolean deferred;

    Draft(Where where) {
      this.where = where;
    }

    /**
     * A view whose first element is not its base buffer's first (a slice), or a guarded view (a
     * {@code slice_backward}): loops read it only.
     */
    boolean hasOffset() {
      return (offset != null && !offset.isZero()) || guard != null;
    }

    Home freeze() {
      return new Home(
          where,
          readyAt,
          loop == null ? -1 : loop.index,
          stored,
          base,
          strides,
          where == Where.VIEW && offset == null ? Extent.ZERO : offset,
          copy == null ? -1 : copy.index,
          output,
          guard);
    }
  }

  /** A loop while planning, or a library call ({@code call != null}). */
  private static final class LoopDraft {
    final int index;
    final List<Dim> domain;
    final List<Inst> members = new ArrayList<>();
    final Inst call;

    LoopDraft(int index, List<Dim> domain, Inst call) {
      this.index = index;
      this.domain = domain;
      this.call = call;
    }

    boolean isLoop() {
      return call == null;
    }

    Step freeze() {
      return isLoop() ? new Loop(index, domain, members) : new LibraryCall(index, call);
    }
  }

  private final Func f;
  private final Draft[] homes;

  /**
   * By id: for a gather whose rows a bag sum adds ({@link LoopPlan#bagSumGather}), that sum; for
   * the reshape between them, the sum too. Neither is computed: the sum's call reads the gather's
   * operands.
   */
  private final Inst[] bagSumOf;

  private final List<LoopDraft> steps = new ArrayList<>();

  private FusionPlanner(Func f) {
    this.f = f;
    this.homes = new Draft[f.valueCount()];
    this.bagSumOf = new Inst[f.valueCount()];
    int[] uses = f.useCounts();
    for (Inst inst : f.insts()) {
      Inst g = LoopPlan.bagSumGather(inst, uses);
      if (g != null) {
        bagSumOf[g.id()] = inst;
        bagSumOf[inst.operand(0).id()] = inst;
      }
    }
  }

  /** Plans a function that has already been lowered ({@link Lowering}). */
  public static LoopPlan plan(Func f) {
    return new FusionPlanner(f).run();
  }

  private LoopPlan run() {
    for (Param p : f.params()) {
      homes[p.id()] = new Draft(LoopPlan.isOneElement(p.type()) ? Where.SCALAR : Where.ARG);
    }
    for (Inst inst : f.insts()) {
      homes[inst.id()] = place(inst);
    }
    List<ResultKind> kinds = new ArrayList<>();
    for (int i = 0; i < f.results().size(); i++) {
      kinds.add(placeResult(f.result(i), i));
    }
    List<Home> frozen = new ArrayList<>();
    for (Draft d : homes) {
      frozen.add(d.freeze());
    }
    List<Step> frozenSteps = new ArrayList<>();
    for (LoopDraft s : steps) {
      frozenSteps.add(s.freeze());
    }
    return new LoopPlan(f, frozen, frozenSteps, kinds);
  }

  private Draft home(Value v) {
    return homes[v.id()];
  }

  private static boolean isScalarLike(Draft h) {
    return h == null || h.where == Where.SCALAR || h.where == Where.BCAST_SCALAR;
  }

  /**
   * Where an instruction's value lives, and which step computes it. The one switch over ops of the
   * planner, by kind: elementwise ops and reductions are computed in loops, views (slices too) are
   * strides (slice_backward guarded ones), matmul and one_hot are library calls, numel is known
   * from shapes.
   */
  private Draft place(Inst inst) {
    Op op = inst.op();
    if (bagSumOf[inst.id()] != null) {
      // ready with the bag sum, whose call sets this when it is placed; never read
      return new Draft(Where.BUFFER);
    }
    if (inst.op() == Op.SUM
        && !(inst.operand(0) instanceof Lit)
        && bagSumOf[inst.operand(0).id()] == inst) {
      return bagSum(inst);
    }
    for (int i = 0; i < inst.operands().size(); i++) {
      Value v = inst.operand(i);
      if (!(v instanceof Lit) && home(v).deferred && !readsInPlace(inst, i)) {
        undefer(v);
      }
    }
    if (op.kind() == Op.Kind.REDUCTION && LoopPlan.isLibrary(inst)) {
      return libraryCall(inst); // i64: exact in a library routine
    }
    Op.Structure view = null;
    switch (op.kind()) {
      case ELEMENTWISE -> {}
      case REDUCTION -> {
        switch (op.reduction().combine()) {
          case LOG_ADD_EXP -> throw lowered(op);
          case ADD, MUL, MAX, MIN -> {}
        }
      }
      case NORMALIZE -> throw lowered(op);
      case STRUCTURAL -> {
        switch (op.structure()) {
          case MATMUL, SVD, ONE_HOT, GATHER, SCATTER_ADD, SCATTER, SCAN -> {
            return libraryCall(inst);
          }
          case SLICE_BACKWARD -> {
            Draft h = guardedView(inst);
            return h != null ? h : libraryCall(inst);
          }
          case SLICE -> {
            if (LoopPlan.isOneElement(inst.type())) {
              return libraryCall(inst); // one element into a scalar of the driver
            }
            view = op.structure();
          }
          case NUMEL -> {
            // The element count depends on shapes only, known before any step.
            return new Draft(Where.SCALAR);
          }
          case BROADCAST, TRANSPOSE, PERMUTE, RESHAPE, SQUEEZE, UNSQUEEZE -> view = op.structure();
          case SUM_TO -> {}
        }
      }
    }
    if (allOperandsScalar(inst) && LoopPlan.isOneElement(inst.type())) {
      Draft h = new Draft(Where.SCALAR);
      h.readyAt = readyOfOperands(inst);
      return h;
    }
    return view != null ? view(inst, view) : member(inst);
  }

  private static IllegalArgumentException lowered(Op op) {
    return new IllegalArgumentException(op.mnemonic() + " is lowered before planning");
  }

  /**
   * Matmul reads any strided view in place, gather and scatter their index and source views ({@link
   * #readsInPlace}) and a scatter a broadcast scalar {@code self}; one_hot, i64 reductions and
   * other operands need a contiguous buffer.
   */
  private Draft libraryCall(Inst inst) {
    for (int i = 0; i < inst.operands().size(); i++) {
      Value v = inst.operand(i);
      boolean inPlace =
          inst.op() == Op.MATMUL
              ? home(v).where == Where.VIEW && !home(v).hasOffset()
              : readsInPlace(inst, i);
      if (!inPlace) {
        contiguous(v);
      }
    }
    LoopDraft s = new LoopDraft(steps.size(), null, inst);
    steps.add(s);
    Draft h = new Draft(LoopPlan.isOneElement(inst.type()) ? Where.SCALAR : Where.BUFFER);
    h.readyAt = s.index;
    return h;
  }

  /**
   * Whether operand {@code i} of {@code inst} is read in place ({@link LoopPlan#readsInPlace}), a
   * {@link Draft#deferred} reshape included.
   */
  private boolean readsInPlace(Inst inst, int i) {
    Value v = inst.operand(i);
    return !(v instanceof Lit)
        && LoopPlan.readsInPlace(inst, i, home(v).where)
        && !home(v).hasOffset();
  }

  /**
   * A bag sum ({@link LoopPlan#bagSumGather}) as a library call reading the gather's table, and its
   * index in place when that is a view.
   */
  private Draft bagSum(Inst sum) {
    Inst r = (Inst) sum.operand(0);
    Inst g = (Inst) r.operand(0);
    contiguous(g.operand(0));
    if (!readsInPlace(g, 1)) {
      contiguous(g.operand(1));
    }
    LoopDraft s = new LoopDraft(steps.size(), null, sum);
    steps.add(s);
    home(g).readyAt = s.index;
    home(r).readyAt = s.index;
    Draft h = new Draft(Where.BUFFER);
    h.readyAt = s.index;
    return h;
  }

  private boolean allOperandsScalar(Inst inst) {
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && !LoopPlan.isOneElement(v.type())) {
        return false;
      }
    }
    return true;
  }

  /** When a value can be read from outside the step that makes it. */
  private int ready(Value v) {
    if (v instanceof Lit) {
      return -1;
    }
    Draft h = home(v);
    return switch (h.where) {
      case ARG -> -1;
      case SCALAR, BUFFER -> h.readyAt;
      case ELEMENT -> h.loop.index;
      case VIEW, BCAST_SCALAR -> bufferReady(h.base);
    };
  }

  /** When the contiguous buffer of {@code b} is written: its copy loop, if it is a copied view. */
  private int bufferReady(Value b) {
    if (b instanceof Lit) {
      return -1;
    }
    Draft h = home(b);
    if ((h.where == Where.VIEW || h.where == Where.BCAST_SCALAR) && h.copy != null) {
      return h.copy.index;
    }
    return ready(b);
  }

  private int readyOfOperands(Inst inst) {
    int r = -1;
    for (Value v : inst.operands()) {
      r = Math.max(r, ready(v));
    }
    return r;
  }

  // ---------------------------------------------------------------- views

  private Draft view(Inst inst, Op.Structure kind) {
    Value x = inst.operand(0);
    if (x instanceof Lit || isScalarLike(home(x))) {
      Draft h = new Draft(Where.BCAST_SCALAR);
      h.base = x instanceof Lit || home(x).where == Where.SCALAR ? x : home(x).base;
      return h;
    }
    Draft hx = home(x);
    Value base;
    List<Extent> st;
    Extent offset = Extent.ZERO;
    if (hx.guard != null) {
      // a view of a guarded view reads a copy of it
      base = contiguous(x);
      st = Extent.contiguousStrides(x.type().dims());
    } else if (hx.where == Where.VIEW) {
      base = hx.base;
      st = hx.strides;
      offset = hx.hasOffset() ? hx.offset : Extent.ZERO;
    } else {
      store(x);
      base = x;
      st = Extent.contiguousStrides(x.type().dims());
    }
    List<Extent> out = viewStrides(inst, kind, x.type().dims(), st);
    if (kind == Op.Structure.SLICE) {
      offset = offset.plus(st.get(inst.dim(0)).times(Extent.constant(inst.dim(1))));
      if (offset == null) {
        return libraryCall(inst); // no one extent: copied by the library routine
      }
    }
    if (out == null && hx.copy == null && offset.isZero()) {
      // A reshape of a plain view: copied when read, unless only gather and scatter read it.
      Draft h = new Draft(Where.VIEW);
      h.base = x;
      h.strides = Extent.contiguousStrides(inst.type().dims());
      h.deferred = true;
      return h;
    }
    if (out == null) {
      // A reshape of a non-contiguous view: copy the view into a buffer first.
      base = contiguous(x);
      out = Extent.contiguousStrides(inst.type().dims());
      offset = Extent.ZERO;
    }
    Draft h = new Draft(Where.VIEW);
    h.base = base;
    h.strides = out;
    h.offset = offset;
    return h;
  }

  /**
   * A {@code slice_backward} as a guarded view of its operand ({@link LoopPlan.Guard}): loops read
   * the operand in place at the elements the slice reads (a step other than 1 also checks the
   * index's residue) and zero elsewhere, so it is never written out unless something needs it
   * contiguously. Null (a library call) for a dim that is not static or has one element, or an
   * offset that is no one extent.
   */
  private Draft guardedView(Inst inst) {
    Value x = inst.operand(0);
    int d = inst.dim(0);
    Dim whole = inst.type().dim(d);
    Dim part = x.type().dim(d);
    if (x instanceof Lit
        || !whole.isStatic()
        || whole.size() < 2
        || !part.isStatic()
        || LoopPlan.isOneElement(inst.type())) {
      return null;
    }
    LoopPlan.Guard guard = LoopPlan.Guard.of(inst);
    Draft hx = home(x);
    Draft h = new Draft(Where.VIEW);
    h.guard = guard;
    if (isScalarLike(hx)) {
      h.base = hx.where == Where.SCALAR ? x : hx.base;
      h.strides = new ArrayList<>();
      for (int k = 0; k < inst.type().rank(); k++) {
        h.strides.add(Extent.ZERO);
      }
      h.offset = Extent.ZERO;
      return h;
    }
    List<Extent> st;
    Extent offset = Extent.ZERO;
    if (hx.where == Where.VIEW && hx.guard == null) {
      st = hx.strides;
      offset = hx.offset == null ? Extent.ZERO : hx.offset;
    } else {
      st = Extent.contiguousStrides(x.type().dims());
    }
    Extent shifted =
        guard.step() == 1 ? offset.plus(st.get(d).times(Extent.constant(-guard.lo()))) : offset;
    if (shifted == null) {
      return null;
    }
    if (hx.where == Where.VIEW && hx.guard == null) {
      h.base = hx.base;
    } else if (hx.where == Where.VIEW) {
      h.base = contiguous(x);
    } else {
      store(x);
      h.base = x;
    }
    h.strides = st;
    h.offset = shifted;
    return h;
  }

  /** The strides of a view op's result, given its operand's strides; null if not expressible. */
  private static List<Extent> viewStrides(
      Inst inst, Op.Structure kind, List<Dim> in, List<Extent> st) {
    List<Dim> out = inst.type().dims();
    List<Extent> s = new ArrayList<>();
    switch (kind) {
      case BROADCAST -> {
        int off = out.size() - in.size();
        for (int d = 0; d < out.size(); d++) {
          int di = d - off;
          s.add(di >= 0 && in.get(di).equals(out.get(d)) ? st.get(di) : Extent.ZERO);
        }
      }
      case TRANSPOSE -> {
        s.addAll(st);
        s.set(inst.dim(0), st.get(inst.dim(1)));
        s.set(inst.dim(1), st.get(inst.dim(0)));
      }
      case PERMUTE -> {
        for (int p : inst.dims()) {
          s.add(st.get(p));
        }
      }
      case SLICE -> {
        // every step-th element along the dim; the start is the view's offset
        s.addAll(st);
        s.set(inst.dim(0), st.get(inst.dim(0)).times(Extent.constant(inst.dim(2))));
      }
      case RESHAPE, SQUEEZE, UNSQUEEZE -> {
        // Dims of size 1 carry no stride; what remains must be contiguous to reinterpret.
        if (Extent.isContiguous(in, st)) {
          return Extent.contiguousStrides(out);
        }
        // Squeeze and unsqueeze only remove or insert size-1 dims, so any strides carry over.
        s.addAll(st);
        if (kind == Op.Structure.RESHAPE) {
          return null;
        } else if (kind == Op.Structure.UNSQUEEZE) {
          s.add(inst.dim(0), Extent.ZERO);
        } else {
          int[] ds = inst.dims();
          for (int i = ds.length - 1; i >= 0; i--) {
            s.remove(ds[i]);
          }
        }
      }
      case SUM_TO,
          MATMUL,
          SVD,
          ONE_HOT,
          SLICE_BACKWARD,
          GATHER,
          SCATTER_ADD,
          SCATTER,
          NUMEL,
          SCAN ->
          throw new IllegalArgumentException(inst.op().mnemonic() + " is not a strided view");
    }
    return s;
  }

  // ---------------------------------------------------------------- materialization

  /** Copies the base of a {@link Draft#deferred} reshape, which then reads that copy in order. */
  private void undefer(Value v) {
    Draft h = home(v);
    h.deferred = false;
    contiguous(h.base);
  }

  /** Makes a value computed in a loop also write a buffer. */
  private void store(Value v) {
    Draft h = home(v);
    if (h.where == Where.ELEMENT) {
      h.stored = true;
    }
  }

  /**
   * The value whose contiguous buffer holds {@code v}'s elements, storing or copying {@code v} as
   * needed. Arguments, buffers and stored elements are their own buffer; a view is its base when it
   * reads it in order, and otherwise a copy loop writes it.
   */
  private Value contiguous(Value v) {
    Draft h = home(v);
    switch (h.where) {
      case ARG, BUFFER, SCALAR -> {
        return v;
      }
      case ELEMENT -> {
        h.stored = true;
        return v;
      }
      case VIEW -> {
        if (readsBaseInOrder(v, h)) {
          return h.base;
        }
        if (h.copy == null) {
          h.copy = loopFor(v.type().dims(), bufferReady(h.base));
          h.copy.members.add((Inst) v);
        }
        return v;
      }
      case BCAST_SCALAR -> {
        // Rare (a matmul of a broadcast scalar): copy it into a buffer.
        if (h.copy == null) {
          h.copy = loopFor(v.type().dims(), ready(h.base));
          h.copy.members.add((Inst) v);
        }
        return v;
      }
    }
    throw new AssertionError(h.where);
  }

  /** True when a view is its base's buffer reinterpreted: same elements, same order. */
  private static boolean readsBaseInOrder(Value v, Draft h) {
    return !h.hasOffset()
        && h.guard == null
        && Extent.isContiguous(v.type().dims(), h.strides)
        && Extent.product(v.type().dims()).equals(Extent.product(h.base.type().dims()));
  }

  // ---------------------------------------------------------------- loop members

  /** The iteration domain of a member: its result's shape, or its operand's for a reduction. */
  static List<Dim> domainOf(Inst inst) {
    return LoopPlan.isReduction(inst) ? inst.operand(0).type().dims() : inst.type().dims();
  }

  private Draft member(Inst inst) {
    List<Dim> domain = domainOf(inst);
    LoopDraft target = null;
    for (Value v : inst.operands()) {
      if (v instanceof Lit) {
        continue;
      }
      Draft h = home(v);
      if (h.where == Where.ELEMENT && (target == null || h.loop.index > target.index)) {
        target = h.loop;
      }
    }
    int needReady = -1;
    for (Value v : inst.operands()) {
      if (v instanceof Lit) {
        continue;
      }
      Draft h = home(v);
      if (h.where == Where.ELEMENT && h.loop == target) {
        continue;
      }
      needReady = Math.max(needReady, ready(v));
    }
    if (target != null && (needReady >= target.index || target.members.size() >= MAX_MEMBERS)) {
      // A new or later loop reads the target's values too, once the target has stored them.
      needReady = Math.max(needReady, target.index);
      target = null;
    }
    if (target == null) {
      target = loopFor(domain, needReady);
    }
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && home(v).where == Where.ELEMENT && home(v).loop != target) {
        store(v);
      }
    }
    target.members.add(inst);
    Draft h;
    if (LoopPlan.isReduction(inst)) {
      h = new Draft(LoopPlan.isOneElement(inst.type()) ? Where.SCALAR : Where.BUFFER);
      h.readyAt = target.index;
    } else {
      h = new Draft(Where.ELEMENT);
      h.loop = target;
    }
    return h;
  }

  /** The latest loop over {@code domain} after step {@code ready}, or a new one at the end. */
  private LoopDraft loopFor(List<Dim> domain, int ready) {
    for (int i = steps.size() - 1; i > ready; i--) {
      LoopDraft s = steps.get(i);
      if (s.isLoop() && s.domain.equals(domain) && s.members.size() < MAX_MEMBERS) {
        return s;
      }
    }
    LoopDraft n = new LoopDraft(steps.size(), domain, null);
    steps.add(n);
    return n;
  }

  // ---------------------------------------------------------------- results

  private ResultKind placeResult(Value r, int index) {
    if (r instanceof Lit) {
      return ResultKind.FILL;
    }
    Draft h = home(r);
    if (h.deferred) {
      undefer(r);
    }
    switch (h.where) {
      case SCALAR, BCAST_SCALAR -> {
        return ResultKind.FILL;
      }
      case ELEMENT, BUFFER -> {
        if (h.output < 0) {
          h.output = index;
          store(r);
          return ResultKind.DIRECT;
        }
        return ResultKind.COPY;
      }
      case ARG -> {
        return ResultKind.COPY;
      }
      case VIEW -> {
        Value c = contiguous(r);
        Draft hc = home(c);
        if (hc.output < 0 && (hc.where == Where.BUFFER || hc.where == Where.ELEMENT || c == r)) {
          // The buffer holding the view's elements in order becomes the output array itself.
          hc.output = index;
          store(c);
          return ResultKind.DIRECT;
        }
        return ResultKind.COPY;
      }
    }
    throw new AssertionError(h.where);
  }
}
