package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Gradient accumulation's sum: in the dtype of the first buffer, an f32 sum rounded to float as
 * PyTorch's accumulation, whatever the second buffer's dtype; buffers of different lengths are an
 * error.
 */
class BufferOpsTest {
  @Test
  void add_f32_roundsInFloat() {
    // 1e8f + 1 is 1e8f in float: the result stays an f32 buffer rounded to float.
    Object sum = BufferOps.add(new float[] {0.1f, 1e8f}, new float[] {0.2f, 1});
    assertArrayEquals(new float[] {0.1f + 0.2f, 1e8f}, (float[]) sum);
  }

  @Test
  void add_f64_andMixedDtypes_inTheFirstBuffersDtype() {
    assertArrayEquals(
        new double[] {0.1 + 0.2}, (double[]) BufferOps.add(new double[] {0.1}, new double[] {0.2}));
    assertArrayEquals(
        new float[] {(float) 0.1 + (float) 0.2},
        (float[]) BufferOps.add(new float[] {0.1f}, new double[] {0.2}));
  }

  @Test
  void add_differentLengths_throws() {
    assertThrows(
        IllegalArgumentException.class, () -> BufferOps.add(new float[] {1, 2}, new float[] {1}));
  }
}
