package dev.gradc;

import java.util.ArrayList;
import java.util.List;

/**
 * The collections one backward call works with, kept per thread and cleared after each call, so a
 * training step that runs backward on a small graph allocates little. A call made while the
 * thread's scratch is in use (a backward inside a backward) gets a fresh one. Collections that grew
 * past {@link #KEEP} entries are dropped rather than kept, so one huge graph does not make every
 * later call clear a huge table.
 */
final class Scratch {
  private static final ThreadLocal<Scratch> LOCAL = new ThreadLocal<>();

  static final int KEEP = 256;

  private boolean inUse;

  // Walk
  NodeIndex seen = new NodeIndex();
  List<Node> order = new ArrayList<>();
  List<Node> frontier = new ArrayList<>();
  Node[] stack = new Node[8];
  int[] next = new int[8];
  private Walk walk;

  // GraphKey
  NodeIndex index = new NodeIndex();
  GraphKey key = new GraphKey();

  // Backward
  List<Node> outputGrads;
  NodeIndex params = new NodeIndex();
  List<Node> probes = new ArrayList<>();
  List<Node> pending = new ArrayList<>();
  List<Node> seeds = new ArrayList<>();
  List<Node> gradOf = new ArrayList<>();
  List<Node> grads = new ArrayList<>();

  private Scratch() {}

  /**
   * The thread that acquired its scratch last, with that scratch, so that a loop running backward
   * in one thread finds its scratch without a thread-local lookup (whose first tiers of the JIT
   * make a native call per lookup). Threads replace it in turn; each only ever takes its own.
   */
  private static Last last;

  private static final class Last {
    final Thread thread;
    final Scratch scratch;

    Last(Thread thread, Scratch scratch) {
      this.thread = thread;
      this.scratch = scratch;
    }
  }

  /** The thread's scratch, or a fresh one when it is in use; {@link #release} it after use. */
  static Scratch acquire() {
    Thread t = Thread.currentThread();
    Last l = last;
    Scratch s;
    if (l != null && l.thread == t) {
      s = l.scratch;
    } else {
      s = LOCAL.get();
      if (s == null) {
        s = new Scratch();
        LOCAL.set(s);
      }
      last = new Last(t, s);
    }
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
    } else if (stack[0] != null) {
      // A finished walk pops every node, its root last; one that failed part-way leaves some.
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

  private static NodeIndex cleared(NodeIndex m) {
    if (m.size() > KEEP) {
      return new NodeIndex();
    }
    m.clear(); // which clears the whole table, when anything is in it
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
