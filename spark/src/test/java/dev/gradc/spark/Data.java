package dev.gradc.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Generated classification data, and its rows split into partitions as Spark slices a list. */
final class Data {
  private Data() {}

  static final String LOGISTIC =
      """
      input x: f64[N, 5]
      input y: f64[N]
      param w: f64[5]
      param b: f64
      return binary_cross_entropy_with_logits(x @ w + b, y) + 0.05 * sum(w ** 2)
      """;

  static final String SOFTMAX =
      """
      input x: f64[N, 5]
      input onehot: f64[N, 3]
      param w: f64[5, 3]
      param b: f64[3]
      return -mean(sum(onehot * log_softmax(x @ w + b, 1), 1)) + 0.05 * sum(w ** 2)
      """;

  /** One row: features, then the class, then its one-hot encoding of {@code classes}. */
  static final class Example {
    private final double[] x;
    private final double label;
    private final double[] onehot;

    Example(double[] x, double label, double[] onehot) {
      this.x = x;
      this.label = label;
      this.onehot = onehot;
    }

    double[] x() {
      return x;
    }

    double label() {
      return label;
    }

    double[] onehot() {
      return onehot;
    }
  }

  /**
   * {@code n} rows of 5 features with labels of {@code classes} classes drawn from a linear softmax
   * (logistic for 2) model, seeded.
   */
  static List<Example> examples(int n, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] truth = new double[classes][5];
    for (double[] row : truth) {
      for (int j = 0; j < 5; j++) {
        row[j] = r.nextDouble(-1.5, 1.5);
      }
    }
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = new double[5];
      for (int j = 0; j < 5; j++) {
        x[j] = r.nextGaussian() + (j == 0 ? 0.5 : 0);
      }
      double[] score = new double[classes];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        for (int j = 0; j < 5; j++) {
          score[k] += truth[k][j] * x[j];
        }
        max = Math.max(max, score[k]);
      }
      double total = 0;
      for (int k = 0; k < classes; k++) {
        score[k] = Math.exp(score[k] - max);
        total += score[k];
      }
      double u = r.nextDouble() * total;
      int label = 0;
      while (label < classes - 1 && u >= score[label]) {
        u -= score[label];
        label++;
      }
      double[] onehot = new double[classes];
      onehot[label] = 1;
      out.add(new Example(x, label, onehot));
    }
    return out;
  }

  /**
   * The slices of {@code rows} that {@code parallelize(rows, p)} makes: [i n / p, (i + 1) n / p).
   */
  static <T> List<List<T>> slices(List<T> rows, int p) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      out.add(
          rows.subList(
              (int) ((long) i * rows.size() / p), (int) ((long) (i + 1) * rows.size() / p)));
    }
    return out;
  }

  /** The blocks of each slice, packed from {@code (x, y)} (logistic) or {@code (x, onehot)}. */
  static List<List<Block>> blocks(List<List<Example>> slices, boolean softmax, int blockRows) {
    int[] sizes = softmax ? new int[] {5, 3} : new int[] {5, 1};
    List<List<Block>> out = new ArrayList<>();
    for (List<Example> s : slices) {
      out.add(
          RowPacker.packAll(
              s.iterator(),
              sizes,
              blockRows,
              (e, j, dst, offset, size) -> {
                if (j == 0) {
                  System.arraycopy(e.x(), 0, dst, offset, 5);
                } else if (softmax) {
                  System.arraycopy(e.onehot(), 0, dst, offset, 3);
                } else {
                  dst[offset] = e.label();
                }
              }));
    }
    return out;
  }
}
