package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stage 3's output: how a lowered function runs, as {@link FusionPlanner} decided it. A sequence of
 * steps (loops and library calls, numbered in order) and, for every value, its {@link Home}: where
 * it lives at run time and from which step on it can be read. Immutable; {@link PlanVerifier}
 * states and checks its invariants.
 *
 * <pre>
 * loop plan @f: 2 loops, 0 library calls
 * loop 0 over [8]: %0 %1
 * loop 1 over [8]: %3 %4
 * %x: arg
 * %0: element of loop 0, stored
 * %1: scalar, ready after step 0
 * %2: bcast_scalar of %1
 * %3: element of loop 1
 * %4: element of loop 1, stored, output 0
 * results: %4 (direct), %1 (fill)
 * </pre>
 *
 * (for {@code %0 = exp %x; %1 = sum %0; %4 = %0 * broadcast(%1)}: the product needs the finished
 * sum, so it runs in a second loop, which reads {@code %0} from its buffer).
 */
final class LoopPlan {
  /** Where a value lives at run time. */
  enum Where {
    /** A function argument's buffer (one-element arguments are {@link #SCALAR}s). */
    ARG,
    /** A scalar of the driver: every value with one element by its static type. */
    SCALAR,
    /** Computed per element inside one loop; {@link Home#stored} when also written out. */
    ELEMENT,
    /** A contiguous buffer written by a step (a reduction's output, a matmul, ...). */
    BUFFER,
    /** A strided view of another value's buffer (broadcast, transpose, reshape, slice, ...). */
    VIEW,
    /** A tensor all of whose elements are one scalar ({@link Home#base}). */
    BCAST_SCALAR
  }

  /**
   * The run-time home of one value.
   *
   * @param readyAt the step after which the value (or its buffer) can be read; -1 before any step
   * @param loop for {@link Where#ELEMENT}: the loop computing it; otherwise -1
   * @param stored for {@link Where#ELEMENT}: also written to a buffer, for readers outside its loop
   * @param base for {@link Where#VIEW}: the value whose buffer is read; for {@link
   *     Where#BCAST_SCALAR}: the scalar (or literal); otherwise null
   * @param strides for {@link Where#VIEW}: strides over this value's dims into the base's buffer
   * @param offset for {@link Where#VIEW}: where its first element is in the base's buffer (a slice
   *     that starts after 0, or runs backwards); otherwise null
   * @param copy for a view (or broadcast scalar) needed contiguously: the loop that copies it into
   *     a buffer of its own; otherwise -1
   * @param output the index of the result whose output array is this value's buffer, or -1
   * @param guard for a {@link Where#VIEW} of a {@code slice_backward}'s operand: the elements the
   *     view holds (the base's, at the shifted index); every other element is zero; otherwise null
   */
  record Home(
      Where where,
      int readyAt,
      int loop,
      boolean stored,
      Value base,
      List<Extent> strides,
      Extent offset,
      int copy,
      int output,
      Guard guard) {
    Home {
      strides = strides == null ? null : List.copyOf(strides);
    }

    boolean isCopied() {
      return copy >= 0;
    }

    /**
     * A view whose elements start at its base buffer's start, so that a library routine taking a
     * buffer and strides reads it in place; a view with an {@link #offset} is read in place by
     * loops only, and copied for library calls.
     */
    boolean isViewFromStart() {
      return where == Where.VIEW && (offset == null || offset.isZero()) && guard == null;
    }
  }

  /**
   * The elements of a {@code slice_backward} that its operand fills, read in place: those whose
   * index {@code i} along {@code dim} is in {@code [lo, hi)} and, for a step other than 1, a whole
   * number of steps from the first placed index ({@link #first}) read the view's base; every other
   * element is zero. For step 1 the view's offset is shifted back by {@code lo} steps along {@code
   * dim}, so the operand's element {@code j} is at index {@code lo + j} under the view's strides;
   * for another step the offset and strides are the operand's, and index {@code i} reads the
   * operand's element {@code (i - first) / step} along {@code dim}. The base is a buffer, or a
   * scalar (or literal) when the operand is a broadcast scalar, with zero strides.
   */
  record Guard(int dim, int lo, int hi, int step) {
    /** The guard of the {@code slice_backward} {@code inst}. */
    static Guard of(Inst inst) {
      int d = inst.dim(0);
      int start = inst.dim(1);
      int step = inst.dim(2);
      int n = inst.operand(0).type().dim(d).size();
      if (n == 0) {
        return new Guard(d, start, start, step);
      }
      int last = start + step * (n - 1);
      return new Guard(d, Math.min(start, last), Math.max(start, last) + 1, step);
    }

    /** The index the operand's first element is placed at. */
    int first() {
      return step > 0 ? lo : hi - 1;
    }
  }

  /** One step of the plan, run by the driver in order. */
  abstract static sealed class Step permits Loop, LibraryCall {
    /** The step's position in the plan. */
    final int index;

    Step(int index) {
      this.index = index;
    }
  }

