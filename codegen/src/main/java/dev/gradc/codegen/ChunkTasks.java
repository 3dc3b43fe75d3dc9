package dev.gradc.codegen;

import java.util.List;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The class-level parts of running chunks on a pool: the class is its own task type ({@code
 * Runnable} with fields {@code kernel}, {@code c0}, {@code c1} and {@code frame}), and for each
 * kernel a method {@code chunksK(c0, c1, frame)} that runs chunks {@code [c0, c1)} with the
 * kernel's arguments unpacked from the frame ({@link KernelSignature}).
 */
final class ChunkTasks {
  static final Type FUTURE = Type.getType(java.util.concurrent.Future.class);
  static final Type EXECUTOR = Type.getType(java.util.concurrent.ExecutorService.class);
  static final Method TASK_INIT = Method.getMethod("void <init>(int, int, int, Object[])");
  static final Method AWAIT = Method.getMethod("void await(java.util.concurrent.Future)");

  private final ClassVisitor cw;
  private final Type owner;

  private ChunkTasks(ClassVisitor cw, Type owner) {
    this.cw = cw;
    this.owner = owner;
  }

  /** Emits the chunks method of one kernel. */
  static void emitChunks(ClassVisitor cw, Type owner, KernelSignature sig) {
    new ChunkTasks(cw, owner).chunks(sig);
  }

  /**
   * Emits the task type, which runs the chunks of {@code kernels}, and with {@code products} the
   * blocks of matrix products ({@code kernel == -1}: {@code GemmCall.gemmRun(c0, c1, frame)}).
   */
  static void emitTask(ClassVisitor cw, Type owner, List<Kernel> kernels, boolean products) {
    new ChunkTasks(cw, owner).task(kernels, products);
  }

  /** {@code GemmCall.gemmRun}, copied into classes running products. */
  static final Method GEMM_RUN = new Method("gemmRun", "(II[Ljava/lang/Object;)V");

  /**
   * The class is its own task type: an instance runs chunks {@code [c0, c1)} of one kernel on a
   * pool thread. Fields, constructor, {@code run()}, and {@code await(Future)}, which rethrows the
   * task's own exception.
   */
  private void task(List<Kernel> kernels, boolean products) {
    for (String fld : new String[] {"kernel", "c0", "c1"}) {
      cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, fld, "I", null, null).visitEnd();
    }
    cw.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "frame", "[Ljava/lang/Object;", null, null)
        .visitEnd();
    GeneratorAdapter init = Jvm.method(cw, Opcodes.ACC_PRIVATE, TASK_INIT);
    init.loadThis();
    init.invokeConstructor(Jvm.OBJECT, Method.getMethod("void <init>()"));
    String[] names = {"kernel", "c0", "c1", "frame"};
    Type[] types = {Type.INT_TYPE, Type.INT_TYPE, Type.INT_TYPE, Jvm.OBJECT_ARRAY};
    for (int i = 0; i < 4; i++) {
      init.loadThis();
      init.loadArg(i);
      init.putField(owner, names[i], types[i]);
    }
    init.returnValue();
    init.endMethod();

    GeneratorAdapter r = Jvm.method(cw, Opcodes.ACC_PUBLIC, Method.getMethod("void run()"));
    if (products) {
      dispatch(r, -1, GEMM_RUN);
    }
    for (Kernel l : kernels) {
      if (!l.sequential) {
        dispatch(r, l.firstLoop().index, chunksMethod(l.firstLoop().index));
      }
    }
    r.returnValue();
    r.endMethod();

    GeneratorAdapter a = Jvm.method(cw, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, AWAIT);
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

  /**
   * In {@code run()}: when {@code kernel} is {@code id}, calls {@code m(c0, c1, frame)} and
   * returns.
   */
  private void dispatch(GeneratorAdapter r, int id, Method m) {
    Label next = new Label();
    r.loadThis();
    r.getField(owner, "kernel", Type.INT_TYPE);
    r.push(id);
    r.ifICmp(GeneratorAdapter.NE, next);
    r.loadThis();
    r.getField(owner, "c0", Type.INT_TYPE);
    r.loadThis();
    r.getField(owner, "c1", Type.INT_TYPE);
    r.loadThis();
    r.getField(owner, "frame", Jvm.OBJECT_ARRAY);
    r.invokeStatic(owner, m);
    r.returnValue();
    r.mark(next);
  }

  static Method chunksMethod(int kernel) {
    return new Method("chunks" + kernel, "(II[Ljava/lang/Object;)V");
  }

  /**
   * {@code chunksK(c0, c1, frame)}: runs chunks {@code [c0, c1)} of kernel K with its arguments
   * unpacked from the frame, storing each chunk's full-reduction partials at its slots.
   */
  private void chunks(KernelSignature sig) {
    Kernel l = sig.kernel;
    Method m = chunksMethod(l.firstLoop().index);
    GeneratorAdapter c = Jvm.method(cw, Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC, m);
    int b = l.buffers.size();
    List<Extent> ints = l.intParams;
    int sc = KernelSignature.unpack(c, 2, sig.frameScalars(), Jvm.DOUBLE_ARRAY);
    int in = KernelSignature.unpack(c, 2, sig.frameInts(), Jvm.INT_ARRAY);
    int parts = KernelSignature.unpack(c, 2, sig.framePartials(), Jvm.DOUBLE_ARRAY);
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
      c.invokeStatic(owner, sig.method);
      c.iinc(k, 1);
      c.goTo(head);
      c.mark(end);
      c.returnValue();
      c.endMethod();
      return;
    }
    if (sig.returnsPartial()) {
      c.loadLocal(parts);
      c.loadLocal(k);
    }
    for (int i = 0; i < b; i++) {
      c.loadArg(2);
      c.push(i);
      c.arrayLoad(Jvm.OBJECT);
      c.checkCast(Jvm.arrayType(sig.paramDtype(l.buffers.get(i))));
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
    if (sig.takesPartials()) {
      c.loadLocal(parts);
    }
    pushChunkRange(c, k, lo, in, ints.size());
    c.invokeStatic(owner, sig.entry);
    if (sig.returnsPartial()) {
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
    c.invokeStatic(Jvm.MATH, new Method("min", "(II)I"));
  }
}
