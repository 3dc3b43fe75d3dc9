package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sizes far from the unit tests': a loss over 50,000,000 elements compiles and runs with its
 * gradient (f32 buffers, 200 MB each; the module's tests run with a 1 GB heap), and compiling a
 * 20,000-instruction function allocates a bounded, printed amount of memory.
 */
class ScaleTest {
  static final int HUGE = 50_000_000;

  /** {@code mean((w - x)^2)} over {@code [N]} in f32. */
  static Func meanSquaredError() {
    Builder b = new Builder("mse");
    Value w = b.param("w", new Type(DType.F32, List.of(dev.gradc.ir.Dim.sym("N"))));
    Value x = b.input("x", new Type(DType.F32, List.of(dev.gradc.ir.Dim.sym("N"))));
    b.ret(b.mean(b.square(b.sub(w, x))));
    return b.build();
  }

  @Test
  void fiftyMillionElements_valueAndGradient() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(meanSquaredError()));
    float[] w = new float[HUGE];
    float[] x = new float[HUGE];
    double want = 0;
    for (int i = 0; i < HUGE; i++) {
      w[i] = (i % 7) * 0.5f;
      x[i] = (i % 5) * 0.25f;
      double d = (double) w[i] - x[i];
      want += d * d;
    }
    want /= HUGE;
    Object[] out = k.call(new Object[] {w, x}, new int[][] {{HUGE}, {HUGE}}, null);
    float value = ((float[]) out[0])[0];
    assertEquals(want, value, 1e-6 * want, "mean squared error over 50M elements");
    float[] grad = (float[]) out[1];
    assertEquals(HUGE, grad.length);
    for (int i = 0; i < HUGE; i++) {
      // d/dw mean((w - x)^2) = 2 (w - x) / N, each factor exact in f32 here
      float expected = (float) (2.0 * ((double) w[i] - x[i]) / HUGE);
      if (Math.abs(grad[i] - expected) > 1e-6f * Math.abs(expected) + 1e-15f) {
        fail("grad[" + i + "] = " + grad[i] + ", expected " + expected);
      }
    }
  }

  /** A seeded chain of {@code n} instructions: elementwise ops, reductions, scalars. */
  static Func chain(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Builder b = new Builder("chain");
    Param x = b.param("x", Type.of(DType.F64, 32));
    Param s = b.param("s", Type.scalar(DType.F64));
    List<Value> pool = new ArrayList<>(List.of(x));
    Value acc = s;
    Op[] unary = {Op.SIN, Op.TANH, Op.SIGMOID, Op.SQUARE, Op.NEG};
    Op[] binary = {Op.ADD, Op.MUL, Op.SUB, Op.MINIMUM};
    while (b.size() < n) {
      Value a = pool.get(pool.size() - 1 - rnd.nextInt(Math.min(pool.size(), 6)));
      switch (rnd.nextInt(6)) {
        case 0, 1 -> pool.add(b.unary(unary[rnd.nextInt(unary.length)], a));
        case 2, 3 ->
            pool.add(
                b.binary(
                    binary[rnd.nextInt(binary.length)], a, pool.get(rnd.nextInt(pool.size()))));
        case 4 -> acc = b.add(acc, b.mul(b.sum(a), Builder.lit(1e-3, DType.F64)));
        default -> pool.add(b.mul(a, b.unary(Op.TANH, acc)));
      }
    }
    b.ret(b.add(acc, b.sum(pool.get(pool.size() - 1))));
    return b.build();
  }

  @Test
  void compilingTwentyThousandInstructions_allocatesBoundedMemory() {
    Func f = chain(20_000, 5);
    assertTrue(f.insts().size() >= 20_000);
    CompiledKernel.compile(chain(2_000, 6)); // load the compiler's classes first
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    CompiledKernel k = CompiledKernel.compile(f);
    long bytes = threads.getThreadAllocatedBytes(id) - before;
    System.out.printf(
        "compiling a %,d-instruction function allocated %,d MB (%,d bytes per instruction)%n",
        f.insts().size(), bytes >> 20, bytes / f.insts().size());
    assertTrue(bytes < 512L << 20, "compiling allocated " + bytes + " bytes");
    double[] x = new double[32];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.sin(i);
    }
    Object[] args = {x, new double[] {0.2}};
    int[][] shapes = {{32}, {}};
    double compiled = ((double[]) k.call(args, shapes, null)[0])[0];
    double interpreted = ((double[]) Kernels.interpret(f).call(args, shapes, null)[0])[0];
    assertEquals(interpreted, compiled, 1e-9 * (1 + Math.abs(interpreted)));
  }
}
