package dev.gradc.codegen;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.codegen.lib.Extents;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The driver method being written, and where it keeps each value: the scalars, the buffers, the
 * symbols bound from argument shapes and the extents computed from them. In locals mode a slot is a
 * local of the driver. In frame mode (large functions, whose driver is split into segment methods)
 * a slot is an index into three frame arrays, of buffers, scalars and ints, that every segment
 * receives, so a segment reads what an earlier one defined.
 *
 * <p>The driver's arguments are {@code (Object[] args, int[][] shapes, Object[] outs,
 * ExecutorService pool, int threads)}; a segment also takes the three frame arrays.
 */
final class DriverSlots {
  static final int ARGS_ARG = 0;
  static final int SHAPES_ARG = 1;
  static final int OUTS_ARG = 2;
  static final int POOL_ARG = 3;
  static final int THREADS_ARG = 4;

  final Plan plan;
  final Func f;
  final Type owner;
  final LibraryCopier lib;
  final ClassVisitor cv;
  final boolean frameMode;

  /** The method being written: the driver or one of its segments. */
  GeneratorAdapter g;

  OpEmitter ops;

  private int bufFrame;
  private int scFrame;
  private int exFrame;
  private int nextInt;
  private final Map<Value, Integer> scalarSlot = new IdentityHashMap<>();
  private final Map<Value, Integer> bufferSlot = new IdentityHashMap<>();
  private final Map<String, Integer> symbolSlot = new HashMap<>();
  private final Map<Extent, Integer> extentSlot = new HashMap<>();

  DriverSlots(
      Plan plan,
      ClassVisitor cv,
      Type owner,
      LibraryCopier lib,
      GeneratorAdapter driver,
      boolean frameMode) {
    this.plan = plan;
    this.f = plan.func();
    this.cv = cv;
    this.owner = owner;
    this.lib = lib;
    this.frameMode = frameMode;
    enter(driver);
  }

  /** Continues in method {@code m}: the driver, or a segment just started. */
  void enter(GeneratorAdapter m) {
    g = m;
    scratch.clear();
    ops = new OpEmitter(m, owner, lib);
  }

  // ---------------------------------------------------------------- frame mode

  /**
   * Elements per page of the buffer and scalar frames. A slot is a page and an offset, both small
   * enough to push without a constant pool entry: a function with 100,000 stored values would
   * otherwise need an {@code Integer} constant per slot above 32,767, past the class file's 65,535.
   */
  static final int PAGE_BITS = 12;

  static final int PAGE = 1 << PAGE_BITS;

  static final Type BUFFER_PAGES = Type.getType(Object[][].class);
  static final Type SCALAR_PAGES = Type.getType(double[][].class);

  private int nextBuffer;
  private int nextScalar;

  /** Reused locals of the current method, one per type, that frame stores go through. */
  private final Map<Type, Integer> scratch = new HashMap<>();

  /**
   * In the driver, in frame mode: allocates the frame arrays, through methods {@link
   * #emitFrameAllocators} writes once the slots are counted.
   */
  void allocateFrames() {
    bufFrame = g.newLocal(BUFFER_PAGES);
    g.invokeStatic(owner, BUFFER_PAGES_METHOD);
    g.storeLocal(bufFrame);
    scFrame = g.newLocal(SCALAR_PAGES);
    g.invokeStatic(owner, SCALAR_PAGES_METHOD);
    g.storeLocal(scFrame);
    exFrame = g.newLocal(Jvm.INT_ARRAY);
    g.invokeStatic(owner, INTS_METHOD);
    g.storeLocal(exFrame);
  }

  private static final Method BUFFER_PAGES_METHOD =
      new Method("bufferFrame", BUFFER_PAGES, new Type[0]);
  private static final Method SCALAR_PAGES_METHOD =
      new Method("scalarFrame", SCALAR_PAGES, new Type[0]);
  private static final Method INTS_METHOD = new Method("intFrame", Jvm.INT_ARRAY, new Type[0]);

  /** After the driver, in frame mode: the methods that allocate frames of the counted sizes. */
  void emitFrameAllocators() {
    pages(BUFFER_PAGES_METHOD, Jvm.OBJECT, nextBuffer);
    pages(SCALAR_PAGES_METHOD, Type.DOUBLE_TYPE, nextScalar);
    GeneratorAdapter m = Jvm.method(cv, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, INTS_METHOD);
    m.push(nextInt);
    m.newArray(Type.INT_TYPE);
    m.returnValue();
    m.endMethod();
  }

  private void pages(Method method, Type element, int count) {
    GeneratorAdapter m = Jvm.method(cv, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, method);
    int pages = Math.max(1, (count + PAGE - 1) / PAGE);
    m.push(pages);
    m.newArray(Type.getType("[" + element.getDescriptor()));
    for (int p = 0; p < pages; p++) {
      m.dup();
      m.push(p);
      m.push(p < pages - 1 ? PAGE : count - p * PAGE);
      m.newArray(element);
      m.arrayStore(Type.getType("[" + element.getDescriptor()));
    }
    m.returnValue();
    m.endMethod();
  }

