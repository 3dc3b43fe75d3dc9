package dev.gradc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.Func;
import dev.gradc.runtime.Kernels;
import org.junit.jupiter.api.Test;

/**
 * The embedding-bag benchmark computes what it claims: its compiled vjp gives the interpreter's
 * value and gradients on the small problem, call after call, and the value is the loss computed
 * directly from the table, the ids, the weight and the targets.
 */
class EmbeddingBagTest {
  @Test
  void compiled_matchesInterpreterAndTheLossComputedDirectly() {
    EmbeddingBag s = new EmbeddingBag();
    s.size = "small";
    s.setUp();
    Func vjp = new Problem(null, EmbeddingBag.forward(1000, 40), s.args, s.shapes, 0).vjp();
    Object[] expected = Kernels.interpret(vjp).call(s.args, s.shapes, null);
    s.call();
    Object[] outs = s.call();
    Results.assertClose(expected, outs, "embedding_bag");

    float[] table = (float[]) s.args[0];
    long[] ids = (long[]) s.args[1];
    float[] w = (float[]) s.args[2];
    float[] y = (float[]) s.args[3];
    int d = EmbeddingBag.DIM;
    double loss = 0;
    for (int bag = 0; bag < y.length; bag++) {
      double dot = 0;
      for (int k = 0; k < d; k++) {
        double sum = 0;
        for (int j = 0; j < EmbeddingBag.BAG; j++) {
          sum += table[(int) ids[bag * EmbeddingBag.BAG + j] * d + k];
        }
        dot += sum * w[k];
      }
      loss += (dot - y[bag]) * (dot - y[bag]);
    }
    assertEquals(loss / y.length, ((float[]) outs[0])[0], 1e-4 * Math.max(1, loss / y.length));
  }
}
