package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.GradcException;
import dev.gradc.runtime.Executor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code index_put} beyond the PyTorch fixtures ({@code ops.json}, {@code functions.json}): an
 * accumulated put with many repeated indices gives the same bits with 1, 2 and 7 threads, eagerly
 * and compiled; its version counter and its write through a view are PyTorch's.
 */
class IndexPutTest {

  @Test
  void accumulate_sameBitsWith1And2And7Threads() {
    SplittableRandom r = new SplittableRandom(13);
    int rows = 300;
    int n = 20_000;
    double[] ids = new double[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(rows) - (i % 5 == 0 ? rows : 0); // some negative, from the end
    }
    Tensor idx = Tensor.tensor(DType.I64, ids);
    Tensor x = Tensor.randn(DType.F32, rows, 8).requiresGrad_();
    Tensor v = Tensor.randn(DType.F32, n, 8).mul(100.0).requiresGrad_();
    Tensor c = Tensor.randn(DType.F32, rows, 8);
    Gradc.Traceable loss = a -> a[0].indexPut(List.of(idx), a[1], true).square().mul(c).sum();
    CompiledFn f = Gradc.compile(loss, List.of(x, v));
    int before = Executor.threads();
    try {
      float[][] want = null;
      for (int threads : new int[] {1, 2, 7}) {
        Executor.setThreads(threads);
        ValueAndGrad vg = f.valueAndGrad(x, v);
        float[][] got = {
          vg.value().toFloatArray(), vg.grad(0).toFloatArray(), vg.grad(1).toFloatArray()
        };
        Tensor eager = loss.apply(new Tensor[] {x, v});
        assertArrayEquals(eager.toFloatArray(), got[0], threads + " threads: eager value");
        if (want == null) {
          want = got;
        }
        for (int k = 0; k < got.length; k++) {
          assertArrayEquals(want[k], got[k], threads + " threads, result " + k);
        }
      }
    } finally {
      Executor.setThreads(before);
    }
  }

  @Test
  void savedTensorWrittenByIndexPut_failsInBackwardWithPyTorchsMessage() {
    Tensor x = Tensor.arange(3).to(DType.F64).requiresGrad_();
    Tensor y = x.mul(1.0);
    Tensor z = y.pow(2);
    y.indexPut_(Tensor.tensor(DType.I64, 0), 5.0);
    assertEquals(1, y.version());
    GradcException e = assertThrows(GradcException.class, () -> z.sum().backward());
    assertEquals(
        "one of the variables needed for gradient computation has been modified by an inplace"
            + " operation: [torch.DoubleTensor [3]], which is output 0 of IndexPutBackward0, is at"
            + " version 1; expected version 0 instead. Hint: enable anomaly detection to find the"
            + " operation that failed to compute its gradient, with"
            + " torch.autograd.set_detect_anomaly(True).",
        e.getMessage());
  }

  @Test
  void indexPutThroughAViewOfANonLeaf_isCopySlicesOnTheBase() {
    Tensor x = Tensor.arange(3).to(DType.F64).requiresGrad_();
    Tensor y = x.mul(1.0);
    y.index("1:").indexPut_(Tensor.tensor(DType.I64, 0), 5.0);
    assertEquals("CopySlices", y.gradFn().name());
    assertEquals(1, y.version());
    assertArrayEquals(new double[] {0, 5, 2}, y.toDoubleArray());
    y.sum().backward();
    assertArrayEquals(new double[] {1, 0, 1}, x.grad().toDoubleArray());
  }
}
