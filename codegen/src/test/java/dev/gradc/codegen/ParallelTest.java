package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.SumOrder;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chunks run on a pool give the same bits for every thread count, and the interpreter's values. */
class ParallelTest {
  static ExecutorService pool;

  @BeforeAll
  static void start() {
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  static void assertSameForAnyThreadCount(Func f, List<NdArray> args) {
    Loaded k = Loaded.of(f);
    List<NdArray> one = k.run(args);
    for (int threads : new int[] {2, 3, 8, 16}) {
      List<NdArray> many = k.run(args, pool, threads);
      for (int i = 0; i < one.size(); i++) {
        assertArrayEquals(
            one.get(i).toDoubleArray(),
            many.get(i).toDoubleArray(),
            threads + " threads, result " + i);
      }
    }
    CompilerTest.assertMatches(f, args, 1e-11);
  }

  @Test
  void mseOverManyChunks() {
    SplittableRandom rnd = new SplittableRandom(5);
    int n = 300_007;
    Func g = Autodiff.vjp(CompilerTest.mse("N"));
    List<NdArray> args =
        List.of(
            CompilerTest.random(rnd, DType.F64, n),
            CompilerTest.random(rnd, DType.F64, n),
            CompilerTest.random(rnd, DType.F64, n),
            CompilerTest.random(rnd, DType.F64, n));
    assertSameForAnyThreadCount(g, args);
  }

  @Test
  void logisticRegression_matvecAndColumnSum() {
    Builder b = new Builder("logistic");
    Value x = b.input("x", Type.of(DType.F64, 40_003, 32));
    Value y = b.input("y", Type.of(DType.F64, 40_003));
    Value w = b.param("w", Type.of(DType.F64, 32));
    b.ret(b.mean(b.unary(Op.SOFTPLUS, b.neg(b.mul(y, b.matmul(x, w))))));
    Func g = Autodiff.vjp(b.build());
    // x @ w, the per-row loss and gradient, and x^T g: one pass over the rows of x.
    Plan plan = Compiler.plan(g);
    assertEquals(1, plan.kernelCount(), plan.text());
    // Per-row values (x_i . w and the row's gradient coefficient) stay in locals: the loop takes x,
    // y and
    // the gradient's column partials, and no buffer of intermediate values.
    Kernel k = plan.kernels.get(0);
    assertEquals(2, k.rowValues.size(), plan.text());
    for (LoopLayout.Access a : k.buffers) {
      assertTrue(
          a.buffer instanceof Param || Kernel.isAccumulator(k.loopOf(a), a),
          a.buffer + " is a buffer of intermediates\n" + plan.text());
    }
    assertTrue(plan.text().contains("keeps"), plan.text());
    SplittableRandom rnd = new SplittableRandom(7);
    assertSameForAnyThreadCount(
        g,
        List.of(
            CompilerTest.random(rnd, DType.F64, 40_003, 32),
            CompilerTest.random(rnd, DType.F64, 40_003),
            CompilerTest.random(rnd, DType.F64, 32)));
  }

  @Test
  void logisticRegression_columnPartialsAreNotAllocatedPerChunk() {
    int rows = 40_003;
    Builder b = new Builder("logistic");
    Value x = b.input("x", Type.of(DType.F64, rows, 32));
    Value y = b.input("y", Type.of(DType.F64, rows));
    Value w = b.param("w", Type.of(DType.F64, 32));
    b.ret(b.mean(b.unary(Op.SOFTPLUS, b.neg(b.mul(y, b.matmul(x, w))))));
    // The scalar kernel: the vector form's vectors are objects until the JIT compiles it (after
    // more calls than a test makes), whatever its scratch arrays.
    String before = System.getProperty(ClassEmitter.VECTOR_MIN_PROPERTY);
    System.setProperty(ClassEmitter.VECTOR_MIN_PROPERTY, Integer.toString(Integer.MAX_VALUE));
    Loaded k;
    try {
      k = Loaded.of(Autodiff.vjp(b.build()));
    } finally {
      if (before == null) {
        System.clearProperty(ClassEmitter.VECTOR_MIN_PROPERTY);
      } else {
        System.setProperty(ClassEmitter.VECTOR_MIN_PROPERTY, before);
      }
    }
    SplittableRandom rnd = new SplittableRandom(8);
    long bytes =
        k.allocatedBytesPerCall(
            List.of(
                CompilerTest.random(rnd, DType.F64, rows, 32),
                CompilerTest.random(rnd, DType.F64, rows),
                CompilerTest.random(rnd, DType.F64, 32)),
            3);
    // 40 chunks: 16 x 32 column partials each (160 KiB if made per chunk), against the
    // driver's 32 per chunk (10 KiB) and the results.
    int chunks = (rows + SumOrder.chunkRows(32) - 1) / SumOrder.chunkRows(32);
    assertTrue(bytes < chunks * SumOrder.BLOCK * 32 * 8 / 4, bytes + " bytes per call");
  }

  @Test
  void rowsWithSeveralFullReductions() {
    Builder b = new Builder("rows");
    Value x = b.param("x", Type.of(DType.F64, 2001, 53));
    Value s = b.reduce(Op.LOGSUMEXP, x, new int[] {1}, false);
    Value m = b.reduce(Op.AMAX, x, new int[0], false);
    Value t = b.sum(b.exp(x));
    b.ret(b.add(b.add(b.sum(s), m), t));
    SplittableRandom rnd = new SplittableRandom(6);
    assertSameForAnyThreadCount(
        Autodiff.vjp(b.build()), List.of(CompilerTest.random(rnd, DType.F64, 2001, 53)));
  }
}
