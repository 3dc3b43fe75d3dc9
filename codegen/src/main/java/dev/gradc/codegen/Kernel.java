package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One kernel: one generated method that runs consecutive loops walking the same outer rows in one
 * pass (a kernel of a single loop is the common case). For each row, loop after loop runs its inner
 * loop (or, for a flat loop, its one element), so a matrix that several loops read is streamed from
 * memory once. {@link KernelLayout} decides which loops fuse; the kernel is immutable and holds
 * what its method takes: buffers, scalars and extents, the union of its loops' parameters.
 *
 * <p>A value with one element per row that one loop produces and only later loops of the same
 * kernel read is a <em>row value</em>: it lives in a local for the rest of the row and is never
 * stored, so it needs no buffer (the logistic loss keeps {@code x_i . w} and the row's gradient
 * coefficient in locals).
 */
final class Kernel {
  /** Above this many argument slots the kernel takes its arguments in one frame array. */
  static final int MAX_ARGUMENT_SLOTS = 200;

  /** The kernel's position in the plan. */
  final int index;

  final List<LoopLayout> loops;

  /** Values kept in locals per row instead of buffers, in the order found. */
  final Set<Value> rowValues;

  /** Buffer parameters: one per buffer value, plus one per reduction accumulator. */
  final List<Access> buffers;

  /** Scalar (double) parameters. */
  final List<Value> scalars;

  /** Non-constant extents the kernel takes as int parameters. */
  final List<Extent> intParams;

  /** Every loop's reductions, in loop order. */
  final List<Reduction> reductions;

  /** The {@link Mode#FULL} reductions; a reduction's partials slot is its index here. */
  final List<Reduction> fullReductions;

  /** Some loop accumulates by read-modify-write: the kernel runs as one chunk sequence. */
  final boolean sequential;

  /** Some loop has column reductions: chunks are capped in number. */
  final boolean hasColumns;

  Kernel(int index, List<LoopLayout> loops, Set<Value> rowValues) {
    this.index = index;
    this.loops = List.copyOf(loops);
    this.rowValues = Collections.unmodifiableSet(new LinkedHashSet<>(rowValues));
    List<Access> bs = new ArrayList<>();
    List<Value> ss = new ArrayList<>();
    List<Extent> is = new ArrayList<>();
    List<Reduction> rs = new ArrayList<>();
    List<Reduction> full = new ArrayList<>();
    boolean seq = false;
    boolean cols = false;
    for (LoopLayout l : loops) {
      for (Access a : l.buffers) {
        if (!rowValues.contains(a.buffer) && paramOf(bs, l, a) == null) {
          bs.add(a);
        }
      }
      for (Value v : l.scalars) {
        if (!ss.contains(v)) {
          ss.add(v);
        }
      }
      for (Extent e : l.intParams()) {
        if (!is.contains(e)) {
          is.add(e);
        }
      }
      for (Reduction r : l.reductions) {
        rs.add(r);
        if (r.mode == Mode.FULL) {
          full.add(r);
        }
      }
      seq |= l.sequential;
      cols |= l.hasColumns;
    }
    this.buffers = List.copyOf(bs);
    this.scalars = List.copyOf(ss);
    this.intParams = List.copyOf(is);
    this.reductions = List.copyOf(rs);
    this.fullReductions = List.copyOf(full);
    this.sequential = seq;
    this.hasColumns = cols;
  }

  Loop firstLoop() {
    return loops.get(0).loop;
  }

  /** The number of outer iterations the driver splits into chunks. */
  Extent outerCount() {
    return loops.get(0).outerCount();
  }

  /** The partials slot of a full reduction: each chunk writes its partials at these offsets. */
  int slot(Reduction r) {
    int s = fullReductions.indexOf(r);
    if (s < 0) {
      throw new IllegalStateException(r.inst + " is not a full reduction of this kernel");
    }
    return s;
  }

  /** The loop that owns an access among the kernel's buffers. */
  LoopLayout loopOf(Access a) {
    for (LoopLayout l : loops) {
      if (l.buffers.contains(a)) {
        return l;
      }
    }
    throw new IllegalStateException("no loop owns " + a.buffer);
  }

  /** The loop that computes a reduction. */
  LoopLayout loopOf(Reduction r) {
    for (LoopLayout l : loops) {
      if (l.reductions.contains(r)) {
        return l;
      }
    }
    throw new IllegalStateException("no loop computes " + r.inst);
  }

  /**
   * The kernel parameter for a loop's access: the same buffer value shares one parameter, except
   * that reduction accumulators (RMW and column partials) are parameters of their own.
   */
  Access paramOf(LoopLayout l, Access a) {
    return paramOf(buffers, l, a);
  }

  private Access paramOf(List<Access> params, LoopLayout l, Access a) {
    boolean accumulator = isAccumulator(l, a);
    for (Access p : params) {
      if (p == a) {
        return p;
      }
      if (!accumulator && p.buffer == a.buffer && !isAccumulator(loopOf(p), p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * The kernel parameter holding the buffer of loop {@code l}'s read or write {@code a}: reads and
   * stores share the parameter of the loop buffer with the same value.
   */
  Access bufferParam(LoopLayout l, Access a) {
    Access p = paramOf(l, a);
    if (p == null) {
      for (Access b : l.buffers) {
        if (b.buffer == a.buffer) {
          p = paramOf(l, b);
          break;
        }
      }
    }
    if (p == null) {
      throw new IllegalStateException("no buffer parameter for " + a.buffer);
    }
    return p;
  }

  /** True when {@code a} is where a reduction of {@code l} accumulates (RMW or column). */
  static boolean isAccumulator(LoopLayout l, Access a) {
    for (Reduction r : l.reductions) {
      if (r.out == a && r.accumulatesInBuffer()) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when the arguments would not fit a JVM method signature (255 slots): the kernel then takes
   * the frame array the parallel path builds anyway, and always writes its partials there.
   */
  boolean packed() {
    return buffers.size() + 2 * scalars.size() + intParams.size() > MAX_ARGUMENT_SLOTS;
  }

  /** Does this kernel fuse more than one loop. */
  boolean isFused() {
    return loops.size() > 1;
  }
}
