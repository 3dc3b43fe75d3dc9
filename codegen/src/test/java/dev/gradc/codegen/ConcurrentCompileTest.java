package dev.gradc.codegen;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Sixteen threads compiling at once, every class copying the same library methods (erf, matmul):
 * each class verifies, loads and matches the interpreter. The copied methods are shared trees, and
 * visiting one resets its labels, so two threads must not copy the same method at once.
 */
class ConcurrentCompileTest {
  static Func distinct(int k) {
    Builder b = new Builder("f" + k);
    Value x = b.param("x", Type.of(DType.F64, 3, 4));
    Value w = b.param("w", Type.of(DType.F64, 4, 2));
    Value h = b.unary(Op.ERF, b.mul(b.matmul(x, w), Builder.lit(1 + k * 0.01, DType.F64)));
    b.ret(b.sum(b.mul(h, b.unary(Op.SOFTPLUS, h))));
    return Autodiff.vjp(b.build());
  }

  @Test
  void sixteenThreads_copyingTheSameLibraryMethods_produceValidClasses() throws Exception {
    int threads = 16;
    int each = 10;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        fs.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    Func f = distinct(id * each + i);
                    SplittableRandom rnd = new SplittableRandom(id * 100L + i);
                    List<NdArray> args =
                        List.of(
                            CompilerTest.random(rnd, DType.F64, 3, 4),
                            CompilerTest.random(rnd, DType.F64, 4, 2));
                    CompilerTest.assertMatches(f, Loaded.of(f), args, 1e-12);
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
