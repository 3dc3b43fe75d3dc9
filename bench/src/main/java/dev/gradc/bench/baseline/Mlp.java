package dev.gradc.bench.baseline;

import java.util.Arrays;

/**
 * A two-layer perceptron in f32, {@code cross_entropy(relu(x W1 + b1) W2 + b2, labels)}, and the
 * gradients of its weights and biases. Three passes: one over the batch rows (forward, softmax, and
 * the adjoint of the hidden layer, all row-local), then one over the rows of {@code dW1} and one
 * over the rows of {@code dW2}, which sum over the batch. Each is split across threads without
 * sharing an output row.
 */
public final class Mlp implements Baseline {
  /** Rows of a matrix product computed together. */
  private static final int BLOCK = 4;

  private final float[] x;
  private final float[] w1;
  private final float[] b1;
  private final float[] w2;
  private final float[] b2;
  private final long[] labels;
  private final float[] value;
  private final float[] dw1;
  private final float[] db1;
  private final float[] dw2;
  private final float[] db2;
  private final int batch;
  private final int in;
  private final int hidden;
  private final int classes;
  private final ChunkPool pool;
  // Scratch, reused across calls.
  private final float[] h;
  private final float[] dz1;
  private final float[] dlogits;
  private final double[] partialLoss;
  private final float[][] logitsByChunk;
  private final float[][][] blockByChunk;
  private final ChunkPool.Body rows = this::rows;
  private final ChunkPool.Body inputRows = this::inputRows;
  private final ChunkPool.Body hiddenRows = this::hiddenRows;

  public Mlp(Object[] args, Object[] outs, ChunkPool pool) {
    x = (float[]) args[0];
    w1 = (float[]) args[1];
    b1 = (float[]) args[2];
    w2 = (float[]) args[3];
    b2 = (float[]) args[4];
    labels = (long[]) args[5];
    value = (float[]) outs[0];
    dw1 = (float[]) outs[1];
    db1 = (float[]) outs[2];
    dw2 = (float[]) outs[3];
    db2 = (float[]) outs[4];
    batch = labels.length;
    hidden = b1.length;
    classes = b2.length;
    in = x.length / batch;
    this.pool = pool;
    h = new float[batch * hidden];
    dz1 = new float[batch * hidden];
    dlogits = new float[batch * classes];
    partialLoss = new double[pool.threads()];
    logitsByChunk = new float[pool.threads()][classes];
    blockByChunk = new float[pool.threads()][BLOCK][hidden];
  }

  @Override
  public void run() {
    pool.forEach(batch, rows);
    pool.forEach(in, inputRows);
    pool.forEach(hidden, hiddenRows);
    double loss = 0;
    for (double p : partialLoss) {
      loss += p;
    }
    value[0] = (float) (loss / batch);
    Arrays.fill(db2, 0);
    for (int i = 0; i < batch; i++) {
      for (int c = 0; c < classes; c++) {
        db2[c] += dlogits[i * classes + c];
      }
    }
  }

  /** Forward through the loss and back to the hidden pre-activation, for rows {@code [lo, hi)}. */
  private void rows(int chunk, int lo, int hi) {
    float[] logits = logitsByChunk[chunk];
    double loss = 0;
    float invBatch = 1f / batch;
    firstLayer(chunk, lo, hi);
    for (int i = lo; i < hi; i++) {
      int hRow = i * hidden;
      System.arraycopy(b2, 0, logits, 0, classes);
      for (int j = 0; j < hidden; j++) {
        float hv = h[hRow + j];
        if (hv <= 0) {
          h[hRow + j] = 0;
          continue;
        }
        for (int c = 0; c < classes; c++) {
          logits[c] += hv * w2[j * classes + c];
        }
      }
      float max = Float.NEGATIVE_INFINITY;
      for (float l : logits) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (float l : logits) {
        sum += Math.exp(l - max);
      }
      double logSum = Math.log(sum) + max;
      int label = (int) labels[i];
      loss += logSum - logits[label];
      int gRow = i * classes;
      for (int c = 0; c < classes; c++) {
        float p = (float) Math.exp(logits[c] - logSum);
        dlogits[gRow + c] = (c == label ? p - 1 : p) * invBatch;
      }
      for (int j = 0; j < hidden; j++) {
        float g = 0;
        if (h[hRow + j] > 0) {
          for (int c = 0; c < classes; c++) {
            g += dlogits[gRow + c] * w2[j * classes + c];
          }
        }
        dz1[hRow + j] = g;
      }
    }
    partialLoss[chunk] = loss;
  }

