package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.testing.RandomFuncs;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Seeded random functions (every op, broadcasting, reductions over random dims, every matmul form,
 * f32 and f64, symbolic dims) compiled and compared with the reference interpreter, the function
 * itself, its vjp and its jvp. Relative tolerance: 1e-12 in f64; 1e-4 when f32 is involved
 * (reductions in f32 add in other orders than the interpreter's). A failure names the seed and
 * prints the function and its plan; {@code -Dgradc.difftest.count=N} runs more.
 */
class DifferentialTest {
  static final int COUNT = Integer.getInteger("gradc.difftest.count", 600);

  static boolean usesF32(Func f) {
    for (Param p : f.params()) {
      if (p.type().dtype() == DType.F32) {
        return true;
      }
    }
    return f.insts().stream().anyMatch(i -> i.type().dtype() == DType.F32);
  }

  static void check(Func f, long seed) {
    List<NdArray> args = RandomFuncs.inputs(f, seed);
    double tol = usesF32(f) ? 1e-4 : 1e-12;
    try {
      CompilerTest.assertMatches(f, args, tol);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(failure(seed, f, e), e);
    }
  }

  /** What a failure prints: the seed, the function, its plan (if it plans) and the error. */
  static String failure(long seed, Func f, Throwable e) {
    String plan;
    try {
      plan = Compiler.plan(f).text();
    } catch (RuntimeException planning) {
      plan = "(planning fails: " + planning + ")\n";
    }
    return RandomFuncs.describe(seed, f) + "\n" + plan + "\n" + e.getMessage();
  }

  @Test
  void randomFunctions_forward_matchTheInterpreter() {
    for (long seed = 0; seed < COUNT; seed++) {
      check(RandomFuncs.generate(seed), seed);
    }
  }

  @Test
  void randomFunctions_valueAndGradient_matchTheInterpreter() {
    checkDerived(Autodiff::vjp);
  }

  @Test
  void randomFunctions_valueAndTangent_matchTheInterpreter() {
    checkDerived(Autodiff::jvp);
  }

  /** {@code derive} of each random function with params, compiled against the interpreter. */
  private static void checkDerived(UnaryOperator<Func> derive) {
    for (long seed = 0; seed < COUNT; seed++) {
      Func f = RandomFuncs.generate(seed);
      if (!f.gradParams().isEmpty()) {
        check(derive.apply(f), seed);
      }
    }
  }

  @Test
  void failureMessage_namesTheSeedAndPrintsTheFunctionAndItsPlan() {
    Func f = RandomFuncs.generate(5);
    String m = failure(5, f, new AssertionError("result 0 differs"));
    org.junit.jupiter.api.Assertions.assertTrue(m.startsWith("seed 5:\nfunc @"), m);
    org.junit.jupiter.api.Assertions.assertTrue(
        m.contains(Compiler.plan(f).text() + "\nresult 0 differs"), m);
  }

  @Test
  void interpreterItself_agreesOnTheSameInputs() {
    // The oracle is deterministic: the same function and inputs give the same bits twice.
    Func f = Autodiff.vjp(RandomFuncs.generate(3));
    List<NdArray> args = RandomFuncs.inputs(f, 3);
    List<NdArray> a = Interpreter.run(f, args);
    List<NdArray> b = Interpreter.run(f, args);
    for (int i = 0; i < a.size(); i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          a.get(i).toDoubleArray(), b.get(i).toDoubleArray());
    }
  }
}
