package dev.gradc.spark;

import java.io.Serializable;

/**
 * Partial sums of a loss and its gradient over some blocks: {@code sums[0]} the weighted losses,
 * {@code sums[1..]} the weighted gradients, with the rows and the blocks they cover.
 */
public final class Partial implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long rows;
  private final long blocks;
  private final double[] sums;

  Partial(long rows, long blocks, double[] sums) {
    this.rows = rows;
    this.blocks = blocks;
    this.sums = sums;
  }

  public long rows() {
    return rows;
  }

  public long blocks() {
    return blocks;
  }

  /** The sums (a copy). */
  public double[] sums() {
    return sums.clone();
  }

  /**
   * {@code this + other}, elementwise in that order (floating-point addition is not associative).
   */
  Partial plus(Partial other) {
    double[] s = new double[sums.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = sums[i] + other.sums[i];
    }
    return new Partial(rows + other.rows, blocks + other.blocks, s);
  }
}
