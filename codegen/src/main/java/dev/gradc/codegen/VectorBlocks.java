package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.ir.DType;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vector backend's form of a kernel with elementary functions beyond {@code exp}: each chunk
 * runs in blocks of {@link #BLOCK} elements, and each block through a list of passes, so that no
 * compiled method holds more than a few Vector API calls. One method over all of {@code
 * black_scholes}'s values would not compile well on JDK 17: C2 stops inlining once a compilation
 * reaches 18,000 nodes ({@code NodeCountInliningCutoff}, fixed in product JVMs), which a dozen
 * inlined Vector API calls reach, and every call past it takes and returns boxed vectors.
 *
 * <p>A pass is either a run of the loop's arithmetic members ({@link Arith}, at most {@link
 * #BUDGET} vector operations, a method of the companion) or one elementary function ({@link Call},
 * a copy of {@code lib.vector.MathBlocks}' loop over the block). A value one pass computes and a
 * later pass reads goes through a block buffer of its own ({@link #slots}), in the order of the
 * elements, so every element sees the scalar kernel's operations and its bits.
 */
final class VectorBlocks {
  /** Elements per block: its buffers of a few dozen values stay in the L1 cache. */
  static final int BLOCK = 128;

  /** The most vector operations in one arithmetic pass ({@link #cost}). */
  static final int BUDGET = 12;

  /** A pass over a block: a run of arithmetic members, or one elementary function. */
  sealed interface Pass permits Arith, Call {
    LoopLayout layout();
  }

  /**
   * Members of {@code layout}'s loop in vector arithmetic; {@code stores} are function values
   * (computed by earlier passes) that this pass copies to their buffers, {@code feeds} operands of
   * the next function that no pass computes (buffers read, scalars), copied to their block buffers.
   */
  record Arith(LoopLayout layout, List<Inst> members, List<Inst> stores, List<Value> feeds)
      implements Pass {}

  /** The elementary function {@code fn}, from its operand's block buffer into its own. */
  record Call(LoopLayout layout, Inst fn) implements Pass {}

  final List<Pass> passes = new ArrayList<>();

  /** The block buffer of each value read by a pass other than the one computing it. */
  final Map<Value, Integer> slots = new IdentityHashMap<>();

  /** The pass computing each member. */
  final Map<Inst, Pass> home = new IdentityHashMap<>();

  VectorBlocks(Kernel k) {
    for (LoopLayout l : k.loops) {
      Arith cur = null;
      int cost = 0;
      List<Inst> pending = new ArrayList<>();
      for (Inst m : l.loop.members) {
        if (isCall(l, m)) {
          Value o = m.operand(0);
          if (!(o instanceof Inst oi && home.containsKey(oi))) {
            if (cur == null) {
              cur = arith(l, pending);
            }
            cur.feeds.add(o);
            slots.putIfAbsent(o, slots.size());
          }
          cur = null;
          Call c = new Call(l, m);
          passes.add(c);
          home.put(m, c);
          if (l.stores.get(m) != null) {
            pending.add(m);
          }
          continue;
        }
        int c = cost(l, m);
        if (cur == null || cost + c > BUDGET) {
          cur = arith(l, pending);
          cost = 0;
        }
        cur.members.add(m);
        home.put(m, cur);
        cost += c;
      }
      if (!pending.isEmpty()) {
        arith(l, pending);
      }
    }
    for (Pass p : passes) {
      if (p instanceof Call c) {
        slots.putIfAbsent(c.fn.operand(0), slots.size());
        slot(c.fn);
      } else if (p instanceof Arith a) {
        for (Inst m : a.stores) {
          slot(m);
        }
        for (Inst m : a.members) {
          for (int i = 0; i < m.arity(); i++) {
            if (m.operand(i) instanceof Inst o
                && home.get(o) != null
                && home.get(o) != p
                && !a.layout.plan.isCopyMember(o)) {
              slot(o);
            }
          }
        }
      }
    }
  }

  /** A new arithmetic pass of loop {@code l}, storing the function values {@code pending}. */
  private Arith arith(LoopLayout l, List<Inst> pending) {
    Arith a = new Arith(l, new ArrayList<>(), new ArrayList<>(pending), new ArrayList<>());
    pending.clear();
    passes.add(a);
    return a;
  }

  private void slot(Inst v) {
    slots.putIfAbsent(v, slots.size());
  }

  /**
   * The index of pass {@code k}'s handle among the kernel's pass handles: an arithmetic pass has
   * two (whole steps, masked step), a function one.
   */
  int handle(int k) {
    int h = 0;
    for (int j = 0; j < k; j++) {
      h += passes.get(j) instanceof Arith ? 2 : 1;
    }
    return h;
  }

  /** The block buffers' count, then one {@code double[16]} of sum partials per reduction. */
  int buffers() {
    return slots.size();
  }

  /** True when {@code k} takes this form: some member is an elementary function but {@code exp}. */
  static boolean blocked(Kernel k) {
    for (LoopLayout l : k.loops) {
      for (Inst m : l.loop.members) {
        if (isCall(l, m) && m.op() != Op.EXP) {
          return true;
        }
      }
    }
    return false;
  }

  /** Why loop {@code l} of a blocked kernel cannot take this form, or null. */
  static String unsupported(LoopLayout l) {
    for (Access a : l.buffers) {
      if (a.dtype != DType.F64) {
        return a.dtype + " data with elementary functions";
      }
    }
    for (Inst m : l.loop.members) {
      if (m.type().dtype() == DType.F32) {
        return "f32 values with elementary functions";
      }
    }
    return null;
  }

  /** True for a member computed by an elementary function ({@code lib.vector.MathBlocks}). */
  static boolean isCall(LoopLayout l, Inst m) {
    if (LoopPlan.isReduction(m) || l.plan.isCopyMember(m) || m.op().kind() != Op.Kind.ELEMENTWISE) {
      return false;
    }
    return switch (m.op().elementwise()) {
      case EXP, EXPM1, LOG, LOG1P, SIGMOID, TANH, ERF, ERFC, SIN, COS -> true;
      default -> false;
    };
  }

  /** The vector operations a member costs: loads of its buffers, the op, compares and blends. */
  private static int cost(LoopLayout l, Inst m) {
    if (LoopPlan.isReduction(m)) {
      return 3;
    }
    int c = l.stores.get(m) != null ? 2 : 1;
    if (l.plan.isCopyMember(m) || m.op().kind() != Op.Kind.ELEMENTWISE) {
      return c;
    }
    return switch (m.op().elementwise()) {
      case LT, LE, GT, GE, EQ, NE, WHERE -> c + 2;
      case CLAMP, RSQRT, RECIPROCAL -> c + 1;
      default -> c;
    };
  }
}
