package dev.gradc;

import java.util.Arrays;

/**
 * A map from nodes, compared by identity, to non-negative ints: the sets and positions a backward
 * keeps about the graph it walks (the nodes seen, each node's position in the graph key, the
 * frontier nodes that get a gradient). An open-addressing table over {@link Node#hash}, which a
 * node draws when it is made, rather than an {@code IdentityHashMap}: the identity hash is a native
 * call until the JIT's optimizing compiler reaches the caller, and a training step asks for it tens
 * of times.
 */
final class NodeIndex {
  /** What {@link #get} returns for a node not in the map. */
  static final int ABSENT = -1;

  private Node[] keys;
  private int[] values;
  private int size;

  NodeIndex() {
    keys = new Node[16];
    values = new int[16];
  }

  int size() {
    return size;
  }

  /** The value of {@code n}, or {@link #ABSENT}. */
  int get(Node n) {
    Node[] ks = keys;
    int mask = ks.length - 1;
    for (int i = n.hash & mask; ; i = (i + 1) & mask) {
      Node k = ks[i];
      if (k == n) {
        return values[i];
      }
      if (k == null) {
        return ABSENT;
      }
    }
  }

  boolean contains(Node n) {
    return get(n) != ABSENT;
  }

  /** Adds {@code n} with the value {@code v} unless it is there; returns whether it was added. */
  boolean add(Node n, int v) {
    Node[] ks = keys;
    int mask = ks.length - 1;
    int i = n.hash & mask;
    for (Node k = ks[i]; k != null; k = ks[i]) {
      if (k == n) {
        return false;
      }
      i = (i + 1) & mask;
    }
    ks[i] = n;
    values[i] = v;
    if (++size * 2 > ks.length) {
      grow();
    }
    return true;
  }

  /** Sets the value of {@code n}, adding it when it is not there. */
  void put(Node n, int v) {
    if (!add(n, v)) {
      Node[] ks = keys;
      int mask = ks.length - 1;
      int i = n.hash & mask;
      while (ks[i] != n) {
        i = (i + 1) & mask;
      }
      values[i] = v;
    }
  }

  void clear() {
    if (size > 0) {
      Arrays.fill(keys, null);
      size = 0;
    }
  }

  private void grow() {
    Node[] oldKeys = keys;
    int[] oldValues = values;
    keys = new Node[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      Node n = oldKeys[j];
      if (n != null) {
        int i = n.hash & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = n;
        values[i] = oldValues[j];
      }
    }
  }
}
