package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kernels of several loops over the same rows run loop by loop over blocks of rows ({@link
 * ScalarKernelEmitter#inRowBlocks}), their flat loops with elementary functions in passes, with the
 * bits of the row-by-row order: blocks of 64 (the default), 5 and 1 rows against the kernel run row
 * by row ({@code gradc.rowBlock=0}), for row counts around the block and the chunk, with 1 and 3
 * threads; and the interpreter's values.
 */
class RowBlocksTest {
  static ExecutorService pool;

  static final int[] ROWS = {1, 5, 63, 64, 65, 1023, 1025, 3001};

  @BeforeAll
  static void start() {
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  /** {@code mean(softplus(-y * (x @ w)))}'s value and gradient: x [rows, k]. */
  static Func logistic(DType dt, int rows, int k) {
    Builder b = new Builder("logistic");
    Value x = b.input("x", Type.of(dt, rows, k));
    Value y = b.input("y", Type.of(dt, rows));
    Value w = b.param("w", Type.of(dt, k));
    b.ret(b.mean(b.unary(Op.SOFTPLUS, b.neg(b.mul(y, b.matmul(x, w))))));
    return Autodiff.vjp(b.build());
  }

  /**
   * Full sums in two flat loops of one kernel: {@code a = softplus(y * (x @ w))} per row and its
   * mean, then {@code b = (x * a[:, None]).sum(1)} per row and the sum of {@code b * b}.
   */
  static Func twoFlatSums(int rows, int k) {
    Builder b = new Builder("sums");
    Value x = b.input("x", Type.of(DType.F64, rows, k));
    Value y = b.param("y", Type.of(DType.F64, rows));
    Value w = b.param("w", Type.of(DType.F64, k));
    Value a = b.unary(Op.SOFTPLUS, b.mul(y, b.matmul(x, w)));
    Value s = b.sum(b.mul(x, b.unsqueeze(a, 1)), new int[] {1}, false);
    b.ret(b.add(b.mean(a), b.sum(b.mul(s, s))));
    return Autodiff.vjp(b.build());
  }

  /** The per-row loss runs in passes: its {@code log1p} in a later pass than its {@code exp}. */
  @Test
  void logisticLoss_functionsInPassesOfTheirOwn() {
    Kernel kernel = rowsKernel(logistic(DType.F64, 1000, 32));
    int exp = -1;
    int log1p = -1;
    for (LoopLayout l : kernel.loops) {
      java.util.Map<dev.gradc.ir.Inst, Integer> levels =
          l.rank() == 1 ? ScalarKernelEmitter.passLevels(l) : null;
      if (levels == null) {
        continue;
      }
      for (java.util.Map.Entry<dev.gradc.ir.Inst, Integer> e : levels.entrySet()) {
        if (e.getKey().op() == Op.EXP) {
          exp = e.getValue();
        } else if (e.getKey().op() == Op.LOG1P) {
          log1p = e.getValue();
        }
      }
    }
    assertTrue(exp >= 1 && log1p == exp + 1, "exp in pass " + exp + ", log1p in pass " + log1p);
  }

  @Test
  void logisticF64_sameBitsAsRowByRow() {
    for (int rows : ROWS) {
      for (int k : new int[] {32, 17}) {
        check(logistic(DType.F64, rows, k), rows, k, DType.F64);
      }
    }
  }

  @Test
  void logisticF32_sameBitsAsRowByRow() {
    for (int rows : ROWS) {
      check(logistic(DType.F32, rows, 33), rows, 33, DType.F32);
    }
  }

  @Test
  void fullSumsInTwoLoops_sameBitsAsRowByRow() {
    for (int rows : ROWS) {
      if (rows == 1) {
        continue;
      }
      Func f = twoFlatSums(rows, 20);
      Kernel kernel = rowsKernel(f);
      int loopsWithFullSums = 0;
      for (LoopLayout l : kernel.loops) {
        boolean full = false;
        for (LoopLayout.Reduction r : l.reductions) {
          full |= r.mode == LoopLayout.Mode.FULL;
        }
        loopsWithFullSums += full ? 1 : 0;
      }
      assertTrue(loopsWithFullSums >= 2, Compiler.plan(f).text());
      check(f, rows, 20, DType.F64);
    }
  }

  /** The kernel of {@code f}'s plan that runs in row blocks; fails when there is none. */
  private static Kernel rowsKernel(Func f) {
    Plan plan = Compiler.plan(f);
    for (Kernel k : plan.kernels) {
      if (ScalarKernelEmitter.inRowBlocks(k)) {
        return k;
      }
    }
    throw new AssertionError("no kernel runs in row blocks\n" + plan.text());
  }

  private static void check(Func f, int rows, int k, DType dt) {
    if (rows > 1) {
      rowsKernel(f); // one row collapses to flat loops
    }
    SplittableRandom rnd = new SplittableRandom(rows * 31L + k);
    List<NdArray> args = new ArrayList<>();
    for (Value in : f.params()) {
      args.add(CompilerTest.random(rnd, dt, in.type().shape(Map.of())));
    }
    List<NdArray> rowByRow = withRowBlock(0, f).run(args);
    for (int block : new int[] {64, 5, 1}) {
      Loaded blocked = withRowBlock(block, f);
      for (int threads : new int[] {1, 3}) {
        List<NdArray> got = threads == 1 ? blocked.run(args) : blocked.run(args, pool, threads);
        for (int i = 0; i < got.size(); i++) {
          assertArrayEquals(
              rowByRow.get(i).toDoubleArray(),
              got.get(i).toDoubleArray(),
              rows
                  + " rows of "
                  + k
                  + ", blocks of "
                  + block
                  + ", "
                  + threads
                  + " threads, result "
                  + i);
        }
      }
    }
    CompilerTest.assertMatches(f, args, dt == DType.F64 ? 1e-12 : 1e-5);
  }

  private static Loaded withRowBlock(int rows, Func f) {
    String before = System.getProperty(ScalarKernelEmitter.ROW_BLOCK_PROPERTY);
    System.setProperty(ScalarKernelEmitter.ROW_BLOCK_PROPERTY, Integer.toString(rows));
    try {
      return Loaded.of(f);
    } finally {
      if (before == null) {
        System.clearProperty(ScalarKernelEmitter.ROW_BLOCK_PROPERTY);
      } else {
        System.setProperty(ScalarKernelEmitter.ROW_BLOCK_PROPERTY, before);
      }
    }
  }
}
