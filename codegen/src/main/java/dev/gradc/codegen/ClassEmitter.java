package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.LibraryCall;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.ResultKind;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.codegen.lib.Matmul;
import dev.gradc.codegen.lib.OneHot;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Typing;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Writes one class for one plan: a kernel method per nest, copies of the library routines used, and
 * the driver {@code public static Object[] call(Object[] args, int[][] shapes, Object[] outs)},
 * which binds the symbolic dims from the argument shapes, allocates buffers (results go into {@code
 * outs} when the caller provides arrays there), runs the steps in order in fixed-size chunks,
 * computes scalars between steps, and returns {@code outs}. Arguments are trusted: the runtime
 * checks dtypes and shapes before calling.
 */
public final class ClassEmitter {
  /**
   * Elements (flat nests) or row-elements per chunk; fixed, so results do not depend on threads.
   */
  static final int CHUNK = 1 << 15;

  static final Method CALL =
      Method.getMethod(
          "Object[] call(Object[], int[][], Object[], java.util.concurrent.ExecutorService, int)");
  static final Method CALL_SEQUENTIAL =
      Method.getMethod("Object[] call(Object[], int[][], Object[])");

  private static final int POOL_ARG = 3;
  private static final int THREADS_ARG = 4;
  private static final Type MATH = Type.getType(Math.class);
  private static final Type OBJECT = Type.getType(Object.class);
  private static final Type FUTURE = Type.getType(java.util.concurrent.Future.class);
  private static final Type EXECUTOR = Type.getType(java.util.concurrent.ExecutorService.class);
  private static final Method TASK_INIT = Method.getMethod("void <init>(int, int, int, Object[])");
  private static final Method AWAIT = Method.getMethod("void await(java.util.concurrent.Future)");

  private final Plan plan;
  private final Func f;
  private final Type owner;
  private final ClassWriter cw;
  private final LibraryCopier lib;
  private final Map<Kernel, String> kernelNames = new IdentityHashMap<>();

  private GeneratorAdapter g;
  private OpEmitter ops;
  /*
   * Driver state: in locals mode a slot is a local; in frame mode (large functions, whose driver
   * is split into segment methods) a slot is an index into the frame arrays bufs/sc/ex, which
   * every segment receives.
   */
  private final Map<Value, Integer> scalarSlot = new IdentityHashMap<>();
  private final Map<Value, Integer> bufferSlot = new IdentityHashMap<>();
  private final Map<String, Integer> symbolSlot = new HashMap<>();
  private final Map<Extent, Integer> extentSlot = new HashMap<>();
  private boolean frameMode;
  private int bufFrame;
  private int scFrame;
  private int exFrame;
  private int nextInt;
  private int outsArg;