  /** The locals of the frame arrays in the current method, to restore after a segment. */
  int[] frames() {
    return new int[] {bufFrame, scFrame, exFrame};
  }

  void restoreFrames(int[] frames) {
    bufFrame = frames[0];
    scFrame = frames[1];
    exFrame = frames[2];
  }

  /** The segment methods' type: the driver's arguments, then the frame arrays. */
  static final String SEGMENT_DESC =
      "([Ljava/lang/Object;[[I[Ljava/lang/Object;Ljava/util/concurrent/ExecutorService;I"
          + "[[Ljava/lang/Object;[[D[I)V";

  /** In a segment method, the frame arrays arrive as arguments 5 to 7. */
  void receiveFrames() {
    bufFrame = g.newLocal(BUFFER_PAGES);
    g.loadArg(5);
    g.storeLocal(bufFrame);
    scFrame = g.newLocal(SCALAR_PAGES);
    g.loadArg(6);
    g.storeLocal(scFrame);
    exFrame = g.newLocal(Jvm.INT_ARRAY);
    g.loadArg(7);
    g.storeLocal(exFrame);
  }

  /** In the driver: calls segment {@code m} with the driver's arguments and the frames. */
  void callSegment(Method m) {
    for (int a = 0; a < 5; a++) {
      g.loadArg(a);
    }
    g.loadLocal(bufFrame);
    g.loadLocal(scFrame);
    g.loadLocal(exFrame);
    g.invokeStatic(owner, m);
  }

  // ---------------------------------------------------------------- slots

  /**
   * Stores the value on the stack in a new local of type {@code local}; in frame mode instead into
   * the next slot of {@code frame} (paged unless {@code frame} is the int frame), which it returns.
   */
  private int define(Type local, int frame, Type element, int index) {
    if (!frameMode) {
      int t = g.newLocal(local);
      g.storeLocal(t);
      return t;
    }
    int t = scratch.computeIfAbsent(local, g::newLocal);
    g.storeLocal(t);
    framePosition(frame, index);
    g.loadLocal(t);
    g.arrayStore(element);
    return index;
  }

  /** Pushes the array and index of {@code slot} in {@code frame}. */
  private void framePosition(int frame, int slot) {
    g.loadLocal(frame);
    if (frame != exFrame) {
      g.push(slot >>> PAGE_BITS);
      g.visitInsn(Opcodes.AALOAD);
      g.push(slot & (PAGE - 1));
    } else {
      g.push(slot);
    }
  }

  private void load(int frame, Type element, int slot) {
    if (frameMode) {
      framePosition(frame, slot);
      g.arrayLoad(element);
    } else {
      g.loadLocal(slot);
    }
  }

  /** With a double on the stack, records it as the value of scalar {@code v}. */
  void defineScalar(Value v) {
    Jvm.fromDouble(g, v.type().dtype());
    defineScalarValue(v);
  }

  /**
   * With a {@link Jvm#valueType} on the stack (a long for i64), records it as the value of scalar
   * {@code v}. Scalar slots are doubles; an i64 slot holds the long's bits, so it stays exact.
   */
  void defineScalarValue(Value v) {
    if (v.type().dtype() == DType.I64) {
      Jvm.longToBits(g);
    }
    scalarSlot.put(v, define(Type.DOUBLE_TYPE, scFrame, Type.DOUBLE_TYPE, nextScalar++));
  }

  /** With an array on the stack, records it as the buffer of {@code v}. */
  void defineBuffer(Value v, DType dtype) {
    bufferSlot.put(v, define(Jvm.arrayType(dtype), bufFrame, Jvm.OBJECT, nextBuffer++));
  }

  private void loadBuffer(int slot, DType dtype) {
    load(bufFrame, Jvm.OBJECT, slot);
    if (frameMode) {
      g.checkCast(Jvm.arrayType(dtype));
    }
  }

  /** With an int on the stack, records it; returns its slot. */
  private int defineInt() {
    return define(Type.INT_TYPE, exFrame, Type.INT_TYPE, frameMode ? nextInt++ : -1);
  }

  /** A new local holding what is on the stack. */
  int temp(Type t) {
    int l = g.newLocal(t);
    g.storeLocal(l);
    return l;
  }

  // ---------------------------------------------------------------- arguments and extents

  /** Records argument {@code p} as a buffer or scalar, and binds the symbols its shape brings. */
  void bindArgument(Param p) {
    DType dt = p.type().dtype();
    Type at = Jvm.arrayType(dt);
    g.loadArg(ARGS_ARG);
    g.push(p.id());
    g.arrayLoad(Jvm.OBJECT);
    g.checkCast(at);
    if (LoopPlan.isOneElement(p.type())) {
      g.push(0);
      Jvm.loadValue(g, dt);
      defineScalarValue(p);
      return;
    }
    defineBuffer(p, dt);
    List<Dim> dims = p.type().dims();
    for (int d = 0; d < dims.size(); d++) {
      Dim dim = dims.get(d);
      if (dim.isStatic() || symbolSlot.containsKey(dim.symbol())) {
        continue;
      }
      g.loadArg(SHAPES_ARG);
      g.push(p.id());
      g.arrayLoad(Jvm.INT_ARRAY);
      g.push(d);
      g.arrayLoad(Type.INT_TYPE);
      if (dim.factor() != 1) {
        g.push(dim.factor());
        g.visitInsn(Opcodes.IDIV);
      }
      symbolSlot.put(dim.symbol(), defineInt());
    }
  }

