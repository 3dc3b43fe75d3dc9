package dev.gradc.frontend;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The structure of a captured backward graph, computed from the nodes without replaying them into a
 * function: the frontier's types and which get gradients, each interior node's recipe signature,
 * type and inputs by position, the probes and the roots. Two graphs with equal keys capture to
 * structurally identical functions, so a training step that rebuilds the same graph reuses the
 * compiled gradient directly. Null when some recipe has no signature.
 */
final class GraphKey {
  private GraphKey() {}

  static List<Object> of(
      Walk w,
      Map<Node, Boolean> params,
      List<Node> probes,
      List<Node> roots,
      List<Node> gradOutputs) {
    int nodes = w.frontier().size() + w.interior().size();
    Map<Node, Integer> index = new IdentityHashMap<>(nodes);
    // Two entries per frontier node, at least three per interior node, probes and roots.
    List<Object> key = new ArrayList<>(5 * nodes + 2 * roots.size() + probes.size() + 2);
    int i = 0;
    for (Node n : w.frontier()) {
      index.put(n, i++);
      key.add(n.type());
      key.add(params.containsKey(n));
    }
    for (Node n : w.interior()) {
      Object sig = n.recipe() == null ? null : n.recipe().signature();
      if (sig == null) {
        return null;
      }
      key.add(sig);
      key.add(n.type());
      for (int k = 0; k < n.inputCount(); k++) {
        key.add(index.get(n.input(k)));
      }
      index.put(n, i++);
    }
    key.add("probes");
    for (Node p : probes) {
      key.add(index.get(p));
    }
    key.add("roots");
    for (int r = 0; r < roots.size(); r++) {
      key.add(index.get(roots.get(r)));
      key.add(gradOutputs.get(r) != null);
    }
    return key;
  }
}
