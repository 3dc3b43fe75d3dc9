package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.LibraryCall;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.ResultKind;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.ScalarMath;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Writes the driver {@code call(args, shapes, outs, pool, threads)}: binds the arguments and the
 * symbolic dims ({@link DriverSlots}), then does the plan's work in order (each kernel step,
 * library call and scalar), delivers the results into {@code outs}, and returns {@code outs}. A
 * large driver runs in frame mode: its work is split into segment methods, each below the JIT's
 * size limit.
 */
final class DriverEmitter {
  /** Above this estimated driver size, state moves to frame arrays and steps to segments. */
  static final int LOCALS_MODE_LIMIT = 24_000;

  /** The estimated bytecode size of one segment method, kept below C2's 8,000-byte limit. */
  static final int SEGMENT_LIMIT = 6_000;

  /** One item of the driver's work. */
  private sealed interface Work permits Plain, RunKernel, CallLibrary, ComputeScalar {
    /** A rough bytecode size of the driver code for this item. */
    int estimate();

    void emit(DriverSlots d);
  }

  /**
   * A step of the driver's own: taking an argument and the symbols its shape binds ({@link
   * DriverSlots#bindArgument}), computing an extent from the symbols ({@link
   * DriverSlots#computeExtent}) or delivering a result into {@code outs} where no step wrote it.
   */
  private record Plain(int estimate, Consumer<DriverSlots> body) implements Work {
    @Override
    public void emit(DriverSlots d) {
      body.accept(d);
    }
  }

  /** Runs a kernel in chunks ({@link KernelRun}). */
  private record RunKernel(KernelSignature sig) implements Work {
    @Override
    public int estimate() {
      Kernel k = sig.kernel;
      int args = k.buffers.size() + k.scalars.size() + k.intParams.size();
      return 500 + 40 * args + 80 * k.reductions.size();
    }

    @Override
    public void emit(DriverSlots d) {
      KernelRun.emit(d, sig);
    }
  }

  /** Calls a library routine ({@link LibraryCalls}). */
  private record CallLibrary(LibraryCall call) implements Work {
    @Override
    public int estimate() {
      return 400;
    }

    @Override
    public void emit(DriverSlots d) {
      LibraryCalls.emit(d, call);
    }
  }

  /** Computes a scalar between steps. */
  private record ComputeScalar(Inst inst) implements Work {
    @Override
    public int estimate() {
      return 40;
    }

    @Override
    public void emit(DriverSlots d) {
      GeneratorAdapter g = d.g;
      DType dt = inst.type().dtype();
      switch (inst.op().kind()) {
        case ELEMENTWISE -> {
          DType operand = inst.operand(inst.arity() - 1).type().dtype();
          if (ScalarMath.isInteger(inst.op(), operand, dt)) {
            d.ops.emitInteger(inst.op(), operand, dt, k -> d.pushScalarValue(inst.operand(k)));
          } else {
            d.ops.emit(inst.op(), dt, k -> d.pushScalar(inst.operand(k)));
            Jvm.fromDouble(g, dt);
          }
        }
        case REDUCTION -> sameScalar(d);
        case NORMALIZE -> throw new IllegalArgumentException("normalizations are lowered");
        case STRUCTURAL -> {
          switch (inst.op().structure()) {
            case NUMEL -> {
              d.pushExtent(numelExtent(inst));
              g.visitInsn(Opcodes.I2D);
              Jvm.fromDouble(g, dt);
            }
            case RESHAPE, TRANSPOSE, PERMUTE, UNSQUEEZE, SQUEEZE, BROADCAST, SUM_TO ->
                sameScalar(d);
            case MATMUL, SVD, ONE_HOT, SLICE, SLICE_BACKWARD, GATHER, SCATTER_ADD, SCATTER, SCAN ->
                throw new IllegalArgumentException("library calls are steps of their own");
          }
        }
      }
      d.defineScalarValue(inst);
    }

    /**
     * A reduction or view of a one-element value is the value itself: pushes it as this
     * instruction's {@link Jvm#valueType}, exact for i64.
     */
    private void sameScalar(DriverSlots d) {
      DType dt = inst.type().dtype();
      if (dt == inst.operand(0).type().dtype()) {
        d.pushScalarValue(inst.operand(0));
        return;
      }
      d.pushScalar(inst.operand(0));
      Jvm.round(d.g, dt);
      Jvm.fromDouble(d.g, dt);
    }
  }

