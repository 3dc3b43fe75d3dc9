package dev.gradc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An iterative depth-first walk of the graph below some roots (no recursion: a chain of 100,000 ops
 * must not overflow the stack). Nodes for which {@code interior} holds are expanded into their
 * inputs; the others form the frontier, the inputs of the captured function.
 *
 * @param interior the expanded nodes in post-order, so each comes after its inputs
 * @param frontier the other nodes reached, in order of discovery
 */
record Walk(List<Node> interior, List<Node> frontier) {

  static Walk of(List<Node> roots, Predicate<Node> expand) {
    List<Node> order = new ArrayList<>();
    List<Node> frontier = new ArrayList<>();
    walk(roots, expand, order, frontier, new NodeIndex(), new Node[8], new int[8], null);
    return new Walk(order, frontier);
  }

  /** A walk into a scratch's collections, valid until the scratch is released. */
  static Walk of(List<Node> roots, Predicate<Node> expand, Scratch s) {
    walk(roots, expand, s.order, s.frontier, s.seen, s.stack, s.next, s);
    return s.walk();
  }

  private static void walk(
      List<Node> roots,
      Predicate<Node> expand,
      List<Node> order,
      List<Node> frontier,
      NodeIndex seen,
      Node[] stack,
      int[] next,
      Scratch scratch) {
    for (int r = 0; r < roots.size(); r++) {
      Node root = roots.get(r);
      if (!seen.add(root, 0)) {
        continue;
      }
      if (!expand.test(root)) {
        frontier.add(root);
        continue;
      }
      int top = 0;
      stack[0] = root;
      next[0] = 0;
      while (top >= 0) {
        Node n = stack[top];
        int i = next[top];
        if (i == n.inputCount()) {
          order.add(n);
          stack[top--] = null; // the stack holds no node once the walk is done
          continue;
        }
        next[top] = i + 1;
        Node in = n.input(i);
        if (!seen.add(in, 0)) {
          continue;
        }
        if (!expand.test(in)) {
          frontier.add(in);
          continue;
        }
        if (++top == stack.length) {
          stack = java.util.Arrays.copyOf(stack, top * 2);
          next = java.util.Arrays.copyOf(next, top * 2);
          if (scratch != null) {
            scratch.stack = stack;
            scratch.next = next;
          }
        }
        stack[top] = in;
        next[top] = 0;
      }
    }
  }
}
