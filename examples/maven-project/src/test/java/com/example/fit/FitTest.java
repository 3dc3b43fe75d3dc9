package com.example.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generated facade and the descent loop against PyTorch (src/test/python/write_fixture.py). */
class FitTest {
  private static final double TOL = 1e-12;

  private static Map<String, double[]> fixture() throws IOException {
    Map<String, double[]> m = new HashMap<>();
    try (InputStream in = FitTest.class.getResourceAsStream("/mse_loss.fixture")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.trim().split(" ");
        double[] v = new double[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
          v[i - 1] = Double.parseDouble(parts[i]);
        }
        m.put(parts[0], v);
      }
    }
    return m;
  }

  @Test
  void valueAndGradientsMatchPyTorch() throws IOException {
    Map<String, double[]> f = fixture();
    double[] w = f.get("w0").clone();
    double[] b = f.get("b0").clone();
    assertEquals(f.get("value")[0], MseLoss.value(f.get("x"), f.get("y"), w, b), TOL);

    double[] gradW = new double[3];
    double[] gradB = new double[1];
    double v = MseLoss.valueAndGrad(f.get("x"), f.get("y"), w, b, gradW, gradB);
    assertEquals(f.get("value")[0], v, TOL);
    assertArrayEquals(f.get("gradW"), gradW, TOL);
    assertArrayEquals(f.get("gradB"), gradB, TOL);

    MseLoss.Result r = MseLoss.valueAndGrad(f.get("x"), f.get("y"), w, b);
    assertEquals(f.get("value")[0], r.value(), TOL);
    assertArrayEquals(f.get("gradW"), r.gradW(), TOL);
    assertArrayEquals(f.get("gradB"), r.gradB(), TOL);
  }

  @Test
  void descentReachesPyTorchsWeights() throws IOException {
    Map<String, double[]> f = fixture();
    double[] w = f.get("w0").clone();
    double[] b = f.get("b0").clone();
    double loss = Fit.descend(f.get("x"), f.get("y"), w, b, f.get("lr")[0], (int) f.get("steps")[0]);
    assertArrayEquals(f.get("wFinal"), w, 1e-10);
    assertArrayEquals(f.get("bFinal"), b, 1e-10);
    assertEquals(f.get("valueFinal")[0], loss, 1e-10);
  }

  @Test
  void gradCheckAgreesWithFiniteDifferences() throws IOException {
    Map<String, double[]> f = fixture();
    double[] w = {0.3, -0.7, 1.1};
    double[] b = {0.2};
    assertTrue(MseLoss.gradCheck(1e-6, f.get("x"), f.get("y"), w, b) < 1e-6);
    assertArrayEquals(new double[] {0.3, -0.7, 1.1}, w);
  }

  @Test
  void argumentErrorsNameTheArgument() throws IOException {
    Map<String, double[]> f = fixture();
    double[] w = new double[3];
    double[] b = new double[1];
    NullPointerException npe =
        assertThrows(NullPointerException.class, () -> MseLoss.value(f.get("x"), null, w, b));
    assertEquals("y is null", npe.getMessage());
    IllegalArgumentException iae =
        assertThrows(
            IllegalArgumentException.class,
            () -> MseLoss.value(f.get("x"), f.get("y"), new double[2], b));
    assertTrue(iae.getMessage().contains("w"), iae.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> MseLoss.valueAndGrad(f.get("x"), f.get("y"), w, b, new double[3], new double[2]));
  }
}
