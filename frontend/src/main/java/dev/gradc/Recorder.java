package dev.gradc;

import dev.gradc.ir.Builder;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.runtime.Buffers;

/**
 * Records {@link Tensor}'s ops and in-place writes as PyTorch's autograd does. An op becomes a
 * {@link Node} over its inputs' nodes; when grad mode is on, an input requires grad and the result
 * is floating-point, the node carries PyTorch's {@code grad_fn} name (from the op table, {@link
 * Op#gradFn()}) and the tensors its backward saves, checked for in-place changes before backward.
 * An in-place write installs a new node in the tensor's {@link Storage} and bumps its version, so
 * that every alias re-derives its node ({@link #refresh}). {@link #accumulate} is PyTorch's {@code
 * AccumulateGrad}.
 */
final class Recorder {
  private Recorder() {}

  // PyTorch's backward nodes of in-place writes that are not ops of the IR.
  private static final String ZERO_BACKWARD = "ZeroBackward0";
  private static final String FILL_BACKWARD = "FillBackward2";
  static final String COPY_BACKWARDS = "CopyBackwards";
  // PyTorch's nodes of a write through a view: the base's new history, the view's regenerated one.
  static final String COPY_SLICES = "CopySlices";
  static final String AS_STRIDED_BACKWARD = "AsStridedBackward0";

  // ------------------------------------------------------------------ ops

  /** Records an op over tensors: its node, type and autograd record. */
  static Tensor record(String name, Saves saves, Recipe r, Tensor... ins) {
    return record(name, saves, r, (Type) null, ins);
  }

  /**
   * Records a view op (reshape, transpose, ...): a tensor that shares {@code in}'s storage, whose
   * value follows in-place updates of {@code in} and writes back into it through {@code inverse}.
   */
  static Tensor recordView(String name, Recipe r, ViewOf.Inverse inverse, Tensor in) {
    return recordView(name, r, inverse, in, null);
  }

  /**
   * As {@link #recordView(String, Recipe, ViewOf.Inverse, Tensor)}, for output {@code output}
   * (null: the only one) of a function that returns several views ({@code split}, {@code unbind}).
   */
  static Tensor recordView(
      String name, Recipe r, ViewOf.Inverse inverse, Tensor in, String output) {
    Node n = recordNode(name, Saves.NOTHING, r, new Tensor[] {in}, false, null);
    boolean overlapping = n.type().staticNumel() > in.node().type().staticNumel();
    return new Tensor(in.storage, n, ViewOf.of(in, r, inverse, overlapping, output));
  }

  /** As {@link #record(String, Saves, Recipe, Tensor...)}, with the result type known or null. */
  static Tensor record(String name, Saves saves, Recipe r, Type type, Tensor... ins) {
    Node n = recordNode(name, saves, r, ins, false, type);
    Tensor out = new Tensor(new Storage(n), n, null);
    if (n.gradFn() != null && saves.result()) {
      n.save(new SavedRef(out.storage, out.storage.version(), n.type(), name, false));
    }
    return out;
  }

  // The common ops get their result type from the builder's type rules directly, which is the
  // same computation as replaying the recipe, without building a function per op.

  /** {@code op(x)} for an elementwise unary op. */
  static Tensor unary(Tensor x, Op op, Saves saves) {
    Type t = Builder.unaryType(op, x.node().type());
    return record(op.gradFn(), saves, ElementwiseRecipe.unary(op), t, x);
  }

  /** {@code op(x, other)} for an elementwise binary op. */
  static Tensor binary(Tensor x, Op op, Saves saves, Tensor other) {
    return binary(x, op.gradFn(), saves, op, other);
  }

  /** As {@link #binary(Tensor, Op, Saves, Tensor)}, with one of the op's other names. */
  static Tensor binary(Tensor x, String name, Saves saves, Op op, Tensor other) {
    Type t = Builder.binaryType(op, x.node().type(), false, other.node().type(), false);
    return record(name, saves, ElementwiseRecipe.binary(op), t, x, other);
  }

