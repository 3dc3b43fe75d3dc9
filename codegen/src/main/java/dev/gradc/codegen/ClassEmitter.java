package dev.gradc.codegen;

import dev.gradc.codegen.NestLayout.Access;
import dev.gradc.codegen.NestLayout.Mode;
import dev.gradc.codegen.NestLayout.Reduction;
import dev.gradc.codegen.Plan.Home;
import dev.gradc.codegen.Plan.LibraryStep;
import dev.gradc.codegen.Plan.Nest;
import dev.gradc.codegen.Plan.ResultKind;
import dev.gradc.codegen.Plan.Step;
import dev.gradc.codegen.Plan.Where;
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

  static final Method CALL = Method.getMethod("Object[] call(Object[], int[][], Object[])");

  private final Plan plan;
  private final Func f;
  private final Type owner;
  private final ClassWriter cw;
  private final LibraryCopier lib;
  private final List<NestLayout> layouts = new ArrayList<>();
  private final Map<Nest, String> kernelNames = new IdentityHashMap<>();

  private GeneratorAdapter g;
  private OpEmitter ops;
  private final Map<Value, Integer> scalarLocal = new IdentityHashMap<>();
  private final Map<Value, Integer> bufferLocal = new IdentityHashMap<>();
  private final Map<String, Integer> symbolLocal = new HashMap<>();
  private final Map<Extent, Integer> extentLocal = new HashMap<>();
  private int outsArg;

  private ClassEmitter(Plan plan, String internalName) {
    this.plan = plan;
    this.f = plan.func;
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

  /** The bytes of a class named {@code internalName} (slashes) that runs {@code plan}. */
  public static byte[] emit(Plan plan, String internalName) {
    return new ClassEmitter(plan, internalName).run();
  }

  private byte[] run() {
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        owner.getInternalName(),
        null,
        "java/lang/Object",
        null);
    for (Step s : plan.steps) {
      if (s instanceof Nest n) {
        NestLayout l = new NestLayout(plan, n);
        layouts.add(l);
        String name = "nest" + n.index;
        kernelNames.put(n, name);
        NestEmitter.emit(cw, owner, lib, l, name);
      } else {
        layouts.add(null);
      }
    }
    driver();
    lib.emitInto(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  // ---------------------------------------------------------------- driver

  private void driver() {
    g =
        new GeneratorAdapter(
            Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC,
            CALL,
            cw.visitMethod(
                Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC,
                CALL.getName(),
                CALL.getDescriptor(),
                null,
                null));
    ops = new OpEmitter(g, owner, lib);
    g.visitCode();
    outsArg = 2;
    Label haveOuts = new Label();
    g.loadArg(outsArg);
    g.ifNonNull(haveOuts);
    g.push(f.results().size());
    g.newArray(Type.getType(Object.class));
    g.storeArg(outsArg);
    g.mark(haveOuts);
    bindArguments();
    computeExtents();
    emitScalarsReadyAt(-1);
    for (Step s : plan.steps) {
      if (s instanceof Nest n) {
        nestStep(layouts.get(n.index));
      } else {
        libraryStep((LibraryStep) s);
      }
      emitScalarsReadyAt(s.index);
    }
    results();
    g.loadArg(outsArg);
    g.returnValue();
    g.endMethod();
  }

  private void bindArguments() {
    for (Param p : f.params()) {
      DType dt = p.type().dtype();
      Type at = Jvm.arrayType(dt);
      g.loadArg(0);
      g.push(p.id());
      g.arrayLoad(Type.getType(Object.class));
      g.checkCast(at);
      if (FusionPlanner.isOneElement(p.type())) {
        g.push(0);
        Jvm.loadElement(g, dt);
        int l = g.newLocal(Type.DOUBLE_TYPE);
        g.storeLocal(l);
        scalarLocal.put(p, l);
        continue;
      }
      int l = g.newLocal(at);
      g.storeLocal(l);
      bufferLocal.put(p, l);
      List<Dim> dims = p.type().dims();
      for (int d = 0; d < dims.size(); d++) {
        Dim dim = dims.get(d);
        if (dim.isStatic() || symbolLocal.containsKey(dim.symbol())) {
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
        int s = g.newLocal(Type.INT_TYPE);
        g.storeLocal(s);
        symbolLocal.put(dim.symbol(), s);
      }
    }
  }

  /** Every extent the steps need, computed once after binding. */
  private void computeExtents() {
    Set<Extent> need = new LinkedHashSet<>();
    for (NestLayout l : layouts) {
      if (l == null) {
        continue;
      }
      need.addAll(l.intParams());
      need.add(l.outerCount());
      need.add(l.sizes[l.rank() - 1]);
      for (Reduction r : l.reductions) {
        need.add(r.count);
      }
    }
    for (Value v : allValues()) {
      if (!v.type().isScalar()) {
        need.add(Extent.product(v.type().dims()));
        for (Dim d : v.type().dims()) {
          need.add(Extent.of(d));
        }
        for (Extent e : FusionPlanner.contiguousStrides(v.type().dims())) {
          need.add(e);
        }
      }
      Home h = v instanceof Lit ? null : plan.home(v);
      if (h != null && h.where == Where.VIEW) {
        for (Extent e : h.strides) {
          need.add(e);
        }
      }
    }
    for (Inst inst : f.insts()) {
      if (inst.op() == Op.NUMEL) {
        need.add(numelExtent(inst));
      }
    }
    for (Extent e : need) {
      if (e.isConstant() || extentLocal.containsKey(e)) {
        continue;
      }
      g.push((int) e.coeff());
      for (String s : e.symbols()) {
        g.loadLocal(symbolLocal.get(s));
        g.invokeStatic(Type.getType(Math.class), new Method("multiplyExact", "(II)I"));
      }
      int l = g.newLocal(Type.INT_TYPE);
      g.storeLocal(l);
      extentLocal.put(e, l);
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
      g.loadLocal(extentLocal.get(e));
    }
  }

  // ---------------------------------------------------------------- scalars

  private void emitScalarsReadyAt(int step) {
    for (Inst inst : f.insts()) {
      Home h = plan.home(inst);
      if (h.where != Where.SCALAR || h.readyAt != step || scalarLocal.containsKey(inst)) {
        continue;
      }
      if (inst.op() == Op.MATMUL
          || inst.op() == Op.ONE_HOT
          || (NestLayout.isReduction(inst) && !allScalar(inst))) {
        continue; // set by its step
      }
      if (inst.op() == Op.NUMEL) {
        pushExtent(numelExtent(inst));
        g.visitInsn(Opcodes.I2D);
      } else if (inst.op().kind() == Op.Kind.ELEMENTWISE) {
        ops.emit(inst.op(), inst.type().dtype(), k -> pushScalar(inst.operand(k)));
      } else {
        // A reduction or view of a rank-0 value is the value itself.
        pushScalar(inst.operand(0));
        Jvm.round(g, inst.type().dtype());
      }
      int l = g.newLocal(Type.DOUBLE_TYPE);
      g.storeLocal(l);
      scalarLocal.put(inst, l);
    }
  }

  private static boolean allScalar(Inst inst) {
    for (Value v : inst.operands()) {
      if (!(v instanceof Lit) && !FusionPlanner.isOneElement(v.type())) {
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
    if (h.where == Where.BCAST_SCALAR) {
      pushScalar(h.base);
      return;
    }
    Integer l = scalarLocal.get(v);
    if (l == null) {
      throw new IllegalStateException("scalar " + v + " is not computed yet");
    }
    g.loadLocal(l);
  }

  // ---------------------------------------------------------------- buffers

  /** Allocates (or takes from {@code outs}) the buffer of {@code v}, of {@code dtype}. */
  private int obtain(Value v, DType dtype) {
    Integer have = bufferLocal.get(v);
    if (have != null) {
      return have;
    }
    Home h = plan.home(v);
    Type at = Jvm.arrayType(dtype);
    int l = g.newLocal(at);
    pushExtent(Extent.product(v.type().dims()));
    if (h != null && h.output >= 0) {
      outputArray(h.output, dtype);
    } else {
      Jvm.newArray(g, dtype);
    }
    g.storeLocal(l);
    bufferLocal.put(v, l);
    return l;
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

  /** The local holding the contiguous buffer with {@code v}'s elements. */
  private int contiguousBuffer(Value v) {
    Integer l = bufferLocal.get(v);
    if (l != null) {
      return l;
    }
    Home h = plan.home(v);
    if (h.where == Where.VIEW) {
      return contiguousBuffer(h.base);
    }
    throw new IllegalStateException("no buffer for " + v + " (" + h.where + ")");
  }

  // ---------------------------------------------------------------- nests

  private void nestStep(NestLayout l) {
    Map<Access, Integer> arrays = new IdentityHashMap<>();
    for (Access a : l.buffers) {
      arrays.put(a, bufferFor(l, a));
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
    int partials = -1;
    if (l.fullCount > 1) {
      partials = g.newLocal(Jvm.DOUBLE_ARRAY);
      g.push(l.fullCount);
      g.newArray(Type.DOUBLE_TYPE);
      g.storeLocal(partials);
    }
    // Chunks: fixed-size ranges of the outer loop, run in order.
    int total = g.newLocal(Type.INT_TYPE);
    int step = g.newLocal(Type.INT_TYPE);
    int lo = g.newLocal(Type.INT_TYPE);
    int hi = g.newLocal(Type.INT_TYPE);
    pushExtent(l.outerCount());
    g.storeLocal(total);
    if (l.rank() == 1) {
      g.push(CHUNK);
    } else {
      g.push(CHUNK);
      g.push(1);
      pushExtent(l.sizes[l.rank() - 1]);
      g.invokeStatic(Type.getType(Math.class), new Method("max", "(II)I"));
      g.visitInsn(Opcodes.IDIV);
      g.push(1);
      g.invokeStatic(Type.getType(Math.class), new Method("max", "(II)I"));
    }
    g.storeLocal(step);
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
    g.invokeStatic(Type.getType(Math.class), new Method("min", "(II)I"));
    g.storeLocal(hi);
    for (Access a : l.buffers) {
      g.loadLocal(arrays.get(a));
    }
    for (Value v : l.scalars) {
      pushScalar(v);
    }
    for (Extent e : l.intParams()) {
      pushExtent(e);
    }
    if (partials >= 0) {
      g.loadLocal(partials);
    }
    g.loadLocal(lo);
    g.loadLocal(hi);
    g.invokeStatic(owner, NestEmitter.method(l, kernelNames.get(l.nest)));
    for (Reduction r : l.reductions) {
      if (r.mode != Mode.FULL) {
        continue;
      }
      if (partials < 0) {
        g.loadLocal(acc.get(r));
        g.swap(Type.DOUBLE_TYPE, Type.DOUBLE_TYPE);
      } else {
        g.loadLocal(acc.get(r));
        g.loadLocal(partials);
        g.push(r.slot);
        g.arrayLoad(Type.DOUBLE_TYPE);
      }
      combine(r);
      g.storeLocal(acc.get(r));
    }
    g.loadLocal(hi);
    g.storeLocal(lo);
    g.goTo(head);
    g.mark(end);
    for (Reduction r : l.reductions) {
      finishReduction(r, acc.get(r), arrays);
    }
  }

  private void combine(Reduction r) {
    switch (r.combine()) {
      case ADD -> g.visitInsn(Opcodes.DADD);
      case MAXIMUM -> g.invokeStatic(Type.getType(Math.class), new Method("max", "(DD)D"));
      default -> g.invokeStatic(Type.getType(Math.class), new Method("min", "(DD)D"));
    }
  }

  /** The local holding the array passed for a kernel buffer, allocating outputs. */
  private int bufferFor(NestLayout l, Access a) {
    for (Reduction r : l.reductions) {
      if (r.out == a) {
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

  private void finishReduction(Reduction r, Integer acc, Map<Access, Integer> arrays) {
    DType dt = r.inst.type().dtype();
    switch (r.mode) {
      case FULL -> {
        g.loadLocal(acc);
        if (r.isMean()) {
          pushExtent(r.count);
          g.visitInsn(Opcodes.I2D);
          g.visitInsn(Opcodes.DDIV);
        }
        Jvm.round(g, dt);
        // All dims reduced: the result has one element, so it lives in a scalar.
        int s = g.newLocal(Type.DOUBLE_TYPE);
        g.storeLocal(s);
        scalarLocal.put(r.inst, s);
      }
      case RMW -> {
        int scratch = arrays.get(r.out);
        int out = bufferLocal.get(r.inst);
        if (r.isMean() || dt != DType.F64) {
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
          if (r.isMean()) {
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

  private void libraryStep(LibraryStep s) {
    Inst inst = s.inst;
    if (inst.op() == Op.ONE_HOT) {
      boolean scalar = FusionPlanner.isOneElement(inst.type());
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

  private Extent[] stridesOf(Value v) {
    Home h = plan.home(v);
    return h.where == Where.VIEW ? h.strides : FusionPlanner.contiguousStrides(v.type().dims());
  }

  private void matmul(Inst inst) {
    Value a = inst.operand(0);
    Value b = inst.operand(1);
    List<Dim> as = a.type().dims();
    List<Dim> bs = b.type().dims();
    Extent[] sa = stridesOf(a);
    Extent[] sb = stridesOf(b);
    int ra = as.size();
    int rb = bs.size();
    // Matrix dims, with 1-D operands as a row (left) or a column (right).
    Extent n = ra == 1 ? Extent.ONE : Extent.of(as.get(ra - 2));
    Extent k = Extent.of(as.get(ra - 1));
    Extent m = rb == 1 ? Extent.ONE : Extent.of(bs.get(rb - 1));
    Extent aRow = ra == 1 ? Extent.ZERO : sa[ra - 2];
    Extent aCol = sa[ra - 1];
    Extent bRow = rb == 1 ? sb[0] : sb[rb - 2];
    Extent bCol = rb == 1 ? Extent.ZERO : sb[rb - 1];
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
      geom.add(da >= 0 && as.get(da).equals(size) ? sa[da] : Extent.ZERO);
      geom.add(db >= 0 && bs.get(db).equals(size) ? sb[db] : Extent.ZERO);
    }
    DType dt = inst.type().dtype();
    boolean scalar = FusionPlanner.isOneElement(inst.type());
    int buf = scalar ? scratchScalarBuffer(dt) : obtain(inst, dt);
    pushBuffer(a, dt);
    pushBuffer(b, dt);
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

  private void loadScalarFrom(int buf, Inst inst) {
    g.loadLocal(buf);
    g.push(0);
    Jvm.loadElement(g, inst.type().dtype());
    int s = g.newLocal(Type.DOUBLE_TYPE);
    g.storeLocal(s);
    scalarLocal.put(inst, s);
  }

  /**
   * Pushes a buffer holding {@code v}'s elements for a library routine; a one-element value (a
   * scalar local) is boxed into a fresh one-element array.
   */
  private void pushBuffer(Value v, DType dt) {
    if (v instanceof Lit || FusionPlanner.isOneElement(v.type())) {
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
      ResultKind kind = plan.resultKinds[i];
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
