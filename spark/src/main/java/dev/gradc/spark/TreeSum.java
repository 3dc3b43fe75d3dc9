package dev.gradc.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Partition partials combined along one fixed binary tree over the partition indices, whatever
 * order they arrive in: node {@code [lo, hi)} is the sum of its halves {@code [lo, mid)} and {@code
 * [mid, hi)}, {@code mid = (lo + hi) / 2}, left plus right, and is formed as soon as both halves
 * are present. The total is therefore the same bits however Spark schedules tasks and merges their
 * results, and the same as one JVM adding the partitions' partials in any order.
 */
public final class TreeSum implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int partitions;

  /** Complete nodes by {@code lo << 32 | hi}. */
  private final Map<Long, Partial> nodes;

  private TreeSum(int partitions, Map<Long, Partial> nodes) {
    if (partitions < 1) {
      throw new IllegalArgumentException("at least one partition, not " + partitions);
    }
    this.partitions = partitions;
    this.nodes = new TreeMap<>(nodes);
  }

  /** No partials yet, over {@code partitions} partitions. */
  public static TreeSum empty(int partitions) {
    return new TreeSum(partitions, new TreeMap<>());
  }

  /** The partial of partition {@code index} alone. */
  public static TreeSum leaf(int partitions, int index, Partial partial) {
    if (index < 0 || index >= partitions) {
      throw new IllegalArgumentException("partition " + index + " of " + partitions);
    }
    TreeSum t = empty(partitions);
    t.insert(index, index + 1, partial);
    return t;
  }

  /** The partials of both, combined along the tree; neither argument changes. */
  public TreeSum merge(TreeSum other) {
    if (other.partitions != partitions) {
      throw new IllegalArgumentException(
          "trees over " + partitions + " and " + other.partitions + " partitions");
    }
    TreeSum t = new TreeSum(partitions, nodes);
    for (Map.Entry<Long, Partial> e : other.nodes.entrySet()) {
      t.insert((int) (e.getKey() >>> 32), (int) (long) e.getKey(), e.getValue());
    }
    return t;
  }

  /** The sum over every partition; fails while some partition's partial is missing. */
  public Partial total() {
    Partial p = nodes.get(key(0, partitions));
    if (p == null) {
      throw new IllegalStateException(
          "partials of " + partitions + " partitions are incomplete: " + nodes.keySet().size());
    }
    return p;
  }

  private static long key(int lo, int hi) {
    return ((long) lo << 32) | hi;
  }

  private void insert(int lo, int hi, Partial p) {
    while (true) {
      if (nodes.putIfAbsent(key(lo, hi), p) != null) {
        throw new IllegalStateException("partitions [" + lo + ", " + hi + ") counted twice");
      }
      if (lo == 0 && hi == partitions) {
        return;
      }
      // Find the parent of [lo, hi) by walking down from the root.
      int a = 0;
      int b = partitions;
      while (true) {
        int mid = (a + b) >>> 1;
        if ((lo == a && hi == mid) || (lo == mid && hi == b)) {
          break;
        }
        if (hi <= mid) {
          b = mid;
        } else {
          a = mid;
        }
      }
      int mid = (a + b) >>> 1;
      Partial left = nodes.get(key(a, mid));
      Partial right = nodes.get(key(mid, b));
      if (left == null || right == null) {
        return;
      }
      nodes.remove(key(a, mid));
      nodes.remove(key(mid, b));
      p = left.plus(right);
      lo = a;
      hi = b;
    }
  }
}
