package dev.gradc.bench;

import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Kernels;
import org.junit.jupiter.api.Test;

/**
 * The compile benchmark does the whole way: the packaged example parses, and the new kernel's first
 * results are the reference interpreter's value and Greeks.
 */
class CompileBenchTest {
  @Test
  void sourceToKernel_matchesInterpreter() {
    CompileBench.Source s = new CompileBench.Source();
    s.setUp();
    Object[] actual = SourceToKernel.run(CompileBench.FILE, s.text, s.args, s.shapes);
    Object[] expected =
        Kernels.interpret(Autodiff.vjp(GradLanguage.parse(CompileBench.FILE, s.text).func()))
            .call(s.args, s.shapes, null);
    Results.assertClose(expected, actual, "black_scholes from source");
  }
}
