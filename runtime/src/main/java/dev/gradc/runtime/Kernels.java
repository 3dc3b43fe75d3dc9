package dev.gradc.runtime;

import dev.gradc.ir.Func;
import dev.gradc.ir.StructuralKey;
import dev.gradc.ir.ad.Autodiff;

/**
 * The entry point the frontend and the command line use: turns a {@link Func} into a reusable
 * {@link CompiledFunction} through the kernel cache.
 */
public final class Kernels {
  private Kernels() {}

  /** Created on first use, so that a bad {@code gradc.cache.size} is an error of that call. */
  private static volatile KernelCache cache;

  /** Compiles {@code f}, or returns the cached compilation of a structurally identical function. */
  public static CompiledFunction compile(Func f) {
    return cache().get(f);
  }

  /**
   * The compiled vector-Jacobian product of {@code forward} ({@link Autodiff#vjp}, with a {@code
   * grad_output} parameter when asked), cached by the forward function's structure: a training loop
   * that rebuilds the same forward graph each step differentiates and compiles it once.
   */
  public static CompiledFunction compileVjp(Func forward, boolean withGradOutput) {
    StructuralKey key = StructuralKey.of(forward, withGradOutput ? VJP_WITH_GRAD_OUTPUT : VJP);
    return cache().get(key, () -> Autodiff.vjp(forward, withGradOutput));
  }

  private static final long VJP = 1;
  private static final long VJP_WITH_GRAD_OUTPUT = 2;

  /** Runs {@code f} on the reference interpreter, with the same calling convention. */
  public static CompiledFunction interpret(Func f) {
    return new InterpretedFunction(f);
  }

  /**
   * Runs {@code f} on the reference interpreter in anomaly mode ({@link
   * dev.gradc.ir.Interpreter#runDetectingAnomalies}): the first non-finite value is an {@link
   * dev.gradc.ir.AnomalyException}. Compiled kernels are not involved, so they carry no check.
   */
  public static CompiledFunction detectingAnomalies(Func f) {
    return new InterpretedFunction(f, true);
  }

  /** How many functions the process-wide kernel cache has compiled. */
  public static long compilations() {
    return cache().compilations();
  }

  /** How many lookups in the process-wide kernel cache found an existing compilation. */
  public static long cacheHits() {
    return cache().hits();
  }

  /**
   * The process-wide kernel cache.
   *
   * @throws IllegalArgumentException when it does not exist yet and the system property {@code
   *     gradc.cache.size} is not a positive integer
   */
  static KernelCache cache() {
    KernelCache c = cache;
    if (c == null) {
      synchronized (Kernels.class) {
        c = cache;
        if (c == null) {
          c = new KernelCache(CompiledKernel::compile);
          cache = c;
        }
      }
    }
    return c;
  }
}