  private final Plan plan;
  private final Func f;
  private final ClassVisitor cv;
  private final Type owner;
  private final LibraryCopier lib;
  private final Map<Kernel, KernelSignature> signatures;

  private DriverEmitter(
      Plan plan,
      ClassVisitor cv,
      Type owner,
      LibraryCopier lib,
      Map<Kernel, KernelSignature> signatures) {
    this.plan = plan;
    this.f = plan.func();
    this.cv = cv;
    this.owner = owner;
    this.lib = lib;
    this.signatures = signatures;
  }

  /**
   * Writes the driver of {@code plan} into {@code cv}, in frame mode when it is large or {@code
   * forceFrames} is set; {@code signatures} are the kernels' methods.
   */
  static void emit(
      Plan plan,
      ClassVisitor cv,
      Type owner,
      LibraryCopier lib,
      Map<Kernel, KernelSignature> signatures,
      boolean forceFrames) {
    new DriverEmitter(plan, cv, owner, lib, signatures).driver(forceFrames);
  }

  private void driver(boolean forceFrames) {
    GeneratorAdapter g = Jvm.method(cv, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, ClassEmitter.CALL);
    Label haveOuts = new Label();
    g.loadArg(DriverSlots.OUTS_ARG);
    g.ifNonNull(haveOuts);
    g.push(f.results().size());
    g.newArray(Jvm.OBJECT);
    g.storeArg(DriverSlots.OUTS_ARG);
    g.mark(haveOuts);
    List<Work> items = new ArrayList<>();
    for (Param p : f.params()) {
      items.add(new Plain(20 + 30 * p.type().rank(), d -> d.bindArgument(p)));
    }
    for (Extent e : neededExtents()) {
      items.add(new Plain(16 + 12 * e.symbols().size(), d -> d.computeExtent(e)));
    }
    items.addAll(workList());
    for (int i = 0; i < f.results().size(); i++) {
      if (plan.loops.resultKinds.get(i) != ResultKind.DIRECT) {
        int r = i;
        items.add(new Plain(60, d -> result(d, r)));
      }
    }
    int size = 0;
    for (Work item : items) {
      size += item.estimate();
    }
    boolean frameMode = forceFrames || size > LOCALS_MODE_LIMIT;
    DriverSlots d = new DriverSlots(plan, cv, owner, lib, g, frameMode);
    if (!frameMode) {
      for (Work item : items) {
        item.emit(d);
      }
    } else {
      d.allocateFrames();
      int[] callFrames = d.frames();
      int segment = 0;
      int from = 0;
      while (from < items.size()) {
        int to = from;
        int budget = 0;
        while (to < items.size()
            && (to == from || budget + items.get(to).estimate() <= SEGMENT_LIMIT)) {
          budget += items.get(to).estimate();
          to++;
        }
        Method m = new Method("segment" + segment++, DriverSlots.SEGMENT_DESC);
        d.enter(Jvm.method(cv, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, m));
        d.receiveFrames();
        for (Work item : items.subList(from, to)) {
          item.emit(d);
        }
        d.g.returnValue();
        d.g.endMethod();
        d.enter(g);
        d.restoreFrames(callFrames);
        d.callSegment(m);
        from = to;
      }
      d.emitFrameAllocators();
    }
    g.loadArg(DriverSlots.OUTS_ARG);
    g.returnValue();
    g.endMethod();
  }

  /** The driver's work in order: scalars ready first, then each step and the scalars it enables. */
  private List<Work> workList() {
    // The scalars each step makes computable, in program order, bucketed in one pass.
    Map<Integer, List<Work>> ready = new HashMap<>();
    for (Inst inst : f.insts()) {
      Home h = plan.home(inst);
      if (h.where() != Where.SCALAR) {
        continue;
      }
      if (LoopPlan.isLibrary(inst) || (LoopPlan.isReduction(inst) && !allScalar(inst))) {
        continue; // set by its step
      }
      ready.computeIfAbsent(h.readyAt(), k -> new ArrayList<>()).add(new ComputeScalar(inst));
    }
    List<Work> items = new ArrayList<>(ready.getOrDefault(-1, List.of()));
    for (Step s : plan.steps()) {
      if (s instanceof Loop n) {
        Kernel k = plan.kernelOf(n);
        if (k.firstLoop() == n) {
          items.add(new RunKernel(signatures.get(k)));
        }
      } else {
        items.add(new CallLibrary((LibraryCall) s));
      }
      items.addAll(ready.getOrDefault(s.index, List.of()));
    }
    return items;
  }

