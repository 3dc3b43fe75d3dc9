package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Verifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/** A compiled function loaded as a hidden class in this package, for tests. */
final class Loaded {
  final Compiler.CompiledClass compiled;
  private final MethodHandle call;
  private final MethodHandle callParallel;
  private final Class<?> cls;

  private Loaded(
      Compiler.CompiledClass compiled, MethodHandle call, MethodHandle callParallel, Class<?> cls) {
    this.compiled = compiled;
    this.call = call;
    this.callParallel = callParallel;
    this.cls = cls;
  }

  /** How many of the class's kernels run their vector form here (non-null vector handles). */
  int vectorKernels() {
    int n = 0;
    for (java.lang.reflect.Field f : cls.getDeclaredFields()) {
      if (f.getName().endsWith("Vector") && f.getType() == MethodHandle.class) {
        try {
          f.setAccessible(true);
          n += f.get(null) == null ? 0 : 1;
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return n;
  }

  /** Compiles, verifies with ASM's CheckClassAdapter, and loads. */
  static Loaded of(Func f) {
    return load(Compiler.compile(f, "dev/gradc/codegen/Generated"), f);
  }

  /**
   * As {@link #of}, without the vector forms: every kernel runs in scalar form, even where the
   * vector module is readable.
   */
  static Loaded scalarOf(Func f) {
    Compiler.CompiledClass c = Compiler.compile(f, "dev/gradc/codegen/Generated");
    return load(
        new Compiler.CompiledClass(
            c.source(), c.optimized(), c.plan(), c.internalName(), c.bytes(), null),
        f);
  }

  /** As {@link #of}, with the driver split into segments over frame arrays. */
  static Loaded inFrameMode(Func f) {
    return load(Compiler.compileInFrameMode(f, "dev/gradc/codegen/Generated"), f);
  }

  private static Loaded load(Compiler.CompiledClass c, Func f) {
    verify(c, f);
    MethodHandles.Lookup l = Compiler.define(c, MethodHandles.lookup());
    try {
      MethodHandle par = l.findStatic(l.lookupClass(), "call", Compiler.CALL_TYPE);
      MethodHandle mh =
          l.findStatic(
              l.lookupClass(),
              "call",
              MethodType.methodType(Object[].class, Object[].class, int[][].class, Object[].class));
      return new Loaded(c, mh, par, l.lookupClass());
    } catch (ReflectiveOperationException e) {
      throw new LinkageError("cannot load the generated class", e);
    }
  }

  /**
   * Checks every stage's value: the optimized and lowered functions with the IR verifier, the loop
   * plan with {@link PlanVerifier}, the class with ASM's CheckClassAdapter.
   */
  static void verify(Compiler.CompiledClass c, Func f) {
    Verifier.verify(c.optimized());
    Verifier.verify(c.planned());
    PlanVerifier.verify(c.plan().loopPlan());
    StringWriter sw = new StringWriter();
    CheckClassAdapter.verify(
        new ClassReader(c.bytes()), Loaded.class.getClassLoader(), false, new PrintWriter(sw));
    if (!sw.toString().isEmpty()) {
      fail(
          "generated class does not verify:\n"
              + sw
              + "\nfor\n"
              + Printer.print(f)
              + "\n"
              + c.plan());
    }
  }

  /** Runs on arrays, returning the results as arrays of the same dtypes. */
  List<NdArray> run(List<NdArray> args) {
    return run(args, null, 1);
  }

  /** Runs with chunks on {@code pool} across {@code threads} tasks. */
  List<NdArray> run(List<NdArray> args, java.util.concurrent.ExecutorService pool, int threads) {
    Object[] bufs = new Object[args.size()];
    int[][] shapes = new int[args.size()][];
    for (int i = 0; i < bufs.length; i++) {
      bufs[i] = Buffers.from(args.get(i));
      shapes[i] = args.get(i).shape();
    }
    Object[] out;
    try {
      out =
          pool == null
              ? (Object[]) call.invokeExact(bufs, shapes, (Object[]) null)
              : (Object[]) callParallel.invokeExact(bufs, shapes, (Object[]) null, pool, threads);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    Func func = compiled.source();
    assertEquals(func.results().size(), out.length);
    int[][] rs = resultShapes(func, args);
    List<NdArray> res = new ArrayList<>();
    for (int i = 0; i < out.length; i++) {
      res.add(Buffers.to(out[i], func.result(i).type().dtype(), rs[i]));
    }
    return res;
  }

  /**
   * The bytes this thread allocates in one sequential call on {@code args} (already in buffers),
   * after {@code warm} calls.
   */
  long allocatedBytesPerCall(List<NdArray> args, int warm) {
    Object[] bufs = new Object[args.size()];
    int[][] shapes = new int[args.size()][];
    for (int i = 0; i < bufs.length; i++) {
      bufs[i] = Buffers.from(args.get(i));
      shapes[i] = args.get(i).shape();
    }
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long bytes = 0;
    for (int k = 0; k <= warm; k++) {
      long before = mx.getThreadAllocatedBytes(id);
      try {
        Object[] out = (Object[]) call.invokeExact(bufs, shapes, (Object[]) null);
        assertEquals(compiled.source().results().size(), out.length);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new AssertionError(t);
      }
      bytes = mx.getThreadAllocatedBytes(id) - before;
    }
    return bytes;
  }

  private static int[][] resultShapes(Func f, List<NdArray> args) {
    List<int[]> shapes = new ArrayList<>();
    for (NdArray a : args) {
      shapes.add(a.shape());
    }
    var env = dev.gradc.ir.Bindings.bind(f.params(), shapes);
    int[][] out = new int[f.results().size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.result(i).type().shape(env);
    }
    return out;
  }
}
