package dev.gradc.codegen;

import dev.gradc.codegen.lib.GemmCall;
import dev.gradc.codegen.lib.KernelVectors;
import dev.gradc.ir.Op;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Stage 5, emit class: {@link Plan} to the bytes of one class. The class holds a method per kernel
 * ({@link KernelBackend}), the parts that run chunks on a pool ({@link ChunkTasks}), the driver
 * ({@link DriverEmitter}), an entry without a pool, and copies of the library routines used ({@link
 * LibraryCopier}):
 *
 * <pre>
 * public static Object[] call(Object[] args, int[][] shapes, Object[] outs,
 *                             ExecutorService pool, int threads)
 * public static Object[] call(Object[] args, int[][] shapes, Object[] outs)
 * </pre>
 *
 * The driver binds the symbolic dims from the argument shapes, allocates buffers (results go into
 * {@code outs} when the caller provides arrays there), runs the steps in order in fixed-size
 * chunks, computes scalars between steps, and returns {@code outs}. Arguments are trusted: the
 * runtime checks dtypes and shapes before calling. The class references {@code java.base} only.
 */
final class ClassEmitter {
  private ClassEmitter() {}

  /**
   * Elements (flat kernels) or row-elements per chunk; fixed, so results do not depend on threads.
   */
  static final int CHUNK = dev.gradc.ir.SumOrder.CHUNK;

  static final Method CALL =
      Method.getMethod(
          "Object[] call(Object[], int[][], Object[], java.util.concurrent.ExecutorService, int)");
  static final Method CALL_SEQUENTIAL =
      Method.getMethod("Object[] call(Object[], int[][], Object[])");

  /**
   * The bytes of a class named {@code internalName} (slashes) that runs {@code plan}; with {@code
   * frameMode}, the driver is in frame mode whatever its size (tests exercise it on small plans).
   */
  static byte[] emit(Plan plan, String internalName, boolean frameMode) {
    Type owner = Type.getObjectType(internalName);
    ClassWriter cw = newClass(internalName, new String[] {"java/lang/Runnable"});
    LibraryCopier lib = new LibraryCopier(internalName);
    KernelBackend backend = ScalarKernelEmitter.BACKEND;
    Map<Kernel, KernelSignature> signatures = new IdentityHashMap<>();
    List<KernelSignature> vectors = new ArrayList<>();
    for (Kernel k : plan.kernels) {
      KernelSignature sig = KernelSignature.of(k);
      signatures.put(k, sig);
      backend.emit(cw, owner, lib, sig);
      if (sig.vector) {
        vectors.add(sig);
        vectorDispatch(cw, owner, sig);
      }
      ChunkTasks.emitChunks(cw, owner, sig);
    }
    boolean products = hasProducts(plan);
    ChunkTasks.emitTask(cw, owner, plan.kernels, products);
    if (!vectors.isEmpty()) {
      cw.visitField(
              Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
              VECTOR_MIN_FIELD,
              "I",
              null,
              null)
          .visitEnd();
    }
    if (products || !vectors.isEmpty()) {
      GeneratorAdapter init =
          Jvm.method(cw, Opcodes.ACC_STATIC, Method.getMethod("void <clinit>()"));
      if (products) {
        productsInit(cw, owner, lib, init);
      }
      if (!vectors.isEmpty()) {
        init.push(VECTOR_MIN_PROPERTY);
        init.push(VECTOR_MIN);
        init.invokeStatic(
            Type.getType(Integer.class), Method.getMethod("Integer getInteger(String, int)"));
        init.invokeVirtual(Type.getType(Integer.class), Method.getMethod("int intValue()"));
        init.putStatic(owner, VECTOR_MIN_FIELD, Type.INT_TYPE);
      }
      for (KernelSignature sig : vectors) {
        // kernelKVector = KernelVectors.vectorKernel(lookup(), "kernelK", descriptor)
        lookup(init);
        init.push(sig.name);
        init.push(sig.method.getDescriptor());
        lib.require(KernelVectors.class, VECTOR_KERNEL.getName(), VECTOR_KERNEL.getDescriptor());
        init.invokeStatic(owner, VECTOR_KERNEL);
        init.putStatic(owner, sig.vectorField(), HANDLE);
      }
      init.returnValue();
      init.endMethod();
    }
    DriverEmitter.emit(plan, cw, owner, lib, signatures, frameMode);
    sequentialEntry(cw, owner);
    lib.emitInto(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /**
   * A writer, computing frames, that has begun the public final class {@code internalName}
   * implementing {@code interfaces} (or none).
   */
  static ClassWriter newClass(String internalName, String[] interfaces) {
    ClassWriter cw =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected String getCommonSuperClass(String a, String b) {
            return "java/lang/Object";
          }
        };
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        internalName,
        null,
        "java/lang/Object",
        interfaces);
    return cw;
  }

  /** True when {@code plan} runs a matrix product ({@link GemmCall}). */
  static boolean hasProducts(Plan plan) {
    for (LoopPlan.Step s : plan.steps()) {
      if (s instanceof LoopPlan.LibraryCall c && c.inst.op() == Op.MATMUL) {
        return true;
      }
    }
    return false;
  }

  /** The static field holding the vector forms of the products, null for the scalar forms. */
  static final String GEMM_FIELD = "GEMM";

  static final Type HANDLES = Type.getType(MethodHandle[].class);

  static final Type HANDLE = Type.getType(MethodHandle.class);

  private static final Type LOOKUP = Type.getType(MethodHandles.Lookup.class);

  private static final Method VECTOR_KERNEL =
      new Method(
          "vectorKernel",
          HANDLE,
          new Type[] {LOOKUP, Type.getType(String.class), Type.getType(String.class)});