  /**
   * A loop over one iteration domain: elementwise members computed per element, reductions
   * accumulated, copied views copied. Members are in definition order.
   */
  static final class Loop extends Step {
    final List<Dim> domain;
    final List<Inst> members;

    Loop(int index, List<Dim> domain, List<Inst> members) {
      super(index);
      this.domain = List.copyOf(domain);
      this.members = List.copyOf(members);
    }
  }

  /**
   * Whether {@code inst} is a library call when it is not a view: matmul, svd, one_hot, slices (a
   * slice is a view but for one element or an offset that is no one extent), gather, scatter_add,
   * scatter, and i64 reductions of more than one element (exact in 64-bit integers, where loops
   * accumulate in f64).
   */
  static boolean isLibrary(Inst inst) {
    return inst.op() == Op.MATMUL
        || inst.op() == Op.SVD
        || inst.op() == Op.ONE_HOT
        || inst.op() == Op.SLICE
        || inst.op() == Op.SLICE_BACKWARD
        || inst.op() == Op.GATHER
        || inst.op() == Op.SCATTER_ADD
        || inst.op() == Op.SCATTER
        || inst.op().scan() != null
        || (inst.op().kind() == Op.Kind.REDUCTION
            && inst.operand(0).type().dtype() == DType.I64
            && !isOneElement(inst.operand(0).type()));
  }

  /**
   * Whether a gather or scatter reads its operand {@code i}, whose home is {@code where}, in place
   * ({@link dev.gradc.ir.Gathers}): an index or a scatter's source that is a view, through its
   * strides, and a scatter's {@code self} that is a broadcast scalar, which fills the result.
   */
  static boolean readsInPlace(Inst inst, int i, Home h) {
    return readsInPlace(inst, i, h.where()) && (h.where() != Where.VIEW || h.isViewFromStart());
  }

  /**
   * {@link #readsInPlace(Inst, int, Home)} for an operand whose view starts at its base's start.
   */
  static boolean readsInPlace(Inst inst, int i, Where where) {
    return switch (inst.op()) {
      case GATHER -> i == 1 && where == Where.VIEW;
      case SCATTER, SCATTER_ADD -> i == 0 ? where == Where.BCAST_SCALAR : where == Where.VIEW;
      default -> false;
    };
  }

  /**
   * For {@code sum(reshape(gather(x, 0, index), [bags, bag, d]), dims=[1])} in f64 or f32, where
   * the gather and the reshape have no other reader (uses: {@link Func#useCounts}): the gather,
   * whose rows the sum adds per bag in a library call ({@link dev.gradc.ir.Gathers#bagSum}) instead
   * of a loop over the gathered rows, in the order of that loop (read-modify-write, as no dim of
   * the reshape is statically 1); otherwise null.
   */
  static Inst bagSumGather(Inst sum, int[] uses) {
    if (sum.op() != Op.SUM
        || sum.dims().length != 1
        || sum.dim(0) != 1
        || sum.type().rank() != 2
        || !(sum.operand(0) instanceof Inst r)
        || r.op() != Op.RESHAPE
        || r.type().rank() != 3
        || uses[r.id()] != 1
        || !(r.operand(0) instanceof Inst g)
        || g.op() != Op.GATHER
        || g.dim(0) != 0
        || g.type().rank() != 2
        || uses[g.id()] != 1
        || g.operand(0) instanceof Lit
        || g.operand(0).type().rank() != 2
        || g.operand(1) instanceof Lit
        || !g.type().dim(1).equals(r.type().dim(2))) {
      return null;
    }
    DType dt = sum.type().dtype();
    if (dt != DType.F32 && dt != DType.F64) {
      return null;
    }
    for (Dim d : r.type().dims()) {
      if (d.isStatic() && d.size() == 1) {
        return null;
      }
    }
    return g;
  }

  /**
   * The view an in-place read of the view {@code v} goes through ({@link #readsInPlace}): the view
   * {@code v} is of, when that is a plain view too, neither copied nor guarded (a reshape that
   * strides cannot express, whose base's elements are {@code v}'s in the same order); otherwise
   * {@code v}, which is read under its own strides (over its base's copy when the base is copied).
   */
  Value inPlaceView(Value v) {
    Home h = home(v);
    if (h.where() == Where.VIEW) {
      Home b = home(h.base());
      if (b.where() == Where.VIEW && !b.isCopied() && b.guard() == null) {
        return h.base();
      }
    }
    return v;
  }

  /**
   * An op computed by a library routine copied into the generated class (matmul, one_hot, slices,
   * cumulative ops, i64 reductions: {@link #isLibrary}).
   */
  static final class LibraryCall extends Step {
    final Inst inst;

    LibraryCall(int index, Inst inst) {
      super(index);
      this.inst = inst;
    }
  }

  /** What the driver does for one result after the steps. */
  enum ResultKind {
    /** The value's buffer is the output array already. */
    DIRECT,
    /** Copy the value's contiguous buffer into the output array. */
    COPY,
    /** Fill the output array with a scalar (a rank-0 result, a broadcast scalar or a literal). */
    FILL
  }

