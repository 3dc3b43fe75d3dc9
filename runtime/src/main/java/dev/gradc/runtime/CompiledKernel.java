package dev.gradc.runtime;

import dev.gradc.codegen.Compiler;
import dev.gradc.codegen.Compiler.CompiledClass;
import dev.gradc.codegen.lib.Aliasing;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * A function compiled to fused bytecode and loaded as a hidden class, which the JVM unloads once
 * nothing references this object. Calls check arguments against the signature, then run the
 * generated driver.
 */
public final class CompiledKernel implements CompiledFunction {
  /** Generated classes are named into this package, as defining hidden classes requires. */
  static final String CLASS_NAME = "dev/gradc/runtime/GeneratedKernel";

  private final Func func;
  private final CompiledClass compiled;
  private final MethodHandle call;

  /** "result 0", "result 1", ... separated by '\n', for {@link Aliasing}'s message. */
  private final String resultNames;

  /** The parameter shapes when they are all static, else null. */
  private final int[][] staticShapes;

  private CompiledKernel(Func func, CompiledClass compiled, MethodHandle call) {
    this.func = func;
    this.compiled = compiled;
    this.call = call;
    boolean isStatic = true;
    for (dev.gradc.ir.Param p : func.params()) {
      isStatic &= p.type().isStatic();
    }
    this.staticShapes = isStatic ? Signatures.staticShapes(func) : null;
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < func.results().size(); i++) {
      names.append(i == 0 ? "" : "\n").append("result ").append(i);
    }
    this.resultNames = names.toString();
  }

  /** Compiles and loads {@code f}. */
  public static CompiledKernel compile(Func f) {
    CompiledClass c = Compiler.compile(f, CLASS_NAME);
    return new CompiledKernel(f, c, Compiler.load(c, MethodHandles.lookup()));
  }

  @Override
  public Func func() {
    return func;
  }

  /** What codegen made: the plan, the class bytes. */
  public CompiledClass compiled() {
    return compiled;
  }

  @Override
  public Object[] call(Object... args) {
    return call(args, staticShapes != null ? staticShapes : Signatures.staticShapes(func), null);
  }

  @Override
  public Object[] call(Object[] args, int[][] shapes, Object[] outs) {
    if (staticShapes != null) {
      Signatures.check(func, args, shapes, staticShapes);
    } else {
      Signatures.bind(func, args, shapes);
    }
    if (outs != null && outs.length != func.results().size()) {
      throw new IllegalArgumentException(
          "@"
              + func.name()
              + " has "
              + func.results().size()
              + " results, got "
              + outs.length
              + " output slots");
    }
    if (outs != null) {
      // The generated code writes results while it reads arguments: as if they were distinct.
      args = args.clone();
      Aliasing.separate(args, outs, resultNames);
    }
    int threads = Executor.threads(); // outside the try: a bad gradc.threads is the caller's error
    try {
      return threads > 1
          ? (Object[]) call.invokeExact(args, shapes, outs, Executor.pool(), threads)
          : (Object[])
              call.invokeExact(args, shapes, outs, (java.util.concurrent.ExecutorService) null, 1);
    } catch (IllegalArgumentException e) {
      // Data-dependent errors raised by generated code (one_hot's class range).
      throw new GradcException(e.getMessage());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
