package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.ir.DType;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.SumOrder;
import dev.gradc.ir.Value;
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
 * The vector {@link KernelBackend}: kernels of flat loops over f64 and f32 data, written with
 * {@code jdk.incubator.vector} into the companion class ({@code GemmCall.gemmCompanion}) that is
 * loaded only where the module is readable. The generated class keeps its scalar kernel and calls
 * the vector one through a handle when the companion is there ({@link ClassEmitter}), so both give
 * the same bits and the class itself still needs only {@code java.base}.
 *
 * <p>Shape: each step runs every loop of the kernel on {@code w} elements, {@code w} the lanes of
 * the JVM's preferred f64 species (2, 4 or 8); the last step, shorter than {@code w}, loads and
 * stores under a mask. All arithmetic is in f64 lanes, as the scalar backend's is in doubles: f32
 * data is widened on load, each f32 value rounded to f32 where the scalar backend rounds it, and
 * narrowed on store; {@code exp} is {@code lib.vector.MathVector}'s, bit for bit {@code MathF64}'s.
 * A full sum keeps {@link SumOrder}'s 16 partials in a {@code double[16]} per chunk call: the step
 * at {@code i} adds its {@code w} lanes to the partials from {@code (i - lo) mod 16} on (the masked
 * step only its elements' lanes), so element {@code k} of the chunk goes to partial {@code k mod
 * 16} whatever {@code w}, and the chunk's sum is {@link SumOrder#tree16} of them: the scalar
 * backend's bits. (Partials kept in vectors across steps would be boxed on JDK 17: C2 does not keep
 * a vector that a loop carries in registers, so each step would allocate.)
 *
 * <p>Kernels with elementary functions other than {@code exp} (f64 only) run in blocks through
 * passes of a few vector operations each and the functions between them ({@link VectorBlocks}),
 * full sums included: one method would pass C2's inlining limits and box its vectors. Other loops
 * with a full sum take the vector form only with {@link #SUMS_PROPERTY} set: slower than the scalar
 * kernel as measured so far. What it does not take yet ({@link #unsupported} says why), the scalar
 * kernel runs: rows loops (but those {@link VectorRows} takes), column, row and read-modify-write
 * reductions, products and amax/amin, integer and bool data in buffers, strided access and slices,
 * kernels of more than {@link #MAX_MEMBERS} members or 4 sums, f32 data with elementary functions,
 * and ops without a vector form here.
 */
final class VectorKernelEmitter {
  /** The vector backend: writes {@code sig}'s kernel, public, into the companion {@code cv}. */
  static final KernelBackend BACKEND =
      (cv, owner, lib, sig) -> {
        if (VectorRows.takes(sig.kernel)) {
          ScalarKernelEmitter.VECTOR_ROWS.emit(cv, owner, lib, sig);
          return;
        }
        if (VectorBlocks.blocked(sig.kernel)) {
          emitBlocked(cv, owner, lib, sig, new VectorBlocks(sig.kernel));
          return;
        }
        GeneratorAdapter g = Jvm.method(cv, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, sig.method);
        new VectorKernelEmitter(sig.kernel, g, owner, lib).body(sig);
        g.endMethod();
      };

  private static final String PKG = "jdk/incubator/vector/";
  private static final Type DV = Type.getObjectType(PKG + "DoubleVector");
  private static final Type FV = Type.getObjectType(PKG + "FloatVector");
  private static final Type VEC = Type.getObjectType(PKG + "Vector");
  private static final Type SPECIES = Type.getObjectType(PKG + "VectorSpecies");
  private static final Type MASK = Type.getObjectType(PKG + "VectorMask");
  private static final Type OPS = Type.getObjectType(PKG + "VectorOperators");
  private static final Type COMPARISON = Type.getObjectType(PKG + "VectorOperators$Comparison");
  private static final Type CONVERSION = Type.getObjectType(PKG + "VectorOperators$Conversion");
  private static final Type SHAPE = Type.getObjectType(PKG + "VectorShape");

  /** The companion's static fields: the f64 species, and the f32 species of as many lanes. */
  static final String F64_SPECIES = "F64";

  static final String F32_SPECIES = "F32";

  /** Kernels of more members than this stay scalar ({@link #unsupported}). */
  static final int MAX_MEMBERS = 100;

  private static final Method BINARY = new Method("x", DV, new Type[] {VEC});
  private static final Method BINARY_MASKED = new Method("add", DV, new Type[] {VEC, MASK});
  private static final Method BLEND = new Method("blend", DV, new Type[] {VEC, MASK});
  private static final Method CONVERT =
      new Method("convertShape", VEC, new Type[] {CONVERSION, SPECIES, Type.INT_TYPE});
  private static final Method TREE16 = Method.getMethod("double tree16(double[], int)");

  /** Why the vector backend leaves kernel {@code k} to the scalar one; null when it takes it. */
  static String unsupported(Kernel k) {
    if (k.packed()) {
      return "arguments in a frame";
    }
    if (VectorRows.takes(k)) {
      return null;
    }
    if (k.sequential || k.hasColumns || !k.rowValues.isEmpty()) {
      return "rows";
    }
    int members = 0;
    for (LoopLayout l : k.loops) {
      members += l.loop.members.size();
    }
    // The body is written twice (whole and masked steps), and C2 stops inlining the Vector API's
    // calls in a compilation past about 18,000 nodes: large kernels stay scalar.
    if (members > MAX_MEMBERS || k.reductions.size() > ScalarKernelEmitter.MAX_FLAT_LANE_SUMS) {
      return "too large";
    }
    boolean blocked = VectorBlocks.blocked(k);
    for (LoopLayout l : k.loops) {
      String why = unsupported(l, blocked);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  /**
   * Whether loops with a full sum get a vector form: off unless {@value #SUMS_PROPERTY} is true.
   * Measured (JMH, 1 thread, {@code mse} at 4M elements): the vector sum ran 24.8 ms and allocated
   * 17.8 KB per call (its {@code double[16]} per chunk call) against the scalar kernel's 19.7 ms
   * and 90 B, whose partials live in locals.
   */
  static final String SUMS_PROPERTY = "gradc.vector.sums";

  private static final boolean SUMS = Boolean.getBoolean(SUMS_PROPERTY);

  private static String unsupported(LoopLayout l, boolean blocked) {
    if (l.rank() != 1) {
      return "rows";
    }
    if (!l.guards.isEmpty()) {
      return "guarded reads (a slice_backward read in place)";
    }
    if (blocked) {
      String why = VectorBlocks.unsupported(l);
      if (why != null) {
        return why;
      }
    } else if (!l.reductions.isEmpty() && !SUMS) {
      return "sum (the scalar kernel keeps its partials in locals)";
    }
    for (Reduction r : l.reductions) {
      if (r.mode != Mode.FULL || !r.sumsInBlocks()) {
        return r.inst.op().mnemonic()
            + " ("
            + r.mode.name().toLowerCase(java.util.Locale.ROOT)
            + ")";
      }
    }
    for (Access a : l.reads.values()) {
      if (!floating(a.dtype)) {
        return a.dtype + " data";
      }
      if (!a.stride(0).isZero() && !a.stride(0).equals(Extent.ONE)) {
        return "strided reads";
      }
      if (!a.offset.isZero()) {
        return "reads from an offset (a slice)";
      }
    }
    for (Access a : l.stores.values()) {
      if (!floating(a.dtype)) {
        return a.dtype + " data";
      }
      if (!a.stride(0).equals(Extent.ONE)) {
        return "strided writes";
      }
    }
    for (Value v : l.scalars) {
      if (!floating(v.type().dtype())) {
        return v.type().dtype() + " scalars";
      }
    }
    for (Inst m : l.loop.members) {
      DType dt = m.type().dtype();
      if (LoopPlan.isReduction(m) || l.plan.isCopyMember(m)) {
        if (!floating(dt) || (!floating(m.operand(0).type().dtype()) && LoopPlan.isReduction(m))) {
          return dt + " data";
        }
        continue;
      }
      if (m.op().kind() != Op.Kind.ELEMENTWISE || !supported(m.op())) {
        return m.op().mnemonic();
      }
      boolean compare = comparison(m.op()) != null;
      if (compare ? dt != DType.BOOL : !floating(dt)) {
        return dt + " " + m.op().mnemonic();
      }
      for (int k = 0; k < m.arity(); k++) {
        DType o = m.operand(k).type().dtype();
        boolean condition = (m.op() == Op.WHERE && k == 0) || m.op() == Op.CAST;
        if (!floating(o) && !(condition && o == DType.BOOL)) {
          return o + " " + m.op().mnemonic();
        }
      }
    }
    return null;
  }

  private static boolean floating(DType d) {
    return d == DType.F64 || d == DType.F32;
  }

  static boolean supported(Op op) {
    return switch (op.elementwise()) {
      case ADD,
          SUB,
          MUL,
          DIV,
          MAXIMUM,
          MINIMUM,
          LT,
          LE,
          GT,
          GE,
          EQ,
          NE,
          WHERE,
          CLAMP,
          NEG,
          ABS,
          SQRT,
          EXP,
          EXPM1,
          LOG,
          LOG1P,
          SIGMOID,
          TANH,
          ERF,
          ERFC,
          SIN,
          COS,
          RSQRT,
          RECIPROCAL,
          SQUARE,
          DETACH,
          CAST ->
          true;
      default -> false;
    };
  }

  /** The Vector API comparison of a comparison op, or null. */
  static String comparison(Op op) {
    return switch (op.elementwise()) {
      case LT -> "LT";
      case LE -> "LE";
      case GT -> "GT";
      case GE -> "GE";
      case EQ -> "EQ";
      case NE -> "NE";
      default -> null;
    };
  }

  /**
   * The vector shape of a loop of kernel {@code k}, which the vector backend takes, for the plan.
   */
  static String shape(Kernel k, LoopLayout l) {
    if (VectorRows.takes(k)) {
      return VectorRows.shape(l);
    }
    if (VectorBlocks.blocked(k)) {
      VectorBlocks plan = new VectorBlocks(k);
      long passes = plan.passes.stream().filter(p -> p.layout() == l).count();
      return "w f64 lanes (2, 4 or 8), in blocks of "
          + VectorBlocks.BLOCK
          + " through "
          + passes
          + " passes, "
          + plan.buffers()
          + " block buffers in the kernel, masked tail"
          + (l.reductions.isEmpty() ? "" : ", 16 sum partials in a double[16]");
    }
    return shape(l);
  }

  private static String shape(LoopLayout l) {
    boolean f32 = false;
    for (Access a : l.buffers) {
      f32 |= a.dtype == DType.F32;
    }
    return "w f64 lanes (2, 4 or 8)"
        + (f32 ? ", f32 data widened" : "")
        + ", masked tail"
        + (l.reductions.isEmpty() ? "" : ", 16 sum partials in a double[16]");
  }

  // --- the companion's parts

  /**
   * Writes into the companion {@code cv} (named {@code owner}) the species fields, {@code int
   * lanes()} and the vector form of each kernel of {@code sigs}, each with the scalar kernel's name
   * and descriptor, public.
   */
  static void emitCompanion(
      ClassVisitor cv, Type owner, LibraryCopier lib, List<KernelSignature> sigs) {
    int fieldAccess = Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL;
    cv.visitField(fieldAccess, F64_SPECIES, SPECIES.getDescriptor(), null, null).visitEnd();
    cv.visitField(fieldAccess, F32_SPECIES, SPECIES.getDescriptor(), null, null).visitEnd();
    GeneratorAdapter init = Jvm.method(cv, Opcodes.ACC_STATIC, Method.getMethod("void <clinit>()"));
    init.getStatic(DV, "SPECIES_PREFERRED", SPECIES);
    init.dup();
    init.putStatic(owner, F64_SPECIES, SPECIES);
    init.invokeInterface(SPECIES, new Method("vectorBitSize", "()I"));
    init.push(2);
    init.visitInsn(Opcodes.IDIV);
    init.invokeStatic(SHAPE, new Method("forBitSize", SHAPE, new Type[] {Type.INT_TYPE}));
    int shape = init.newLocal(SHAPE);
    init.storeLocal(shape);
    init.getStatic(Type.getType(Float.class), "TYPE", Type.getType(Class.class));
    init.loadLocal(shape);
    init.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        SPECIES.getInternalName(),
        "of",
        Type.getMethodDescriptor(SPECIES, Type.getType(Class.class), SHAPE),
        true);
    init.putStatic(owner, F32_SPECIES, SPECIES);
    for (KernelSignature sig : sigs) {
      if (!VectorRows.takes(sig.kernel) && VectorBlocks.blocked(sig.kernel)) {
        passHandles(cv, init, owner, sig, new VectorBlocks(sig.kernel));
      }
    }
    init.returnValue();
    init.endMethod();
    GeneratorAdapter lanes =
        Jvm.method(cv, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, Method.getMethod("int lanes()"));
    lanes.getStatic(owner, F64_SPECIES, SPECIES);
    lanes.invokeInterface(SPECIES, new Method("length", "()I"));
    lanes.returnValue();
    lanes.endMethod();
    for (KernelSignature sig : sigs) {
      BACKEND.emit(cv, owner, lib, sig);
    }
  }

  // --- a kernel in blocks (VectorBlocks)

  private static final Type DOUBLE_ARRAYS = Type.getType(double[][].class);

  /** A pass method's arguments after the kernel's: block buffers, {@code lo, b, from, to}. */
  private static final Type[] PASS_ARGS = {
    DOUBLE_ARRAYS, Type.INT_TYPE, Type.INT_TYPE, Type.INT_TYPE, Type.INT_TYPE
  };

  private static final String MATH_BLOCKS = "dev/gradc/codegen/lib/vector/MathBlocks";

  private static final Method BLOCK_FUNCTION =
      new Method(
          "f",
          Type.VOID_TYPE,
          new Type[] {SPECIES, Jvm.DOUBLE_ARRAY, Jvm.DOUBLE_ARRAY, Type.INT_TYPE});

  /** The kernel's buffer, scalar and extent arguments, which pass methods take too. */
  private static int prefix(KernelSignature sig) {
    return sig.method.getArgumentTypes().length - 3 - (sig.takesPartials() ? 1 : 0);
  }

  /** Pass {@code k}'s method: whole steps over {@code [from, to)}, or its one masked step. */
  private static Method passMethod(KernelSignature sig, int k, boolean tail) {
    Type[] args =
        java.util.Arrays.copyOf(sig.method.getArgumentTypes(), prefix(sig) + PASS_ARGS.length);
    System.arraycopy(PASS_ARGS, 0, args, prefix(sig), PASS_ARGS.length);
    return new Method(sig.name + "p" + k + (tail ? "t" : ""), Type.VOID_TYPE, args);
  }

  private static void emitBlocked(
      ClassVisitor cv, Type owner, LibraryCopier lib, KernelSignature sig, VectorBlocks plan) {
    int access = Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC;
    for (int k = 0; k < plan.passes.size(); k++) {
      if (plan.passes.get(k) instanceof VectorBlocks.Arith a) {
        for (boolean tail : new boolean[] {false, true}) {
          GeneratorAdapter g = Jvm.method(cv, access, passMethod(sig, k, tail));
          new VectorKernelEmitter(sig.kernel, g, owner, lib).passBody(sig, plan, a, tail);
          g.endMethod();
        }
      }
    }
    GeneratorAdapter g = Jvm.method(cv, access, sig.method);
    new VectorKernelEmitter(sig.kernel, g, owner, lib).blockedBody(sig, plan);
    g.endMethod();
  }

  /** Stores {@code blocks[index]} in a new local and returns it. */
  private int blockBuffer(int blocksLocalOrArg, boolean isArg, int index) {
    int local = g.newLocal(Jvm.DOUBLE_ARRAY);
    if (isArg) {
      g.loadArg(blocksLocalOrArg);
    } else {
      g.loadLocal(blocksLocalOrArg);
    }
    g.push(index);
    g.arrayLoad(Jvm.DOUBLE_ARRAY);
    g.storeLocal(local);
    return local;
  }

  /**
   * The kernel's method: the block buffers and sum partials, then per block of {@link
   * VectorBlocks#BLOCK} elements each pass, then the sums as {@link #body}'s.
   */
  private void blockedBody(KernelSignature sig, VectorBlocks plan) {
    int[] ends = KernelSignature.argIndices(kernel, bufferArg, scalarArg, intArg);
    partialsArg = ends[0];
    chunkArg = ends[1];
    loArg = ends[2];
    hiArg = ends[3];
    int buffers = plan.buffers();
    int sums = kernel.reductions.size();
    width = g.newLocal(Type.INT_TYPE);
    species64();
    g.invokeInterface(SPECIES, new Method("length", "()I"));
    g.storeLocal(width);
    int blocks = g.newLocal(DOUBLE_ARRAYS);
    g.push(buffers + sums);
    g.newArray(Jvm.DOUBLE_ARRAY);
    g.storeLocal(blocks);
    for (int j = 0; j < buffers + sums; j++) {
      g.loadLocal(blocks);
      g.push(j);
      g.push(j < buffers ? VectorBlocks.BLOCK : SumOrder.BLOCK);
      g.newArray(Type.DOUBLE_TYPE);
      g.arrayStore(Jvm.DOUBLE_ARRAY);
    }
    // end = lo + (hi - lo) / w * w: where the whole steps end
    int end = g.newLocal(Type.INT_TYPE);
    g.loadArg(hiArg);
    g.loadArg(loArg);
    g.visitInsn(Opcodes.ISUB);
    wholeSteps();
    g.loadArg(loArg);
    g.visitInsn(Opcodes.IADD);
    g.storeLocal(end);
    int b = g.newLocal(Type.INT_TYPE);
    int e = g.newLocal(Type.INT_TYPE);
    int we = g.newLocal(Type.INT_TYPE);
    int n = g.newLocal(Type.INT_TYPE);
    g.loadArg(loArg);
    g.storeLocal(b);
    Label head = new Label();
    Label done = whileBelowHi(head, b);
    // e = min(b + BLOCK, hi), we = min(e, end), n = e - b rounded up to whole steps
    g.loadLocal(b);
    g.push(VectorBlocks.BLOCK);
    g.visitInsn(Opcodes.IADD);
    g.loadArg(hiArg);
    g.invokeStatic(Type.getType(Math.class), Method.getMethod("int min(int, int)"));
    g.storeLocal(e);
    g.loadLocal(e);
    g.loadLocal(end);
    g.invokeStatic(Type.getType(Math.class), Method.getMethod("int min(int, int)"));
    g.storeLocal(we);
    g.loadLocal(e);
    g.loadLocal(b);
    g.visitInsn(Opcodes.ISUB);
    Jvm.roundUp(g, width);
    g.storeLocal(n);
    for (int k = 0; k < plan.passes.size(); k++) {
      VectorBlocks.Pass p = plan.passes.get(k);
      if (p instanceof VectorBlocks.Arith) {
        callPass(sig, plan, k, false, blocks, b, b, we);
        Label whole = new Label();
        g.loadLocal(we);
        g.loadLocal(e);
        g.ifICmp(GeneratorAdapter.GE, whole);
        callPass(sig, plan, k, true, blocks, b, we, e);
        g.mark(whole);
      } else if (p instanceof VectorBlocks.Call c) {
        handle(sig, plan.handle(k));
        species64();
        for (Value v : List.of(c.fn().operand(0), c.fn())) {
          g.loadLocal(blocks);
          g.push(plan.slots.get(v));
          g.arrayLoad(Jvm.DOUBLE_ARRAY);
        }
        g.loadLocal(n);
        Method f = blockFunction(c);
        lib.require(LibraryCopier.load(MATH_BLOCKS), f.getName(), f.getDescriptor());
        g.invokeVirtual(HANDLE, named(f, "invokeExact"));
      }
    }
    g.loadLocal(b);
    g.push(VectorBlocks.BLOCK);
    g.visitInsn(Opcodes.IADD);
    g.storeLocal(b);
    g.goTo(head);
    g.mark(done);
    for (int r = 0; r < sums; r++) {
      Reduction red = kernel.reductions.get(r);
      partials.put(red, blockBuffer(blocks, false, buffers + r));
      acc.put(red, g.newLocal(Type.DOUBLE_TYPE));
    }
    finish(sig);
  }

  /** Marks a loop's {@code head}, which exits to the label returned once {@code local >= hi}. */
  private Label whileBelowHi(Label head, int local) {
    Label done = new Label();
    g.mark(head);
    g.loadLocal(local);
    g.loadArg(hiArg);
    g.ifICmp(GeneratorAdapter.GE, done);
    return done;
  }

  /** With a count on the stack, leaves it rounded down to a multiple of {@code w}. */
  private void wholeSteps() {
    g.loadLocal(width);
    g.visitInsn(Opcodes.IDIV);
    g.loadLocal(width);
    g.visitInsn(Opcodes.IMUL);
  }

  private void callPass(
      KernelSignature sig,
      VectorBlocks plan,
      int k,
      boolean tail,
      int blocks,
      int b,
      int from,
      int to) {
    handle(sig, plan.handle(k) + (tail ? 1 : 0));
    g.loadArgs(0, prefix(sig));
    g.loadLocal(blocks);
    g.loadArg(loArg);
    g.loadLocal(b);
    g.loadLocal(from);
    g.loadLocal(to);
    g.invokeVirtual(HANDLE, named(passMethod(sig, k, tail), "invokeExact"));
  }

  static final Type HANDLE = Type.getType(java.lang.invoke.MethodHandle.class);

  private static final Type HANDLES = Type.getType(java.lang.invoke.MethodHandle[].class);

  /** Pass handles made by one method of the companion's class initialisation. */
  private static final int HANDLES_PER_METHOD = 256;

  /** Pushes the handle of the static method {@code target} of {@code owner}. */
  static void findStatic(GeneratorAdapter g, Type owner, Method target) {
    Type lookup = Type.getType(java.lang.invoke.MethodHandles.Lookup.class);
    Type methodType = Type.getType(java.lang.invoke.MethodType.class);
    g.invokeStatic(
        Type.getType(java.lang.invoke.MethodHandles.class),
        new Method("lookup", lookup, new Type[0]));
    g.push(owner);
    g.push(target.getName());
    g.push(target.getDescriptor());
    g.visitInsn(Opcodes.ACONST_NULL);
    g.invokeStatic(
        methodType,
        new Method(
            "fromMethodDescriptorString",
            methodType,
            new Type[] {Type.getType(String.class), Type.getType(ClassLoader.class)}));
    g.invokeVirtual(
        lookup,
        new Method(
            "findStatic",
            HANDLE,
            new Type[] {Type.getType(Class.class), Type.getType(String.class), methodType}));
  }

  /** The companion's field of {@code sig}'s pass handles ({@link #passHandles}). */
  private static String handlesField(KernelSignature sig) {
    return sig.name + "Passes";
  }

  /** Pushes handle {@code i} of {@code sig}'s passes. */
  private void handle(KernelSignature sig, int i) {
    g.getStatic(owner, handlesField(sig), HANDLES);
    g.push(i);
    g.arrayLoad(HANDLE);
  }

  private static Method blockFunction(VectorBlocks.Call c) {
    return named(BLOCK_FUNCTION, c.fn().op().mnemonic() + "Block");
  }

  /**
   * The field holding the handles of {@code sig}'s pass methods and functions, set in the
   * companion's {@code <clinit>} {@code init}. The kernel calls its passes through them so that C2
   * compiles each pass apart: inlined into the kernel's method, the passes together reach C2's
   * NodeCountInliningCutoff part way through one of them, whose Vector API calls then box their
   * vectors (measured: 349 bytes allocated per element of black_scholes).
   */
  private static void passHandles(
      ClassVisitor cv, GeneratorAdapter init, Type owner, KernelSignature sig, VectorBlocks plan) {
    int fieldAccess = Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL;
    cv.visitField(fieldAccess, handlesField(sig), HANDLES.getDescriptor(), null, null).visitEnd();
    List<Method> targets = new java.util.ArrayList<>();
    for (int k = 0; k < plan.passes.size(); k++) {
      if (plan.passes.get(k) instanceof VectorBlocks.Call c) {
        targets.add(blockFunction(c));
      } else {
        targets.add(passMethod(sig, k, false));
        targets.add(passMethod(sig, k, true));
      }
    }
    // The handles are made by fill methods of at most HANDLES_PER_METHOD each, so that neither
    // <clinit> nor a fill method outgrows the JVM's 64 KB of bytecode with many kernels or passes.
    init.push(targets.size());
    init.newArray(HANDLE);
    for (int from = 0; from < targets.size(); from += HANDLES_PER_METHOD) {
      Method fill =
          new Method(handlesField(sig) + "$" + from, Type.VOID_TYPE, new Type[] {HANDLES});
      GeneratorAdapter g = Jvm.method(cv, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, fill);
      for (int i = from; i < Math.min(targets.size(), from + HANDLES_PER_METHOD); i++) {
        g.loadArg(0);
        g.push(i);
        findStatic(g, owner, targets.get(i));
        g.arrayStore(HANDLE);
      }
      g.returnValue();
      g.endMethod();
      init.dup();
      init.invokeStatic(owner, fill);
    }
    init.putStatic(owner, handlesField(sig), HANDLES);
  }

  /** A pass method: whole steps over {@code [from, to)}, or ({@code tail}) one masked step. */
  private void passBody(
      KernelSignature sig, VectorBlocks plan, VectorBlocks.Arith a, boolean tail) {
    KernelSignature.argIndices(kernel, bufferArg, scalarArg, intArg);
    int blocksArg = prefix(sig);
    loArg = blocksArg + 1;
    int bArg = blocksArg + 2;
    int fromArg = blocksArg + 3;
    hiArg = blocksArg + 4;
    blocks = plan;
    pass = a;
    layout = a.layout();
    for (Inst m : a.members()) {
      if (LoopPlan.isReduction(m)) {
        Reduction r = layout.reductionOf(m);
        partials.put(
            r, blockBuffer(blocksArg, true, plan.buffers() + kernel.reductions.indexOf(r)));
      }
      for (Value v : m.operands()) {
        useSlot(plan, v, blocksArg);
      }
      useSlot(plan, m, blocksArg);
    }
    for (Inst m : a.stores()) {
      useSlot(plan, m, blocksArg);
    }
    for (Value v : a.feeds()) {
      useSlot(plan, v, blocksArg);
    }
    width = g.newLocal(Type.INT_TYPE);
    species64();
    g.invokeInterface(SPECIES, new Method("length", "()I"));
    g.storeLocal(width);
    mask = g.newLocal(MASK);
    floatMask = g.newLocal(MASK);
    g.visitInsn(Opcodes.ACONST_NULL);
    g.storeLocal(floatMask);
    index = g.newLocal(Type.INT_TYPE);
    scratchIndex = g.newLocal(Type.INT_TYPE);
    g.loadArg(fromArg);
    g.storeLocal(index);
    if (tail) {
      stepMask(this::species64, mask);
      masked = true;
      blockStep(a, bArg);
    } else {
      g.visitInsn(Opcodes.ACONST_NULL);
      g.storeLocal(mask);
      Label head = new Label();
      Label done = whileBelowHi(head, index);
      masked = false;
      blockStep(a, bArg);
      g.loadLocal(index);
      g.loadLocal(width);
      g.visitInsn(Opcodes.IADD);
      g.storeLocal(index);
      g.goTo(head);
      g.mark(done);
    }
    g.returnValue();
  }

  /** Loads block buffer of {@code v}, if it has one and is not loaded yet, into a local. */
  private void useSlot(VectorBlocks plan, Value v, int blocksArg) {
    Integer slot = plan.slots.get(v);
    if (slot != null && !scratch.containsKey(slot)) {
      scratch.put(slot, blockBuffer(blocksArg, true, slot));
    }
  }

  /** One step of an arithmetic pass: its members, then the function values it stores. */
  private void blockStep(VectorBlocks.Arith a, int bArg) {
    g.loadLocal(index);
    g.loadArg(bArg);
    g.visitInsn(Opcodes.ISUB);
    g.storeLocal(scratchIndex);
    elements(a.members());
    for (Inst m : a.stores()) {
      push(m);
      store(layout.stores.get(m));
    }
    for (Value v : a.feeds()) {
      push(v);
      scratchArray(blocks.slots.get(v));
      g.invokeVirtual(
          DV,
          new Method("intoArray", Type.VOID_TYPE, new Type[] {Jvm.DOUBLE_ARRAY, Type.INT_TYPE}));
    }
  }

  // --- one kernel

  private final Kernel kernel;
  private final GeneratorAdapter g;
  private final Type owner;
  private final LibraryCopier lib;
  private LoopLayout layout;
  private final Map<Access, Integer> bufferArg = new IdentityHashMap<>();
  private final Map<Value, Integer> scalarArg = new IdentityHashMap<>();
  private final Map<Extent, Integer> intArg = new java.util.HashMap<>();
  private final Map<Value, Integer> locals = new IdentityHashMap<>();

  /** For each full sum: the local of its 16 partials, a {@code double[16]} per chunk call. */
  private final Map<Reduction, Integer> partials = new java.util.LinkedHashMap<>();

  private final Map<Reduction, Integer> acc = new IdentityHashMap<>();
  private int partialsArg = -1;
  private int chunkArg;
  private int loArg;
  private int hiArg;
  private int index;
  private int width;
  private int mask;
  private int floatMask;
  private boolean masked;

  /** In a pass of a blocked kernel: the plan, the pass, its block buffers' locals by slot. */
  private VectorBlocks blocks;

  private VectorBlocks.Pass pass;
  private final Map<Integer, Integer> scratch = new java.util.HashMap<>();

  /** The local of {@code i - b}, the step's offset in the block buffers. */
  private int scratchIndex;

  private VectorKernelEmitter(Kernel kernel, GeneratorAdapter g, Type owner, LibraryCopier lib) {
    this.kernel = kernel;
    this.g = g;
    this.owner = owner;
    this.lib = lib;
  }

  private void body(KernelSignature sig) {
    int[] ends = KernelSignature.argIndices(kernel, bufferArg, scalarArg, intArg);
    partialsArg = ends[0];
    chunkArg = ends[1];
    loArg = ends[2];
    hiArg = ends[3];
    width = g.newLocal(Type.INT_TYPE);
    species64();
    g.invokeInterface(SPECIES, new Method("length", "()I"));
    g.storeLocal(width);
    for (Reduction r : kernel.reductions) {
      int p = g.newLocal(Jvm.DOUBLE_ARRAY);
      g.push(SumOrder.BLOCK);
      g.newArray(Type.DOUBLE_TYPE);
      g.storeLocal(p);
      partials.put(r, p);
      acc.put(r, g.newLocal(Type.DOUBLE_TYPE));
    }
    mask = g.newLocal(MASK);
    floatMask = g.newLocal(MASK);
    g.visitInsn(Opcodes.ACONST_NULL);
    g.storeLocal(mask);
    g.visitInsn(Opcodes.ACONST_NULL);
    g.storeLocal(floatMask);
    index = g.newLocal(Type.INT_TYPE);
    g.loadArg(loArg);
    g.storeLocal(index);
    Label head = new Label();
    Label tail = new Label();
    Label done = new Label();
    // whole steps while hi - i >= w
    g.mark(head);
    g.loadArg(hiArg);
    g.loadLocal(index);
    g.visitInsn(Opcodes.ISUB);
    g.loadLocal(width);
    g.ifICmp(GeneratorAdapter.LT, tail);
    masked = false;
    step();
    g.loadLocal(index);
    g.loadLocal(width);
    g.visitInsn(Opcodes.IADD);
    g.storeLocal(index);
    g.goTo(head);
    // the last, partial step under a mask
    g.mark(tail);
    g.loadLocal(index);
    g.loadArg(hiArg);
    g.ifICmp(GeneratorAdapter.GE, done);
    stepMask(this::species64, mask);
    stepMask(this::species32, floatMask);
    masked = true;
    step();
    g.mark(done);
    finish(sig);
  }

  /** Stores in {@code local} the mask of the step's lanes below {@code hi}, in {@code species}. */
  private void stepMask(Runnable species, int local) {
    species.run();
    g.loadLocal(index);
    g.loadArg(hiArg);
    g.invokeInterface(
        SPECIES, new Method("indexInRange", MASK, new Type[] {Type.INT_TYPE, Type.INT_TYPE}));
    g.storeLocal(local);
  }

  private void species64() {
    g.getStatic(owner, F64_SPECIES, SPECIES);
  }

  private void species32() {
    g.getStatic(owner, F32_SPECIES, SPECIES);
  }

  /** One step: every loop on the step's elements. */
  private void step() {
    for (LoopLayout l : kernel.loops) {
      layout = l;
      elements(l.loop.members);
    }
  }

  /** The chunk's end: each sum is the tree of its partials; results as the scalar kernel's. */
  private void finish(KernelSignature sig) {
    for (Map.Entry<Reduction, Integer> e : partials.entrySet()) {
      lib.require(SumOrder.class, TREE16.getName(), TREE16.getDescriptor());
      g.loadLocal(e.getValue());
      g.push(0);
      g.invokeStatic(owner, TREE16);
      g.storeLocal(acc.get(e.getKey()));
    }
    ScalarKernelEmitter.returnFullReductions(
        g, kernel, sig, acc, () -> g.loadArg(partialsArg), chunkArg);
  }

  private Reduction reductionOf(Inst m) {
    return layout.reductionOf(m);
  }

  /** {@code members} of the current loop on the step's elements. */
  private void elements(List<Inst> members) {
    for (Inst m : members) {
      if (LoopPlan.isReduction(m)) {
        // p[off, off + w) += x, off = (i - lo) mod 16: element k of the chunk to partial k mod 16
        int p = partials.get(reductionOf(m));
        species64();
        g.loadLocal(p);
        pushPartialsOffset();
        g.invokeStatic(
            DV, new Method("fromArray", DV, new Type[] {SPECIES, Jvm.DOUBLE_ARRAY, Type.INT_TYPE}));
        push(m.operand(0));
        if (masked) {
          g.loadLocal(mask);
          g.invokeVirtual(DV, BINARY_MASKED);
        } else {
          g.invokeVirtual(DV, named(BINARY, "add"));
        }
        g.loadLocal(p);
        pushPartialsOffset();
        g.invokeVirtual(
            DV,
            new Method("intoArray", Type.VOID_TYPE, new Type[] {Jvm.DOUBLE_ARRAY, Type.INT_TYPE}));
        continue;
      }
      DType dt = m.type().dtype();
      if (layout.plan.isCopyMember(m)) {
        Access a = layout.reads.get(m);
        if (a != null) {
          load(a);
        } else {
          push(layout.plan.scalarOf(m));
        }
      } else {
        op(m);
        if (dt == DType.F32) {
          roundToFloat();
        }
      }
      int local = g.newLocal(DV);
      g.storeLocal(local);
      locals.put(m, local);
      Access st = layout.stores.get(m);
      if (st != null) {
        g.loadLocal(local);
        store(st);
      }
      Integer slot = blocks == null ? null : blocks.slots.get(m);
      if (slot != null) {
        g.loadLocal(local);
        scratchArray(slot);
        g.invokeVirtual(
            DV,
            new Method("intoArray", Type.VOID_TYPE, new Type[] {Jvm.DOUBLE_ARRAY, Type.INT_TYPE}));
      }
    }
    locals.clear();
  }

  /** Pushes block buffer {@code slot} and the step's offset in it. */
  private void scratchArray(int slot) {
    g.loadLocal(scratch.get(slot));
    g.loadLocal(scratchIndex);
  }

  /** Pushes {@code (i - lo) mod 16}, a multiple of {@code w}: where the step's partials start. */
  private void pushPartialsOffset() {
    g.loadLocal(index);
    g.loadArg(loArg);
    g.visitInsn(Opcodes.ISUB);
    g.push(SumOrder.BLOCK - 1);
    g.visitInsn(Opcodes.IAND);
  }

  private static Method named(Method m, String name) {
    return new Method(name, m.getDescriptor());
  }

  /** Pushes {@code v} as a vector of doubles. */
  private void push(Value v) {
    Integer local = locals.get(v);
    if (local != null) {
      g.loadLocal(local);
      return;
    }
    Integer slot = blocks == null ? null : blocks.slots.get(v);
    // a member another pass computed: from its block buffer (operands of functions that no pass
    // computes are read as usual)
    if (slot != null && blocks.home.get(v) != null && blocks.home.get(v) != pass) {
      species64();
      scratchArray(slot);
      g.invokeStatic(
          DV, new Method("fromArray", DV, new Type[] {SPECIES, Jvm.DOUBLE_ARRAY, Type.INT_TYPE}));
      return;
    }
    Value s = v instanceof Lit ? v : layout.plan.scalarOf(v);
    if (s instanceof Lit l) {
      broadcast(() -> g.push(l.value()));
      return;
    }
    Integer sa = scalarArg.get(s);
    if (sa != null) {
      broadcast(() -> g.loadArg(sa));
      return;
    }
    Access a = layout.reads.get(v);
    if (a == null) {
      throw new IllegalStateException("loop " + layout.loop.index + " cannot read " + v);
    }
    load(a);
  }

  private void broadcast(Runnable pushDouble) {
    species64();
    pushDouble.run();
    g.invokeStatic(DV, new Method("broadcast", DV, new Type[] {SPECIES, Type.DOUBLE_TYPE}));
  }

  private void pushArray(Access a) {
    g.loadArg(bufferArg.get(kernel.bufferParam(layout, a)));
  }

  /** Loads the step's elements of {@code a} (stride 1) or its one element (stride 0). */
  private void load(Access a) {
    if (a.stride(0).isZero()) {
      broadcast(
          () -> {
            pushArray(a);
            g.push(0);
            Jvm.loadElement(g, a.dtype);
          });
      return;
    }
    boolean f32 = a.dtype == DType.F32;
    Type vt = f32 ? FV : DV;
    if (f32) {
      species32();
    } else {
      species64();
    }
    arrayCall(a, vt, true);
    if (f32) {
      convert("F2D", this::species64, DV);
    }
  }

  /** With a vector of doubles on the stack, stores it as the step's elements of {@code a}. */
  private void store(Access a) {
    boolean f32 = a.dtype == DType.F32;
    Type vt = f32 ? FV : DV;
    if (f32) {
      convert("D2F", this::species32, FV);
    }
    arrayCall(a, vt, false);
  }

  /**
   * Pushes {@code a}'s array, the step's index and, in the masked step, the mask, and calls {@code
   * vt}'s {@code fromArray} (a species is on the stack) or {@code intoArray} (a vector is).
   */
  private void arrayCall(Access a, Type vt, boolean load) {
    pushArray(a);
    g.loadLocal(index);
    List<Type> params = new java.util.ArrayList<>();
    if (load) {
      params.add(SPECIES);
    }
    params.add(Jvm.arrayType(a.dtype));
    params.add(Type.INT_TYPE);
    if (masked) {
      g.loadLocal(a.dtype == DType.F32 ? floatMask : mask);
      params.add(MASK);
    }
    Type[] ps = params.toArray(new Type[0]);
    if (load) {
      g.invokeStatic(vt, new Method("fromArray", vt, ps));
    } else {
      g.invokeVirtual(vt, new Method("intoArray", Type.VOID_TYPE, ps));
    }
  }

  /** Converts the vector on the stack lane by lane ({@code F2D}, {@code D2F}) to {@code to}. */
  private void convert(String conversion, Runnable species, Type to) {
    g.getStatic(OPS, conversion, CONVERSION);
    species.run();
    g.push(0);
    g.invokeVirtual(VEC, CONVERT);
    g.checkCast(to);
  }

  /** Rounds each lane to f32 and back, as the scalar backend's {@code (double) (float) x}. */
  private void roundToFloat() {
    convert("D2F", this::species32, FV);
    convert("F2D", this::species64, DV);
  }

  /** A copy of {@code lib.vector.MathVector}'s f64 function named as the op. */
  private void function(Inst m) {
    push(m.operand(0));
    String name = m.op().mnemonic();
    Method f = new Method(name, DV, new Type[] {DV});
    lib.require(
        LibraryCopier.load("dev/gradc/codegen/lib/vector/MathVector"), name, f.getDescriptor());
    g.invokeStatic(owner, f);
  }

  /** Leaves {@code m}'s value as a vector of doubles, as {@link OpEmitter#emit} computes it. */
  private void op(Inst m) {
    op(g, m, this::push, this::species64, this::function);
  }

  /**
   * Leaves {@code m}'s value as a vector of f64 lanes, as {@link OpEmitter#emit} computes it (a
   * comparison 1.0 where it holds, else 0.0): {@code push} pushes an operand as a vector, {@code
   * species} the f64 species, {@code function} leaves an elementary function's value.
   */
  static void op(
      GeneratorAdapter g,
      Inst m,
      java.util.function.Consumer<Value> push,
      Runnable species,
      java.util.function.Consumer<Inst> function) {
    Runnable zero =
        () -> {
          species.run();
          g.push(0.0);
          g.invokeStatic(DV, new Method("broadcast", DV, new Type[] {SPECIES, Type.DOUBLE_TYPE}));
        };
    Runnable one =
        () -> {
          species.run();
          g.push(1.0);
          g.invokeStatic(DV, new Method("broadcast", DV, new Type[] {SPECIES, Type.DOUBLE_TYPE}));
        };
    String cmp = comparison(m.op());
    if (cmp != null) {
      // 1.0 where the comparison holds, else 0.0
      int holds = g.newLocal(MASK);
      push.accept(m.operand(0));
      g.getStatic(OPS, cmp, COMPARISON);
      push.accept(m.operand(1));
      g.invokeVirtual(DV, new Method("compare", MASK, new Type[] {COMPARISON, VEC}));
      g.storeLocal(holds);
      zero.run();
      one.run();
      g.loadLocal(holds);
      g.invokeVirtual(DV, BLEND);
      return;
    }
    java.util.function.Consumer<String> binary =
        name -> {
          push.accept(m.operand(0));
          push.accept(m.operand(1));
          g.invokeVirtual(DV, named(BINARY, name));
        };
    java.util.function.Consumer<String> unary =
        name -> {
          push.accept(m.operand(0));
          g.invokeVirtual(DV, new Method(name, DV, new Type[0]));
        };
    switch (m.op().elementwise()) {
      case ADD -> binary.accept("add");
      case SUB -> binary.accept("sub");
      case MUL -> binary.accept("mul");
      case DIV -> binary.accept("div");
      case MAXIMUM -> binary.accept("max");
      case MINIMUM -> binary.accept("min");
      case WHERE -> {
        // condition == 0 ? otherwise : then
        push.accept(m.operand(1));
        push.accept(m.operand(2));
        push.accept(m.operand(0));
        g.getStatic(OPS, "EQ", COMPARISON);
        g.push(0.0);
        g.invokeVirtual(DV, new Method("compare", MASK, new Type[] {COMPARISON, Type.DOUBLE_TYPE}));
        g.invokeVirtual(DV, BLEND);
      }
      case CLAMP -> {
        binary.accept("max");
        push.accept(m.operand(2));
        g.invokeVirtual(DV, named(BINARY, "min"));
      }
      case NEG -> unary.accept("neg");
      case ABS -> unary.accept("abs");
      case SQRT -> unary.accept("sqrt");
      case EXP -> function.accept(m);
      case RSQRT -> {
        one.run();
        unary.accept("sqrt");
        g.invokeVirtual(DV, named(BINARY, "div"));
      }
      case RECIPROCAL -> {
        one.run();
        push.accept(m.operand(0));
        g.invokeVirtual(DV, named(BINARY, "div"));
      }
      case SQUARE -> {
        push.accept(m.operand(0));
        g.dup();
        g.invokeVirtual(DV, named(BINARY, "mul"));
      }
      case DETACH, CAST -> push.accept(m.operand(0));
      default -> throw new IllegalStateException("no vector form of " + m.op().mnemonic());
    }
  }
}
