package dev.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The SGD example converges to the coefficients the data was generated from, compiling once. */
class LinearRegressionTest {

  @Test
  void sgd_convergesAndCompilesItsLoopOnce() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LinearRegression.Result r =
        LinearRegression.train(200, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertArrayEquals(LinearRegression.TRUE_W, r.w().toDoubleArray(), 0.01);
    assertEquals(LinearRegression.TRUE_B, r.b().item(), 0.01);
    assertTrue(r.firstLoss() > 10, "starts far: " + r.firstLoss());
    assertTrue(r.finalLoss() < 2e-4, "ends at the noise level: " + r.finalLoss());
    assertEquals(r.compilationsAfterFirstStep(), r.compilationsAtEnd(), "compilations");
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("step   0  loss "), text);
    assertTrue(text.contains("w = tensor([["), text);
  }
}
