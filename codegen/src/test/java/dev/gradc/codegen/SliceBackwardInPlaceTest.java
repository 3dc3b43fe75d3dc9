package dev.gradc.codegen;

import static dev.gradc.codegen.SliceViewTest.args;
import static dev.gradc.codegen.SliceViewTest.assertNoSliceCall;
import static dev.gradc.codegen.SliceViewTest.assertSameBits;
import static dev.gradc.codegen.SliceViewTest.checkAt;
import static dev.gradc.codegen.SliceViewTest.parse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.ad.Autodiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code slice_backward} (the gradient of a slice, and each part of a {@code cat}) is read in
 * place by the loops that read it: its operand inside the slice (for a step other than 1, at the
 * indices a whole number of steps from its start), zero elsewhere. The plan has no library call for
 * it, nothing writes the zero-padded tensor, and the compiled function gives the interpreter's bits
 * for every thread count.
 */
class SliceBackwardInPlaceTest {
  @Test
  void catAlongRowsAndColumns() {
    // cat([a * b, a + b], dim) as the frontend writes it: where(mask of part 2, part 2, part 1)
    for (String dt : new String[] {"f64", "f32"}) {
      checkAt(
          ("""
        func @cat(%a: T[N, 5], %b: T[N, 5]) -> (T[N, 10], T[N, 5], T) {
          %0: T[N, 5] = mul %a, %b
          %1: T[N, 5] = add %a, %b
          %2: T[N, 10] = slice_backward %0, dims=[1, 0, 1]
          %3: T[N, 10] = slice_backward %1, dims=[1, 5, 1]
          %4: bool[N, 5] = broadcast 1.0
          %5: bool[N, 10] = slice_backward %4, dims=[1, 5, 1]
          %6: T[N, 10] = where %5, %3, %2
          %7: T[N, 10] = exp %6
          %9: T = sum %6
          ret %7, %0, %9
        }
        """)
              .replace("T", dt),
          1,
          5,
          700);
    }
  }

  @Test
  void catAlongTheOuterDimIsOneFlatLoop() {
    Func f =
        parse(
            """
            func @cat(%a: f64[4, N], %b: f64[3, N]) -> (f64[7, N], f64) {
              %0: f64[4, N] = mul %a, %a
              %1: f64[3, N] = neg %b
              %2: f64[7, N] = slice_backward %0, dims=[0, 0, 1]
              %3: f64[7, N] = slice_backward %1, dims=[0, 4, 1]
              %4: bool[3, N] = broadcast 1.0
              %5: bool[7, N] = slice_backward %4, dims=[0, 4, 1]
              %6: f64[7, N] = where %5, %3, %2
              %7: f64 = sum %6
              ret %6, %7
            }
            """);
    assertNoSliceCall(f);
    String plan = Compiler.plan(f).text();
    assertTrue(plan.contains("%3 (dim 0 in [4*N, 7*N))"), plan);
    assertTrue(plan.contains("loop 2 over [7, N] (flat, 7*N elements)"), plan);
    for (int n : new int[] {1, 5, 3000}) {
      assertSameBits(f, args(f, n, n));
    }
  }

  @Test
  void gradientOfSlicesOfThreeDims() {
    // the adjoint of x[:, 1:, :] and x[:, :-1, :] (total variation's), and of a slice of a view
    checkAt(
        """
        func @g(%g: f64[2, 3, N], %h: f64[N, 3, 2], %s: f64) -> (f64[2, 4, N], f64[2, 4, N]) {
          %0: f64[2, 4, N] = slice_backward %g, dims=[1, 1, 1]
          %1: f64[2, 4, N] = slice_backward %g, dims=[1, 0, 1]
          %2: f64[2, 4, N] = sub %0, %1
          %3: f64[2, 3, N] = transpose %h, dims=[0, 2]
          %4: f64[2, 4, N] = slice_backward %3, dims=[1, 1, 1]
          %5: f64[2, 4, N] = broadcast %s
          %6: f64[2, 3, N] = slice %5, dims=[1, 0, 1]
          %7: f64[2, 4, N] = slice_backward %6, dims=[1, 0, 1]
          %8: f64[2, 4, N] = mul %4, %7
          %9: f64[2, 4, N] = add %8, %2
          ret %2, %9
        }
        """,
        1, 5, 300);
  }

  @Test
  void aGuardedValueReturnedOrReadByALibraryCallIsCopiedByALoop() {
    checkAt(
        """
        func @f(%x: f64[3, N], %w: f64[N, 2]) -> (f64[5, N], f64[5, 2], i64[5, N]) {
          %0: f64[5, N] = slice_backward %x, dims=[0, 1, 1]
          %1: f64[5, 2] = matmul %0, %w
          %2: i64[3, N] = cast %x
          %3: i64[5, N] = slice_backward %2, dims=[0, 2, 1]
          ret %0, %1, %3
        }
        """,
        1, 4, 100);
  }

