package dev.gradc;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Origin;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns pending nodes into values: captures the graph below them into a {@link Func} (frontier
 * nodes become parameters named by position, {@code %x0, %x1, ...}, so that rebuilding the same
 * graph gives the same text), compiles it through the runtime's kernel cache and runs it.
 */
final class Capture {
  private Capture() {}

  /** The type of a recipe's result for inputs of the given types; throws the builder's error. */
  static Type infer(Recipe r, Node[] inputs) {
    Builder b = new Builder("infer");
    Value[] in = new Value[inputs.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = b.input("x" + i, inputs[i].type());
    }
    return r.apply(b, in).type();
  }

  /** The buffer of a node, computing it first when it is pending. */
  static Object valueOf(Node n) {
    Object d = n.dataOrNull();
    if (d == null) {
      materialize(List.of(n));
      d = n.dataOrNull();
    }
    return d;
  }

  /** Computes every pending node of {@code targets} with one compiled function. */
  static void materialize(List<Node> targets) {
    boolean any = false;
    for (Node n : targets) {
      any |= !n.isMaterialized();
    }
    if (!any) {
      return;
    }
    List<Node> pending = new ArrayList<>();
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    for (Node n : targets) {
      if (!n.isMaterialized() && seen.put(n, Boolean.TRUE) == null) {
        pending.add(n);
      }
    }
    if (pending.isEmpty()) {
      return;
    }
    Walk w = Walk.of(pending, n -> !n.isMaterialized());
    Builder b = new Builder("value");
    Map<Node, Value> vals = declare(b, w.frontier(), n -> false);
    replay(b, w.interior(), vals, Map.of());
    for (Node n : pending) {
      b.ret(result(b, vals.get(n), n.type()));
    }
    Object[] outs = run(b.build(), buffers(w.frontier()));
    for (int i = 0; i < pending.size(); i++) {
      pending.get(i).setData(outs[i]);
    }
  }

  /**
   * Declares one parameter per frontier node, {@code %x0, %x1, ...} in order; a parameter requires
   * grad when {@code isParam} says so.
   */
  static Map<Node, Value> declare(
      Builder b, List<Node> frontier, java.util.function.Predicate<Node> isParam) {
    Map<Node, Value> vals = new IdentityHashMap<>();
    for (int i = 0; i < frontier.size(); i++) {
      Node n = frontier.get(i);
      String name = "x" + i;
      vals.put(n, isParam.test(n) ? b.param(name, n.type()) : b.input(name, n.type()));
    }
    return vals;
  }

  /**
   * Emits the recipes of {@code order} (inputs before uses). A node with a probe gets {@code value
   * + probe}, so that the gradient of the probe parameter is the gradient of the node.
   */
  static void replay(Builder b, List<Node> order, Map<Node, Value> vals, Map<Node, Param> probes) {
    replay(b, order, vals, probes, false);
  }

  /**
   * As above; with {@code detachUnrecorded}, the result of an op that was not recorded although an
   * input requires grad (it ran under no-grad) is detached, so no gradient flows through it.
   */
  static void replay(
      Builder b,
      List<Node> order,
      Map<Node, Value> vals,
      Map<Node, Param> probes,
      boolean detachUnrecorded) {
    for (Node n : order) {
      Value[] in = new Value[n.inputCount()];
      boolean gradIn = false;
      for (int i = 0; i < in.length; i++) {
        in[i] = vals.get(n.input(i));
        gradIn |= n.input(i).requiresGrad();
      }
      Origin outer = b.at(n.site());
      Value v = n.recipe().apply(b, in);
      if (detachUnrecorded && gradIn && !n.isRecorded()) {
        v = b.detach(v);
      }
      b.at(outer);
      Param probe = probes.get(n);
      vals.put(n, probe == null ? v : b.add(result(b, v, n.type()), probe));
    }
  }

  /** {@code v} as a value of {@code type}: a literal result is broadcast to the node's shape. */
  static Value result(Builder b, Value v, Type type) {
    return v instanceof Lit && !type.isScalar() ? b.broadcastTo(v, type.dims()) : v;
  }

  static List<Object> buffers(List<Node> nodes) {
    List<Object> out = new ArrayList<>(nodes.size());
    for (Node n : nodes) {
      out.add(n.dataOrNull());
    }
    return out;
  }

  /** Compiles {@code f} through the kernel cache and runs it on static-shaped arguments. */
  static Object[] run(Func f, List<Object> args) {
    return run(AnomalyMode.checks() ? Kernels.detectingAnomalies(f) : Kernels.compile(f), args);
  }

  /** Runs a compiled function on static-shaped arguments. */
  static Object[] run(CompiledFunction c, List<Object> args) {
    return c.call(args.toArray());
  }
}
