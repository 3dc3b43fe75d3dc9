package dev.gradc;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collections one backward call works with, kept per thread and cleared after each call, so a
 * training step that runs backward on a small graph allocates little. A call made while the
 * thread's scratch is in use (a backward inside a backward) gets a fresh one. Collections that grew
 * past {@link #KEEP} entries are dropped rather than kept, so one huge graph does not make every
 * later call clear a huge table.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

  static final int KEEP = 256;

  private boolean inUse;

  // Walk
  Map<Node, Boolean> seen = new IdentityHashMap<>(8);
  List<Node> order = new ArrayList<>();
  List<Node> frontier = new ArrayList<>();
  Node[] stack = new Node[8];
  int[] next = new int[8];
  private Walk walk;

  // GraphKey
  Map<Node, Integer> index = new IdentityHashMap<>(8);
  GraphKey key = new GraphKey();

  // Backward
  List<Node> outputGrads;
  Map<Node, Boolean> params = new IdentityHashMap<>(8);
  List<Node> probes = new ArrayList<>();
  List<Node> pending = new ArrayList<>();
  List<Node> seeds = new ArrayList<>();
  List<Node> gradOf = new ArrayList<>();
  List<Node> grads = new ArrayList<>();

  private Scratch() {}

  /** The thread's scratch, or a fresh one when it is in use; {@link #release} it after use. */
  static Scratch acquire() {
    Scratch s = LOCAL.get();
    if (s.inUse) {
      s = new Scratch();
    }
    s.inUse = true;
    return s;
  }

  /** The walk over {@link #order} and {@link #frontier}, made again only when they are replaced. */
  Walk walk() {
    if (walk == null) {
      walk = new Walk(order, frontier);
    }
    return walk;
  }

  /** Empties every collection for the next call. */
  void release() {
    if (order.size() > KEEP || frontier.size() > KEEP) {
      walk = null; // cleared() replaces them
    }
    seen = cleared(seen);
    order = cleared(order);
    frontier = cleared(frontier);
    if (stack.length > KEEP) {
      stack = new Node[8];
      next = new int[8];
    } else {
      java.util.Arrays.fill(stack, null);
    }
    index = cleared(index);
    if (key.largerThan(KEEP)) {
      key = new GraphKey();
    } else {
      key.clear();
    }
    outputGrads = null;
    params = cleared(params);
    probes = cleared(probes);
    pending = cleared(pending);
    seeds = cleared(seeds);
    gradOf = cleared(gradOf);
    grads = cleared(grads);
    inUse = false;
  }

  private static <K, V> Map<K, V> cleared(Map<K, V> m) {
    if (m.size() > KEEP) {
      return new IdentityHashMap<>(8);
    }
    if (!m.isEmpty()) {
      m.clear(); // which clears the whole table, even when empty
    }
    return m;
  }

  private static <T> List<T> cleared(List<T> l) {
    if (l.size() > KEEP) {
      return new ArrayList<>();
    }
    if (!l.isEmpty()) {
      l.clear(); // a step leaves most lists empty: no clearing loop to run, or to compile
    }
    return l;
  }
}
