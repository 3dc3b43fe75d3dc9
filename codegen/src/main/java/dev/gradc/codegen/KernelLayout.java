package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.Loop;
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
 * Stage 4, lay out kernels: {@link LoopPlan} to {@link Plan}. Lays out each loop ({@link
 * LoopLayout}: strides, collapsed dims, reduction modes), fuses consecutive loops that walk the
 * same rows into one {@link Kernel}, and finds each kernel's row values.
 *
 * <p>Loops fuse when they have the same number of outer iterations, have at most {@link
 * FusionPlanner#MAX_MEMBERS} members together, none accumulates by read-modify-write, no loop needs
 * a value that is complete only after all rows (a full or column reduction of an earlier loop, or a
 * scalar computed from one), and every buffer an earlier loop writes and a later one reads is read
 * at the row that wrote it. So the logistic loss reads {@code x} once for {@code x @ w}, the
 * per-row loss and its gradient, and {@code x^T g}.
 */
final class KernelLayout {
  private KernelLayout() {}

  static Plan layOut(LoopPlan plan) {
    List<List<LoopLayout>> groups = new ArrayList<>();
    List<LoopLayout> current = null;
    int lastIndex = -2;
    for (Loop loop : plan.loops()) {
      LoopLayout l = LoopLayout.of(plan, loop);
      boolean adjacent = loop.index == lastIndex + 1;
      if (current != null && adjacent && accepts(plan, current, l)) {
        current.add(l);
      } else {
        current = new ArrayList<>();
        current.add(l);
        groups.add(current);
      }
      lastIndex = loop.index;
    }
    Users users = new Users(plan);
    List<Kernel> kernels = new ArrayList<>();
    for (List<LoopLayout> loops : groups) {
      kernels.add(new Kernel(kernels.size(), loops, rowValues(plan, users, loops)));
    }
    return new Plan(plan, kernels);
  }

  // ---------------------------------------------------------------- fusing loops

  private static boolean accepts(LoopPlan plan, List<LoopLayout> loops, LoopLayout s) {
    LoopLayout first = loops.get(0);
    if (s.sequential || first.sequential || !s.outerCount().equals(first.outerCount())) {
      return false;
    }
    int members = s.loop.members.size();
    for (LoopLayout t : loops) {
      members += t.loop.members.size();
    }
    if (members > FusionPlanner.MAX_MEMBERS) {
      return false; // the kernel method must stay small enough for the JIT
    }
    for (Value v : s.scalars) {
      Home h = plan.home(v);
      if (h != null && h.readyAt() >= first.loop.index) {
        return false; // complete only after the rows of an earlier loop
      }
    }
    for (Access read : s.reads.values()) {
      for (LoopLayout t : loops) {
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

  /** The access by which loop {@code t} writes {@code buffer} row by row, if it does. */
  private static Access producedBy(LoopLayout t, Value buffer) {
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
  private static boolean readsReductionOf(LoopLayout t, Value buffer) {
    for (Reduction r : t.reductions) {
      if (r.inst == buffer) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when, for every row, the elements loop {@code s} reads through {@code read} are among
   * those loop {@code t} wrote for the same row through {@code written}.
   */
  private static boolean rowAligned(LoopLayout t, Access written, LoopLayout s, Access read) {
    if (!read.offset.equals(written.offset)
        || !outerSignature(t, written).equals(outerSignature(s, read))) {
      return false;
    }
    Extent readInner = inner(s, read);
    if (readInner.isZero()) {
      return true; // reads the row's first element, which every writer of the row writes
    }
    return readInner.equals(inner(t, written)) && innerSize(s).equals(innerSize(t));
  }

  /** The sizes and strides of the outer dims, as a comparable list. */
  private static List<Extent> outerSignature(LoopLayout l, Access a) {
    List<Extent> sig = new ArrayList<>();
    int outerDims = l.rank() == 1 ? 1 : l.rank() - 1;
    for (int d = 0; d < outerDims; d++) {
      sig.add(l.sizes.get(d));
      sig.add(a.stride(d));
    }
    return sig;
  }

  private static Extent inner(LoopLayout l, Access a) {
    return l.rank() == 1 ? Extent.ZERO : a.stride(l.rank() - 1);
  }

  private static Extent innerSize(LoopLayout l) {
    return l.rank() == 1 ? Extent.ONE : l.innerSize();
  }

  // ---------------------------------------------------------------- row values

  /** For each value, the instructions that read it, and whether it is a result. */
  private static final class Users {
    final List<List<Inst>> of = new ArrayList<>();
    final boolean[] isResult;

    Users(LoopPlan plan) {
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
   * The row values of a kernel: produced one element per row by a loop (a flat loop's store or a
   * rows loop's inner reduction), not a result, and read, directly or through views, only by
   * members of later loops of the kernel, each reading the element of its own row; or directly by
   * members of the producing loop, which read it from their locals anyway.
   */
  private static Set<Value> rowValues(LoopPlan plan, Users users, List<LoopLayout> loops) {
    Set<Value> out = new LinkedHashSet<>();
    if (loops.size() < 2) {
      return out;
    }
    // The loop of each member.
    Map<Inst, Integer> members = new IdentityHashMap<>();
    for (int s = 0; s < loops.size(); s++) {
      for (Inst m : loops.get(s).loop.members) {
        members.put(m, s);
      }
    }
    for (int t = 0; t < loops.size(); t++) {
      LoopLayout producer = loops.get(t);
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
        if (readOnlyLaterInRow(plan, users, loops, members, t, v)) {
          out.add(v);
        }
      }
    }
    return out;
  }

  private static boolean readOnlyLaterInRow(
      LoopPlan plan,
      Users users,
      List<LoopLayout> loops,
      Map<Inst, Integer> members,
      int producer,
      Value v) {
    Deque<Value> work = new ArrayDeque<>();
    work.add(v);
    while (!work.isEmpty()) {
      Value u = work.poll();
      if (users.isResult[u.id()]) {
        return false;
      }
      for (Inst user : users.of.get(u.id())) {
        Integer loop = members.get(user);
        if (loop != null) {
          int s = loop;
          boolean direct = u == v && s == producer;
          if (!direct && (s <= producer || !readsOnePerRow(loops.get(s), u))) {
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

  /** A view read in place; a view that some loop copies reads the buffer itself. */
  private static boolean isPlainView(Home h) {
    return h != null && h.isViewFromStart() && !h.isCopied();
  }

  /** True when loop {@code l} reads {@code u} through an access at the row's one element. */
  private static boolean readsOnePerRow(LoopLayout l, Value u) {
    Access a = l.reads.get(u);
    if (a == null) {
      return false; // a scalar or a local: not read from the row value's buffer
    }
    if (!a.offset.isZero()) {
      return false; // a slice reads another row's element
    }
    return l.rank() == 1 || a.stride(l.rank() - 1).isZero();
  }
}