  /** Computes extent {@code e} once, after the arguments bound its symbols. */
  void computeExtent(Extent e) {
    if (e.coeff() < 0) {
      // computed as its magnitude, which pushExtent negates
      if (!extentSlot.containsKey(e.negated())) {
        computeExtent(e.negated());
      }
      return;
    }
    g.push((int) e.coeff());
    for (String s : e.symbols()) {
      load(exFrame, Type.INT_TYPE, symbolSlot.get(s));
      lib.require(Extents.class, "times", "(II)I");
      g.invokeStatic(owner, new Method("times", "(II)I"));
    }
    extentSlot.put(e, defineInt());
  }

  /** Pushes an extent that is used; one too large for an int is an error here, not before. */
  void pushExtent(Extent e) {
    if (e.isConstant()) {
      g.push((int) e.coeff());
    } else if (e.coeff() < 0) {
      pushExtent(e.negated());
      g.visitInsn(Opcodes.INEG);
    } else {
      load(exFrame, Type.INT_TYPE, extentSlot.get(e));
      if (e.symbols().size() > 1 || e.coeff() != 1) {
        lib.require(Extents.class, "used", "(I)I");
        g.invokeStatic(owner, new Method("used", "(I)I"));
      }
    }
  }

  // ---------------------------------------------------------------- values

  /**
   * Pushes a scalar as a double (a literal, a scalar local, or the scalar of a broadcast scalar).
   */
  void pushScalar(Value v) {
    pushScalarValue(v);
    Jvm.toDouble(g, v.type().dtype());
  }

  /** Pushes a scalar as a {@link Jvm#valueType}: an i64 exactly, as a long. */
  void pushScalarValue(Value v) {
    pushScalarSlot(v);
    if (v.type().dtype() == DType.I64) {
      Jvm.bitsToLong(g);
    }
  }

  /**
   * Pushes the double a scalar's slot holds: its value, or an i64's bits ({@link
   * #defineScalarValue}); kernels take their scalar arguments so.
   */
  void pushScalarSlot(Value v) {
    if (v instanceof Lit l) {
      if (v.type().dtype() == DType.I64) {
        g.push((long) l.value());
        Jvm.longToBits(g);
      } else {
        g.push(l.value());
      }
      return;
    }
    Home h = plan.home(v);
    if (h.where() == Where.BCAST_SCALAR) {
      pushScalarSlot(h.base());
      return;
    }
    Integer slot = scalarSlot.get(v);
    if (slot == null) {
      throw new IllegalStateException("scalar " + v + " is not computed yet");
    }
    load(scFrame, Type.DOUBLE_TYPE, slot);
  }

  /**
   * A local holding the buffer of {@code v}, allocating it (or taking it from {@code outs} when
   * {@code v} is a result) the first time.
   */
  int obtain(Value v, DType dtype) {
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
    loadBuffer(bufferSlot.get(v), dtype);
    return temp(Jvm.arrayType(dtype));
  }

  /**
   * With a length on the stack, leaves {@code outs[i]} (cast to {@code dtype}'s array), first
   * allocating it with that length when the caller left it null.
   */
  void outputArray(int i, DType dtype) {
    Type at = Jvm.arrayType(dtype);
    Label have = new Label();
    int len = g.newLocal(Type.INT_TYPE);
    g.storeLocal(len);
    g.loadArg(OUTS_ARG);
    g.push(i);
    g.arrayLoad(Jvm.OBJECT);
    g.ifNonNull(have);
    g.loadArg(OUTS_ARG);
    g.push(i);
    g.loadLocal(len);
    Jvm.newArray(g, dtype);
    g.arrayStore(Jvm.OBJECT);
    g.mark(have);
    g.loadArg(OUTS_ARG);
    g.push(i);
    g.arrayLoad(Jvm.OBJECT);
    g.checkCast(at);
  }

  /** A local holding the contiguous buffer with {@code v}'s elements. */
  int contiguousBuffer(Value v) {
    Integer slot = bufferSlot.get(v);
    if (slot != null) {
      loadBuffer(slot, v.type().dtype());
      return temp(Jvm.arrayType(v.type().dtype()));
    }
    Home h = plan.home(v);
    if (h.isViewFromStart()) {
      return contiguousBuffer(h.base());
    }
    throw new IllegalStateException("no buffer for " + v + " (" + h.where() + ")");
  }

  /** {@code for (i = from; i < to; i++) body} with a constant start and a local bound. */
  void forRange(int i, int from, int toLocal, Runnable body) {
    g.push(from);
    g.storeLocal(i);
    Jvm.whileBelow(g, i, toLocal, body);
  }
}