  /**
   * Chunks shorter than this many elements run the scalar kernel even where the vector one is there
   * (the same bits either way): they gain little from vectors, and vector code is slow until the
   * JIT compiles it. The system property {@link #VECTOR_MIN_PROPERTY} sets another length.
   */
  static final int VECTOR_MIN = 64;

  static final String VECTOR_MIN_PROPERTY = "gradc.vector.minLength";

  private static final String VECTOR_MIN_FIELD = "vectorMinLength";

  private static void lookup(GeneratorAdapter init) {
    init.invokeStatic(
        Type.getType(MethodHandles.class),
        Method.getMethod("java.lang.invoke.MethodHandles$Lookup lookup()"));
  }

  /**
   * For a kernel the vector backend writes: the field {@link KernelSignature#vectorField}, set at
   * class initialization, and the method the driver calls, {@link KernelSignature#entry}: the
   * vector kernel through the field's handle when there is one and the chunk has at least {@link
   * #VECTOR_MIN} elements, else the scalar kernel.
   */
  private static void vectorDispatch(ClassWriter cw, Type owner, KernelSignature sig) {
    cw.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
            sig.vectorField(),
            HANDLE.getDescriptor(),
            null,
            null)
        .visitEnd();
    GeneratorAdapter d = Jvm.method(cw, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, sig.entry);
    Label scalar = new Label();
    // hi - lo < vectorMinLength: the scalar kernel
    int hi = sig.method.getArgumentTypes().length - 1;
    d.loadArg(hi);
    d.loadArg(hi - 1);
    d.visitInsn(Opcodes.ISUB);
    d.getStatic(owner, VECTOR_MIN_FIELD, Type.INT_TYPE);
    d.ifICmp(GeneratorAdapter.LT, scalar);
    d.getStatic(owner, sig.vectorField(), HANDLE);
    d.ifNull(scalar);
    d.getStatic(owner, sig.vectorField(), HANDLE);
    d.loadArgs();
    d.invokeVirtual(HANDLE, new Method("invokeExact", sig.method.getDescriptor()));
    d.returnValue();
    d.mark(scalar);
    d.loadArgs();
    d.invokeStatic(owner, sig.method);
    d.returnValue();
    d.endMethod();
  }

  /**
   * For a class running products: the field {@link #GEMM_FIELD}, set once at class initialization
   * by {@link GemmCall#gemmVectorForms}, and {@code gemmTask}, the pool task running blocks of a
   * product (an instance of the class, see {@link ChunkTasks}).
   */
  private static void productsInit(
      ClassWriter cw, Type owner, LibraryCopier lib, GeneratorAdapter init) {
    cw.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
            GEMM_FIELD,
            HANDLES.getDescriptor(),
            null,
            null)
        .visitEnd();
    lookup(init);
    Method forms =
        new Method(
            "gemmVectorForms", HANDLES, new Type[] {Type.getType(MethodHandles.Lookup.class)});
    lib.require(GemmCall.class, forms.getName(), forms.getDescriptor());
    init.invokeStatic(owner, forms);
    init.putStatic(owner, GEMM_FIELD, HANDLES);
    Method task = Method.getMethod("Runnable gemmTask(int, int, int, Object[])");
    lib.provide(task.getName(), task.getDescriptor());
    GeneratorAdapter t = Jvm.method(cw, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, task);
    t.newInstance(owner);
    t.dup();
    t.loadArgs();
    t.invokeConstructor(owner, ChunkTasks.TASK_INIT);
    t.returnValue();
    t.endMethod();
  }

  /**
   * The companion class of a class running products ({@link GemmCall#gemmCompanion}): public copies
   * of {@code lib.vector.GemmVector}'s products, loaded only where {@code jdk.incubator.vector} is
   * readable; null for a plan without products.
   */
  static byte[] emitVector(Plan plan, String internalName) {
    List<KernelSignature> vectors = new ArrayList<>();
    for (Kernel k : plan.kernels) {
      KernelSignature sig = KernelSignature.of(k);
      if (sig.vector) {
        vectors.add(sig);
      }
    }
    boolean products = hasProducts(plan);
    if (!products && vectors.isEmpty()) {
      return null;
    }
    String name = GemmCall.gemmCompanion(internalName);
    ClassWriter cw = newClass(name, null);
    LibraryCopier lib = new LibraryCopier(name, Opcodes.ACC_PUBLIC);
    if (products) {
      // By name: this class is compiled without the module, and only read here, never linked.
      Class<?> gemmVector = LibraryCopier.load("dev/gradc/codegen/lib/vector/GemmVector");
      lib.require(gemmVector, "matmulF32", "(Ljava/lang/ThreadLocal;[F[F[F[III[FI)V");
      lib.require(gemmVector, "matmulF64", "(Ljava/lang/ThreadLocal;[D[D[D[III[DI)V");
      lib.require(gemmVector, "gemvF32", "([FIII[FII[FIIIIZ)V");
      lib.require(gemmVector, "gemvF64", "([DIII[DII[DIIIIZ)V");
    }
    if (!vectors.isEmpty()) {
      VectorKernelEmitter.emitCompanion(cw, Type.getObjectType(name), lib, vectors);
    }
    lib.emitInto(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /** {@code call(args, shapes, outs)}: the driver on the calling thread only. */
  private static void sequentialEntry(ClassWriter cw, Type owner) {
    GeneratorAdapter m = Jvm.method(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, CALL_SEQUENTIAL);
    m.loadArgs();
    m.visitInsn(Opcodes.ACONST_NULL);
    m.push(1);
    m.invokeStatic(owner, CALL);
    m.returnValue();
    m.endMethod();
  }
}
