package dev.gradc.codegen;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Parser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Matrix-vector products that codegen turns into fused reductions compute like the matmul routine
 * and the interpreter: f32 products in f64, rounded once. Found by the .grad fuzzer (seed 112778),
 * where f32 products of large elements overflowed to infinities that cancelled to NaN.
 */
class MatvecPrecisionTest {
  @Test
  void f32MatrixVector_productsOverflowingF32_matchTheInterpreter() {
    Func f =
        Parser.parse(
            """
            func @mv(%a: f32[2, 2], %v: f32[2]) -> f32[2] {
              %0: f32[2] = matmul %a, %v
              ret %0
            }
            """);
    List<NdArray> args =
        List.of(
            NdArray.of(DType.F32, new int[] {2, 2}, 1e30, 1e30, 1e20, 2),
            NdArray.of(DType.F32, new int[] {2}, 1e20, -1e20));
    // 1e30 * 1e20 overflows f32 but not f64: the first element is 0, not inf - inf
    CompilerTest.assertMatches(f, args, 1e-6);
  }

  @Test
  void f32VectorMatrix_productsOverflowingF32_matchTheInterpreter() {
    Func f =
        Parser.parse(
            """
            func @vm(%v: f32[2], %a: f32[2, 2]) -> f32[2] {
              %0: f32[2] = matmul %v, %a
              ret %0
            }
            """);
    List<NdArray> args =
        List.of(
            NdArray.of(DType.F32, new int[] {2}, 1e20, -1e20),
            NdArray.of(DType.F32, new int[] {2, 2}, 1e30, 3, 1e30, 4));
    CompilerTest.assertMatches(f, args, 1e-6);
  }
}
