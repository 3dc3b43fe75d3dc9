package dev.gradc.codegen;

import dev.gradc.codegen.Plan.Home;
import dev.gradc.codegen.Plan.LibraryStep;
import dev.gradc.codegen.Plan.Nest;
import dev.gradc.codegen.Plan.ResultKind;
import dev.gradc.codegen.Plan.Step;
import dev.gradc.codegen.Plan.Where;
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
 * Partitions a function into loop nests and library calls, in one pass over its instructions.
 *
 * <ul>
 *   <li>An elementwise op or a reduction joins a nest over its iteration domain (its result's
 *       shape; a reduction's operand's shape): the nest computing one of its operands, or else the
 *       latest nest over the same domain that comes after everything it reads. So independent
 *       computations over one domain share a loop, forward and adjoint alike.
 *   <li>A value that needs a finished reduction cannot join the nest of that reduction: it starts
 *       or joins a later one.
 *   <li>Broadcast, expand, transpose, permute and reshapes are strided views of a buffer, not
 *       loops; a view of a value computed in a nest makes that nest store the value.
 *   <li>A value read outside its nest, or returned, is stored; everything else stays in locals.
 *   <li>Rank-0 values are scalars in the driver, between steps.
 *   <li>Matmul and one_hot are library calls on contiguous buffers.
 *   <li>A nest holds at most {@link #MAX_MEMBERS} members, so every kernel method stays small
 *       enough for the JIT.
 * </ul>
 */
public final class FusionPlanner {
  /**
   * The most members one nest takes, which keeps each kernel method well under C2's 8,000-byte
   * limit (a member costs tens of bytes); a longer chain continues in a new nest.
   */
  static final int MAX_MEMBERS = 200;

  private final Func f;
  private final Home[] homes;
  private final List<Step> steps = new ArrayList<>();

  private FusionPlanner(Func f) {
    this.f = f;
    this.homes = new Home[f.valueCount()];
  }

  /** Plans a function that has already been lowered ({@link Lowering}). */
  public static Plan plan(Func f) {
    FusionPlanner p = new FusionPlanner(f);
    return p.run();
  }

  private Plan run() {
    for (Param p : f.params()) {
      homes[p.id()] = new Home(isOneElement(p.type()) ? Where.SCALAR : Where.ARG);
    }
    for (Inst inst : f.insts()) {
      homes[inst.id()] = place(inst);
    }
    ResultKind[] kinds = new ResultKind[f.results().size()];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] = placeResult(f.result(i), i);
    }
    return new Plan(f, homes, steps, kinds);
  }

  private Home home(Value v) {
    return homes[v.id()];
  }

  private static boolean isView(Op op) {
    return switch (op) {
      case BROADCAST, EXPAND, TRANSPOSE, PERMUTE, RESHAPE, SQUEEZE, UNSQUEEZE -> true;
      default -> false;
    };
  }

  /** A value with one element known statically ({@code f64}, {@code f64[1, 1]}) is a scalar. */
  static boolean isOneElement(dev.gradc.ir.Type t) {
    return t.isStatic() && t.staticNumel() == 1;
  }

  private static boolean isScalarLike(Home h) {
    return h == null || h.where == Where.SCALAR || h.where == Where.BCAST_SCALAR;
  }

  private Home place(Inst inst) {
    Op op = inst.op();
    if (op == Op.MATMUL || op == Op.ONE_HOT) {
      for (int k = 0; k < inst.arity(); k++) {
        Value v = inst.operand(k);
        // Matmul reads any strided view in place; everything else needs a contiguous buffer.
        if (op == Op.ONE_HOT || home(v).where != Where.VIEW) {
          contiguous(v);
        }
      }
      LibraryStep s = new LibraryStep(steps.size(), inst);
      steps.add(s);
      Home h = new Home(isOneElement(inst.type()) ? Where.SCALAR : Where.BUFFER);
      h.readyAt = s.index;
      return h;
    }
    if (op == Op.NUMEL) {
      // The element count depends on shapes only, known before any step.
      return new Home(Where.SCALAR);
    }
    if (allOperandsScalar(inst) && isOneElement(inst.type())) {
      Home h = new Home(Where.SCALAR);
      h.readyAt = readyOfOperands(inst);
      return h;
    }
    if (isView(op)) {
      return view(inst);
    }
    return member(inst);
  }

  private boolean allOperandsScalar(Inst inst) {
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && !isOneElement(v.type())) {
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
    Home h = home(v);
    return switch (h.where) {
      case ARG -> -1;
      case SCALAR, BUFFER -> h.readyAt;
      case ELEMENT -> h.nest.index;
      case VIEW, BCAST_SCALAR -> bufferReady(h.base);
    };
  }

  /** When the contiguous buffer of {@code b} is written: its copy nest, if it is a copied view. */
  private int bufferReady(Value b) {
    if (b instanceof Lit) {
      return -1;
    }
    Home h = home(b);
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

  private Home view(Inst inst) {
    Value x = inst.operand(0);
    if (x instanceof Lit || isScalarLike(home(x))) {
      Home h = new Home(Where.BCAST_SCALAR);
      h.base = x instanceof Lit || home(x).where == Where.SCALAR ? x : home(x).base;
      return h;
    }
    Home hx = home(x);
    Value base;
    Extent[] st;
    if (hx.where == Where.VIEW) {
      base = hx.base;
      st = hx.strides;
    } else {
      store(x);
      base = x;
      st = contiguousStrides(x.type().dims());
    }
    Extent[] out = viewStrides(inst, x.type().dims(), st);
    if (out == null) {
      // A reshape of a non-contiguous view: copy the view into a buffer first.
      base = contiguous(x);
      out = contiguousStrides(inst.type().dims());
    }
    Home h = new Home(Where.VIEW);
    h.base = base;
    h.strides = out;
    return h;
  }

  /** The strides of a view op's result, given its operand's strides; null if not expressible. */
  private static Extent[] viewStrides(Inst inst, List<Dim> in, Extent[] st) {
    List<Dim> out = inst.type().dims();
    int r = out.size();
    Extent[] s = new Extent[r];
    switch (inst.op()) {
      case BROADCAST, EXPAND -> {
        int off = r - in.size();
        for (int d = 0; d < r; d++) {
          int di = d - off;
          s[d] = di >= 0 && in.get(di).equals(out.get(d)) ? st[di] : Extent.ZERO;
        }
      }
      case TRANSPOSE, PERMUTE -> {
        int[] perm = permutation(inst);
        for (int d = 0; d < r; d++) {
          s[d] = st[perm[d]];
        }
      }
      case RESHAPE, SQUEEZE, UNSQUEEZE -> {
        // Dims of size 1 carry no stride; what remains must be contiguous to reinterpret.
        if (!isContiguous(in, st)) {
          return inst.op() == Op.RESHAPE ? null : squeezeStrides(inst, st);
        }
        return contiguousStrides(out);
      }
      default -> throw new AssertionError(inst.op());
    }
    return s;
  }

  /** Squeeze and unsqueeze only remove or insert size-1 dims, so any strides carry over. */
  private static Extent[] squeezeStrides(Inst inst, Extent[] st) {
    List<Extent> s = new ArrayList<>(List.of(st));
    if (inst.op() == Op.UNSQUEEZE) {
      s.add(inst.dim(0), Extent.ZERO);
    } else {
      int[] ds = inst.dims();
      for (int i = ds.length - 1; i >= 0; i--) {
        s.remove(ds[i]);
      }
    }
    return s.toArray(new Extent[0]);
  }

  static int[] permutation(Inst inst) {
    int r = inst.type().rank();
    int[] p = new int[r];
    if (inst.op() == Op.TRANSPOSE) {
      for (int d = 0; d < r; d++) {
        p[d] = d;
      }
      p[inst.dim(0)] = inst.dim(1);
      p[inst.dim(1)] = inst.dim(0);
      return p;
    }
    return inst.dims();
  }

  static Extent[] contiguousStrides(List<Dim> dims) {
    Extent[] s = new Extent[dims.size()];
    Extent acc = Extent.ONE;
    for (int d = dims.size() - 1; d >= 0; d--) {
      s[d] = acc;
      acc = acc.times(Extent.of(dims.get(d)));
    }
    return s;
  }

  /** True when strides read a buffer in row-major order (size-1 dims are free). */
  static boolean isContiguous(List<Dim> dims, Extent[] st) {
    Extent[] c = contiguousStrides(dims);
    for (int d = 0; d < c.length; d++) {
      if (!dims.get(d).equals(Dim.of(1)) && !c[d].equals(st[d])) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- materialization

  /** Makes a value computed in a nest also write a buffer. */
  private void store(Value v) {
    Home h = home(v);
    if (h.where == Where.ELEMENT) {
      h.stored = true;
    }
  }

  /**
   * The value whose contiguous buffer holds {@code v}'s elements, storing or copying {@code v} as
   * needed. Arguments, buffers and stored elements are their own buffer; a view is its base when it
   * reads it in order, and otherwise a copy nest writes it.
   */
  private Value contiguous(Value v) {
    Home h = home(v);
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
          h.copy = nestFor(v.type().dims(), bufferReady(h.base));
          h.copy.members.add((Inst) v);
        }
        return v;
      }
      case BCAST_SCALAR -> {
        // Rare (a matmul of a broadcast scalar): copy it into a buffer.
        if (h.copy == null) {
          h.copy = nestFor(v.type().dims(), ready(h.base));
          h.copy.members.add((Inst) v);
        }
        return v;
      }
    }
    throw new AssertionError(h.where);
  }

  /** True when a view is its base's buffer reinterpreted: same elements, same order. */
  private static boolean readsBaseInOrder(Value v, Home h) {
    return isContiguous(v.type().dims(), h.strides)
        && Extent.product(v.type().dims()).equals(Extent.product(h.base.type().dims()));
  }

  // ---------------------------------------------------------------- nest members

  private static List<Dim> domainOf(Inst inst) {
    return inst.op().kind() == Op.Kind.REDUCTION || inst.op() == Op.SUM_TO
        ? inst.operand(0).type().dims()
        : inst.type().dims();
  }

  private Home member(Inst inst) {
    List<Dim> domain = domainOf(inst);
    Nest target = null;
    for (Value v : inst.operands()) {
      if (v instanceof Lit) {
        continue;
      }
      Home h = home(v);
      if (h.where == Where.ELEMENT && (target == null || h.nest.index > target.index)) {
        target = h.nest;
      }
    }
    int needReady = -1;
    for (Value v : inst.operands()) {
      if (v instanceof Lit) {
        continue;
      }
      Home h = home(v);
      if (h.where == Where.ELEMENT && h.nest == target) {
        continue;
      }
      needReady = Math.max(needReady, ready(v));
    }
    if (target != null && (needReady >= target.index || target.members.size() >= MAX_MEMBERS)) {
      // A new or later nest reads the target's values too, once the target has stored them.
      needReady = Math.max(needReady, target.index);
      target = null;
    }
    if (target == null) {
      target = nestFor(domain, needReady);
    }
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && home(v).where == Where.ELEMENT && home(v).nest != target) {
        store(v);
      }
    }
    target.members.add(inst);
    Home h;
    if (inst.op().kind() == Op.Kind.REDUCTION || inst.op() == Op.SUM_TO) {
      h = new Home(isOneElement(inst.type()) ? Where.SCALAR : Where.BUFFER);
      h.readyAt = target.index;
    } else {
      h = new Home(Where.ELEMENT);
      h.nest = target;
    }
    return h;
  }

  /** The latest nest over {@code domain} after step {@code ready}, or a new one at the end. */
  private Nest nestFor(List<Dim> domain, int ready) {
    for (int i = steps.size() - 1; i > ready; i--) {
      if (steps.get(i) instanceof Nest n
          && n.domain.equals(domain)
          && n.members.size() < MAX_MEMBERS) {
        return n;
      }
    }
    Nest n = new Nest(steps.size(), domain);
    steps.add(n);
    return n;
  }

  // ---------------------------------------------------------------- results

  private ResultKind placeResult(Value r, int index) {
    if (r instanceof Lit) {
      return ResultKind.FILL;
    }
    Home h = home(r);
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
        Home hc = home(c);
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