  @Test
  void otherStepsAreReadInPlaceAtTheirResidue() {
    // the gradients of x[:, ::3], x.flip(1)[:, ::2], y[..., 1::2], y[1::3], of a slice of a
    // broadcast scalar, of w[:, ::3] along a middle dim that keeps its own index, an i64 one
    // returned and two read by matmul (a copy loop writes each)
    String f =
        """
        func @f(%x: f64[N, 3], %y: f64[2, N, 2], %z: f64[2, N, 4], %s: f64, %w: f64[2, 2, N]) -> \
        (f64[N, 7], f64[2, N, 4], f64[5, N, 4], i64[N, 6], f64, f64[2, 5, N], f64[7, 7]) {
          %0: f64[N, 7] = slice_backward %x, dims=[1, 0, 3]
          %1: f64[N, 7] = slice_backward %x, dims=[1, 6, -2]
          %2: f64[N, 3] = broadcast %s
          %3: f64[N, 7] = slice_backward %2, dims=[1, 2, 2]
          %4: f64[N, 7] = mul %0, %1
          %5: f64[N, 7] = add %4, %3
          %6: f64[2, N, 4] = slice_backward %y, dims=[2, 1, 2]
          %7: f64[2, N, 4] = mul %6, %z
          %8: f64[5, N, 4] = slice_backward %z, dims=[0, 1, 3]
          %9: f64[5, N, 4] = exp %8
          %12: i64[N, 3] = cast %x
          %10: i64[N, 6] = slice_backward %12, dims=[1, 1, 2]
          %11: f64 = sum %5
          %13: f64[2, 5, N] = slice_backward %w, dims=[1, 0, 3]
          %14: f64[2, 5, N] = sin %13
          %15: f64[7, N] = transpose %1, dims=[0, 1]
          %16: f64[7, 7] = matmul %15, %0
          ret %5, %7, %9, %10, %11, %14, %16
        }
        """;
    String plan = Compiler.plan(parse(f)).text();
    for (String read :
        new String[] {
          "%0 (dim 1 in [0, 7) step 3)",
          "%1 (dim 1 in [2, 7) step -2)",
          "%3 (dim 1 in [2, 7) step 2)",
          "%6 (dim 1 in [1, 4) step 2)",
          "%8 (dim 0 in [1, 5) step 3)",
          "%11 (dim 1 in [1, 6) step 2)",
          "(dim 1 in [0, 4) step 3)"
        }) {
      assertTrue(plan.contains(read), plan);
    }
    checkAt(f, 1, 5, 300);
  }

  @Test
  void aStridedSlicesGradientAllocatesNoPaddedCopy() {
    // the gradient of sum(exp(x)[:, ::2] * w) (as kernels/slice_vjp.ir, larger)
    Func f =
        parse(
            """
            func @g(%g: f64[256, 256], %w: f64[256, 512]) -> (f64[256, 512]) {
              %0: f64[256, 512] = slice_backward %g, dims=[1, 0, 2]
              %1: f64[256, 512] = mul %0, %w
              ret %1
            }
            """);
    assertNoSliceCall(f);
    assertTrue(Compiler.plan(f).text().contains("%0 (dim 1 in [0, 511) step 2)"));
    List<NdArray> a = args(f, 1, 3);
    long bytes = Loaded.of(f).allocatedBytesPerCall(a, 3);
    // the result (1 MiB); the padded copy would be 1 MiB more
    assertTrue(bytes < 1024 * 1024 + 64 * 1024, bytes + " bytes per call");
    assertSameBits(f, a);
  }

  /** {@code sum(cat([a, b], 1) ** 2)} of two 256 x 256 parts, as the frontend writes it. */
  private static final String CAT_256 =
      """
      func @cat(%a: f64[256, 256], %b: f64[256, 256]) -> (f64) {
        %2: f64[256, 512] = slice_backward %a, dims=[1, 0, 1]
        %3: f64[256, 512] = slice_backward %b, dims=[1, 256, 1]
        %4: bool[256, 256] = broadcast 1.0
        %5: bool[256, 512] = slice_backward %4, dims=[1, 256, 1]
        %6: f64[256, 512] = where %5, %3, %2
        %7: f64[256, 512] = mul %6, %6
        %8: f64 = sum %7
        ret %8
      }
      """;

  @Test
  void catAllocatesNoPaddedCopies() {
    Func f = parse(CAT_256);
    assertNoSliceCall(f);
    List<NdArray> a = args(f, 1, 3);
    long bytes = Loaded.of(f).allocatedBytesPerCall(a, 3);
    // each padded copy would be 1 MiB, the mask 128 KiB
    assertTrue(bytes < 64 * 1024, bytes + " bytes per call");
    assertSameBits(f, a, false);
  }

  @Test
  void catsGradientIsSlicesOfTheOutputsGradient() {
    // each part's gradient is a slice of g, read in place by the loop that writes the part's
    // result: no where(mask, g, 0) the size of the cat per part
    Func f = Autodiff.vjp(parse(CAT_256));
    assertNoSliceCall(f);
    List<NdArray> a = args(f, 1, 3);
    long bytes = Loaded.of(f).allocatedBytesPerCall(a, 3);
    // the two results (512 KiB each) and g (1 MiB); each masked gradient would be 1 MiB more
    assertTrue(bytes < 2 * 1024 * 1024 + 64 * 1024, bytes + " bytes per call");
    assertSameBits(f, a, false);
  }

  @Test
  void scatterReadsAViewOfAGuardedValueUnderItsOwnStrides() {
    // the gradient of gather(...).transpose(0, 1)[:, 1:]: scatter_add reads the transpose of a
    // slice_backward, whose copy it must read transposed
    Func f =
        parse(
            """
            func @f(%g: f64[3, 3], input %i: i64[4, 3]) -> (f64[5, 3]) {
              %0: f64[3, 4] = slice_backward %g, dims=[1, 1, 1]
              %1: f64[4, 3] = transpose %0, dims=[0, 1]
              %2: f64[5, 3] = broadcast 0.0
              %3: f64[5, 3] = scatter_add %2, %i, %1, dims=[0]
              ret %3
            }
            """);
    double[] g = new double[9];
    for (int k = 0; k < g.length; k++) {
      g[k] = k + 1;
    }
    List<NdArray> a =
        List.of(
            NdArray.of(dev.gradc.ir.DType.F64, new int[] {3, 3}, g),
            NdArray.ofLongs(new int[] {4, 3}, 0, 1, 2, 3, 4, 0, 1, 1, 1, 4, 2, 3));
    assertSameBits(f, a);
  }
}
