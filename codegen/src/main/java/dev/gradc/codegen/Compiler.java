package dev.gradc.codegen;

import dev.gradc.codegen.lib.VectorSupport;
import dev.gradc.ir.Func;
import dev.gradc.ir.opt.Cse;
import dev.gradc.ir.opt.Dce;
import dev.gradc.ir.opt.Pipeline;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;

/**
 * The codegen pipeline, read top to bottom in {@link #compile}: each stage takes the previous
 * stage's value and returns a new immutable one that prints.
 *
 * <ol>
 *   <li>optimize: {@code Func} to {@code Func} ({@link Pipeline}: simplify, CSE, DCE);
 *   <li>lower: {@code Func} to {@code Func} ({@link Lowering}, then CSE and DCE);
 *   <li>plan loops: {@code Func} to {@link LoopPlan} ({@link FusionPlanner}; {@link PlanVerifier}
 *       checks it);
 *   <li>lay out kernels: {@link LoopPlan} to {@link Plan} ({@link KernelLayout});
 *   <li>emit class: {@link Plan} to class bytes ({@link ClassEmitter});
 *   <li>load: class bytes to the driver's {@link MethodHandle} ({@link #load}).
 * </ol>
 *
 * Tests check every stage's value: the IR verifier the functions, {@link PlanVerifier} the loop
 * plan, ASM's {@code CheckClassAdapter} the class. The class has a static {@code Object[]
 * call(Object[] args, int[][] shapes, Object[] outs, ExecutorService pool, int threads)} and
 * depends on {@code java.base} only.
 */
public final class Compiler {
  private Compiler() {}

  /**
   * The kernel backends of this JVM, chosen once at start-up and logged once (logger {@code
   * dev.gradc}, level DEBUG, {@link BackendLog}): kernels of flat loops run in vector form ({@link
   * VectorKernelEmitter}) where {@code jdk.incubator.vector} is readable and {@code gradc.vector}
   * is not {@code false}, every other kernel in scalar form.
   */
  public static final String BACKEND = backend();

  private static String backend() {
    String b = "scalar kernels";
    if (VectorSupport.enabled()) {
      try {
        // By name: lib.vector is compiled after this class, with the module.
        Object shape =
            Class.forName("dev.gradc.codegen.lib.vector.Species")
                .getMethod("describe")
                .invoke(null);
        b = "vector kernels for flat loops (" + shape + "), scalar kernels for the rest";
      } catch (ReflectiveOperationException | LinkageError e) {
        b = "scalar kernels (the vector module cannot be used: " + e + ")";
      }
    }
    String message = "gradc: " + b;
    if (BackendLog.configuredUpFront()) {
      backend(message);
    } else {
      BackendLog.later(message);
    }
    return b;
  }

  /**
   * Logs the backend's record. Called from {@link #backend()} or from {@link BackendLog}'s thread;
   * either way the record's source, which a logging configuration may print, is this class and a
   * method named {@code backend}, as it always was.
   */
  static void backend(String message) {
    System.getLogger("dev.gradc").log(System.Logger.Level.DEBUG, message);
  }

  /** The type of the driver {@link #load} returns. */
  public static final MethodType CALL_TYPE =
      MethodType.methodType(
          Object[].class,
          Object[].class,
          int[][].class,
          Object[].class,
          ExecutorService.class,
          int.class);

  /** Everything codegen made for one function, for loading and for inspection. */
  public static final class CompiledClass {
    private final Func source;
    private final Func optimized;
    private final Plan plan;
    private final String internalName;
    private final byte[] bytes;
    private final byte[] vectorBytes;

    CompiledClass(
        Func source,
        Func optimized,
        Plan plan,
        String internalName,
        byte[] bytes,
        byte[] vectorBytes) {
      this.source = source;
      this.optimized = optimized;
      this.plan = plan;
      this.internalName = internalName;
      this.bytes = bytes;
      this.vectorBytes = vectorBytes;
    }

    /** The function as given. */
    public Func source() {
      return source;
    }

    /** The function after stage 1 (optimize). */
    public Func optimized() {
      return optimized;
    }

    /** The function after stage 2 (lower), which the plan refers to. */
    public Func planned() {
      return plan.func();
    }

    /** Stages 3 and 4: the loop plan laid out in kernels. */
    public Plan plan() {
      return plan;
    }

    public String internalName() {
      return internalName;
    }

    /** Stage 5: the class file. */
    public byte[] bytes() {
      return bytes.clone();
    }

    /**
     * The companion class file holding the vector forms of the class's matrix products, named
     * {@code GemmCall.gemmCompanion(internalName())}; null when the class runs no product.
     */
    public byte[] vectorBytes() {
      return vectorBytes == null ? null : vectorBytes.clone();
    }
  }

  /**
   * Compiles {@code f} into a class named {@code internalName} (with slashes). Throws {@link
   * UnsupportedOperationException} naming the op for anything codegen cannot compile.
   */
  public static CompiledClass compile(Func f, String internalName) {
    return compile(f, internalName, false);
  }

  /** As {@link #compile}, with the driver in frame mode whatever its size (for tests). */
  static CompiledClass compileInFrameMode(Func f, String internalName) {
    return compile(f, internalName, true);
  }

  private static CompiledClass compile(Func source, String internalName, boolean frameMode) {
    Func optimized = Pipeline.run(source);
    Func lowered = lower(optimized);
    LoopPlan loops = FusionPlanner.plan(lowered);
    Plan plan = KernelLayout.layOut(loops);
    byte[] bytes = ClassEmitter.emit(plan, internalName, frameMode);
    byte[] vector = ClassEmitter.emitVector(plan, internalName);
    return new CompiledClass(source, optimized, plan, internalName, bytes, vector);
  }

  /** Stage 2: lowering, then CSE and DCE of what the rewrites repeated or left unused. */
  static Func lower(Func optimized) {
    return new Dce().run(new Cse().run(Lowering.lower(optimized)));
  }

  /** The plan for {@code f}, as {@link #compile} makes it (stages 1 to 4). */
  public static Plan plan(Func f) {
    return KernelLayout.layOut(FusionPlanner.plan(lower(Pipeline.run(f))));
  }

  /**
   * Stage 6, load: defines the class as a hidden class (so that it can be unloaded) through {@code
   * host}, whose class must be in the package of the class's internal name, and returns its driver
   * ({@link #CALL_TYPE}).
   */
  public static MethodHandle load(CompiledClass c, MethodHandles.Lookup host) {
    MethodHandles.Lookup lookup = define(c, host);
    try {
      return lookup.findStatic(lookup.lookupClass(), "call", CALL_TYPE);
    } catch (ReflectiveOperationException e) {
      throw new LinkageError("the class of @" + c.source().name() + " has no driver", e);
    }
  }

  /**
   * Defines the class as a hidden class through {@code host}; returns its lookup. Where the vector
   * forms may run, the companion of a class running products is defined first, as a hidden class
   * too, and handed to the class as its class data ({@code GemmCall.gemmVectorForms}).
   */
  static MethodHandles.Lookup define(CompiledClass c, MethodHandles.Lookup host) {
    try {
      if (c.vectorBytes != null && VectorSupport.enabled()) {
        Class<?> vector = host.defineHiddenClass(c.vectorBytes, false).lookupClass();
        return host.defineHiddenClassWithClassData(c.bytes, vector, true);
      }
      return host.defineHiddenClass(c.bytes, true);
    } catch (IllegalAccessException e) {
      throw new LinkageError("cannot define the class of @" + c.source().name(), e);
    }
  }
}