  /** The type of a Python-float literal. */
  private static final Type PYTHON_FLOAT = Type.scalar(dev.gradc.ir.DType.F64);

  /** {@code op(x, other)} with a Python-float literal. */
  static Tensor binary(Tensor x, Op op, Saves saves, double other) {
    Type t = Builder.binaryType(op, x.node().type(), false, PYTHON_FLOAT, true);
    return record(op.gradFn(), saves, ElementwiseRecipe.withLiteral(op, other), t, x);
  }

  /** A reduction over {@code dims}. */
  static Tensor reduce(Tensor x, String name, Saves saves, Op op, int[] dims, boolean keepdim) {
    int[] ds = dims.clone();
    return record(name, saves, (b, in) -> b.reduce(op, in[0], ds, keepdim), x);
  }

  private static Node recordNode(
      String name, Saves saves, Recipe r, Tensor[] ins, boolean inPlace) {
    return recordNode(name, saves, r, ins, inPlace, null);
  }

  /** Records a node; {@code known} is its type when the caller computed it, else null. */
  private static Node recordNode(
      String name, Saves saves, Recipe r, Tensor[] ins, boolean inPlace, Type known) {
    Node[] nodes = new Node[ins.length];
    int rg = 0; // bit i: input i requires grad (ops have at most three tensor inputs)
    for (int i = 0; i < ins.length; i++) {
      nodes[i] = ins[i].node();
      rg |= nodes[i].requiresGrad() ? 1 << i : 0;
    }
    boolean any = rg != 0;
    Type t = known != null ? known : Capture.infer(r, nodes);
    boolean grad = any && GradMode.isEnabled() && t.dtype().isFloat();
    Node n = Node.op(t, r, nodes, grad ? name : null, grad && saves.any());
    if (grad) {
      for (int i = 0; i < ins.length; i++) {
        // An in-place op saves a copy of the value it overwrites, never the tensor itself.
        if (saves.input(i, ins.length, rg) && !(inPlace && i == 0)) {
          n.save(savedRef(ins[i]));
        }
      }
    }
    return n;
  }

  private static SavedRef savedRef(Tensor t) {
    Node n = t.node();
    return new SavedRef(t.storage, t.storage.version(), n.type(), n.gradFn(), t.viewOf != null);
  }

  // ------------------------------------------------------------------ in-place writes

  /** Fills {@code t} with zeros. */
  static Tensor zero(Tensor t) {
    checkInPlace(t);
    Node old = t.node();
    if (GradMode.isEnabled() && old.requiresGrad()) {
      return inPlace(t, ZERO_BACKWARD, Saves.NOTHING, (b, in) -> b.full(0, in[0].type()));
    }
    Type type = old.type();
    if (t.viewOf != null) {
      writeThroughView(t, Node.data(type, Buffers.allocate(type.dtype(), type.staticNumel())));
      return t;
    }
    installData(t, old, Buffers.allocate(type.dtype(), type.staticNumel()));
    return t;
  }

  /** Fills {@code t} with {@code value}. */
  static Tensor fill(Tensor t, double value) {
    return inPlace(t, FILL_BACKWARD, Saves.NOTHING, (b, in) -> b.full(value, in[0].type()));
  }

  /** Copies {@code src}, broadcast and converted, into {@code t}. */
  static Tensor copy(Tensor t, Tensor src) {
    return inPlace(
        t,
        COPY_BACKWARDS,
        Saves.NOTHING,
        (b, in) -> b.broadcastTo(in[1], in[0].type().dims()),
        src);
  }