  private static boolean allScalar(Inst inst) {
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && !LoopPlan.isOneElement(v.type())) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- extents

  /** Every extent the driver and kernels need. */
  private Set<Extent> neededExtents() {
    Set<Extent> need = new LinkedHashSet<>();
    for (Kernel k : plan.kernels) {
      need.addAll(k.intParams);
      need.add(k.outerCount());
      for (LoopLayout l : k.loops) {
        need.add(l.innerSize());
      }
      for (Reduction r : k.reductions) {
        need.add(r.count);
      }
    }
    List<Value> values = new ArrayList<>(f.params());
    values.addAll(f.insts());
    for (Value v : values) {
      if (!v.type().isScalar()) {
        need.add(Extent.product(v.type().dims()));
        for (Dim dim : v.type().dims()) {
          need.add(Extent.of(dim));
        }
        need.addAll(Extent.contiguousStrides(v.type().dims()));
        // the leading products: the outer counts of library calls along one dim (slice)
        for (int k = 1; k < v.type().rank(); k++) {
          need.add(Extent.product(v.type().dims().subList(0, k)));
        }
      }
      Home h = plan.home(v);
      if (h.where() == Where.VIEW) {
        need.addAll(h.strides());
        need.add(h.offset());
      }
    }
    for (Inst inst : f.insts()) {
      if (inst.op() == Op.NUMEL) {
        need.add(numelExtent(inst));
      }
    }
    need.removeIf(Extent::isConstant);
    return need;
  }

  /** The element count {@code numel} stands for: the product of the counted dims. */
  private static Extent numelExtent(Inst inst) {
    boolean[] red = Typing.reducedMask(inst.operand(0).type().rank(), inst.dims());
    List<Dim> counted = new ArrayList<>();
    for (int dim = 0; dim < red.length; dim++) {
      if (red[dim]) {
        counted.add(inst.operand(0).type().dim(dim));
      }
    }
    return Extent.product(counted);
  }

  // ---------------------------------------------------------------- results

  /** Delivers result {@code i}: copies its buffer into {@code outs[i]}, or fills it. */
  private static void result(DriverSlots d, int i) {
    GeneratorAdapter g = d.g;
    Value r = d.f.result(i);
    DType dt = r.type().dtype();
    switch (d.plan.loops.resultKinds.get(i)) {
      case DIRECT -> {}
      case COPY -> {
        int src = d.contiguousBuffer(r);
        d.pushExtent(Extent.product(r.type().dims()));
        d.outputArray(i, dt);
        int dst = g.newLocal(Jvm.arrayType(dt));
        g.storeLocal(dst);
        g.loadLocal(src);
        g.push(0);
        g.loadLocal(dst);
        g.push(0);
        d.pushExtent(Extent.product(r.type().dims()));
        g.invokeStatic(
            Type.getType(System.class),
            new Method("arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V"));
      }
      case FILL -> {
        d.pushExtent(Extent.product(r.type().dims()));
        d.outputArray(i, dt);
        d.pushScalarValue(r);
        fill(g, dt);
      }
    }
  }

  /** With an array of {@code dt} and a {@link Jvm#valueType} on the stack, fills the array. */
  private static void fill(GeneratorAdapter g, DType dt) {
    Type arrays = Type.getType(java.util.Arrays.class);
    switch (dt) {
      case F64 -> g.invokeStatic(arrays, new Method("fill", "([DD)V"));
      case F32 -> {
        g.visitInsn(Opcodes.D2F);
        g.invokeStatic(arrays, new Method("fill", "([FF)V"));
      }
      case I64 -> {
        g.invokeStatic(arrays, new Method("fill", "([JJ)V"));
      }
      case BOOL -> {
        g.push(0.0);
        g.visitInsn(Opcodes.DCMPL);
        g.invokeStatic(arrays, new Method("fill", "([ZZ)V"));
      }
    }
  }
}
