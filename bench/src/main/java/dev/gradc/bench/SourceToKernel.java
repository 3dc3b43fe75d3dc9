package dev.gradc.bench;

import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.Func;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.CompiledKernel;

/**
 * The whole way from {@code .grad} source to a loaded kernel's first results: parse, reverse mode,
 * optimize and emit, define the hidden class, call it. The kernel cache is not consulted, so every
 * call does all of it. Kept apart from {@link CompileBench} so that a fresh JVM loads none of
 * gradc's classes before the timed call.
 */
final class SourceToKernel {
  private SourceToKernel() {}

  /** The value and gradients of the program's function at {@code args}, by a new kernel. */
  static Object[] run(String fileName, String source, Object[] args, int[][] shapes) {
    Func forward = GradLanguage.parse(fileName, source).func();
    return CompiledKernel.compile(Autodiff.vjp(forward)).call(args, shapes, null);
  }
}
