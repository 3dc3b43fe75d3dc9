package dev.gradc.codegen;

import static dev.gradc.codegen.DriverSlots.POOL_ARG;
import static dev.gradc.codegen.DriverSlots.THREADS_ARG;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.ir.DType;
import dev.gradc.ir.Value;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The driver's code for one kernel step: splits the kernel's outer loop into fixed-size chunks,
 * allocates its output buffers and partials, runs the chunks on the calling thread or on the pool,
 * combines full-reduction partials in chunk order, and finishes each reduction ({@link
 * ReductionFinish}). Chunks are fixed in size, so results do not depend on the thread count.
 */
final class KernelRun {
  private final DriverSlots d;
  private final KernelSignature sig;

  /** Driver locals: the outer loop's iteration count, the iterations per chunk, the chunks. */
  private int total;

  private int step;
  private int chunks;

  /** The driver local passed for each kernel buffer. */
  private final Map<Access, Integer> arrays = new IdentityHashMap<>();

  /** The accumulator local of each full reduction. */
  private final Map<Reduction, Integer> acc = new IdentityHashMap<>();

  private KernelRun(DriverSlots d, KernelSignature sig) {
    this.d = d;
    this.sig = sig;
  }

  /** Emits, into the driver, the step that runs {@code sig}'s kernel. */
  static void emit(DriverSlots d, KernelSignature sig) {
    new KernelRun(d, sig).kernelStep(sig.kernel);
  }

