package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A backward whose graph was seen before reuses its compiled gradient without capturing it again;
 * these graphs differ in exactly one detail each, so a key that ignored it would return a wrong
 * gradient.
 */
class GraphKeyTest {
  static Tensor leaf(double... v) {
    return Tensor.tensor(DType.F64, v).requiresGrad_();
  }

  @Test
  void sameStructure_differentLiteral_differentGradient() {
    for (double k : new double[] {5, 7, 5, -2}) {
      Tensor x = leaf(1, 2);
      x.mul(k).sum().backward();
      assertArrayEquals(new double[] {k, k}, x.grad().toDoubleArray(), "k = " + k);
    }
  }

  @Test
  void sameOps_differentWiring_differentGradient() {
    for (int round = 0; round < 2; round++) {
      Tensor a = leaf(2);
      Tensor b = leaf(3);
      a.mul(b).add(a).sum().backward(); // d/da = b + 1, d/db = a
      assertArrayEquals(new double[] {4}, a.grad().toDoubleArray());
      assertArrayEquals(new double[] {2}, b.grad().toDoubleArray());
      Tensor c = leaf(2);
      Tensor d = leaf(3);
      c.mul(d).add(d).sum().backward(); // d/dc = d, d/dd = c + 1
      assertArrayEquals(new double[] {3}, c.grad().toDoubleArray());
      assertArrayEquals(new double[] {3}, d.grad().toDoubleArray());
    }
  }

  @Test
  void sameOps_differentLeavesRequiringGrad_differentGradients() {
    for (int round = 0; round < 2; round++) {
      Tensor a = leaf(2);
      Tensor b = Tensor.tensor(DType.F64, 3);
      a.mul(b).sum().backward();
      assertArrayEquals(new double[] {3}, a.grad().toDoubleArray());
      assertEquals(null, b.grad());
      Tensor c = Tensor.tensor(DType.F64, 2);
      Tensor d = leaf(3);
      c.mul(d).sum().backward();
      assertEquals(null, c.grad());
      assertArrayEquals(new double[] {2}, d.grad().toDoubleArray());
    }
  }

  @Test
  void sameOps_differentShapes_differentGradients() {
    Tensor a = leaf(1, 2, 3);
    a.square().sum().backward();
    assertArrayEquals(new double[] {2, 4, 6}, a.grad().toDoubleArray());
    Tensor b = leaf(4, 5);
    b.square().sum().backward();
    assertArrayEquals(new double[] {8, 10}, b.grad().toDoubleArray());
  }
}
