package dev.gradc;

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

  /** The key, in the scratch's list: copy it to keep it past the scratch's release. */
  static List<Object> of(
      Walk w,
      Map<Node, Boolean> params,
      List<Node> probes,
      List<Node> roots,
      List<Node> gradOutputs,
      Scratch scratch) {
    Map<Node, Integer> index = scratch.index;
    List<Object> key = scratch.key;
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
