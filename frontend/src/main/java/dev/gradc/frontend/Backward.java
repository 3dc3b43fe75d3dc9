package dev.gradc.frontend;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's backward engine on captured graphs. It captures the recorded ops below the roots into
 * one function (leaves that get a gradient become {@code param}s, everything else that does not
 * require grad becomes an {@code input}), builds its vector-Jacobian product with {@link
 * Autodiff#vjp}, and then either runs it through the kernel cache or, for {@code create_graph},
 * turns the adjoint back into recorded nodes so that it can be differentiated again.
 *
 * <p>The gradient of a recorded non-leaf (for {@code retain_grad} or {@code autograd.grad} with
 * respect to it) comes from a probe: the node's value plus a parameter holding {@code -0.0}, which
 * leaves the value unchanged and whose gradient is the node's.
 */
public final class Backward {
  private Backward() {}

  /** Compiled gradients of recently seen graph keys (bounded, least recently used first out). */
  private static final Map<List<Object>, CompiledFunction> RECENT =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Object>, CompiledFunction> e) {
          return size() > 256;
        }
      };

  private static CompiledFunction recent(List<Object> key) {
    synchronized (RECENT) {
      return RECENT.get(key);
    }
  }

  private static void remember(List<Object> key, CompiledFunction c) {
    synchronized (RECENT) {
      RECENT.put(key, c);
    }
  }

  /**
   * The forward function of a backward: frontier nodes become parameters (requiring grad when they
   * get a gradient), probes become {@code -0.0} parameters added to their node, and several roots
   * are summed, each multiplied by its output gradient.
   */
  private static Func capture(
      Walk w,
      Map<Node, Boolean> params,
      List<Node> probes,
      List<Node> roots,
      List<Node> gradOutputs) {
    Builder b = new Builder("backward");
    Map<Node, Value> vals = Capture.declare(b, w.frontier(), params::containsKey);
    Map<Node, Param> probeParams = new LinkedHashMap<>();
    for (int j = 0; j < probes.size(); j++) {
      probeParams.put(probes.get(j), b.param("r" + j, probes.get(j).type()));
    }
    List<Value> seedParams = new ArrayList<>();
    boolean single = roots.size() == 1;
    if (!single) {
      for (int i = 0; i < roots.size(); i++) {
        if (gradOutputs.get(i) != null) {
          seedParams.add(b.input("g" + i, roots.get(i).type()));
        }
      }
    }
    Capture.replay(b, w.interior(), vals, probeParams);
    Value out;
    if (single) {
      out = vals.get(roots.get(0));
    } else {
      out = null;
      int k = 0;
      for (int i = 0; i < roots.size(); i++) {
        Value r = vals.get(roots.get(i));
        Value term = gradOutputs.get(i) == null ? r : b.sum(b.mul(r, seedParams.get(k++)));
        out = out == null ? term : b.add(out, term);
      }
    }
    b.ret(Capture.result(b, out, single ? roots.get(0).type() : out.type()));
    return b.build();
  }

  /**
   * Runs backward from {@code roots}. {@code gradOutputs} holds one entry per root, null for the
   * implicit 1 of a scalar. When {@code targets} is null the gradients go to the sinks of the
   * leaves reached and of the non-leaves that retain their gradient, and null is returned;
   * otherwise the gradients of the targets are returned (null for a target not reached).
   */
  public static List<Node> run(
      List<Node> roots,
      List<Node> gradOutputs,
      List<Node> targets,
      boolean retainGraph,
      boolean createGraph) {
    Scratch scratch = Scratch.acquire();
    try {
      return run(roots, gradOutputs, targets, retainGraph, createGraph, scratch);
    } finally {
      scratch.release();
    }
  }

  private static List<Node> run(
      List<Node> roots,
      List<Node> gradOutputs,
      List<Node> targets,
      boolean retainGraph,
      boolean createGraph,
      Scratch scratch) {
    List<Node> given = gradOutputs;
    for (int i = 0; i < roots.size(); i++) {
      Node root = roots.get(i);
      checkRoot(i, root, given.get(i));
      if (given.get(i) == null && !root.type().isScalar()) {
        // A one-element tensor that is not 0-d: its implicit gradient is a one-element tensor of 1.
        Object one = Buffers.allocate(root.type().dtype(), 1);
        Buffers.set(one, 0, 1);
        if (gradOutputs == given) {
          gradOutputs = new ArrayList<>(given); // the caller's list stays as it was
        }
        gradOutputs.set(i, Node.data(root.type(), one));
      }
    }
    Walk w = Walk.of(roots, Node::isRecorded, scratch);
    for (Node n : w.interior()) {
      if (n.isReleased() && n.savesAny()) {
        throw new GradcException(
            "Trying to backward through the graph a second time (or directly access saved tensors"
                + " after they have already been freed). Saved intermediate values of the graph"
                + " are freed when you call .backward() or autograd.grad(). Specify"
                + " retain_graph=True if you need to backward through the graph a second time or if"
                + " you need to access saved tensors after calling backward.");
      }
      List<SavedRef> saved = n.saved();
      for (int i = 0; i < saved.size(); i++) {
        saved.get(i).check();
      }
    }

    // Which values get a gradient.
    Map<Node, Boolean> params = scratch.params;
    List<Node> probes = scratch.probes;
    if (targets == null) {
      for (Node n : w.frontier()) {
        if (n.sink() != null) {
          params.put(n, Boolean.TRUE);
        }
      }
      for (Node n : w.interior()) {
        if (n.retainer() != null) {
          probes.add(n);
        }
      }
    } else {
      Map<Node, Boolean> interior = new IdentityHashMap<>(w.interior().size());
      for (Node n : w.interior()) {
        interior.put(n, Boolean.TRUE);
      }
      for (Node t : targets) {
        if (!t.requiresGrad()) {
          throw new GradcException("One of the differentiated Tensors does not require grad");
        }
        if (interior.containsKey(t)) {
          if (!probes.contains(t)) {
            probes.add(t);
          }
        } else {
          params.put(t, Boolean.TRUE);
        }
      }
    }

    // The frontier's pending values that do not require grad are computed first, together.
    List<Node> pending = scratch.pending;
    for (Node n : w.frontier()) {
      if (!n.isMaterialized()) {
        pending.add(n);
      }
    }
    Capture.materialize(pending);

    List<Node> seeds = scratch.seeds;
    boolean single = roots.size() == 1;
    if (!single) {
      for (int i = 0; i < roots.size(); i++) {
        if (gradOutputs.get(i) != null) {
          seeds.add(gradOutputs.get(i));
        }
      }
    }
    Node gradOutput = single ? gradOutputs.get(0) : null;
    boolean withGradOutput = gradOutput != null;
    // A graph recognized by its key skips capturing the function and hashing it.
    List<Object> key =
        createGraph ? null : GraphKey.of(w, params, probes, roots, gradOutputs, scratch);
    CompiledFunction compiled = key == null ? null : recent(key);
    Func forward = null;
    if (compiled == null) {
      forward = capture(w, params, probes, roots, gradOutputs);
      if (!createGraph) {
        // Cached by the forward graph's structure: a loop that rebuilds it differentiates it once.
        compiled = Kernels.compileVjp(forward, withGradOutput);
        if (key != null) {
          remember(new ArrayList<>(key), compiled); // the scratch's list is reused
        }
      }
    }
    if (gradOutput != null) {
      seeds.add(gradOutput);
    }

    // The gradient parameters in declaration order: frontier params, then probes.
    List<Node> gradOf = scratch.gradOf;
    for (Node n : w.frontier()) {
      if (params.containsKey(n)) {
        gradOf.add(n);
      }
    }
    gradOf.addAll(probes);

    List<Node> grads;
    if (createGraph) {
      List<Node> paramNodes = new ArrayList<>(w.frontier());
      for (Node p : probes) {
        paramNodes.add(Node.data(p.type(), negativeZeros(p.type())));
      }
      paramNodes.addAll(seeds);
      Func vjp = Autodiff.vjp(forward, withGradOutput);
      grads = Replay.translate(vjp, paramNodes).subList(1, vjp.results().size());
    } else {
      List<Node> frontier = w.frontier();
      Object[] args = new Object[frontier.size() + probes.size() + seeds.size()];
      int a = 0;
      for (Node n : frontier) {
        args[a++] = n.dataOrNull();
      }
      for (Node p : probes) {
        args[a++] = negativeZeros(p.type());
      }
      for (Node s : seeds) {
        args[a++] = Capture.valueOf(s);
      }
      Object[] outs = compiled.call(args);
      if (single && !roots.get(0).isMaterialized()) {
        roots.get(0).setData(outs[0]);
      }
      grads = new ArrayList<>(gradOf.size());
      for (int k = 0; k < gradOf.size(); k++) {
        grads.add(Node.data(gradOf.get(k).type(), outs[k + 1]));
      }
    }
    if (!retainGraph) {
      for (Node n : w.interior()) {
        n.release();
      }
    }

    if (targets == null) {
      for (int k = 0; k < gradOf.size(); k++) {
        Node n = gradOf.get(k);
        GradSink s = n.sink() != null ? n.sink() : n.retainer();
        s.accumulate(grads.get(k), createGraph);
      }
      return null;
    }
    Map<Node, Node> byNode = new IdentityHashMap<>();
    for (int k = 0; k < gradOf.size(); k++) {
      byNode.put(gradOf.get(k), grads.get(k));
    }
    List<Node> out2 = new ArrayList<>();
    for (Node t : targets) {
      out2.add(byNode.get(t));
    }
    return out2;
  }

  private static void checkRoot(int i, Node root, Node gradOutput) {
    if (!root.requiresGrad()) {
      throw new GradcException(
          "element " + i + " of tensors does not require grad and does not have a grad_fn");
    }
    if (gradOutput == null) {
      if (root.type().staticNumel() != 1) {
        throw new GradcException("grad can be implicitly created only for scalar outputs");
      }
      return;
    }
    if (!gradOutput.type().dims().equals(root.type().dims())) {
      throw new GradcException(
          "Mismatch in shape: grad_output["
              + i
              + "] has a shape of "
              + Names.torchSize(gradOutput.type())
              + " and output["
              + i
              + "] has a shape of "
              + Names.torchSize(root.type())
              + ".");
    }
  }

  /** A buffer of {@code -0.0}: adding it changes no value, not even the sign of a zero. */
  private static Object negativeZeros(Type t) {
    Object buf = Buffers.allocate(t.dtype(), t.staticNumel());
    if (buf instanceof double[]) {
      Arrays.fill((double[]) buf, -0.0);
    } else if (buf instanceof float[]) {
      Arrays.fill((float[]) buf, -0.0f);
    }
    return buf;
  }
}