  /**
   * Writes {@code r(t, others...)} into {@code t}: the value is fitted to {@code t}'s shape and
   * dtype, recorded as {@code name}, and installed as {@code t}'s new value.
   */
  static Tensor inPlace(Tensor t, String name, Saves s, Recipe r, Tensor... others) {
    checkInPlace(t);
    Node old = t.node();
    Type self = old.type();
    Recipe fitted = (b, in) -> fit(b, r.apply(b, in), self);
    Tensor[] ins = new Tensor[others.length + 1];
    ins[0] = t;
    System.arraycopy(others, 0, ins, 1, others.length);
    Node v = recordNode(name, s, fitted, ins, true);
    if (t.viewOf != null) {
      writeThroughView(t, v);
    } else {
      install(t, old, v);
    }
    if (v.gradFn() != null && s.result()) {
      v.save(new SavedRef(t.storage, t.storage.version(), self, name, t.viewOf != null));
    }
    return t;
  }

  /**
   * Writes {@code v}, the new value of the view {@code t}, into its base, as PyTorch's {@code
   * CopySlices}; the view then reads the base's new value ({@code AsStridedBackward0} when it
   * requires grad). Without grad the base's new value is computed now, keeping the base a leaf.
   */
  private static void writeThroughView(Tensor t, Node v) {
    ViewOf vo = t.viewOf;
    Tensor base = vo.base();
    Node oldBase = base.node();
    boolean grad = v.gradFn() != null && !vo.detached();
    Node nb =
        Node.op(
            oldBase.type(), vo.toBase(), new Node[] {oldBase, v}, grad ? COPY_SLICES : null, false);
    if (!grad) {
      installData(base, oldBase, Capture.valueOf(nb));
      return;
    }
    int version = t.storage.write(nb);
    t.node = Node.op(v.type(), vo.fromBase(), new Node[] {nb}, AS_STRIDED_BACKWARD, false);
    t.nodeVersion = version;
  }

