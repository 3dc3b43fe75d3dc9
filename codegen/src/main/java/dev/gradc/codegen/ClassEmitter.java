package dev.gradc.codegen;

import java.util.IdentityHashMap;
import java.util.Map;
import org.objectweb.asm.ClassWriter;
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
  static final int CHUNK = 1 << 15;

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
    ClassWriter cw =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected String getCommonSuperClass(String a, String b) {
            return "java/lang/Object";
          }
        };
    LibraryCopier lib = new LibraryCopier(internalName);
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        internalName,
        null,
        "java/lang/Object",
        new String[] {"java/lang/Runnable"});
    KernelBackend backend = ScalarKernelEmitter.BACKEND;
    Map<Kernel, KernelSignature> signatures = new IdentityHashMap<>();
    for (Kernel k : plan.kernels) {
      KernelSignature sig = KernelSignature.of(k);
      signatures.put(k, sig);
      backend.emit(cw, owner, lib, sig);
      ChunkTasks.emitChunks(cw, owner, sig);
    }
    ChunkTasks.emitTask(cw, owner, plan.kernels);
    DriverEmitter.emit(plan, cw, owner, lib, signatures, frameMode);
    sequentialEntry(cw, owner);
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
