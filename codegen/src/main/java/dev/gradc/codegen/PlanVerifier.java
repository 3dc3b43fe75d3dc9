package dev.gradc.codegen;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.LibraryCall;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.ResultKind;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a {@link LoopPlan} against the rules {@link FusionPlanner} follows, stated here as the
 * plan's invariants. "Ready" means: a literal or argument before any step; a scalar or buffer after
 * the step its home names; an element after its loop; a view or broadcast scalar when its base's
 * buffer is, where the buffer of a copied view is ready after its copy loop. Loops read a view
 * through its base; only what needs it contiguous reads a view's copy.
 *
 * <ol>
 *   <li><b>Homes.</b> Every value has a home. A parameter is an argument, or a scalar when it has
 *       one element. Scalars are exactly the values of one element that are not views; broadcast
 *       scalars are views of a literal or a scalar.
 *   <li><b>Steps.</b> Steps are numbered 0, 1, ... in order. A library call computes {@code matmul}
 *       or {@code one_hot} into a buffer (or scalar) ready after it.
 *   <li><b>Loops.</b> A loop has between 1 and {@link FusionPlanner#MAX_MEMBERS} members, each over
 *       the loop's domain (a reduction over its operand's shape), in definition order except for
 *       copies of views, which join a loop when a later reader needs the view contiguous.
 *   <li><b>Membership.</b> Each instruction belongs to at most one loop. An elementwise member's
 *       home is an element of that loop, and every element belongs to the loop its home names; a
 *       reduction member is a scalar or buffer ready after its loop; a view member is a view (or
 *       broadcast scalar) that names the loop as its copy, and every copied view is a member of its
 *       copy loop.
 *   <li><b>Dependencies.</b> A member reads elements of its own loop computed before it, and
 *       anything else only once ready before the loop starts: so a value that needs a finished
 *       reduction is in a later loop than the reduction. An element read outside its loop is
 *       stored.
 *   <li><b>Views.</b> A view reads the buffer of a base that is not itself a plain view: an
 *       argument, a buffer, a stored element or a copied view; it has one stride per dim. Only a
 *       reshape that gather and scatter calls alone read may be of a plain view.
 *   <li><b>Scalars.</b> A scalar computed between steps is ready no earlier than its operands
 *       ({@code numel}, which reads shapes only, is ready before any step).
 *   <li><b>Library calls.</b> Their operands' buffers are ready before the call (a copied view's:
 *       its copy); element operands are stored; a {@code one_hot} operand that is a view is copied
 *       or reads its base in order. Matmul reads views in place, and gather and scatter their index
 *       and source views and a broadcast scalar {@code self} ({@link LoopPlan#readsInPlace}): the
 *       buffer under the view must be ready.
 *   <li><b>Results.</b> A direct result is a buffer, stored element or copied view whose home names
 *       that result as its output (or a view of such a buffer in order); each output names one
 *       result; a filled result is a literal, scalar or broadcast scalar.
 * </ol>
 */
final class PlanVerifier {
  private final LoopPlan plan;
  private final Func f;
  private final List<String> errors = new ArrayList<>();

  private PlanVerifier(LoopPlan plan) {
    this.plan = plan;
    this.f = plan.func;
  }

  /** Returns {@code plan}, or throws {@link IllegalStateException} listing every broken rule. */
  public static LoopPlan verify(LoopPlan plan) {
    PlanVerifier v = new PlanVerifier(plan);
    v.run();
    if (!v.errors.isEmpty()) {
      throw new IllegalStateException(
          "invalid loop plan:\n  " + String.join("\n  ", v.errors) + "\n" + plan.text());
    }
    return plan;
  }

  private void fail(String rule, String message) {
    errors.add(rule + ": " + message);
  }

  private String name(Value v) {
    return Printer.name(f, v);
  }

  private void run() {
    homes();
    int[] memberOf = new int[f.valueCount()];
    java.util.Arrays.fill(memberOf, -1);
    for (int i = 0; i < plan.steps.size(); i++) {
      Step s = plan.steps.get(i);
      if (s.index != i) {
        fail("steps", "step " + i + " is numbered " + s.index);
      }
      if (s instanceof Loop l) {
        loop(l, memberOf);
      } else {
        call((LibraryCall) s);
      }
    }
    for (Inst inst : f.insts()) {
      Home h = plan.home(inst);
      if (h.where() == Where.ELEMENT && memberOf[inst.id()] != h.loop()) {
        fail(
            "membership",
            name(inst) + " is an element of loop " + h.loop() + " but not its member");
      }
      if (h.isCopied() && memberOf[inst.id()] != h.copy()) {
        fail("membership", name(inst) + " is copied by loop " + h.copy() + " but not its member");
      }
      // numel depends on shapes only: it is ready before any step, whatever its operand.
      boolean computed = !isReduction(inst) && !isLibrary(inst) && inst.op() != Op.NUMEL;
      if (h.where() == Where.SCALAR && computed) {
        for (Value v : inst.operands()) {
          if (ready(v) > h.readyAt()) {
            fail("scalars", name(inst) + " is ready before its operand " + name(v));
          }
        }
      }
      if (h.where() == Where.VIEW) {
        view(inst, h);
      }
    }
    results();
  }

  private static boolean isReduction(Inst inst) {
    return LoopPlan.isReduction(inst);
  }

  private static boolean isLibrary(Inst inst) {
    return LoopPlan.isLibrary(inst);
  }

  /** When {@code v} can be read outside the step that makes it (see the class comment). */
  private int ready(Value v) {
    if (v instanceof Lit) {
      return -1;
    }
    Home h = plan.home(v);
    return switch (h.where()) {
      case ARG -> -1;
      case SCALAR, BUFFER -> h.readyAt();
      case ELEMENT -> h.loop();
      case VIEW, BCAST_SCALAR -> bufferReady(h.base());
    };
  }

  /** When the contiguous buffer of {@code v} is written: its copy loop, if it is a copied view. */
  private int bufferReady(Value v) {
    Home h = plan.home(v);
    return h != null && h.isCopied() ? h.copy() : ready(v);
  }

  private void homes() {
    for (Param p : f.params()) {
      Home h = plan.home(p);
      Where want = LoopPlan.isOneElement(p.type()) ? Where.SCALAR : Where.ARG;
      if (h == null || h.where() != want) {
        fail("homes", "parameter " + name(p) + " should be " + want);
      }
    }
    for (Inst inst : f.insts()) {
      Home h = plan.home(inst);
      if (h == null) {
        fail("homes", name(inst) + " has no home");
        continue;
      }
      boolean one = LoopPlan.isOneElement(inst.type());
      boolean scalar = h.where() == Where.SCALAR;
      if (h.where() != Where.BCAST_SCALAR && one != scalar) {
        fail("homes", name(inst) + " is " + h.where() + (one ? " with one element" : ""));
      }
      if (h.where() == Where.BCAST_SCALAR
          && !(h.base() instanceof Lit || plan.home(h.base()).where() == Where.SCALAR)) {
        fail("homes", name(inst) + " broadcasts " + name(h.base()) + ", not a scalar");
      }
    }
  }

  private void loop(Loop l, int[] memberOf) {
    if (l.members.isEmpty() || l.members.size() > FusionPlanner.MAX_MEMBERS) {
      fail("loops", "loop " + l.index + " has " + l.members.size() + " members");
    }
    int last = -1;
    for (Inst m : l.members) {
      if (!plan.isCopyMember(m)) {
        if (m.id() <= last) {
          fail("loops", "loop " + l.index + " lists " + name(m) + " out of definition order");
        }
        last = m.id();
      }
      if (!FusionPlanner.domainOf(m).equals(l.domain)) {
        fail("loops", name(m) + " is not over the domain " + l.domain + " of loop " + l.index);
      }
      if (memberOf[m.id()] >= 0) {
        fail(
            "membership",
            name(m) + " is a member of loops " + memberOf[m.id()] + " and " + l.index);
      }
      memberOf[m.id()] = l.index;
      Home h = plan.home(m);
      if (plan.isCopyMember(m)) {
        if (h.copy() != l.index) {
          fail("membership", "view " + name(m) + " in loop " + l.index + " names copy " + h.copy());
        }
        if (h.where() != Where.VIEW) {
          readBefore(l, m, h.base()); // a broadcast scalar's scalar
        } else if (bufferReady(h.base()) >= l.index) {
          fail("dependencies", "loop " + l.index + " copies " + name(m) + " too early");
        }
      } else if (isReduction(m)) {
        if ((h.where() != Where.SCALAR && h.where() != Where.BUFFER) || h.readyAt() != l.index) {
          fail("membership", "reduction " + name(m) + " is not ready after loop " + l.index);
        }
        operands(l, m);
      } else {
        if (h.where() != Where.ELEMENT || h.loop() != l.index) {
          fail("membership", name(m) + " in loop " + l.index + " is " + h.where());
        }
        operands(l, m);
      }
    }
  }

  private void operands(Loop l, Inst m) {
    for (Value v : m.operands()) {
      if (plan.isLocalTo(l, v)) {
        if (v.id() >= m.id()) {
          fail("dependencies", name(m) + " reads " + name(v) + " before it is computed");
        }
      } else {
        readBefore(l, m, v);
      }
    }
  }

  /** {@code m} in loop {@code l} reads {@code v} from outside the loop. */
  private void readBefore(Loop l, Inst m, Value v) {
    if (v instanceof Lit) {
      return;
    }
    if (ready(v) >= l.index) {
      fail("dependencies", name(m) + " in loop " + l.index + " reads " + name(v) + " too early");
    }
    Home h = plan.home(v);
    if (h.where() == Where.ELEMENT && !h.stored()) {
      fail("dependencies", name(m) + " reads " + name(v) + " of loop " + h.loop() + ", not stored");
    }
  }

  private void call(LibraryCall c) {
    Inst inst = c.inst;
    Inst bagGather = LoopPlan.bagSumGather(inst, f.useCounts());
    if (!isLibrary(inst) && bagGather == null) {
      fail("steps", "call " + c.index + " computes " + inst.op().mnemonic());
      return;
    }
    Home h = plan.home(inst);
    if ((h.where() != Where.BUFFER && h.where() != Where.SCALAR) || h.readyAt() != c.index) {
      fail("steps", "call " + c.index + " does not make " + name(inst) + " ready after it");
    }
    // A bag sum reads what its gather would.
    Inst reader = bagGather != null ? bagGather : inst;
    for (int i = 0; i < reader.operands().size(); i++) {
      Value v = reader.operand(i);
      if (v instanceof Lit) {
        continue;
      }
      if (LoopPlan.readsInPlace(reader, i, plan.home(v))) {
        // read through the strides of a view, or a broadcast scalar's scalar
        Value w = plan.inPlaceView(v);
        if (bufferReady(plan.home(w).base()) >= c.index) {
          fail("library calls", "call " + c.index + " reads " + name(v) + " too early");
        }
        continue;
      }
      if (bufferReady(v) >= c.index) {
        fail("library calls", "call " + c.index + " reads " + name(v) + " too early");
      }
      Home hv = plan.home(v);
      if (hv.where() == Where.ELEMENT && !hv.stored()) {
        fail("library calls", "call " + c.index + " reads " + name(v) + ", not stored");
      }
      if (hv.where() == Where.VIEW && !hv.isCopied() && !hv.isViewFromStart()) {
        fail("library calls", "call " + c.index + " reads the slice " + name(v) + " in place");
      }
      if (reader.op() != Op.MATMUL && hv.where() == Where.VIEW && !hv.isCopied()) {
        if (!Extent.isContiguous(v.type().dims(), hv.strides())) {
          fail(
              "library calls",
              reader.op().mnemonic() + " reads the view " + name(v) + " out of order");
        }
      }
    }
  }

  private void view(Inst inst, Home h) {
    Value base = h.base();
    if (h.guard() != null && !h.guard().equals(guardOf(inst))) {
      fail("views", name(inst) + " is guarded by " + h.guard() + ", not by its slice");
    }
    if (h.guard() != null && (base instanceof Lit || plan.home(base).where() == Where.SCALAR)) {
      return; // a slice_backward of a broadcast scalar: the scalar inside the slice
    }
    if (base == null || base instanceof Lit) {
      fail("views", name(inst) + " has no base buffer");
      return;
    }
    Home hb = plan.home(base);
    if (hb.where() == Where.VIEW && !hb.isCopied() && inst.op() == Op.RESHAPE) {
      deferred(inst);
      return;
    }
    boolean buffer =
        switch (hb.where()) {
          case ARG, BUFFER -> true;
          case ELEMENT -> hb.stored();
          case VIEW, BCAST_SCALAR -> hb.isCopied();
          case SCALAR -> false;
        };
    if (!buffer) {
      fail("views", name(inst) + " reads " + name(base) + ", which has no buffer");
    }
    if (h.strides() == null || h.strides().size() != inst.type().rank()) {
      fail("views", name(inst) + " has strides " + h.strides() + " for rank " + inst.type().rank());
    }
    if (h.offset() == null) {
      fail("views", name(inst) + " has no offset");
    }
  }

  /** The guard of a {@code slice_backward} read in place; null for any other op. */
  private static LoopPlan.Guard guardOf(Inst inst) {
    return inst.op() == Op.SLICE_BACKWARD ? LoopPlan.Guard.of(inst) : null;
  }

  /**
   * A reshape of a plain view, not copied: only gather and scatter calls read it, in place through
   * that view.
   */
  private void deferred(Inst inst) {
    for (Inst user : f.insts()) {
      for (int i = 0; i < user.operands().size(); i++) {
        if (user.operand(i) == inst
            && !(isLibrary(user) && LoopPlan.readsInPlace(user, i, Where.VIEW))) {
          fail("views", name(user) + " reads " + name(inst) + ", a reshape of a plain view");
        }
      }
    }
    if (f.results().contains(inst)) {
      fail("views", "the result " + name(inst) + " is a reshape of a plain view");
    }
  }

  private void results() {
    int n = f.results().size();
    int[] claimed = new int[n];
    List<Value> values = new ArrayList<>(f.params());
    values.addAll(f.insts());
    for (Value v : values) {
      int o = plan.home(v).output();
      if (o >= n) {
        fail("results", name(v) + " names output " + o + " of " + n);
      } else if (o >= 0) {
        claimed[o]++;
        if (plan.resultKinds.get(o) != ResultKind.DIRECT) {
          fail("results", name(v) + " is the buffer of result " + o + ", which is not direct");
        }
      }
    }
    for (int i = 0; i < n; i++) {
      Value r = f.result(i);
      ResultKind kind = plan.resultKinds.get(i);
      Home h = plan.home(r);
      switch (kind) {
        case FILL -> {
          if (h != null && h.where() != Where.SCALAR && h.where() != Where.BCAST_SCALAR) {
            fail("results", "result " + i + " is filled from " + h.where());
          }
        }
        case DIRECT -> {
          if (claimed[i] != 1 || directBuffer(r).output() != i) {
            fail("results", "result " + i + " is direct but its buffer is not output " + i);
          }
        }
        case COPY -> {}
      }
    }
  }

  /** The home of the buffer a direct result's elements are in. */
  private Home directBuffer(Value r) {
    Home h = plan.home(r);
    if (h.where() == Where.VIEW && !h.isCopied() && h.output() < 0) {
      return plan.home(h.base());
    }
    return h;
  }
}
