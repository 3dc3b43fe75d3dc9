package dev.gradc.ir.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Parser;
import dev.gradc.ir.testing.Gradients;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code log(sum(exp(x)))} is differentiated as the {@code logsumexp} the optimizer makes of it:
 * its gradient is the softmax, before and after optimization, where {@code exp(x)} overflows too;
 * with the sum or the exp used elsewhere as well, those uses keep their own adjoints.
 */
class LogSumExpTest {
  private static final Func ROWS =
      Parser.parse(
          """
          func @rows(%x: f64[2, 3], input %w: f64[2]) -> f64 {
            %0: f64[2, 3] = exp %x
            %1: f64[2, 1] = sum %0, dims=[1], keepdim=true
            %2: f64[2, 1] = log %1
            %3: f64[2] = reshape %2
            %4: f64[2] = mul %3, %w
            %5: f64 = sum %4
            ret %5
          }
          """);

  private static final Func SHARED =
      Parser.parse(
          """
          func @shared(%x: f64[3]) -> f64 {
            %0: f64[3] = exp %x
            %1: f64 = sum %0
            %2: f64 = log %1
            %3: f64[3] = mul %0, %x
            %4: f64 = sum %3
            %5: f64 = add %2, %4
            %6: f64 = add %5, %1
            ret %6
          }
          """);

  private static final double[] W = {0.75, -1.5};

  @Test
  void moderateInputs_matchFiniteDifferences() {
    Gradients.check(ROWS, List.of(rows(0.3, -1.2, 2.0, 0.5, 0.25, -0.75), w()), 1e-7);
    Gradients.check(SHARED, List.of(NdArray.of(DType.F64, new int[] {3}, 0.3, -1.2, 1.5)), 1e-7);
  }

  @Test
  void overflowingExp_valueIsLogSumExpAndGradientTheSoftmax() {
    double[][] x = {{1000, 1001, 999}, {-1000, 0, 1000}};
    NdArray in = rows(x[0][0], x[0][1], x[0][2], x[1][0], x[1][1], x[1][2]);
    double[] expected = new double[6];
    double value = 0;
    for (int r = 0; r < 2; r++) {
      double max = Math.max(x[r][0], Math.max(x[r][1], x[r][2]));
      double s = 0;
      for (double v : x[r]) {
        s += Math.exp(v - max);
      }
      value += W[r] * (max + Math.log(s));
      for (int c = 0; c < 3; c++) {
        expected[3 * r + c] = W[r] * Math.exp(x[r][c] - max) / s;
      }
    }
    assertEquals(value, Interpreter.run(ROWS, in, w()).get(0).item(), 1e-12 * Math.abs(value));
    Gradients.check(ROWS, List.of(in, w()), List.of(expected), 1e-12);
  }

  private static NdArray rows(double... v) {
    return NdArray.of(DType.F64, new int[] {2, 3}, v);
  }

  private static NdArray w() {
    return NdArray.of(DType.F64, new int[] {2}, W);
  }
}
