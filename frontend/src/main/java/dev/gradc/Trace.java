package dev.gradc;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function traced from the ops a Java lambda applied to placeholder arguments: the arguments
 * become parameters {@code %a0, %a1, ...} ({@code param} when they require grad), other tensors the
 * lambda used become trailing inputs {@code %k0, ...} whose values are kept; one result per tensor
 * the lambda returned.
 *
 * @param func the traced function
 * @param constants the buffers of the trailing inputs, in order
 */
record Trace(Func func, List<Object> constants) {

  static Trace of(List<Node> args, List<Node> outs) {
    Walk w = Walk.of(outs, n -> n.recipe() != null);
    Builder b = new Builder("traced");
    Map<Node, Value> vals = new IdentityHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      Node a = args.get(i);
      String name = "a" + i;
      vals.put(a, a.requiresGrad() ? b.param(name, a.type()) : b.input(name, a.type()));
    }
    List<Object> constants = new ArrayList<>();
    for (Node n : w.frontier()) {
      if (!vals.containsKey(n)) {
        vals.put(n, b.input("k" + constants.size(), n.type()));
        constants.add(Capture.valueOf(n));
      }
    }
    Capture.replay(b, w.interior(), vals, Map.of(), true);
    Value[] results = new Value[outs.size()];
    for (int k = 0; k < results.length; k++) {
      Node out = outs.get(k);
      results[k] = Capture.result(b, vals.get(out), out.type());
    }
    b.ret(results);
    return new Trace(b.build(), List.copyOf(constants));
  }
}
