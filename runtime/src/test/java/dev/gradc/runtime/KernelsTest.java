package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Parser;
import dev.gradc.ir.ad.Autodiff;
import org.junit.jupiter.api.Test;

class KernelsTest {
  static Func loss(String name) {
    return Parser.parse(
        "func @"
            + name
            + "(%w: f64[N], input %x: f64[N]) -> f64 {\n"
            + "  %0: f64[N] = mul %w, %x\n"
            + "  %1: f64 = sum %0\n"
            + "  ret %1\n"
            + "}\n");
  }

  @Test
  void compile_sameStructure_compilesOnce() {
    KernelCache cache = new KernelCache(CompiledKernel::compile);
    CompiledFunction a = cache.get(Autodiff.vjp(loss("a")));
    CompiledFunction b = cache.get(Autodiff.vjp(loss("b")));
    assertSame(a, b);
    assertEquals(1, cache.compilations());
    assertEquals(1, cache.hits());
  }

  @Test
  void call_symbolicDims_oneKernelServesEveryBatchSize() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(loss("g")));
    assertTrue(k instanceof CompiledKernel);
    for (int n : new int[] {1, 3, 100_000}) {
      double[] w = new double[n];
      double[] x = new double[n];
      double want = 0;
      for (int i = 0; i < n; i++) {
        w[i] = i % 7 - 3;
        x[i] = 0.5 * (i % 5);
        want += w[i] * x[i];
      }
      Object[] out = k.call(new Object[] {w, x}, new int[][] {{n}, {n}}, null);
      assertEquals(want, ((double[]) out[0])[0], 1e-9);
      assertArrayEquals(x, (double[]) out[1]);
    }
  }

  @Test
  void call_callerProvidedOutputs_areWrittenInPlace() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(loss("h")));
    double[] value = new double[1];
    double[] grad = new double[2];
    Object[] outs = {value, grad};
    Object[] r =
        k.call(
            new Object[] {new double[] {1, 2}, new double[] {3, 4}}, new int[][] {{2}, {2}}, outs);
    assertSame(outs, r);
    assertSame(grad, r[1]);
    assertEquals(11.0, value[0]);
    assertArrayEquals(new double[] {3, 4}, grad);
  }

  @Test
  void call_wrongShape_namesTheArgument() {
    CompiledFunction k = Kernels.compile(loss("s"));
    GradcException e =
        assertThrows(
            GradcException.class,
            () ->
                k.call(new Object[] {new double[2], new double[3]}, new int[][] {{2}, {3}}, null));
    assertTrue(e.getMessage().contains("%x"), e.getMessage());
  }

  @Test
  void call_threadCount_doesNotChangeResults() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(loss("t")));
    int n = 1_000_003;
    double[] w = new double[n];
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = Math.sin(i);
      x[i] = Math.cos(i * 0.37);
    }
    int saved = Executor.threads();
    try {
      Executor.setThreads(1);
      double one = ((double[]) k.call(new Object[] {w, x}, new int[][] {{n}, {n}}, null)[0])[0];
      Executor.setThreads(4);
      double four = ((double[]) k.call(new Object[] {w, x}, new int[][] {{n}, {n}}, null)[0])[0];
      assertEquals(Double.doubleToLongBits(one), Double.doubleToLongBits(four));
    } finally {
      Executor.setThreads(saved);
    }
  }

  @Test
  void call_outputThatIsAnArgument_resultsAsIfDistinct() {
    Func wwt =
        Parser.parse(
            """
            func @wwt(%w: f64[3, 3]) -> f64 {
              %0: f64[3, 3] = transpose %w, dims=[0, 1]
              %1: f64[3, 3] = mul %w, %0
              %2: f64 = sum %1
              ret %2
            }
            """);
    CompiledFunction k = Kernels.compile(Autodiff.vjp(wwt));
    double[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int[][] shapes = {{3, 3}};
    Object[] want = k.call(new Object[] {w.clone()}, shapes, null);
    double[] shared = w.clone();
    Object[] args = {shared};
    Object[] got = k.call(args, shapes, new Object[] {null, shared});
    assertEquals(261.0, ((double[]) want[0])[0]);
    assertEquals(((double[]) want[0])[0], ((double[]) got[0])[0]);
    assertSame(shared, got[1]);
    assertArrayEquals((double[]) want[1], shared);
    assertSame(shared, args[0]); // the caller's argument array is left as it was
  }

  @Test
  void call_twoOutputsSharingAnArray_areRefused() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(loss("s")));
    double[] shared = new double[1];
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                k.call(
                    new Object[] {new double[] {2}, new double[] {3}},
                    new int[][] {{1}, {1}},
                    new Object[] {shared, shared}));
    assertEquals(
        "result 0 and result 1 are the same array: each output needs its own", e.getMessage());
  }
}
