package dev.gradc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The graph of backward nodes PyTorch would record for a function: one node per instruction that
 * requires grad, named as the frontend names it ({@link Op#gradFn(Inst)}), and one {@code
 * AccumulateGrad} per param. Edges are PyTorch's {@code next_functions}: from a node to the nodes
 * of its operands that require grad. As in PyTorch, implicit broadcasting is part of the op that
 * broadcasts, so {@code broadcast} instructions have no node of their own; built-in losses show the
 * ops they expand to.
 *
 * <pre>
 * MeanBackward0 (%5 = mean %4)
 * └── PowBackward0 (%4 = pow %3, 2.0)
 *     └── SubBackward0 (%3 = sub %2, %y)
 *         └── AddBackward0 (%2 = add %0, %1)
 *             ├── MmBackward0 (%0 = matmul %x, %w)
 *             │   └── AccumulateGrad (w: f64[3])
 *             └── AccumulateGrad (b: f64)
 * </pre>
 */
final class AutogradGraph {
  /** One backward node: an op's, or a param's {@code AccumulateGrad}. */
  record Node(int id, String name, Value value, List<Integer> next) {
    boolean isLeaf() {
      return value instanceof Param;
    }
  }

  private final Func func;
  private final List<Node> nodes;
  private final int root;

  private AutogradGraph(Func func, List<Node> nodes, int root) {
    this.func = func;
    this.nodes = nodes;
    this.root = root;
  }

  /** The graph below the function's first result; its root is -1 when it requires no grad. */
  static AutogradGraph of(Func f) {
    return of(f, 0);
  }

  /** The graph below result {@code k}; its root is -1 when it requires no grad. */
  static AutogradGraph of(Func f, int k) {
    int[] nodeOf = new int[f.valueCount()];
    Arrays.fill(nodeOf, -1);
    List<String> names = new ArrayList<>();
    List<Value> values = new ArrayList<>();
    List<List<Integer>> next = new ArrayList<>();
    for (Param p : f.params()) {
      if (p.requiresGrad()) {
        nodeOf[p.id()] = names.size();
        names.add("AccumulateGrad");
        values.add(p);
        next.add(List.of());
      }
    }
    for (Inst inst : f.insts()) {
      List<Integer> in = new ArrayList<>();
      for (Value v : inst.operands()) {
        if (v.id() >= 0 && nodeOf[v.id()] >= 0) {
          in.add(nodeOf[v.id()]);
        }
      }
      String name = Op.gradFn(inst);
      if (in.isEmpty() || name == null || !inst.type().dtype().isFloat()) {
        continue;
      }
      if (inst.op() == Op.BROADCAST) {
        nodeOf[inst.id()] = in.get(0);
        continue;
      }
      nodeOf[inst.id()] = names.size();
      names.add(name);
      values.add(inst);
      next.add(in);
    }
    Value result = f.result(k);
    int root = result.id() >= 0 ? nodeOf[result.id()] : -1;
    // Keep the nodes reachable from the root, numbered in order of discovery.
    int[] renumber = new int[names.size()];
    Arrays.fill(renumber, -1);
    List<Integer> order = new ArrayList<>();
    if (root >= 0) {
      Deque<Integer> work = new ArrayDeque<>();
      work.add(root);
      renumber[root] = 0;
      order.add(root);
      while (!work.isEmpty()) {
        for (int n : next.get(work.poll())) {
          if (renumber[n] < 0) {
            renumber[n] = order.size();
            order.add(n);
            work.add(n);
          }
        }
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (int old : order) {
      List<Integer> edges = new ArrayList<>();
      for (int n : next.get(old)) {
        edges.add(renumber[n]);
      }
      nodes.add(new Node(nodes.size(), names.get(old), values.get(old), List.copyOf(edges)));
    }
    return new AutogradGraph(f, nodes, root >= 0 ? 0 : -1);
  }

  /** The root's name, {@code MeanBackward0}, or null when the result does not require grad. */
  String rootName() {
    return root < 0 || nodes.get(root).isLeaf() ? null : nodes.get(root).name();
  }

  /** True when the result is a param itself (PyTorch prints {@code requires_grad=True}). */
  boolean rootIsLeaf() {
    return root >= 0 && nodes.get(root).isLeaf();
  }

  List<Node> nodes() {
    return nodes;
  }

  /** What a node stands for: {@code %2 = add %0, %1}, or {@code w: f64[3]} for a param. */
  String detail(Node n) {
    if (n.value() instanceof Param p) {
      return p.name() + ": " + p.type();
    }
    return FuncGraph.instruction(func, (Inst) n.value());
  }

  /**
   * The deepest level of the tree printed under a node; below it, a node's subtree is printed
   * later, starting again at the left margin.
   */
  static final int MAX_LEVELS = 32;

  /**
   * The tree, one node per line; a node reached again is printed once more, without children. A
   * subtree more than {@link #MAX_LEVELS} levels down continues below, at the left margin, so that
   * the text grows linearly with the graph however deep it is (indentation alone would make a chain
   * of n ops O(n^2) characters).
   */
  String text() {
    if (root < 0) {
      return "(the result does not require grad: no param reaches it)\n";
    }
    StringBuilder s = new StringBuilder();
    byte[] state = new byte[nodes.size()];
    final byte shown = 1;
    final byte deferred = 2;
    // Each entry: node, its depth, the prefix of its children's lines, and its own connector.
    record Line(int node, int depth, String prefix, String connector) {}
    Deque<Integer> blocks = new ArrayDeque<>();
    blocks.add(root);
    Deque<Line> stack = new ArrayDeque<>();
    while (!blocks.isEmpty()) {
      int top = blocks.poll();
      stack.push(new Line(top, 0, "", ""));
      while (!stack.isEmpty()) {
        Line l = stack.pop();
        Node n = nodes.get(l.node());
        String note = "";
        boolean expand = !n.isLeaf();
        if (l.depth() == 0) {
          note = n.id() == root ? "" : ", continued from above";
        } else if (n.isLeaf()) {
          note = "";
        } else if (state[n.id()] == shown) {
          note = ", shown above";
          expand = false;
        } else if (state[n.id()] == deferred || l.depth() >= MAX_LEVELS) {
          if (state[n.id()] != deferred) {
            state[n.id()] = deferred;
            blocks.add(n.id());
          }
          note = ", continued below";
          expand = false;
        }
        s.append(l.connector()).append(n.name()).append(" (").append(detail(n));
        s.append(note).append(")\n");
        if (!expand) {
          continue;
        }
        state[n.id()] = shown;
        List<Integer> kids = n.next();
        for (int k = kids.size() - 1; k >= 0; k--) {
          boolean last = k == kids.size() - 1;
          String childPrefix = l.prefix() + (last ? "    " : "│   ");
          stack.push(
              new Line(
                  kids.get(k), l.depth() + 1, childPrefix, l.prefix() + (last ? "└── " : "├── ")));
        }
      }
    }
    return s.toString();
  }

  /** Graphviz text: backward nodes as boxes, params' AccumulateGrad nodes in blue. */
  String dot() {
    StringBuilder s = new StringBuilder();
    s.append("digraph ").append(FuncGraph.quote(func.name() + ".autograd")).append(" {\n");
    s.append("  node [shape=box, style=filled, fillcolor=\"#eeeeee\", fontname=\"Helvetica\"];\n");
    for (Node n : nodes) {
      String fill = n.isLeaf() ? "lightblue" : n.id() == root ? "\"#ffd27f\"" : null;
      s.append("  n")
          .append(n.id())
          .append(" [label=")
          .append(FuncGraph.quote(n.name() + "\n" + detail(n)));
      if (fill != null) {
        s.append(", fillcolor=").append(fill);
      }
      s.append("];\n");
    }
    for (Node n : nodes) {
      for (int m : n.next()) {
        s.append("  n").append(n.id()).append(" -> n").append(m).append(";\n");
      }
    }
    return s.append("}\n").toString();
  }

  /** {@code {"root": 0, "nodes": [{"id", "name", "value", "next"}...]}}. */
  ObjectNode json() {
    ObjectNode o = Output.MAPPER.createObjectNode();
    if (root < 0) {
      o.putNull("root");
    } else {
      o.put("root", root);
    }
    ArrayNode arr = o.putArray("nodes");
    for (Node n : nodes) {
      ObjectNode j = arr.addObject();
      j.put("id", n.id());
      j.put("name", n.name());
      if (n.value() instanceof Param p) {
        j.put("variable", p.name());
        j.put("type", p.type().toString());
      } else {
        j.put("value", Printer.name(func, n.value()));
        j.put("op", ((Inst) n.value()).op().mnemonic());
      }
      ArrayNode next = j.putArray("next");
      n.next().forEach(next::add);
    }
    return o;
  }
}