  private static void checkInPlace(Tensor t) {
    ViewOf vo = t.viewOf;
    if (vo != null && vo.overlapping()) {
      throw new GradcException(
          "unsupported operation: more than one element of the written-to tensor refers to a single"
              + " memory location. Please clone() the tensor before performing the operation.");
    }
    if (vo != null
        && vo.output() != null
        && !vo.detached()
        && GradMode.isEnabled()
        && vo.base().requiresGrad()) {
      throw new GradcException(
          vo.output()
              + " is a view and is being modified inplace. This view is the output of a function"
              + " that returns multiple views. Such functions do not allow the output views to be"
              + " modified inplace. You should replace the inplace operation by an out-of-place"
              + " one.");
    }
    if (vo != null
        && !vo.detached()
        && GradMode.isEnabled()
        && vo.base().isLeaf()
        && vo.base().requiresGrad()) {
      throw new GradcException(
          "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    }
    if (GradMode.isEnabled() && t.isLeaf() && t.requiresGrad()) {
      throw new GradcException(
          "a leaf Variable that requires grad is being used in an in-place operation.");
    }
  }

  /** The result of an in-place op as a value of the tensor's type, or PyTorch's error. */
  private static Value fit(Builder b, Value v, Type self) {
    if (!v.type().dims().equals(self.dims())) {
      throw new GradcException(
          "output with shape "
              + self.dims()
              + " doesn't match the broadcast shape "
              + v.type().dims());
    }
    dev.gradc.ir.DType from = v.type().dtype();
    dev.gradc.ir.DType to = self.dtype();
    if (from.isFloat() && !to.isFloat()) {
      throw new GradcException(
          "result type "
              + typeName(from)
              + " can't be cast to the desired output type "
              + typeName(to));
    }
    return b.cast(v, to);
  }

  private static String typeName(dev.gradc.ir.DType d) {
    return switch (d) {
      case F32 -> "Float";
      case F64 -> "Double";
      case I64 -> "Long";
      case BOOL -> "Bool";
    };
  }

  /**
   * Installs the value {@code v} written over {@code old}: a recorded result becomes {@code t}'s
   * history; otherwise the value is computed now ({@link #installData}).
   */
  private static void install(Tensor t, Node old, Node v) {
    if (v.gradFn() != null) {
      int version = t.storage.write(v);
      t.node = v;
      t.nodeVersion = version;
      return;
    }
    installData(t, old, Capture.valueOf(v));
  }

  /**
   * Installs {@code data} written over {@code old} without history: {@code t} keeps its leaf status
   * or, for a non-leaf, its history.
   */
  private static void installData(Tensor t, Node old, Object data) {
    Node plain = Node.data(old.type(), data);
    int version = t.storage.write(plain);
    if (old.gradFn() != null) {
      t.node = Node.straightThrough(old, plain);
    } else {
      t.node = old.sink() != null ? Node.leaf(old.type(), data, t.sink()) : plain;
    }
    t.nodeVersion = version;
  }

  /**
   * {@code t}'s node after an alias sharing its storage was written in place: a leaf or plain value
   * reads the new data (a leaf keeps requiring grad); a recorded result reads the new data while
   * its gradient still flows into its history. Any thread may call this, so it leaves the tensor's
   * own node to the writing thread and keeps what it derives in {@code t.derived}, once per
   * version.
   */
  static Node refresh(Tensor t) {
    int version = t.storage.version(); // before the value, which is then at least this new
    Derived d = t.derived;
    if (d != null && d.version() == version) {
      return d.node();
    }
    Node node = t.node;
    Node latest = t.storage.latest();
    ViewOf vo = t.viewOf;
    if (vo != null) {
      // A view reads its base's new value; PyTorch regenerates its history as AsStridedBackward0.
      Node base = vo.base().node();
      boolean grad = !vo.detached() && base.requiresGrad();
      Node read =
          Node.op(
              node.type(),
              vo.fromBase(),
              new Node[] {base},
              grad ? AS_STRIDED_BACKWARD : null,
              false);
      // A view made a leaf (requires_grad_ on a detached view, or on a view of a base without
      // grad) reads the new value and stays that leaf.
      node =
          !grad && node.sink() != null
              ? Node.leaf(node.type(), Capture.valueOf(read), t.sink())
              : read;
    } else if (latest.isRecorded()) {
      node = latest; // written through a view with grad: the base's history is CopySlices
    } else if (node.gradFn() == null) {
      Object data = Capture.valueOf(latest);
      node =
          node.sink() != null
              ? Node.leaf(latest.type(), data, t.sink())
              : latest.requiresGrad() ? Node.data(latest.type(), data) : latest;
    } else {
      node = Node.straightThrough(node, Node.data(node.type(), Capture.valueOf(latest)));
    }
    t.derived = new Derived(node, version);
    return node;
  }

  /** A node derived from a later version of a tensor's storage than the tensor's own node. */
  record Derived(Node node, int version) {}

  // ------------------------------------------------------------------ gradients

  /** AccumulateGrad: the first gradient becomes {@code t.grad}, later ones are added to it. */
  static void accumulate(Tensor t, Node g, boolean createGraph) {
    // Backward calls in several threads may reach one leaf: as PyTorch's AccumulateGrad, one at a
    // time, so that none of their gradients is lost.
    synchronized (t.storage) {
      accumulateLocked(t, g, createGraph);
    }
  }

  private static void accumulateLocked(Tensor t, Node g, boolean createGraph) {
    if (createGraph) {
      Tensor gt = Tensor.of(g);
      Tensor old = t.grad;
      t.grad =
          Autograd.withGrad(
              true,
              () ->
                  old == null
                      ? record(COPY_BACKWARDS, Saves.NOTHING, (b, in) -> in[0], gt)
                      : old.add(gt));
      return;
    }
    Object data = Capture.valueOf(g);
    Tensor grad = t.grad;
    if (grad == null) {
      t.grad = Tensor.of(Node.data(g.type(), data));
    } else if (!grad.isLeaf()) {
      t.grad = Tensor.of(Node.data(g.type(), BufferOps.add(Capture.valueOf(grad.node()), data)));
    } else {
      Node old = grad.node();
      installData(grad, old, BufferOps.add(Capture.valueOf(old), data));
    }
  }
}