  /**
   * {@code h = x W1 + b1} (before relu) for rows {@code [lo, hi)}, four rows at a time so that each
   * row of W1 is loaded once per four; each row accumulates in its own array, which keeps the inner
   * loop vectorizable.
   */
  private void firstLayer(int chunk, int lo, int hi) {
    float[][] acc = blockByChunk[chunk];
    for (int i = lo; i < hi; i += BLOCK) {
      int rows = Math.min(BLOCK, hi - i);
      for (int r = 0; r < BLOCK; r++) {
        System.arraycopy(b1, 0, acc[r], 0, hidden);
      }
      int x0 = i * in;
      // Rows past the end repeat the last row; their sums are dropped.
      int x1 = (i + Math.min(1, rows - 1)) * in;
      int x2 = (i + Math.min(2, rows - 1)) * in;
      int x3 = (i + Math.min(3, rows - 1)) * in;
      for (int k = 0; k < in; k++) {
        axpy4(acc, x[x0 + k], x[x1 + k], x[x2 + k], x[x3 + k], w1, k * hidden);
      }
      for (int r = 0; r < rows; r++) {
        System.arraycopy(acc[r], 0, h, (i + r) * hidden, hidden);
      }
    }
  }

  /**
   * {@code dW1 = x^T dz1}, rows {@code [lo, hi)} of it, four at a time so that each row of dz1 is
   * loaded once per four.
   */
  private void inputRows(int chunk, int lo, int hi) {
    float[][] acc = blockByChunk[chunk];
    for (int k = lo; k < hi; k += BLOCK) {
      int rows = Math.min(BLOCK, hi - k);
      for (int r = 0; r < BLOCK; r++) {
        Arrays.fill(acc[r], 0);
      }
      int k1 = k + Math.min(1, rows - 1);
      int k2 = k + Math.min(2, rows - 1);
      int k3 = k + Math.min(3, rows - 1);
      for (int i = 0; i < batch; i++) {
        int xRow = i * in;
        axpy4(acc, x[xRow + k], x[xRow + k1], x[xRow + k2], x[xRow + k3], dz1, i * hidden);
      }
      for (int r = 0; r < rows; r++) {
        System.arraycopy(acc[r], 0, dw1, (k + r) * hidden, hidden);
      }
    }
  }

  /** {@code acc[r][j] += v_r * src[off + j]} for the four rows r and every j of a hidden row. */
  private void axpy4(float[][] acc, float v0, float v1, float v2, float v3, float[] src, int off) {
    float[] a0 = acc[0];
    float[] a1 = acc[1];
    float[] a2 = acc[2];
    float[] a3 = acc[3];
    for (int j = 0; j < hidden; j++) {
      float s = src[off + j];
      a0[j] += v0 * s;
      a1[j] += v1 * s;
      a2[j] += v2 * s;
      a3[j] += v3 * s;
    }
  }

  /** {@code dW2 = h^T dlogits} and {@code db1}, rows {@code [lo, hi)} of them. */
  private void hiddenRows(int chunk, int lo, int hi) {
    Arrays.fill(dw2, lo * classes, hi * classes, 0);
    Arrays.fill(db1, lo, hi, 0);
    for (int i = 0; i < batch; i++) {
      for (int j = lo; j < hi; j++) {
        float hv = h[i * hidden + j];
        db1[j] += dz1[i * hidden + j];
        if (hv == 0) {
          continue;
        }
        for (int c = 0; c < classes; c++) {
          dw2[j * classes + c] += hv * dlogits[i * classes + c];
        }
      }
    }
  }
}
