package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Parser;
import dev.gradc.ir.ad.Autodiff;
import org.junit.jupiter.api.Test;

/**
 * Compiled {@code gather} and {@code scatter_add} with indices that are data: an index out of range
 * is PyTorch's error as a {@link GradcException}, raised before anything is read or written (never
 * an {@link ArrayIndexOutOfBoundsException}), and repeated indices sum in index order.
 */
class GatherKernelTest {
  private static final Func PICK =
      Parser.parse(
          """
          func @pick(%x: f32[N, 3], input %i: i64[N, 1]) -> f32 {
            %0: f32[N, 1] = gather %x, %i, dims=[1]
            %1: f32 = sum %0
            ret %1
          }
          """);

  @Test
  void gather_indexOutOfRange_isPyTorchsError() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(PICK));
    float[] x = {1, 2, 3, 4, 5, 6};
    for (long bad : new long[] {3, -1, Long.MAX_VALUE, Integer.MIN_VALUE}) {
      GradcException e =
          assertThrows(
              GradcException.class,
              () ->
                  k.call(
                      new Object[] {x, new long[] {0, bad}}, new int[][] {{2, 3}, {2, 1}}, null));
      assertEquals(
          "index " + bad + " is out of bounds for dimension 1 with size 3", e.getMessage());
    }
  }

  @Test
  void gather_vjp_addsRepeatsInIndexOrder() {
    CompiledFunction k = Kernels.compile(Autodiff.vjp(PICK));
    float[] x = {1, 2, 3, 4, 5, 6};
    Object[] out = k.call(new Object[] {x, new long[] {2, 0}}, new int[][] {{2, 3}, {2, 1}}, null);
    assertEquals(7f, ((float[]) out[0])[0]);
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, (float[]) out[1]);
  }

  @Test
  void scatterAdd_sumsInIndexOrder_sameBitsEveryRun() {
    Func f =
        Parser.parse(
            """
            func @acc(input %x: f32[2], input %i: i64[N], input %s: f32[N]) -> f32[2] {
              %0: f32[2] = scatter_add %x, %i, %s, dims=[0]
              ret %0
            }
            """);
    CompiledFunction k = Kernels.compile(f);
    int n = 10_000;
    long[] idx = new long[n];
    float[] s = new float[n];
    float want = 0;
    for (int j = 0; j < n; j++) {
      idx[j] = j % 3 == 0 ? 1 : 0;
      s[j] = (float) Math.scalb(1.0 + (j % 17), -(j % 23));
      if (idx[j] == 1) {
        want += s[j];
      }
    }
    for (int run = 0; run < 3; run++) {
      Object[] out = k.call(new Object[] {new float[2], idx, s}, new int[][] {{2}, {n}, {n}}, null);
      assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(((float[]) out[0])[1]));
    }
    idx[n - 1] = 2;
    GradcException e =
        assertThrows(
            GradcException.class,
            () -> k.call(new Object[] {new float[2], idx, s}, new int[][] {{2}, {n}, {n}}, null));
    assertEquals("index 2 is out of bounds for dimension 0 with size 2", e.getMessage());
  }
}
