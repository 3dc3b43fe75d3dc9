package dev.gradc.spark;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Which blocks a mini-batch step uses: block {@code b} of partition {@code p} is kept with
 * probability {@code fraction}, decided by a hash of (seed, step, p, b) alone, so every run and
 * every task retry keeps the same blocks.
 */
public record BlockSample(double fraction, long seed, long step) implements Serializable {
  private static final long serialVersionUID = 1L;

  public BlockSample {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("a sample fraction in (0, 1], not " + fraction);
    }
  }

  /** Whether block {@code block} of partition {@code partition} is in the sample. */
  public boolean keeps(int partition, int block) {
    long key = seed * 0x9E3779B97F4A7C15L + step;
    key = key * 0xBF58476D1CE4E5B9L + partition;
    key = key * 0x94D049BB133111EBL + block;
    return new SplittableRandom(key).nextDouble() < fraction;
  }
}