  private void kernelStep(Kernel l) {
    GeneratorAdapter g = d.g;
    // Chunks: fixed-size ranges of the outer loop, so results do not depend on the thread count.
    total = g.newLocal(Type.INT_TYPE);
    step = g.newLocal(Type.INT_TYPE);
    d.pushExtent(l.outerCount());
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
      g.invokeStatic(Jvm.MATH, new Method("max", "(II)I"));
      g.storeLocal(step);
    }
    chunks = g.newLocal(Type.INT_TYPE);
    g.loadLocal(total);
    Jvm.ceilDiv(g, step);
    g.storeLocal(chunks);
    for (Access a : l.buffers) {
      arrays.put(a, bufferFor(l.loopOf(a), a));
    }
    for (Reduction r : l.reductions) {
      if (r.mode == Mode.FULL) {
        int a = g.newLocal(Type.DOUBLE_TYPE);
        g.push(r.identity());
        g.storeLocal(a);
        acc.put(r, a);
      }
    }
    if (d.frameMode || l.packed()) {
      // Large functions and wide kernels run through the frame-based chunks method.
      parallelChunks(l);
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
        parallelChunks(l);
        g.goTo(done);
      }
      g.mark(sequential);
      sequentialChunks(l);
      g.mark(done);
    }
    for (Reduction r : l.reductions) {
      ReductionFinish.emit(d, l.loopOf(r), r, acc.get(r), arrays, chunks);
    }
  }

  /**
   * Rows (or elements) per chunk: about ClassEmitter.CHUNK elements in the widest loop, at least
   * one row.
   */
  private void pushChunkStep(Kernel k) {
    GeneratorAdapter g = d.g;
    g.push(ClassEmitter.CHUNK);
    g.push(1);
    for (LoopLayout l : k.loops) {
      if (l.rank() > 1) {
        d.pushExtent(l.sizes.get(l.rank() - 1));
        g.invokeStatic(Jvm.MATH, new Method("max", "(II)I"));
      }
    }
    g.visitInsn(Opcodes.IDIV);
    g.push(1);
    g.invokeStatic(Jvm.MATH, new Method("max", "(II)I"));
  }

  private void sequentialChunks(Kernel l) {
    GeneratorAdapter g = d.g;
    int partials = sig.takesPartials() ? newPartials(l.fullReductions.size()) : -1;
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
    g.invokeStatic(Jvm.MATH, new Method("min", "(II)I"));
    g.storeLocal(hi);
    for (Access a : l.buffers) {
      g.loadLocal(arrays.get(a));
    }
    for (Value v : l.scalars) {
      d.pushScalarSlot(v);
    }
    for (Extent e : l.intParams) {
      d.pushExtent(e);
    }
    if (partials >= 0) {
      g.loadLocal(partials);
    }
    g.loadLocal(chunk);
    g.loadLocal(lo);
    g.loadLocal(hi);
    g.invokeStatic(d.owner, sig.entry);
    for (Reduction r : l.reductions) {
      if (r.mode != Mode.FULL) {
        continue;
      }
      if (partials < 0) {
        g.loadLocal(acc.get(r));
        g.swap(Type.DOUBLE_TYPE, Type.DOUBLE_TYPE);
        d.ops.combine(r.combine());
        g.storeLocal(acc.get(r));
      } else {
        combinePartial(r, l.slot(r), partials, chunk, l.fullReductions.size());
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
  private void parallelChunks(Kernel l) {
    GeneratorAdapter g = d.g;
    int b = l.buffers.size();
    int frame = g.newLocal(Jvm.OBJECT_ARRAY);
    g.push(sig.frameLength());
    g.newArray(Jvm.OBJECT);
    g.storeLocal(frame);
    for (int i = 0; i < b; i++) {
      g.loadLocal(frame);
      g.push(i);
      g.loadLocal(arrays.get(l.buffers.get(i)));
      g.arrayStore(Jvm.OBJECT);
    }
    g.loadLocal(frame);
    g.push(sig.frameScalars());
    g.push(l.scalars.size());
    g.newArray(Type.DOUBLE_TYPE);
    for (int i = 0; i < l.scalars.size(); i++) {
      g.dup();
      g.push(i);
      d.pushScalarSlot(l.scalars.get(i));
      g.arrayStore(Type.DOUBLE_TYPE);
    }
    g.arrayStore(Jvm.OBJECT);
    List<Extent> ints = l.intParams;
    g.loadLocal(frame);
    g.push(sig.frameInts());
    g.push(ints.size() + 2);
    g.newArray(Type.INT_TYPE);
    for (int i = 0; i < ints.size(); i++) {
      g.dup();
      g.push(i);
      d.pushExtent(ints.get(i));
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
    g.arrayStore(Jvm.OBJECT);
    int width = Math.max(1, l.fullReductions.size());
    int parts = newPartials(width);
    g.loadLocal(frame);
    g.push(sig.framePartials());
    g.loadLocal(parts);
    g.arrayStore(Jvm.OBJECT);
    // tasks = min(threads, chunks), or 1 without a pool or for a sequential kernel;
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
      g.invokeStatic(Jvm.MATH, new Method("min", "(II)I"));
      g.push(1);
      g.invokeStatic(Jvm.MATH, new Method("max", "(II)I"));
      g.storeLocal(tasks);
      g.mark(noPool);
    }
    int futures = g.newLocal(Jvm.OBJECT_ARRAY);
    g.loadLocal(tasks);
    g.newArray(ChunkTasks.FUTURE);
    g.storeLocal(futures);
    int t = g.newLocal(Type.INT_TYPE);
    d.forRange(
        t,
        1,
        tasks,
        () -> {
          g.loadLocal(futures);
          g.loadLocal(t);
          g.loadArg(POOL_ARG);
          g.newInstance(d.owner);
          g.dup();
          g.push(l.firstLoop().index);
          pushTaskBound(t, 0, tasks);
          pushTaskBound(t, 1, tasks);
          g.loadLocal(frame);
          g.invokeConstructor(d.owner, ChunkTasks.TASK_INIT);
          g.invokeInterface(
              ChunkTasks.EXECUTOR,
              new Method("submit", "(Ljava/lang/Runnable;)Ljava/util/concurrent/Future;"));
          g.arrayStore(ChunkTasks.FUTURE);
        });
    g.push(0);
    pushTaskBound(-1, 1, tasks);
    g.loadLocal(frame);
    g.invokeStatic(d.owner, ChunkTasks.chunksMethod(l.firstLoop().index));
    d.forRange(
        t,
        1,
        tasks,
        () -> {
          g.loadLocal(futures);
          g.loadLocal(t);
          g.arrayLoad(ChunkTasks.FUTURE);
          g.invokeStatic(d.owner, ChunkTasks.AWAIT);
        });
    int c = g.newLocal(Type.INT_TYPE);
    d.forRange(
        c,
        0,
        chunks,
        () -> {
          for (Reduction r : l.reductions) {
            if (r.mode != Mode.FULL) {
              continue;
            }
            combinePartial(r, l.slot(r), parts, c, width);
          }
        });
  }

  /** Pushes {@code (t + end) * chunks / tasks} in long arithmetic; t = -1 means task 0. */
  private void pushTaskBound(int t, int end, int tasks) {
    GeneratorAdapter g = d.g;
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

  /** {@code acc[r] = combine(acc[r], partials[chunk * width + slot])}. */
  private void combinePartial(Reduction r, int slot, int partials, int chunk, int width) {
    GeneratorAdapter g = d.g;
    ReductionFinish.combineElement(
        d,
        r,
        acc.get(r),
        partials,
        () -> {
          g.loadLocal(chunk);
          g.push(width);
          g.visitInsn(Opcodes.IMUL);
          g.push(slot);
          g.visitInsn(Opcodes.IADD);
        });
  }

  /** A new local holding a {@code double[chunks * width]} of per-chunk partials. */
  private int newPartials(int width) {
    GeneratorAdapter g = d.g;
    int parts = g.newLocal(Jvm.DOUBLE_ARRAY);
    g.loadLocal(chunks);
    g.push(width);
    g.visitInsn(Opcodes.IMUL);
    g.newArray(Type.DOUBLE_TYPE);
    g.storeLocal(parts);
    return parts;
  }

  /** Fills the {@code double[]} in local {@code array} with {@code r}'s identity. */
  private void fillWithIdentity(int array, Reduction r) {
    GeneratorAdapter g = d.g;
    g.loadLocal(array);
    g.push(r.identity());
    g.invokeStatic(Type.getType(java.util.Arrays.class), new Method("fill", "([DD)V"));
  }

  /** The local holding the array passed for a kernel buffer, allocating outputs. */
  private int bufferFor(LoopLayout l, Access a) {
    GeneratorAdapter g = d.g;
    for (Reduction r : l.reductions) {
      if (r.out == a) {
        if (r.mode == Mode.COLUMN) {
          // One partial vector per chunk, all starting at the identity.
          int parts = g.newLocal(Jvm.DOUBLE_ARRAY);
          g.loadLocal(chunks);
          d.pushExtent(l.sizes.get(l.rank() - 1));
          g.visitInsn(Opcodes.IMUL);
          g.newArray(Type.DOUBLE_TYPE);
          g.storeLocal(parts);
          fillWithIdentity(parts, r);
          return parts;
        }
        int out = d.obtain(r.inst, r.out.dtype);
        if (r.mode != Mode.RMW) {
          return out;
        }
        int scratch = out;
        if (r.out.dtype != DType.F64) {
          scratch = g.newLocal(Jvm.DOUBLE_ARRAY);
          d.pushExtent(Extent.product(r.inst.type().dims()));
          g.newArray(Type.DOUBLE_TYPE);
          g.storeLocal(scratch);
        }
        fillWithIdentity(scratch, r);
        return scratch;
      }
    }
    if (l.stores.containsValue(a)) {
      return d.obtain(a.buffer, a.dtype);
    }
    return d.contiguousBuffer(a.buffer);
  }
}
