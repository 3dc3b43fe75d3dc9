package dev.gradc.bench;

import dev.gradc.ir.Func;
import dev.gradc.runtime.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gradc column computes what the benchmarks claim: {@code Kernels.compile} of each workload's
 * vjp gives the reference interpreter's value and gradients on the small problems, into
 * caller-provided buffers, call after call.
 */
class CompiledTest {
  @ParameterizedTest
  @EnumSource(Workload.class)
  void compiled_matchesInterpreter(Workload w) {
    Problem p = w.problem(Size.SMALL);
    Func vjp = p.vjp();
    Object[] expected = Kernels.interpret(vjp).call(p.args(), p.shapes(), null);
    Object[] outs = p.newOutputs(vjp);
    Kernels.compile(vjp).call(p.args(), p.shapes(), outs);
    Kernels.compile(vjp).call(p.args(), p.shapes(), outs);
    Results.assertClose(expected, outs, w.label());
  }
}