  private ClassEmitter(Plan plan, String internalName) {
    this.plan = plan;
    this.f = plan.func();
    this.owner = Type.getObjectType(internalName);
    this.cw =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected String getCommonSuperClass(String a, String b) {
            return "java/lang/Object";
          }
        };
    this.lib = new LibraryCopier(internalName);
  }

  /**
   * The bytes of a class named {@code internalName} (slashes) that runs {@code plan}; with {@code
   * frameMode}, the driver is in frame mode whatever its size (tests exercise it on small plans).
   */
  static byte[] emit(Plan plan, String internalName, boolean frameMode) {
    ClassEmitter e = new ClassEmitter(plan, internalName);
    e.forceFrames = frameMode;
    return e.run();
  }

  private boolean forceFrames;

  private byte[] run() {
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        owner.getInternalName(),
        null,
        "java/lang/Object",
        new String[] {"java/lang/Runnable"});
    for (Kernel k : plan.kernels) {
      String name = "nest" + k.firstLoop().index;
      kernelNames.put(k, name);
      NestEmitter.emit(cw, owner, lib, k, name);
      chunks(k);
    }
    task();
    driver();
    sequentialEntry();
    lib.emitInto(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  // ---------------------------------------------------------------- driver

  private void driver() {
    g = newMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, CALL);
    outsArg = 2;
    Label haveOuts = new Label();
    g.loadArg(outsArg);
    g.ifNonNull(haveOuts);
    g.push(f.results().size());
    g.newArray(OBJECT);
    g.storeArg(outsArg);
    g.mark(haveOuts);
    List<Object> items = workList();
    Set<Extent> extents = neededExtents();
    int size = 40 * f.params().size() + 16 * extents.size();
    for (Object item : items) {
      size += estimate(item);
    }
    frameMode = forceFrames || size > LOCALS_MODE_LIMIT;
    if (frameMode) {
      bufFrame = g.newLocal(Jvm.OBJECT_ARRAY);
      g.push(f.valueCount());
      g.newArray(OBJECT);
      g.storeLocal(bufFrame);
      scFrame = g.newLocal(Jvm.DOUBLE_ARRAY);
      g.push(f.valueCount());
      g.newArray(Type.DOUBLE_TYPE);
      g.storeLocal(scFrame);
      exFrame = g.newLocal(Type.getType(int[].class));
      g.push(symbolCount() + extents.size());
      g.newArray(Type.INT_TYPE);
      g.storeLocal(exFrame);
    }
    bindArguments();
    computeExtents(extents);
    if (!frameMode) {
      for (Object item : items) {
        emitItem(item);
      }
    } else {
      GeneratorAdapter call = g;
      int[] callFrames = {bufFrame, scFrame, exFrame};
      int segment = 0;
      int from = 0;
      while (from < items.size()) {
        int to = from;
        int budget = 0;
        while (to < items.size()
            && (to == from || budget + estimate(items.get(to)) <= SEGMENT_LIMIT)) {
          budget += estimate(items.get(to));
          to++;
        }
        Method m = new Method("segment" + segment++, SEGMENT_DESC);
        g = newMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, m);
        frameLocals();
        for (Object item : items.subList(from, to)) {
          emitItem(item);
        }
        g.returnValue();
        g.endMethod();
        g = call;
        ops = new OpEmitter(g, owner, lib);
        bufFrame = callFrames[0];
        scFrame = callFrames[1];
        exFrame = callFrames[2];
        for (int a = 0; a < 5; a++) {
          g.loadArg(a);
        }
        g.loadLocal(bufFrame);
        g.loadLocal(scFrame);
        g.loadLocal(exFrame);
        g.invokeStatic(owner, m);
        from = to;
      }
    }
    results();
    g.loadArg(outsArg);
    g.returnValue();
    g.endMethod();
  }

  /** Above this estimated driver size, state moves to frame arrays and steps to segments. */
  static final int LOCALS_MODE_LIMIT = 24_000;

  /** The estimated bytecode size of one segment method, kept below C2's 8,000-byte limit. */
  static final int SEGMENT_LIMIT = 6_000;

  private static final String SEGMENT_DESC =
      "([Ljava/lang/Object;[[I[Ljava/lang/Object;Ljava/util/concurrent/ExecutorService;I"
          + "[Ljava/lang/Object;[D[I)V";

  /** In a segment method, the frame arrays arrive as arguments 5 to 7. */
  private void frameLocals() {
    bufFrame = g.newLocal(Jvm.OBJECT_ARRAY);
    g.loadArg(5);
    g.storeLocal(bufFrame);
    scFrame = g.newLocal(Jvm.DOUBLE_ARRAY);
    g.loadArg(6);
    g.storeLocal(scFrame);
    exFrame = g.newLocal(Type.getType(int[].class));
    g.loadArg(7);
    g.storeLocal(exFrame);
  }

  private GeneratorAdapter newMethod(int access, Method m) {
    GeneratorAdapter a =
        new GeneratorAdapter(
            access, m, cw.visitMethod(access, m.getName(), m.getDescriptor(), null, null));
    a.visitCode();
    ops = new OpEmitter(a, owner, lib);
    return a;
  }

  /** The driver's work in order: scalars ready first, then each step and the scalars it enables. */
  private List<Object> workList() {
    List<Object> items = new ArrayList<>(scalarsReadyAt(-1));
    for (Step s : plan.steps()) {
      if (s instanceof Loop n) {
        Kernel k = plan.kernelOf(n);
        if (k.firstLoop() == n) {
          items.add(k);
        }
      } else {
        items.add(s);
      }
      items.addAll(scalarsReadyAt(s.index));
    }
    return items;
  }

  /** A rough bytecode size of the driver code for one item of the work list. */
  private int estimate(Object item) {
    if (item instanceof Kernel l) {
      int args = l.buffers.size() + l.scalars.size() + l.intParams.size();
      return 500 + 40 * args + 80 * l.reductions.size();
    }
    if (item instanceof LibraryCall) {
      return 400;
    }
    return 40;
  }

  private void emitItem(Object item) {
    if (item instanceof Kernel k) {
      kernelStep(k);
    } else if (item instanceof LibraryCall ls) {
      libraryStep(ls);
    } else {
      emitScalar((Inst) item);
    }
  }

  private int symbolCount() {
    Set<String> syms = new LinkedHashSet<>();
    for (Param p : f.params()) {
      for (Dim d : p.type().dims()) {
        if (!d.isStatic()) {
          syms.add(d.symbol());
        }
      }
    }
    return syms.size();
  }

  // ---------------------------------------------------------------- slots

  private void defineScalar(Value v) {
    int t = g.newLocal(Type.DOUBLE_TYPE);
    g.storeLocal(t);
    if (!frameMode) {
      scalarSlot.put(v, t);
      return;
    }
    scalarSlot.put(v, v.id());
    g.loadLocal(scFrame);
    g.push(v.id());
    g.loadLocal(t);
    g.arrayStore(Type.DOUBLE_TYPE);
  }

  private void loadScalarSlot(int slot) {
    if (frameMode) {
      g.loadLocal(scFrame);
      g.push(slot);
      g.arrayLoad(Type.DOUBLE_TYPE);
    } else {
      g.loadLocal(slot);
    }
  }

  /** With an array on the stack, records it as the buffer of {@code v}. */
  private void defineBuffer(Value v, DType dtype) {
    int t = g.newLocal(Jvm.arrayType(dtype));
    g.storeLocal(t);
    if (!frameMode) {
      bufferSlot.put(v, t);
      return;
    }
    bufferSlot.put(v, v.id());
    g.loadLocal(bufFrame);
    g.push(v.id());
    g.loadLocal(t);
    g.arrayStore(OBJECT);
  }

  private void loadBufferSlot(int slot, DType dtype) {
    if (frameMode) {
      g.loadLocal(bufFrame);
      g.push(slot);
      g.arrayLoad(OBJECT);
      g.checkCast(Jvm.arrayType(dtype));
    } else {
      g.loadLocal(slot);
    }
  }

  /** With an int on the stack, records it under {@code key} (a symbol or an extent). */
  private int defineInt() {
    if (!frameMode) {
      int l = g.newLocal(Type.INT_TYPE);
      g.storeLocal(l);
      return l;
    }
    int t = g.newLocal(Type.INT_TYPE);
    g.storeLocal(t);
    int idx = nextInt++;
    g.loadLocal(exFrame);
    g.push(idx);
    g.loadLocal(t);
    g.arrayStore(Type.INT_TYPE);
    return idx;
  }

  private void loadIntSlot(int slot) {
    if (frameMode) {
      g.loadLocal(exFrame);
      g.push(slot);
      g.arrayLoad(Type.INT_TYPE);
    } else {
      g.loadLocal(slot);
    }
  }

  /** A new local holding what is on the stack. */
  private int temp(Type t) {
    int l = g.newLocal(t);
    g.storeLocal(l);
    return l;
  }

  private void bindArguments() {
    for (Param p : f.params()) {
      DType dt = p.type().dtype();
      Type at = Jvm.arrayType(dt);
      g.loadArg(0);
      g.push(p.id());
      g.arrayLoad(Type.getType(Object.class));
      g.checkCast(at);
      if (LoopPlan.isOneElement(p.type())) {
        g.push(0);
        Jvm.loadElement(g, dt);
        defineScalar(p);
        continue;
      }
      defineBuffer(p, dt);
      List<Dim> dims = p.type().dims();
      for (int d = 0; d < dims.size(); d++) {
        Dim dim = dims.get(d);
        if (dim.isStatic() || symbolSlot.containsKey(dim.symbol())) {
          continue;
        }
        g.loadArg(1);
        g.push(p.id());
        g.arrayLoad(Type.getType(int[].class));
        g.push(d);
        g.arrayLoad(Type.INT_TYPE);
        if (dim.factor() != 1) {
          g.push(dim.factor());
          g.visitInsn(Opcodes.IDIV);
        }
        symbolSlot.put(dim.symbol(), defineInt());
      }
    }
  }

  /** Every extent the driver and kernels need. */
  private Set<Extent> neededExtents() {
    Set<Extent> need = new LinkedHashSet<>();
    for (Kernel k : plan.kernels) {
      need.addAll(k.intParams);
      need.add(k.outerCount());
      for (LoopLayout l : k.stages) {
        need.add(l.sizes.get(l.rank() - 1));
      }
      for (Reduction r : k.reductions) {
        need.add(r.count);
      }
    }
    for (Value v : allValues()) {
      if (!v.type().isScalar()) {
        need.add(Extent.product(v.type().dims()));
        for (Dim d : v.type().dims()) {
          need.add(Extent.of(d));
        }
        for (Extent e : Extent.contiguousStrides(v.type().dims())) {
          need.add(e);
        }
      }
      Home h = v instanceof Lit ? null : plan.home(v);
      if (h != null && h.where() == Where.VIEW) {
        for (Extent e : h.strides()) {
          need.add(e);
        }
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

  /** Computes each needed extent once, after binding the symbols. */
  private void computeExtents(Set<Extent> need) {
    for (Extent e : need) {
      g.push((int) e.coeff());
      for (String s : e.symbols()) {
        loadIntSlot(symbolSlot.get(s));
        g.invokeStatic(MATH, new Method("multiplyExact", "(II)I"));
      }
      extentSlot.put(e, defineInt());
    }
  }

  private List<Value> allValues() {
    List<Value> all = new ArrayList<>(f.params());
    all.addAll(f.insts());
    return all;
  }

  private static Extent numelExtent(Inst inst) {
    boolean[] red = Typing.reducedMask(inst.operand(0).type().rank(), inst.dims());
    List<Dim> counted = new ArrayList<>();
    for (int d = 0; d < red.length; d++) {
      if (red[d]) {
        counted.add(inst.operand(0).type().dim(d));
      }
    }
    return Extent.product(counted);
  }

  private void pushExtent(Extent e) {
    if (e.isConstant()) {
      g.push((int) e.coeff());
    } else {
      loadIntSlot(extentSlot.get(e));
    }
  }

  /** {@code call(args, shapes, outs)}: the driver on the calling thread only. */
  private void sequentialEntry() {
    GeneratorAdapter m =
        new GeneratorAdapter(
            Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC,
            CALL_SEQUENTIAL,
            cw.visitMethod(
                Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC,
                CALL_SEQUENTIAL.getName(),
                CALL_SEQUENTIAL.getDescriptor(),
                null,
                null));
    m.visitCode();
    m.loadArgs();
    m.visitInsn(Opcodes.ACONST_NULL);
    m.push(1);
    m.invokeStatic(owner, CALL);
    m.returnValue();
    m.endMethod();
  }

  /**
   * The class is its own task type: an instance runs chunks {@code [c0, c1)} of one nest on a pool
   * thread. Fields, constructor, {@code run()}, and {@code await(Future)}, which rethrows the
   * task's own exception.
   */
  private void task() {
    for (String fld : new String[] {"nest", "c0", "c1"}) {
      cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, fld, "I", null, null).visitEnd();
    }
    cw.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "frame", "[Ljava/lang/Object;", null, null)
        .visitEnd();
    GeneratorAdapter init =
        new GeneratorAdapter(
            Opcodes.ACC_PRIVATE,
            TASK_INIT,
            cw.visitMethod(Opcodes.ACC_PRIVATE, "<init>", TASK_INIT.getDescriptor(), null, null));
    init.visitCode();
    init.loadThis();
    init.invokeConstructor(OBJECT, Method.getMethod("void <init>()"));
    String[] names = {"nest", "c0", "c1", "frame"};
    Type[] types = {Type.INT_TYPE, Type.INT_TYPE, Type.INT_TYPE, Jvm.OBJECT_ARRAY};
    for (int i = 0; i < 4; i++) {
      init.loadThis();
      init.loadArg(i);
      init.putField(owner, names[i], types[i]);
    }
    init.returnValue();
    init.endMethod();

    Method run = Method.getMethod("void run()");
    GeneratorAdapter r =
        new GeneratorAdapter(
            Opcodes.ACC_PUBLIC, run, cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "()V", null, null));
    r.visitCode();
    for (Kernel l : plan.kernels) {
      if (l.sequential) {
        continue;
      }
      Label next = new Label();
      r.loadThis();
      r.getField(owner, "nest", Type.INT_TYPE);
      r.push(l.firstLoop().index);
      r.ifICmp(GeneratorAdapter.NE, next);
      r.loadThis();
      r.getField(owner, "c0", Type.INT_TYPE);
      r.loadThis();
      r.getField(owner, "c1", Type.INT_TYPE);
      r.loadThis();
      r.getField(owner, "frame", Jvm.OBJECT_ARRAY);
      r.invokeStatic(owner, chunksMethod(l.firstLoop().index));
      r.returnValue();
      r.mark(next);
    }
    r.returnValue();
    r.endMethod();

    GeneratorAdapter a =
        new GeneratorAdapter(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
            AWAIT,
            cw.visitMethod(
                Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
                "await",
                AWAIT.getDescriptor(),
                null,
                null));
    a.visitCode();
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    a.visitTryCatchBlock(start, end, handler, "java/util/concurrent/ExecutionException");
    a.mark(start);
    a.loadArg(0);
    a.invokeInterface(FUTURE, Method.getMethod("Object get()"));
    a.pop();
    a.mark(end);
    a.returnValue();
    a.mark(handler);
    a.invokeVirtual(Type.getType(Throwable.class), Method.getMethod("Throwable getCause()"));
    a.throwException();
    a.endMethod();
  }

  private static Method chunksMethod(int nest) {
    return new Method("chunks" + nest, "(II[Ljava/lang/Object;)V");
  }

  /**
   * {@code chunksK(c0, c1, frame)}: runs chunks {@code [c0, c1)} of nest K with its arguments
   * unpacked from the frame, storing each chunk's full-reduction partials at its slots.
   */
  private void chunks(Kernel l) {
    Method m = chunksMethod(l.firstLoop().index);
    GeneratorAdapter c =
        new GeneratorAdapter(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
            m,
            cw.visitMethod(
                Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
                m.getName(),
                m.getDescriptor(),
                null,
                null));
    c.visitCode();
    int b = l.buffers.size();
    List<Extent> ints = l.intParams;
    int sc = c.newLocal(Jvm.DOUBLE_ARRAY);
    int in = c.newLocal(Type.getType(int[].class));
    int parts = c.newLocal(Jvm.DOUBLE_ARRAY);
    c.loadArg(2);
    c.push(b);
    c.arrayLoad(OBJECT);
    c.checkCast(Jvm.DOUBLE_ARRAY);
    c.storeLocal(sc);
    c.loadArg(2);
    c.push(b + 1);
    c.arrayLoad(OBJECT);
    c.checkCast(Type.getType(int[].class));
    c.storeLocal(in);
    c.loadArg(2);
    c.push(b + 2);
    c.arrayLoad(OBJECT);
    c.checkCast(Jvm.DOUBLE_ARRAY);
    c.storeLocal(parts);
    int k = c.newLocal(Type.INT_TYPE);
    int lo = c.newLocal(Type.INT_TYPE);
    Label head = new Label();
    Label end = new Label();
    c.loadArg(0);
    c.storeLocal(k);
    c.mark(head);
    c.loadLocal(k);
    c.loadArg(1);
    c.ifICmp(GeneratorAdapter.GE, end);
    c.loadLocal(k);
    c.loadLocal(in);
    c.push(ints.size() + 1);
    c.arrayLoad(Type.INT_TYPE);
    c.visitInsn(Opcodes.IMUL);
    c.storeLocal(lo);
    if (l.packed()) {
      // The kernel unpacks the frame itself and writes its partials there.
      c.loadArg(2);
      pushChunkRange(c, k, lo, in, ints.size());
      c.invokeStatic(owner, NestEmitter.method(l, kernelNames.get(l)));
      c.iinc(k, 1);
      c.goTo(head);
      c.mark(end);
      c.returnValue();
      c.endMethod();
      return;
    }
    if (l.fullReductions.size() == 1) {
      c.loadLocal(parts);
      c.loadLocal(k);
    }
    for (int i = 0; i < b; i++) {
      c.loadArg(2);
      c.push(i);
      c.arrayLoad(OBJECT);
      c.checkCast(Jvm.arrayType(NestEmitter.paramDtype(l, l.buffers.get(i))));
    }
    for (int i = 0; i < l.scalars.size(); i++) {
      c.loadLocal(sc);
      c.push(i);
      c.arrayLoad(Type.DOUBLE_TYPE);
    }
    for (int i = 0; i < ints.size(); i++) {
      c.loadLocal(in);
      c.push(i);
      c.arrayLoad(Type.INT_TYPE);
    }
    if (l.fullReductions.size() > 1) {
      c.loadLocal(parts);
    }
    pushChunkRange(c, k, lo, in, ints.size());
    c.invokeStatic(owner, NestEmitter.method(l, kernelNames.get(l)));
    if (l.fullReductions.size() == 1) {
      c.arrayStore(Type.DOUBLE_TYPE);
    }
    c.iinc(k, 1);
    c.goTo(head);
    c.mark(end);
    c.returnValue();
    c.endMethod();
  }

  /** Pushes chunk, lo and hi = min(lo + step, total), with step and total at the end of ints. */
  private static void pushChunkRange(GeneratorAdapter c, int k, int lo, int in, int n) {
    c.loadLocal(k);
    c.loadLocal(lo);
    c.loadLocal(lo);
    c.loadLocal(in);
    c.push(n + 1);
    c.arrayLoad(Type.INT_TYPE);
    c.visitInsn(Opcodes.IADD);
    c.loadLocal(in);
    c.push(n);
    c.arrayLoad(Type.INT_TYPE);
    c.invokeStatic(MATH, new Method("min", "(II)I"));
  }

  // ---------------------------------------------------------------- scalars

  /** Scalar instructions that become computable after {@code step}, in program order. */
  private List<Inst> scalarsReadyAt(int step) {
    List<Inst> out = new ArrayList<>();
    for (Inst inst : f.insts()) {
      Home h = plan.home(inst);
      if (h.where() != Where.SCALAR || h.readyAt() != step) {
        continue;
      }
      if (inst.op() == Op.MATMUL
          || inst.op() == Op.ONE_HOT
          || (LoopPlan.isReduction(inst) && !allScalar(inst))) {
        continue; // set by its step
      }
      out.add(inst);
    }
    return out;
  }

  private void emitScalar(Inst inst) {
    if (inst.op() == Op.NUMEL) {
      pushExtent(numelExtent(inst));
      g.visitInsn(Opcodes.I2D);
    } else if (inst.op().kind() == Op.Kind.ELEMENTWISE) {
      ops.emit(inst.op(), inst.type().dtype(), k -> pushScalar(inst.operand(k)));
    } else {
      // A reduction or view of a one-element value is the value itself.
      pushScalar(inst.operand(0));
      Jvm.round(g, inst.type().dtype());
    }
    defineScalar(inst);
  }

  private static boolean allScalar(Inst inst) {
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && !LoopPlan.isOneElement(v.type())) {
        return false;
      }
    }
    return true;
  }

  /** Pushes a scalar (a literal, a scalar local, or the scalar of a broadcast scalar). */
  private void pushScalar(Value v) {
    if (v instanceof Lit l) {
      g.push(l.value());
      return;
    }
    Home h = plan.home(v);
    if (h.where() == Where.BCAST_SCALAR) {
      pushScalar(h.base());
      return;
    }
    Integer slot = scalarSlot.get(v);
    if (slot == null) {
      throw new IllegalStateException("scalar " + v + " is not computed yet");
    }
    loadScalarSlot(slot);
  }

  // ---------------------------------------------------------------- buffers

  /**
   * A local holding the buffer of {@code v}, allocating it (or taking it from {@code outs} when
   * {@code v} is a result) the first time.
   */
  private int obtain(Value v, DType dtype) {
    if (!bufferSlot.containsKey(v)) {
      Home h = plan.home(v);
      pushExtent(Extent.product(v.type().dims()));
      if (h != null && h.output() >= 0) {
        outputArray(h.output(), dtype);
      } else {
        Jvm.newArray(g, dtype);
      }
      defineBuffer(v, dtype);
    }
    loadBufferSlot(bufferSlot.get(v), dtype);
    return temp(Jvm.arrayType(dtype));
  }

  /**
   * With a length on the stack, leaves {@code outs[i]} (cast to {@code dtype}'s array), first
   * allocating it with that length when the caller left it null.
   */
  private void outputArray(int i, DType dtype) {
    Type at = Jvm.arrayType(dtype);
    Label have = new Label();
    int len = g.newLocal(Type.INT_TYPE);
    g.storeLocal(len);
    g.loadArg(outsArg);
    g.push(i);
    g.arrayLoad(Type.getType(Object.class));
    g.ifNonNull(have);
    g.loadArg(outsArg);
    g.push(i);
    g.loadLocal(len);
    Jvm.newArray(g, dtype);
    g.arrayStore(Type.getType(Object.class));
    g.mark(have);
    g.loadArg(outsArg);
    g.push(i);
    g.arrayLoad(Type.getType(Object.class));
    g.checkCast(at);
  }

  /** A local holding the contiguous buffer with {@code v}'s elements. */
  private int contiguousBuffer(Value v) {
    Integer slot = bufferSlot.get(v);
    if (slot != null) {
      loadBufferSlot(slot, v.type().dtype());
      return temp(Jvm.arrayType(v.type().dtype()));
    }
    Home h = plan.home(v);
    if (h.where() == Where.VIEW) {
      return contiguousBuffer(h.base());
    }
    throw new IllegalStateException("no buffer for " + v + " (" + h.where() + ")");
  }

  // ---------------------------------------------------------------- nests

  private void kernelStep(Kernel l) {
    // Chunks: fixed-size ranges of the outer loop, so results do not depend on the thread count.
    int total = g.newLocal(Type.INT_TYPE);
    int step = g.newLocal(Type.INT_TYPE);
    pushExtent(l.outerCount());
    g.storeLocal(total);
    pushChunkStep(l);
    g.storeLocal(step);
    if (l.hasColumns) {
      // At most MAX_COLUMN_CHUNKS chunks, so the partial vectors stay small.
      g.loadLocal(step);
      g.loadLocal(total);
      g.push(LoopLayout.MAX_COLUMN_CHUNKS - 1);
      g.visitInsn(Opcodes.IADD);
      g.push(LoopLayout.MAX_COLUMN_CHUNKS);
      g.visitInsn(Opcodes.IDIV);
      g.invokeStatic(MATH, new Method("max", "(II)I"));
      g.storeLocal(step);
    }
    int chunks = g.newLocal(Type.INT_TYPE);
    g.loadLocal(total);
    g.loadLocal(step);
    g.visitInsn(Opcodes.IADD);
    g.push(1);
    g.visitInsn(Opcodes.ISUB);
    g.loadLocal(step);
    g.visitInsn(Opcodes.IDIV);
    g.storeLocal(chunks);
    Map<Access, Integer> arrays = new IdentityHashMap<>();
    for (Access a : l.buffers) {
      arrays.put(a, bufferFor(l.stageOf(a), a, chunks));
    }
    Map<Reduction, Integer> acc = new IdentityHashMap<>();
    for (Reduction r : l.reductions) {
      if (r.mode == Mode.FULL) {
        int a = g.newLocal(Type.DOUBLE_TYPE);
        g.push(r.identity());
        g.storeLocal(a);
        acc.put(r, a);
      }
    }
    if (frameMode || l.packed()) {
      // Large functions and wide kernels run through the frame-based chunks method.
      parallelChunks(l, arrays, acc, total, step, chunks);
    } else {
      Label sequential = new Label();
      Label done = new Label();
      if (!l.sequential) {
        g.loadArg(THREADS_ARG);
        g.push(1);
        g.ifICmp(GeneratorAdapter.LE, sequential);
        g.loadArg(POOL_ARG);
        g.ifNull(sequential);
        g.loadLocal(total);
        g.loadLocal(step);
        g.ifICmp(GeneratorAdapter.LE, sequential);
        parallelChunks(l, arrays, acc, total, step, chunks);
        g.goTo(done);
      }
      g.mark(sequential);
      sequentialChunks(l, arrays, acc, total, step, chunks);
      g.mark(done);
    }
    for (Reduction r : l.reductions) {
      finishReduction(stageOfReduction(l, r), r, acc.get(r), arrays, chunks);
    }
  }

  private static LoopLayout stageOfReduction(Kernel k, Reduction r) {
    for (LoopLayout l : k.stages) {
      if (l.reductions.contains(r)) {
        return l;
      }
    }
    throw new IllegalStateException("no stage for " + r.inst);
  }

  /** Rows (or elements) per chunk: about CHUNK elements in the widest stage, at least one row. */
  private void pushChunkStep(Kernel k) {
    g.push(CHUNK);
    g.push(1);
    for (LoopLayout l : k.stages) {
      if (l.rank() > 1) {
        pushExtent(l.sizes.get(l.rank() - 1));
        g.invokeStatic(MATH, new Method("max", "(II)I"));
      }
    }
    g.visitInsn(Opcodes.IDIV);
    g.push(1);
    g.invokeStatic(MATH, new Method("max", "(II)I"));
  }

  private void sequentialChunks(
      Kernel l,
      Map<Access, Integer> arrays,
      Map<Reduction, Integer> acc,
      int total,
      int step,
      int chunks) {
    int partials = -1;
    if (l.fullReductions.size() > 1) {
      partials = g.newLocal(Jvm.DOUBLE_ARRAY);
      g.loadLocal(chunks);
      g.push(l.fullReductions.size());
      g.visitInsn(Opcodes.IMUL);
      g.newArray(Type.DOUBLE_TYPE);
      g.storeLocal(partials);
    }
    int chunk = g.newLocal(Type.INT_TYPE);
    g.push(0);
    g.storeLocal(chunk);
    int lo = g.newLocal(Type.INT_TYPE);
    int hi = g.newLocal(Type.INT_TYPE);
    Label head = new Label();
    Label end = new Label();
    g.push(0);
    g.storeLocal(lo);
    g.mark(head);
    g.loadLocal(lo);
    g.loadLocal(total);
    g.ifICmp(GeneratorAdapter.GE, end);
    g.loadLocal(lo);
    g.loadLocal(step);
    g.visitInsn(Opcodes.IADD);
    g.loadLocal(total);
    g.invokeStatic(MATH, new Method("min", "(II)I"));
    g.storeLocal(hi);
    for (Access a : l.buffers) {
      g.loadLocal(arrays.get(a));
    }
    for (Value v : l.scalars) {
      pushScalar(v);
    }
    for (Extent e : l.intParams) {
      pushExtent(e);
    }
    if (partials >= 0) {
      g.loadLocal(partials);
    }
    g.loadLocal(chunk);
    g.loadLocal(lo);
    g.loadLocal(hi);
    g.invokeStatic(owner, NestEmitter.method(l, kernelNames.get(l)));
    for (Reduction r : l.reductions) {
      if (r.mode != Mode.FULL) {
        continue;
      }
      if (partials < 0) {
        g.loadLocal(acc.get(r));
        g.swap(Type.DOUBLE_TYPE, Type.DOUBLE_TYPE);
        ops.combine(r.combine());
        g.storeLocal(acc.get(r));
      } else {
        combinePartial(r, l.slot(r), acc.get(r), partials, chunk, l.fullReductions.size());
      }
    }
    g.iinc(chunk, 1);
    g.loadLocal(hi);
    g.storeLocal(lo);
    g.goTo(head);
    g.mark(end);
  }

  /**
   * Runs the chunks on the pool: a frame array carries the kernel's arguments, tasks (instances of
   * the generated class) take contiguous ranges of chunks, the calling thread takes the first, and
   * the per-chunk partials are combined in chunk order afterwards.
   */
  private void parallelChunks(
      Kernel l,
      Map<Access, Integer> arrays,
      Map<Reduction, Integer> acc,
      int total,
      int step,
      int chunks) {
    int b = l.buffers.size();
    int frame = g.newLocal(Jvm.OBJECT_ARRAY);
    g.push(b + 3);
    g.newArray(OBJECT);
    g.storeLocal(frame);
    for (int i = 0; i < b; i++) {
      g.loadLocal(frame);
      g.push(i);
      g.loadLocal(arrays.get(l.buffers.get(i)));
      g.arrayStore(OBJECT);
    }
    g.loadLocal(frame);
    g.push(b);
    g.push(l.scalars.size());
    g.newArray(Type.DOUBLE_TYPE);
    for (int i = 0; i < l.scalars.size(); i++) {
      g.dup();
      g.push(i);
      pushScalar(l.scalars.get(i));
      g.arrayStore(Type.DOUBLE_TYPE);
    }
    g.arrayStore(OBJECT);
    List<Extent> ints = l.intParams;
    g.loadLocal(frame);
    g.push(b + 1);
    g.push(ints.size() + 2);
    g.newArray(Type.INT_TYPE);
    for (int i = 0; i < ints.size(); i++) {
      g.dup();
      g.push(i);
      pushExtent(ints.get(i));
      g.arrayStore(Type.INT_TYPE);
    }
    g.dup();
    g.push(ints.size());
    g.loadLocal(total);
    g.arrayStore(Type.INT_TYPE);
    g.dup();
    g.push(ints.size() + 1);
    g.loadLocal(step);
    g.arrayStore(Type.INT_TYPE);
    g.arrayStore(OBJECT);
    int width = Math.max(1, l.fullReductions.size());
    int parts = g.newLocal(Jvm.DOUBLE_ARRAY);
    g.loadLocal(chunks);
    g.push(width);
    g.visitInsn(Opcodes.IMUL);
    g.newArray(Type.DOUBLE_TYPE);
    g.storeLocal(parts);
    g.loadLocal(frame);
    g.push(b + 2);
    g.loadLocal(parts);
    g.arrayStore(OBJECT);
    // tasks = min(threads, chunks), or 1 without a pool or for a sequential nest;
    // task t takes chunks [t*chunks/tasks, (t+1)*chunks/tasks)
    int tasks = g.newLocal(Type.INT_TYPE);
    g.push(1);
    g.storeLocal(tasks);
    if (!l.sequential) {
      Label noPool = new Label();
      g.loadArg(POOL_ARG);
      g.ifNull(noPool);
      g.loadArg(THREADS_ARG);
      g.loadLocal(chunks);
      g.invokeStatic(MATH, new Method("min", "(II)I"));
      g.push(1);
      g.invokeStatic(MATH, new Method("max", "(II)I"));
      g.storeLocal(tasks);
      g.mark(noPool);
    }
    int futures = g.newLocal(Type.getType(Object[].class));
    g.loadLocal(tasks);
    g.newArray(FUTURE);
    g.storeLocal(futures);
    int t = g.newLocal(Type.INT_TYPE);
    forRange(
        t,
        1,
        tasks,
        () -> {
          g.loadLocal(futures);
          g.loadLocal(t);
          g.loadArg(POOL_ARG);
          g.newInstance(owner);
          g.dup();
          g.push(l.firstLoop().index);
          pushTaskBound(t, 0, chunks, tasks);
          pushTaskBound(t, 1, chunks, tasks);
          g.loadLocal(frame);
          g.invokeConstructor(owner, TASK_INIT);
          g.invokeInterface(
              EXECUTOR,
              new Method("submit", "(Ljava/lang/Runnable;)Ljava/util/concurrent/Future;"));
          g.arrayStore(FUTURE);
        });
    g.push(0);
    pushTaskBound(-1, 1, chunks, tasks);
    g.loadLocal(frame);
    g.invokeStatic(owner, chunksMethod(l.firstLoop().index));
    forRange(
        t,
        1,
        tasks,
        () -> {
          g.loadLocal(futures);
          g.loadLocal(t);
          g.arrayLoad(FUTURE);
          g.invokeStatic(owner, AWAIT);
        });
    int c = g.newLocal(Type.INT_TYPE);
    forRange(
        c,
        0,
        chunks,
        () -> {
          for (Reduction r : l.reductions) {
            if (r.mode != Mode.FULL) {
              continue;
            }
            combinePartial(r, l.slot(r), acc.get(r), parts, c, width);
          }
        });
  }

  /** Pushes {@code (t + end) * chunks / tasks} in long arithmetic; t = -1 means task 0. */
  private void pushTaskBound(int t, int end, int chunks, int tasks) {
    if (t < 0) {
      g.push((long) end);
    } else {
      g.loadLocal(t);
      g.visitInsn(Opcodes.I2L);
      if (end != 0) {
        g.push((long) end);
        g.visitInsn(Opcodes.LADD);
      }
    }
    g.loadLocal(chunks);
    g.visitInsn(Opcodes.I2L);
    g.visitInsn(Opcodes.LMUL);
    g.loadLocal(tasks);
    g.visitInsn(Opcodes.I2L);
    g.visitInsn(Opcodes.LDIV);
    g.visitInsn(Opcodes.L2I);
  }

  /** {@code for (i = from; i < to; i++) body} with a constant start and a local bound. */
  private void forRange(int i, int from, int toLocal, Runnable body) {
    Label head = new Label();
    Label end = new Label();
    g.push(from);
    g.storeLocal(i);
    g.mark(head);
    g.loadLocal(i);
    g.loadLocal(toLocal);
    g.ifICmp(GeneratorAdapter.GE, end);
    body.run();
    g.iinc(i, 1);
    g.goTo(head);
    g.mark(end);
  }

  /** {@code acc = combine(acc, partials[chunk * width + slot])}. */
  private void combinePartial(Reduction r, int slot, int acc, int partials, int chunk, int width) {
    g.loadLocal(acc);
    g.loadLocal(partials);
    g.loadLocal(chunk);
    g.push(width);
    g.visitInsn(Opcodes.IMUL);
    g.push(slot);
    g.visitInsn(Opcodes.IADD);
    g.arrayLoad(Type.DOUBLE_TYPE);
    ops.combine(r.combine());
    g.storeLocal(acc);
  }

  /** The local holding the array passed for a kernel buffer, allocating outputs. */
  private int bufferFor(LoopLayout l, Access a, int chunks) {
    for (Reduction r : l.reductions) {
      if (r.out == a) {
        if (r.mode == Mode.COLUMN) {
          // One partial vector per chunk, all starting at the identity.
          int parts = g.newLocal(Jvm.DOUBLE_ARRAY);
          g.loadLocal(chunks);
          pushExtent(l.sizes.get(l.rank() - 1));
          g.visitInsn(Opcodes.IMUL);
          g.newArray(Type.DOUBLE_TYPE);
          g.storeLocal(parts);
          g.loadLocal(parts);
          g.push(r.identity());
          g.invokeStatic(Type.getType(java.util.Arrays.class), new Method("fill", "([DD)V"));
          return parts;
        }
        int out = obtain(r.inst, r.out.dtype);
        if (r.mode != Mode.RMW) {
          return out;
        }
        int scratch = out;
        if (r.out.dtype != DType.F64) {
          scratch = g.newLocal(Jvm.DOUBLE_ARRAY);
          pushExtent(Extent.product(r.inst.type().dims()));
          g.newArray(Type.DOUBLE_TYPE);
          g.storeLocal(scratch);
        }
        g.loadLocal(scratch);
        g.push(r.identity());
        g.invokeStatic(Type.getType(java.util.Arrays.class), new Method("fill", "([DD)V"));
        return scratch;
      }
    }
    if (l.stores.containsValue(a)) {
      return obtain(a.buffer, a.dtype);
    }
    return contiguousBuffer(a.buffer);
  }

  private void finishReduction(
      LoopLayout l, Reduction r, Integer acc, Map<Access, Integer> arrays, int chunks) {
    DType dt = r.inst.type().dtype();
    switch (r.mode) {
      case COLUMN -> {
        // out[j] = finish(parts[0 * n + j] op parts[1 * n + j] op ...), chunks in order
        int parts = arrays.get(r.out);
        int out = obtain(r.inst, dt);
        int n = g.newLocal(Type.INT_TYPE);
        pushExtent(l.sizes.get(l.rank() - 1));
        g.storeLocal(n);
        int j = g.newLocal(Type.INT_TYPE);
        int c = g.newLocal(Type.INT_TYPE);
        int sum = g.newLocal(Type.DOUBLE_TYPE);
        forRange(
            j,
            0,
            n,
            () -> {
              g.push(r.identity());
              g.storeLocal(sum);
              forRange(
                  c,
                  0,
                  chunks,
                  () -> {
                    g.loadLocal(sum);
                    g.loadLocal(parts);
                    g.loadLocal(c);
                    g.loadLocal(n);
                    g.visitInsn(Opcodes.IMUL);
                    g.loadLocal(j);
                    g.visitInsn(Opcodes.IADD);
                    g.arrayLoad(Type.DOUBLE_TYPE);
                    ops.combine(r.combine());
                    g.storeLocal(sum);
                  });
              g.loadLocal(out);
              g.loadLocal(j);
              g.loadLocal(sum);
              if (r.dividesByCount()) {
                pushExtent(r.count);
                g.visitInsn(Opcodes.I2D);
                g.visitInsn(Opcodes.DDIV);
              }
              Jvm.round(g, dt);
              Jvm.storeElement(g, dt);
            });
      }
      case FULL -> {
        g.loadLocal(acc);
        if (r.dividesByCount()) {
          pushExtent(r.count);
          g.visitInsn(Opcodes.I2D);
          g.visitInsn(Opcodes.DDIV);
        }
        Jvm.round(g, dt);
        // All dims reduced: the result has one element, so it lives in a scalar.
        defineScalar(r.inst);
      }
      case RMW -> {
        int scratch = arrays.get(r.out);
        int out = obtain(r.inst, dt);
        if (r.dividesByCount() || dt != DType.F64) {
          // out[i] = round(scratch[i] / count)
          int i = g.newLocal(Type.INT_TYPE);
          int n = g.newLocal(Type.INT_TYPE);
          pushExtent(Extent.product(r.inst.type().dims()));
          g.storeLocal(n);
          Label head = new Label();
          Label end = new Label();
          g.push(0);
          g.storeLocal(i);
          g.mark(head);
          g.loadLocal(i);
          g.loadLocal(n);
          g.ifICmp(GeneratorAdapter.GE, end);
          g.loadLocal(out);
          g.loadLocal(i);
          g.loadLocal(scratch);
          g.loadLocal(i);
          g.arrayLoad(Type.DOUBLE_TYPE);
          if (r.dividesByCount()) {
            pushExtent(r.count);
            g.visitInsn(Opcodes.I2D);
            g.visitInsn(Opcodes.DDIV);
          }
          Jvm.round(g, dt);
          Jvm.storeElement(g, dt);
          g.iinc(i, 1);
          g.goTo(head);
          g.mark(end);
        }
      }
      case INNER, DIRECT -> {}
    }
  }

  // ---------------------------------------------------------------- library calls

  private void libraryStep(LibraryCall s) {
    Inst inst = s.inst;
    if (inst.op() == Op.ONE_HOT) {
      boolean scalar = LoopPlan.isOneElement(inst.type());
      int out = scalar ? scratchScalarBuffer(DType.I64) : obtain(inst, DType.I64);
      pushBuffer(inst.operand(0), DType.I64);
      g.loadLocal(out);
      pushExtent(Extent.of(inst.type().dim(inst.type().rank() - 1)));
      lib.require(OneHot.class, "oneHot", "([J[JI)V");
      g.invokeStatic(owner, new Method("oneHot", "([J[JI)V"));
      if (scalar) {
        loadScalarFrom(out, inst);
      }
      return;
    }
    matmul(inst);
  }

  private List<Extent> stridesOf(Value v) {
    Home h = plan.home(v);
    return h.where() == Where.VIEW ? h.strides() : Extent.contiguousStrides(v.type().dims());
  }

  private void matmul(Inst inst) {
    Value a = inst.operand(0);
    Value b = inst.operand(1);
    List<Dim> as = a.type().dims();
    List<Dim> bs = b.type().dims();
    List<Extent> sa = stridesOf(a);
    List<Extent> sb = stridesOf(b);
    int ra = as.size();
    int rb = bs.size();
    // Matrix dims, with 1-D operands as a row (left) or a column (right).
    Extent n = ra == 1 ? Extent.ONE : Extent.of(as.get(ra - 2));
    Extent k = Extent.of(as.get(ra - 1));
    Extent m = rb == 1 ? Extent.ONE : Extent.of(bs.get(rb - 1));
    Extent aRow = ra == 1 ? Extent.ZERO : sa.get(ra - 2);
    Extent aCol = sa.get(ra - 1);
    Extent bRow = rb == 1 ? sb.get(0) : sb.get(rb - 2);
    Extent bCol = rb == 1 ? Extent.ZERO : sb.get(rb - 1);
    int batchA = Math.max(ra - 2, 0);
    int batchB = Math.max(rb - 2, 0);
    int batch = Math.max(batchA, batchB);
    List<Extent> geom = new ArrayList<>(List.of(Extent.ONE, n, k, m, aRow, aCol, bRow, bCol));
    List<Dim> out = inst.type().dims();
    for (int d = 0; d < batch; d++) {
      int da = d - (batch - batchA);
      int db = d - (batch - batchB);
      Dim size = out.get(d);
      geom.add(Extent.of(size));
      geom.add(da >= 0 && as.get(da).equals(size) ? sa.get(da) : Extent.ZERO);
      geom.add(db >= 0 && bs.get(db).equals(size) ? sb.get(db) : Extent.ZERO);
    }
    DType dt = inst.type().dtype();
    boolean scalar = LoopPlan.isOneElement(inst.type());
    int buf = scalar ? scratchScalarBuffer(dt) : obtain(inst, dt);
    pushMatmulOperand(a, dt);
    pushMatmulOperand(b, dt);
    g.loadLocal(buf);
    g.push(geom.size());
    g.newArray(Type.INT_TYPE);
    for (int i = 0; i < geom.size(); i++) {
      g.dup();
      g.push(i);
      if (i == 0) {
        g.push(batch);
      } else {
        pushExtentOrZero(geom.get(i));
      }
      g.arrayStore(Type.INT_TYPE);
    }
    String name = dt == DType.F64 ? "matmulF64" : "matmulF32";
    String desc = dt == DType.F64 ? "([D[D[D[I)V" : "([F[F[F[I)V";
    lib.require(Matmul.class, name, desc);
    g.invokeStatic(owner, new Method(name, desc));
    if (scalar) {
      loadScalarFrom(buf, inst);
    }
  }

  /**
   * A matmul operand's buffer. A view is read in place from its base's buffer, with the view's
   * strides ({@link #stridesOf}), even when another reader made it a contiguous copy.
   */
  private void pushMatmulOperand(Value v, DType dt) {
    Home h = v instanceof Lit ? null : plan.home(v);
    if (h != null && h.where() == Where.VIEW && !LoopPlan.isOneElement(v.type())) {
      g.loadLocal(contiguousBuffer(h.base()));
      return;
    }
    pushBuffer(v, dt);
  }

  private void loadScalarFrom(int buf, Inst inst) {
    g.loadLocal(buf);
    g.push(0);
    Jvm.loadElement(g, inst.type().dtype());
    defineScalar(inst);
  }

  /**
   * Pushes a buffer holding {@code v}'s elements for a library routine; a one-element value (a
   * scalar local) is boxed into a fresh one-element array.
   */
  private void pushBuffer(Value v, DType dt) {
    if (v instanceof Lit || LoopPlan.isOneElement(v.type())) {
      g.push(1);
      Jvm.newArray(g, dt);
      g.dup();
      g.push(0);
      pushScalar(v);
      Jvm.storeElement(g, dt);
      return;
    }
    g.loadLocal(contiguousBuffer(v));
  }

  private void pushExtentOrZero(Extent e) {
    if (e.isZero()) {
      g.push(0);
    } else {
      pushExtent(e);
    }
  }

  private int scratchScalarBuffer(DType dt) {
    int l = g.newLocal(Jvm.arrayType(dt));
    g.push(1);
    Jvm.newArray(g, dt);
    g.storeLocal(l);
    return l;
  }

  // ---------------------------------------------------------------- results

  private void results() {
    for (int i = 0; i < f.results().size(); i++) {
      Value r = f.result(i);
      DType dt = r.type().dtype();
      ResultKind kind = plan.loops.resultKinds.get(i);
      switch (kind) {
        case DIRECT -> {}
        case COPY -> {
          int src = contiguousBuffer(r);
          pushExtent(Extent.product(r.type().dims()));
          outputArray(i, dt);
          int dst = g.newLocal(Jvm.arrayType(dt));
          g.storeLocal(dst);
          g.loadLocal(src);
          g.push(0);
          g.loadLocal(dst);
          g.push(0);
          pushExtent(Extent.product(r.type().dims()));
          g.invokeStatic(
              Type.getType(System.class),
              new Method("arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V"));
        }
        case FILL -> {
          pushExtent(Extent.product(r.type().dims()));
          outputArray(i, dt);
          pushScalar(r);
          fill(dt);
        }
      }
    }
  }

  /** With an array of {@code dt} and a double on the stack, fills the array. */
  private void fill(DType dt) {
    Type arrays = Type.getType(java.util.Arrays.class);
    switch (dt) {
      case F64 -> g.invokeStatic(arrays, new Method("fill", "([DD)V"));
      case F32 -> {
        g.visitInsn(Opcodes.D2F);
        g.invokeStatic(arrays, new Method("fill", "([FF)V"));
      }
      case I64 -> {
        g.visitInsn(Opcodes.D2L);
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
