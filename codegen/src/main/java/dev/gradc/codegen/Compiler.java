package dev.gradc.codegen;

import dev.gradc.ir.Func;
import dev.gradc.ir.opt.Pipeline;

/**
 * The codegen entry point: optimizes a function, lowers it, plans its loops and emits one class.
 * The class has a static {@code Object[] call(Object[] args, int[][] shapes, Object[] outs)} (see
 * {@link ClassEmitter}) and depends on {@code java.base} only.
 */
public final class Compiler {
  private Compiler() {}

  /** Everything codegen made for one function, for loading and for inspection. */
  public static final class CompiledClass {
    private final Func source;
    private final Func planned;
    private final Plan plan;
    private final String internalName;
    private final byte[] bytes;

    CompiledClass(Func source, Func planned, Plan plan, String internalName, byte[] bytes) {
      this.source = source;
      this.planned = planned;
      this.plan = plan;
      this.internalName = internalName;
      this.bytes = bytes;
    }

    /** The function as given. */
    public Func source() {
      return source;
    }

    /** The optimized, lowered function the plan refers to. */
    public Func planned() {
      return planned;
    }

    public Plan plan() {
      return plan;
    }

    public String internalName() {
      return internalName;
    }

    /** The class file. */
    public byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * Compiles {@code f} into a class named {@code internalName} (with slashes). Throws {@link
   * UnsupportedOperationException} naming the op for anything codegen cannot compile.
   */
  public static CompiledClass compile(Func f, String internalName) {
    Func planned = Lowering.lower(Pipeline.run(f));
    Plan plan = FusionPlanner.plan(planned);
    byte[] bytes = ClassEmitter.emit(plan, internalName);
    return new CompiledClass(f, planned, plan, internalName, bytes);
  }

  /** As {@link #compile}, with the driver in frame mode whatever its size (for tests). */
  static CompiledClass compileInFrameMode(Func f, String internalName) {
    Func planned = Lowering.lower(Pipeline.run(f));
    Plan plan = FusionPlanner.plan(planned);
    byte[] bytes = ClassEmitter.emitInFrameMode(plan, internalName);
    return new CompiledClass(f, planned, plan, internalName, bytes);
  }

  /** The plan for {@code f}, as {@link #compile} would make it. */
  public static Plan plan(Func f) {
    return FusionPlanner.plan(Lowering.lower(Pipeline.run(f)));
  }
}
