package dev.gradc.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A block of rows packed flat: one row-major {@code double[]} per row input of a {@link
 * BlockKernel}, in declaration order ({@code rows * rowSize} elements each).
 */
public final class Block implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int rows;
  private final double[][] columns;

  /** A block of {@code rows} rows; {@code columns[j]} holds input j's rows one after another. */
  public Block(int rows, double[][] columns) {
    this.rows = rows;
    this.columns = columns;
  }

  /** A block of no rows over {@code inputs} inputs. */
  static Block empty(int inputs) {
    double[][] columns = new double[inputs][];
    Arrays.fill(columns, new double[0]);
    return new Block(0, columns);
  }

  public int rows() {
    return rows;
  }

  /** Input j's values, exactly {@code length} of them (a packed block may have spare capacity). */
  double[] column(int j, int length) {
    double[] c = columns[j];
    return c.length == length ? c : Arrays.copyOf(c, length);
  }
}