  final Func func;
  private final List<Home> homes;
  final List<Step> steps;
  final List<ResultKind> resultKinds;

  LoopPlan(Func func, List<Home> homes, List<Step> steps, List<ResultKind> resultKinds) {
    this.func = func;
    this.homes = List.copyOf(homes);
    this.steps = List.copyOf(steps);
    this.resultKinds = List.copyOf(resultKinds);
  }

  /** The function the plan runs (lowered). */
  public Func func() {
    return func;
  }

  /** The home of a parameter or instruction; null for a literal. */
  Home home(Value v) {
    return v instanceof Lit ? null : homes.get(v.id());
  }

  /** The loop at step {@code index}. */
  Loop loop(int index) {
    return (Loop) steps.get(index);
  }

  /** The loops, in step order. */
  List<Loop> loops() {
    List<Loop> out = new ArrayList<>();
    for (Step s : steps) {
      if (s instanceof Loop l) {
        out.add(l);
      }
    }
    return out;
  }

  /** True when {@code v} is computed per element by {@code loop} (not a reduction). */
  boolean isLocalTo(Loop loop, Value v) {
    if (v instanceof Lit) {
      return false;
    }
    Home h = home(v);
    return h.where() == Where.ELEMENT && h.loop() == loop.index && loop.members.contains(v);
  }

  /** True for loop members whose value is read through their own view (copies of views). */
  boolean isCopyMember(Inst m) {
    Home h = home(m);
    return h.where() == Where.VIEW || h.where() == Where.BCAST_SCALAR;
  }

  /** The scalar a broadcast-scalar value stands for, or the value itself otherwise. */
  Value scalarOf(Value v) {
    if (v instanceof Lit) {
      return v;
    }
    Home h = home(v);
    return h.where() == Where.BCAST_SCALAR ? h.base() : v;
  }

  /** A value with one element known statically ({@code f64}, {@code f64[1, 1]}) is a scalar. */
  static boolean isOneElement(Type t) {
    return t.isStatic() && t.staticNumel() == 1;
  }

  /** True for members that reduce: their home is a scalar or buffer, not an element. */
  static boolean isReduction(Inst m) {
    return m.op().kind() == dev.gradc.ir.Op.Kind.REDUCTION || m.op() == dev.gradc.ir.Op.SUM_TO;
  }

  /** The text form: each step with its members, each value's home, each result's kind. */
  public String text() {
    StringBuilder s = new StringBuilder();
    int loops = loops().size();
    int calls = steps.size() - loops;
    s.append("loop plan @").append(func.name()).append(": ");
    s.append(loops).append(loops == 1 ? " loop, " : " loops, ");
    s.append(calls).append(calls == 1 ? " library call\n" : " library calls\n");
    for (Step step : steps) {
      if (step instanceof Loop l) {
        s.append("loop ").append(l.index).append(" over ").append(l.domain).append(':');
        for (Inst m : l.members) {
          s.append(' ').append(Printer.name(func, m));
        }
      } else {
        Inst inst = ((LibraryCall) step).inst;
        s.append("call ").append(step.index).append(": ").append(Printer.name(func, inst));
        s.append(" = ").append(inst.op().mnemonic());
      }
      s.append('\n');
    }
    List<Value> values = new ArrayList<>(func.params());
    values.addAll(func.insts());
    for (Value v : values) {
      s.append(Printer.name(func, v)).append(": ").append(describe(home(v))).append('\n');
    }
    s.append("results:");
    for (int i = 0; i < resultKinds.size(); i++) {
      s.append(i == 0 ? " " : ", ").append(Printer.name(func, func.result(i)));
      s.append(" (").append(resultKinds.get(i).name().toLowerCase(Locale.ROOT)).append(')');
    }
    return s.append('\n').toString();
  }

  private String describe(Home h) {
    StringBuilder s = new StringBuilder(h.where().name().toLowerCase(Locale.ROOT));
    if (h.where() == Where.ELEMENT) {
      s.append(" of loop ").append(h.loop()).append(h.stored() ? ", stored" : "");
    }
    if (h.base() != null) {
      s.append(" of ").append(Printer.name(func, h.base()));
    }
    if (h.strides() != null) {
      s.append(" strides ").append(h.strides());
    }
    if (h.offset() != null && !h.offset().isZero()) {
      s.append(" offset ").append(h.offset());
    }
    if (h.guard() != null) {
      Guard g = h.guard();
      s.append(" inside dim ").append(g.dim()).append(" [").append(g.lo()).append(", ");
      s.append(g.hi())
          .append(')')
          .append(g.step() == 1 ? "" : " step " + g.step())
          .append(" else 0");
    }
    if (h.readyAt() >= 0) {
      s.append(", ready after step ").append(h.readyAt());
    }
    if (h.isCopied()) {
      s.append(", copied by loop ").append(h.copy());
    }
    if (h.output() >= 0) {
      s.append(", output ").append(h.output());
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return text();
  }
}
