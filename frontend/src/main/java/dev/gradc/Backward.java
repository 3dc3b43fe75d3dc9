package dev.gradc;

import dev.gradc.frontend.Names;
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
final class Backward {
  private Backward() {}

  /** Compiled gradients of recently seen graph keys (bounded, least recently used first out). */
  private static final Map<GraphKey, CompiledFunction> RECENT =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<GraphKey, CompiledFunction> e) {
          return size() > 256;
        }
      };

  private static CompiledFunction recent(GraphKey key) {
    synchronized (RECENT) {
      return RECENT.get(key);
    }
  }

  private static void remember(GraphKey key, CompiledFunction c) {
    synchronized (RECENT) {
      RECENT.put(key, c);
    }
  }

  /**
   * Runs backward from {@code roots}. {@code gradOutputs} holds one entry per root, null for the
   * implicit 1 of a scalar. When {@code targets} is null the gradients go to the sinks of the
   * leaves reached and of the non-leaves that retain their gradient, and null is returned;
   * otherwise the gradients of the targets are returned (null for a target not reached).
   *
   * <p>The steps: check the roots and the saved tensors below them, choose which values get a
   * gradient, compile the gradient function (or reuse the one compiled for the same graph), run it
   * (or, for {@code createGraph}, replay its adjoint as recorded nodes), and deliver the gradients.
   */
  static List<Node> run(
      List<Node> roots,
      List<Node> gradOutputs,
      List<Node> targets,
      boolean retainGraph,
      boolean createGraph) {
    if (targets == null && Node.anyHooked()) {
      List<Node> hooked = hooked(roots);
      if (!hooked.isEmpty()) {
        return runHooked(roots, gradOutputs, hooked, retainGraph, createGraph);
      }
    }
    return runOnce(roots, gradOutputs, targets, retainGraph, createGraph);
  }

  /** The non-leaves below {@code roots} with gradient hooks, each before the nodes below it. */
  private static List<Node> hooked(List<Node> roots) {
    List<Node> out = new ArrayList<>();
    Walk w = Walk.of(roots, Node::isRecorded);
    List<Node> interior = w.interior();
    for (int i = interior.size() - 1; i >= 0; i--) {
      Node n = interior.get(i);
      if (n.hooks() != null && !n.hooks().isEmpty()) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * Backward through non-leaves whose hooks may replace their gradient. Backpropagation is linear
   * in the seeds, so replacing the gradient {@code g} of a hooked node by {@code r} is backward
   * from the roots plus backward from that node seeded with {@code r - g}. The hooked nodes are
   * taken from the roots down: each one's gradient is computed with the corrections of those above
   * it as extra seeds, then passed through its hooks; one last pass delivers every gradient, so a
   * leaf's own hooks see its whole gradient once.
   */
  private static List<Node> runHooked(
      List<Node> roots,
      List<Node> gradOutputs,
      List<Node> hooked,
      boolean retainGraph,
      boolean createGraph) {
    List<Node> allRoots = new ArrayList<>(roots);
    List<Node> seeds = new ArrayList<>(gradOutputs);
    for (Node h : hooked) {
      Node g = runOnce(allRoots, seeds, List.of(h), true, createGraph).get(0);
      if (g == null) {
        continue;
      }
      Node r = Tensor.runHooks(h.hooks(), g, createGraph);
      if (r == g) {
        continue;
      }
      Node correction = Autograd.withGrad(createGraph, () -> Tensor.of(r).sub(Tensor.of(g)).node());
      allRoots.add(h);
      seeds.add(correction);
    }
    return runOnce(allRoots, seeds, null, retainGraph, createGraph);
  }

  /**
   * One backward in three parts that the JIT compiles apart ({@link #prepare}, {@link
   * #compileOrReuse}, {@link #runCompiled}): each is too large for the JIT to inline into this
   * method, and compiling the whole backward as one unit cost a training loop most of its warm-up
   * (the JIT's optimizing compiler takes disproportionately long on one large unit).
   */
  private static List<Node> runOnce(
      List<Node> roots,
      List<Node> gradOutputs,
      List<Node> targets,
      boolean retainGraph,
      boolean createGraph) {
    Scratch scratch = Scratch.acquire();
    try {
      Walk w = prepare(roots, gradOutputs, targets, scratch);
      List<Node> outputGrads = scratch.outputGrads;
      // One root's given gradient is the vjp's last argument; several roots' are summed inputs.
      boolean withGradOutput = roots.size() == 1 && outputGrads.get(0) != null;
      if (!createGraph) {
        return runCompiled(
            compileOrReuse(w, roots, outputGrads, withGradOutput, scratch),
            w,
            roots,
            targets,
            retainGraph,
            scratch);
      }
      List<Node> grads =
          replay(capture(w, scratch, roots, outputGrads), withGradOutput, w, scratch);
      if (!retainGraph) {
        release(w);
      }
      return deliver(scratch.gradOf, grads, targets, true);
    } finally {
      scratch.release();
    }
  }

  /** Frees the saved tensors of the walked graph's recorded nodes. */
  private static void release(Walk w) {
    List<Node> interior = w.interior();
    for (int k = 0; k < interior.size(); k++) {
      interior.get(k).release();
    }
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

  /**
   * Everything before the gradient function runs, in one method over few loops (a training step
   * runs it on every backward): checks each root against its output gradient, walks the graph below
   * the roots, checks the saved tensors and chooses which values get a gradient. Fills the scratch:
   * {@code outputGrads}, the output gradients with the implicit gradient of a one-element root that
   * is not 0-d made explicit (a one-element tensor of 1); {@code params}, the frontier nodes that
   * get a gradient (the leaves with a sink, or the targets); {@code probes}, the interior ones
   * (non-leaves that retain their gradient, or targets inside the graph); {@code pending}, the
   * frontier's pending values, computed together here (they do not require grad); {@code seeds},
   * the given output gradients; and {@code gradOf}, the values that get a gradient in declaration
   * order: frontier params, then probes. Returns the walk.
   */
  private static Walk prepare(
      List<Node> roots, List<Node> gradOutputs, List<Node> targets, Scratch scratch) {
    List<Node> outputGrads = gradOutputs;
    for (int i = 0; i < roots.size(); i++) {
      Node root = roots.get(i);
      checkRoot(i, root, gradOutputs.get(i));
      if (gradOutputs.get(i) == null && !root.type().isScalar()) {
        Object one = Buffers.allocate(root.type().dtype(), 1);
        Buffers.set(one, 0, 1);
        if (outputGrads == gradOutputs) {
          outputGrads = new ArrayList<>(gradOutputs); // the caller's list stays as it was
        }
        outputGrads.set(i, Node.data(root.type(), one));
      }
    }
    scratch.outputGrads = outputGrads;
    Walk w = Walk.of(roots, Node::isRecorded, scratch);
    NodeIndex params = scratch.params;
    List<Node> probes = scratch.probes;
    List<Node> interior = w.interior();
    for (int k = 0; k < interior.size(); k++) {
      Node n = interior.get(k);
      checkSaved(n);
      if (targets == null && n.retainer() != null) {
        probes.add(n);
      }
    }
    if (targets != null) {
      chooseTargets(w, targets, scratch);
    }
    List<Node> gradOf = scratch.gradOf;
    List<Node> pending = scratch.pending;
    List<Node> frontier = w.frontier();
    for (int k = 0; k < frontier.size(); k++) {
      Node n = frontier.get(k);
      if (targets == null ? n.sink() != null : params.contains(n)) {
        if (targets == null) {
          params.add(n, 0);
        }
        gradOf.add(n);
      }
      if (!n.isMaterialized()) {
        pending.add(n);
      }
    }
    if (!pending.isEmpty()) {
      Capture.materialize(pending);
    }
    for (int k = 0; k < outputGrads.size(); k++) {
      if (outputGrads.get(k) != null) {
        scratch.seeds.add(outputGrads.get(k));
      }
    }
    if (!probes.isEmpty()) {
      gradOf.addAll(probes);
    }
    return w;
  }

  /** PyTorch's errors for a graph already freed and for a saved tensor modified since. */
  private static void checkSaved(Node n) {
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

  /**
   * The values {@code targets} name: into {@code scratch.params} those on the frontier, into {@code
   * scratch.probes} those inside the graph.
   */
  private static void chooseTargets(Walk w, List<Node> targets, Scratch scratch) {
    Map<Node, Boolean> interior = new IdentityHashMap<>(w.interior().size());
    for (Node n : w.interior()) {
      interior.put(n, Boolean.TRUE);
    }
    for (Node t : targets) {
      if (!t.requiresGrad()) {
        throw new GradcException("One of the differentiated Tensors does not require grad");
      }
      if (interior.containsKey(t)) {
        if (!scratch.probes.contains(t)) {
          scratch.probes.add(t);
        }
      } else {
        scratch.params.add(t, 0);
      }
    }
  }

  /**
   * The compiled gradient function of the graph: the one compiled for an equal graph key when there
   * is one (which skips capturing the function and hashing it), else captured and compiled through
   * the kernel cache, keyed by the forward graph's structure, so a loop that rebuilds the graph
   * differentiates it once.
   */
  private static CompiledFunction compileOrReuse(
      Walk w, List<Node> roots, List<Node> outputGrads, boolean withGradOutput, Scratch scratch) {
    if (AnomalyMode.checks()) {
      Func forward = capture(w, scratch, roots, outputGrads);
      return Kernels.detectingAnomalies(Autodiff.vjp(forward, withGradOutput));
    }
    GraphKey key = GraphKey.of(w, scratch.params, scratch.probes, roots, outputGrads, scratch);
    CompiledFunction compiled = key == null ? null : recent(key);
    if (compiled == null) {
      Func forward = capture(w, scratch, roots, outputGrads);
      compiled = Kernels.compileVjp(forward, withGradOutput);
      if (key != null) {
        remember(key.copy(), compiled); // the scratch's key is reused
      }
    }
    return compiled;
  }

  /**
   * The forward function of a backward: frontier nodes become parameters (requiring grad when they
   * get a gradient), probes become {@code -0.0} parameters added to their node, and several roots
   * are summed, each multiplied by its output gradient.
   */
  private static Func capture(Walk w, Scratch scratch, List<Node> roots, List<Node> gradOutputs) {
    NodeIndex params = scratch.params;
    List<Node> probes = scratch.probes;
    Builder b = new Builder("backward");
    Map<Node, Value> vals = Capture.declare(b, w.frontier(), params::contains);
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
   * Runs the gradient function on the frontier's values, {@code -0.0} for each probe and the seeds;
   * a single root's pending value is set from its first result. Then frees the graph unless {@code
   * retainGraph}, and gives each gradient to its value's sink when there are no targets (returning
   * null), else returns the targets' gradients ({@link #deliver}).
   */
  private static List<Node> runCompiled(
      CompiledFunction compiled,
      Walk w,
      List<Node> roots,
      List<Node> targets,
      boolean retainGraph,
      Scratch scratch) {
    List<Node> frontier = w.frontier();
    List<Node> probes = scratch.probes;
    List<Node> seeds = scratch.seeds;
    Object[] args = new Object[frontier.size() + probes.size() + seeds.size()];
    int a = 0;
    for (int k = 0; k < frontier.size(); k++) {
      args[a++] = frontier.get(k).dataOrNull();
    }
    for (int k = 0; k < probes.size(); k++) {
      args[a++] = negativeZeros(probes.get(k).type());
    }
    for (int k = 0; k < seeds.size(); k++) {
      args[a++] = Capture.valueOf(seeds.get(k));
    }
    Object[] outs = compiled.call(args);
    if (roots.size() == 1 && !roots.get(0).isMaterialized()) {
      roots.get(0).setData(outs[0]);
    }
    if (!retainGraph) {
      release(w);
    }
    List<Node> gradOf = scratch.gradOf;
    if (targets == null) {
      for (int k = 0; k < gradOf.size(); k++) {
        Node n = gradOf.get(k);
        sinkOf(n).accumulate(Node.data(n.type(), outs[k + 1]), false);
      }
      return null;
    }
    List<Node> grads = scratch.grads;
    for (int k = 0; k < gradOf.size(); k++) {
      grads.add(Node.data(gradOf.get(k).type(), outs[k + 1]));
    }
    return deliver(gradOf, grads, targets, false);
  }

  /** Where a value's gradient goes: a leaf's sink, else the retainer of a non-leaf. */
  private static GradSink sinkOf(Node n) {
    return n.sink() != null ? n.sink() : n.retainer();
  }

  /**
   * For {@code createGraph}: the vector-Jacobian product of {@code forward} turned back into
   * recorded nodes, so the gradients can be differentiated again.
   */
  private static List<Node> replay(Func forward, boolean withGradOutput, Walk w, Scratch scratch) {
    List<Node> paramNodes = new ArrayList<>(w.frontier());
    for (Node p : scratch.probes) {
      paramNodes.add(Node.data(p.type(), negativeZeros(p.type())));
    }
    paramNodes.addAll(scratch.seeds);
    Func vjp = Autodiff.vjp(forward, withGradOutput);
    return Replay.translate(vjp, paramNodes).subList(1, vjp.results().size());
  }

  /**
   * Gives each gradient to its value's sink (PyTorch's {@code AccumulateGrad}) when there are no
   * targets, and returns null; else returns the targets' gradients in order.
   */
  private static List<Node> deliver(
      List<Node> gradOf, List<Node> grads, List<Node> targets, boolean createGraph) {
    if (targets == null) {
      for (int k = 0; k < gradOf.size(); k++) {
        sinkOf(gradOf.get(k)).accumulate(grads.get(k), createGraph);
      }
      return null;
    }
    Map<Node, Node> byNode = new IdentityHashMap<>();
    for (int k = 0; k < gradOf.size(); k++) {
      byNode.put(gradOf.get(k), grads.get(k));
    }
    List<Node> out = new ArrayList<>();
    for (Node t : targets) {
      out.add(byNode.get(t));
    }
    return out;
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
