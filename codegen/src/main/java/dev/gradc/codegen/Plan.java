package dev.gradc.codegen;

import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * How a function runs: a sequence of steps (fused loop nests and library calls) and, for every
 * value, where it lives ({@link Home}). Values of rank 0 are scalars computed between steps. {@link
 * FusionPlanner} makes plans; {@link PlanPrinter} prints them; {@link ClassEmitter} turns them into
 * bytecode.
 */
public final class Plan {
  /**
   * Where a value lives at run time. Values with one element (by their static type) are scalars.
   */
  enum Where {
    /** A function argument's buffer (one-element arguments are {@link #SCALAR}s). */
    ARG,
    /** A scalar in a local of the driver. */
    SCALAR,
    /** Computed per element inside one nest; {@link Home#stored} when also written out. */
    ELEMENT,
    /** A contiguous buffer written by a step (a reduction's output, a matmul, ...). */
    BUFFER,
    /** A strided view of another value's buffer (broadcast, transpose, reshape, ...). */
    VIEW,
    /** A tensor all of whose elements are one scalar ({@link Home#base}). */
    BCAST_SCALAR
  }

  /** The run-time home of one value. */
  static final class Home {
    Where where;

    /** The step after which the value (or its buffer) can be read; -1 for arguments. */
    int readyAt = -1;

    /** For {@link Where#ELEMENT}: the nest computing it. */
    Nest nest;

    /** For {@link Where#ELEMENT}: also written to a buffer, for readers outside the nest. */
    boolean stored;

    /**
     * For {@link Where#VIEW}: the value whose buffer is read; for {@link Where#BCAST_SCALAR}: the
     * scalar.
     */
    Value base;

    /** For {@link Where#VIEW}: strides over this value's dims into the base's buffer. */
    Extent[] strides;

    /** For a {@link Where#VIEW} needed contiguously: the nest that copies it into a buffer. */
    Nest copy;

    /** The index of the result whose output array is this value's buffer, or -1. */
    int output = -1;

    Home(Where where) {
      this.where = where;
    }
  }

  /** One step of the plan. */
  abstract static sealed class Step permits Nest, LibraryStep {
    final int index;

    Step(int index) {
      this.index = index;
    }
  }

  /**
   * A fused loop nest over one iteration domain: elementwise members computed per element,
   * reductions accumulated, stored values written out. Members are in definition order.
   */
  static final class Nest extends Step {
    final List<Dim> domain;
    final List<Inst> members = new ArrayList<>();

    Nest(int index, List<Dim> domain) {
      super(index);
      this.domain = List.copyOf(domain);
    }
  }

  /** An op computed by a library routine copied into the generated class (matmul, one_hot). */
  static final class LibraryStep extends Step {
    final Inst inst;

    LibraryStep(int index, Inst inst) {
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
  final Home[] homes;
  final List<Step> steps;
  final ResultKind[] resultKinds;

  /** The compiled loops: nests fused into kernels, in step order. */
  final List<Kernel> kernels;

  Plan(Func func, Home[] homes, List<Step> steps, ResultKind[] resultKinds) {
    this.func = func;
    this.homes = homes;
    this.steps = List.copyOf(steps);
    this.resultKinds = resultKinds;
    this.kernels = Kernel.group(this, Kernel.layouts(this));
  }

  /** The kernel a nest runs in. */
  Kernel kernelOf(Nest n) {
    for (Kernel k : kernels) {
      for (NestLayout l : k.stages) {
        if (l.nest == n) {
          return k;
        }
      }
    }
    throw new IllegalStateException("nest " + n.index + " is in no kernel");
  }

  /** The function the plan runs (after lowering). */
  public Func func() {
    return func;
  }

  Home home(Value v) {
    return v instanceof Lit ? null : homes[v.id()];
  }

  /** The number of compiled loops, each one pass over its rows (fused nests count once). */
  public int loopCount() {
    return kernels.size();
  }

  /** The number of loop nests before fusing nests that walk the same rows. */
  public int nestCount() {
    int n = 0;
    for (Step s : steps) {
      if (s instanceof Nest) {
        n++;
      }
    }
    return n;
  }

  /** The number of library calls (matmul, one_hot). */
  public int libraryCallCount() {
    return steps.size() - nestCount();
  }

  /** The readable text form: what each loop computes, reads, writes and reduces. */
  public String text() {
    return PlanPrinter.print(this);
  }

  @Override
  public String toString() {
    return text();
  }
}
