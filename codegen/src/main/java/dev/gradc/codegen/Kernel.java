package dev.gradc.codegen;

import dev.gradc.codegen.NestLayout.Access;
import dev.gradc.codegen.NestLayout.Mode;
import dev.gradc.codegen.NestLayout.Reduction;
import dev.gradc.codegen.Plan.Home;
import dev.gradc.codegen.Plan.Nest;
import dev.gradc.codegen.Plan.Step;
import dev.gradc.codegen.Plan.Where;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One compiled loop: consecutive nests that walk the same outer rows, fused as stages of one outer
 * loop. For each row, stage after stage runs its inner loop (or, for a flat stage, its one
 * element), so a matrix that several nests read is streamed from memory once: the logistic loss
 * reads {@code x} once for {@code x @ w}, the per-row loss and its gradient, and {@code x^T g}.
 *
 * <p>Nests fuse when they have the same number of outer iterations, have at most {@link
 * FusionPlanner#MAX_MEMBERS} members together, none accumulates by read-modify-write, no stage
 * needs a value that is complete only after all rows (a full or column reduction of an earlier
 * stage, or a scalar computed from one), and every buffer an earlier stage writes and a later one
 * reads is read at the row that wrote it.
 *
 * <p>A value with one element per row that one stage produces and only later stages of the same
 * kernel read is a <em>row value</em>: it lives in a local for the rest of the row and is never
 * stored, so it needs no buffer (the logistic loss keeps {@code x_i . w} and the row's gradient
 * coefficient in locals).
 */
final class Kernel {
  final List<NestLayout> stages = new ArrayList<>();
  final List<Access> buffers = new ArrayList<>();
  final List<Value> scalars = new ArrayList<>();
  final List<Extent> intParams = new ArrayList<>();
  final List<Reduction> reductions = new ArrayList<>();

  /**
   * Values kept in locals per row instead of buffers (see the class comment), in the order found,
   * so that the emitted class is the same bytes every time (values compare by identity).
   */
  final Set<Value> rowValues = new LinkedHashSet<>();

  int fullCount;
  boolean sequential;
  boolean hasColumns;

  Kernel(NestLayout first) {
    stages.add(first);
  }

  Nest firstNest() {
    return stages.get(0).nest;
  }

  Nest lastNest() {
    return stages.get(stages.size() - 1).nest;
  }

  /** The number of outer iterations the driver splits into chunks. */
  Extent outerCount() {
    return stages.get(0).outerCount();
  }

  /** Groups the nests of a plan into kernels, in step order. */
  static List<Kernel> group(Plan plan, List<NestLayout> layouts) {
    List<Kernel> out = new ArrayList<>();
    Kernel current = null;
    int lastIndex = -2;
    for (NestLayout l : layouts) {
      boolean adjacent = l.nest.index == lastIndex + 1;
      if (current != null && adjacent && current.accepts(plan, l)) {
        current.stages.add(l);
      } else {
        current = new Kernel(l);
        out.add(current);
      }
      lastIndex = l.nest.index;
    }
    Users users = new Users(plan);
    for (Kernel k : out) {
      k.findRowValues(plan, users);
      k.finish();
    }
    return out;
  }

  /** For each value, the instructions that read it, and whether it is a result. */
  private static final class Users {
    final List<List<Inst>> of = new ArrayList<>();
    final boolean[] isResult;

    Users(Plan plan) {
      int n = plan.func.valueCount();
      for (int i = 0; i < n; i++) {
        of.add(new ArrayList<>(2));
      }
      for (Inst inst : plan.func.insts()) {
        for (Value v : inst.operands()) {
          if (!(v instanceof Lit)) {
            of.get(v.id()).add(inst);
          }
        }
      }
      isResult = new boolean[n];
      for (Value r : plan.func.results()) {
        if (!(r instanceof Lit)) {
          isResult[r.id()] = true;
        }
      }
    }
  }

  /**
   * Finds the row values: produced one element per row by a stage (a flat stage's store or a rows
   * stage's inner reduction), not a result, and read, directly or through views, only by members of
   * later stages of this kernel, each reading the element of its own row; or directly by members of
   * the producing stage, which read it from their locals anyway.
   */
  private void findRowValues(Plan plan, Users users) {
    if (stages.size() < 2) {
      return;
    }
    // The stage of each member.
    Map<Inst, Integer> members = new IdentityHashMap<>();
    for (int s = 0; s < stages.size(); s++) {
      for (Inst m : stages.get(s).nest.members) {
        members.put(m, s);
      }
    }
    for (int t = 0; t < stages.size(); t++) {
      NestLayout producer = stages.get(t);
      List<Value> candidates = new ArrayList<>();
      if (producer.rank() == 1) {
        candidates.addAll(producer.stores.keySet());
      }
      for (Reduction r : producer.reductions) {
        if (r.mode == Mode.INNER) {
          candidates.add(r.inst);
        }
      }
      for (Value v : candidates) {
        if (readOnlyLaterInRow(plan, users, members, t, v)) {
          rowValues.add(v);
        }
      }
    }
  }

  private boolean readOnlyLaterInRow(
      Plan plan, Users users, Map<Inst, Integer> members, int producer, Value v) {
    Deque<Value> work = new ArrayDeque<>();
    work.add(v);
    while (!work.isEmpty()) {
      Value u = work.poll();
      if (users.isResult[u.id()]) {
        return false;
      }
      for (Inst user : users.of.get(u.id())) {
        Integer stage = members.get(user);
        if (stage != null) {
          int s = stage;
          boolean direct = u == v && s == producer;
          if (!direct && (s <= producer || !readsOnePerRow(stages.get(s), u))) {
            return false;
          }
        } else if (isPlainView(plan.home(user))) {
          work.add(user);
        } else {
          return false;
        }
      }
    }
    return true;
  }

  /** A view read in place; a view that some nest copies reads the buffer itself. */
  private static boolean isPlainView(Home h) {
    return h != null && h.where == Where.VIEW && h.copy == null;
  }

  /** True when stage {@code l} reads {@code u} through an access at the row's one element. */
  private static boolean readsOnePerRow(NestLayout l, Value u) {
    Access a = l.reads.get(u);
    if (a == null) {
      return false; // a scalar or a local: not read from the row value's buffer
    }
    return l.rank() == 1 || a.strides[l.rank() - 1].isZero();
  }

  /** Nests in a plan, each with its layout, ignoring library steps. */
  static List<NestLayout> layouts(Plan plan) {
    List<NestLayout> ls = new ArrayList<>();
    for (Step s : plan.steps) {
      if (s instanceof Nest n) {
        ls.add(new NestLayout(plan, n));
      }
    }
    return ls;
  }

  private boolean accepts(Plan plan, NestLayout s) {
    if (s.sequential || stages.get(0).sequential || !s.outerCount().equals(outerCount())) {
      return false;
    }
    int members = s.nest.members.size();
    for (NestLayout t : stages) {
      members += t.nest.members.size();
    }
    if (members > FusionPlanner.MAX_MEMBERS) {
      return false; // the kernel method must stay small enough for the JIT
    }
    int first = firstNest().index;
    for (Value v : s.scalars) {
      Home h = plan.home(v);
      if (h != null && h.readyAt >= first) {
        return false; // complete only after the rows of an earlier stage
      }
    }
    for (Access read : s.reads.values()) {
      for (NestLayout t : stages) {
        Access written = producedBy(t, read.buffer);
        if (written != null && !rowAligned(t, written, s, read)) {
          return false;
        }
        if (written == null && readsReductionOf(t, read.buffer)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The access by which stage {@code t} writes {@code buffer} row by row, if it does. */
  private static Access producedBy(NestLayout t, Value buffer) {
    Access a = t.stores.get(buffer);
    if (a != null) {
      return a;
    }
    for (Reduction r : t.reductions) {
      if (r.inst == buffer && (r.mode == Mode.INNER || r.mode == Mode.DIRECT)) {
        return r.out;
      }
    }
    return null;
  }

  /** True when {@code buffer} is a full, column or RMW reduction of {@code t}: not per row. */
  private static boolean readsReductionOf(NestLayout t, Value buffer) {
    for (Reduction r : t.reductions) {
      if (r.inst == buffer) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when, for every row, the elements stage {@code s} reads through {@code read} are among
   * those stage {@code t} wrote for the same row through {@code written}.
   */
  private static boolean rowAligned(NestLayout t, Access written, NestLayout s, Access read) {
    if (!outerSignature(t, written).equals(outerSignature(s, read))) {
      return false;
    }
    Extent readInner = inner(s, read);
    if (readInner.isZero()) {
      return true; // reads the row's first element, which every writer of the row writes
    }
    return readInner.equals(inner(t, written)) && innerSize(s).equals(innerSize(t));
  }

  /** The sizes and strides of the outer dims, as a comparable list. */
  private static List<Extent> outerSignature(NestLayout l, Access a) {
    List<Extent> sig = new ArrayList<>();
    int outerDims = l.rank() == 1 ? 1 : l.rank() - 1;
    for (int d = 0; d < outerDims; d++) {
      sig.add(l.sizes[d]);
      sig.add(a.strides[d]);
    }
    return sig;
  }

  private static Extent inner(NestLayout l, Access a) {
    return l.rank() == 1 ? Extent.ZERO : a.strides[l.rank() - 1];
  }

  private static Extent innerSize(NestLayout l) {
    return l.rank() == 1 ? Extent.ONE : l.sizes[l.rank() - 1];
  }

  /** Unions the stages' parameters and numbers the full-reduction slots across stages. */
  private void finish() {
    for (NestLayout l : stages) {
      for (Access a : l.buffers) {
        if (!rowValues.contains(a.buffer) && paramOf(l, a) == null) {
          buffers.add(a);
        }
      }
      for (Value v : l.scalars) {
        if (!scalars.contains(v)) {
          scalars.add(v);
        }
      }
      for (Extent e : l.intParams()) {
        if (!intParams.contains(e)) {
          intParams.add(e);
        }
      }
      for (Reduction r : l.reductions) {
        reductions.add(r);
        if (r.mode == Mode.FULL) {
          r.slot = fullCount++;
        }
      }
      sequential |= l.sequential;
      hasColumns |= l.hasColumns;
    }
  }

  /** The owning stage of an access among the kernel's buffers. */
  NestLayout stageOf(Access a) {
    for (NestLayout l : stages) {
      if (l.buffers.contains(a)) {
        return l;
      }
    }
    throw new IllegalStateException("no stage owns " + a.buffer);
  }

  /**
   * The kernel parameter for a stage's access: the same buffer value shares one parameter, except
   * that reduction accumulators (RMW and column partials) are parameters of their own.
   */
  Access paramOf(NestLayout l, Access a) {
    boolean accumulator = isAccumulator(l, a);
    for (Access p : buffers) {
      if (p == a) {
        return p;
      }
      if (!accumulator && p.buffer == a.buffer && !isAccumulator(stageOf(p), p)) {
        return p;
      }
    }
    return null;
  }

  static boolean isAccumulator(NestLayout l, Access a) {
    for (Reduction r : l.reductions) {
      if (r.out == a && (r.mode == Mode.RMW || r.mode == Mode.COLUMN)) {
        return true;
      }
    }
    return false;
  }

  /** Above this many argument slots the kernel takes its arguments in one frame array. */
  static final int MAX_ARGUMENT_SLOTS = 200;

  /**
   * True when the arguments would not fit a JVM method signature (255 slots): the kernel then takes
   * the frame array the parallel path builds anyway, and always writes its partials there.
   */
  boolean packed() {
    return buffers.size() + 2 * scalars.size() + intParams.size() > MAX_ARGUMENT_SLOTS;
  }

  /** For the plan's text: does this kernel fuse more than one nest. */
  boolean isFused() {
    return stages.size() > 1;
  }
}
