package dev.gradc;

import dev.gradc.ir.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A value in the lazy graph of captured tensor operations, together with PyTorch's autograd record
 * of how it was made. A node is immutable apart from caches: its value is either data (a buffer in
 * the runtime's format, see {@code dev.gradc.runtime.Buffers}) or a {@link Recipe} over input
 * nodes, computed on demand and then cached.
 *
 * <p>Three kinds:
 *
 * <ul>
 *   <li>data: a buffer, no history ({@link #data(Type, Object)});
 *   <li>leaf: a buffer that requires grad; backward delivers its gradient to a {@link GradSink};
 *   <li>op: a recipe over inputs; it requires grad when it was recorded with a grad_fn name.
 * </ul>
 */
final class Node {
  private static final Node[] NONE = {};

  private final Type type;
  private final Recipe recipe;
  private final Node[] inputs;
  private final String gradFn;
  private final GradSink sink;
  private final boolean savesAny;

  /** The user's call site that recorded this op, kept in anomaly mode only; else null. */
  private final dev.gradc.ir.SourcePos site;

  /**
   * This node's hash in a {@link NodeIndex}: consecutive nodes draw values a golden-ratio step
   * apart, which spreads them over a power-of-two table. Nodes made at once in several threads may
   * draw the same value, which only makes a lookup probe one slot further.
   */
  final int hash = nextHash += 0x9E3779B9;

  private static int nextHash;

  /** The tensors the backward node saved; allocated on the first save. */
  private List<SavedRef> saved;

  private volatile Object data;
  private volatile boolean released;
  private volatile GradSink retainer;
  private volatile java.util.List<java.util.function.UnaryOperator<Tensor>> hooks;

  private Node(
      Type type,
      Recipe recipe,
      Node[] inputs,
      Object data,
      String gradFn,
      GradSink sink,
      boolean savesAny) {
    if (!type.isStatic()) {
      throw new IllegalArgumentException("a tensor has a static shape, got " + type);
    }
    this.type = type;
    this.recipe = recipe;
    this.inputs = inputs;
    if (data != null) {
      this.data = data; // a volatile write: skipped for a recorded op, whose data is not yet known
    }
    this.gradFn = gradFn;
    this.sink = sink;
    this.savesAny = savesAny;
    this.site = recipe == null ? null : AnomalyMode.callSite();
  }

  /** A value without history. */
  static Node data(Type type, Object buffer) {
    return new Node(type, null, NONE, buffer, null, null, false);
  }

  /** A leaf that requires grad; backward delivers its gradient to {@code sink}. */
  static Node leaf(Type type, Object buffer, GradSink sink) {
    if (!type.dtype().isFloat()) {
      throw new dev.gradc.ir.GradcException(
          "only Tensors of floating point dtype can require gradients");
    }
    return new Node(type, null, NONE, buffer, null, sink, false);
  }

  /**
   * An op result. {@code gradFn} is PyTorch's backward node name when the op was recorded for
   * autograd, else null; {@code savesAny} says whether that backward node saves tensors (so that a
   * second backward without {@code retain_graph} fails, as in PyTorch).
   */
  static Node op(Type type, Recipe recipe, Node[] inputs, String gradFn, boolean savesAny) {
    // Every caller passes a fresh array, which the node keeps (a step records many ops).
    return new Node(type, recipe, inputs, null, gradFn, null, savesAny);
  }

  /**
   * The value of a non-leaf that was modified in place while grad mode was off: it reads as {@code
   * value}, while its gradient still flows into {@code old}'s history, as in PyTorch. The recipe is
   * {@code value + (old - detach(old))}, exactly {@code value} for finite {@code old}.
   */
  static Node straightThrough(Node old, Node value) {
    Node n =
        new Node(
            old.type,
            (b, in) -> b.add(in[1], b.sub(in[0], b.detach(in[0]))),
            new Node[] {old, value},
            value.data,
            old.gradFn,
            null,
            false);
    return n;
  }

  Type type() {
    return type;
  }

  Recipe recipe() {
    return recipe;
  }

  /** The call site that recorded this op in anomaly mode, or null. */
  dev.gradc.ir.SourcePos site() {
    return site;
  }

  int inputCount() {
    return inputs.length;
  }

  Node input(int i) {
    return inputs[i];
  }

  /** The buffer, or null while the value is pending. */
  Object dataOrNull() {
    return data;
  }

  boolean isMaterialized() {
    return data != null;
  }

  void setData(Object buffer) {
    data = buffer;
  }

  /** PyTorch's grad_fn name, or null for leaves and values that do not require grad. */
  String gradFn() {
    return gradFn;
  }

  GradSink sink() {
    return sink;
  }

  /** True for leaves that require grad and for recorded ops. */
  boolean requiresGrad() {
    return gradFn != null || sink != null;
  }

  /** True for a recorded op: backward replays it to differentiate through it. */
  boolean isRecorded() {
    return gradFn != null;
  }

  /** Records a tensor this op saved for backward. */
  void save(SavedRef ref) {
    if (saved == null) {
      saved = new ArrayList<>(2);
    }
    saved.add(ref);
  }

  boolean savesAny() {
    return savesAny;
  }

  List<SavedRef> saved() {
    return saved == null ? List.of() : saved;
  }

  boolean isReleased() {
    return released;
  }

  void release() {
    released = true;
  }

  GradSink retainer() {
    return retainer;
  }

  /** The gradient hooks registered on this non-leaf ({@link Tensor#registerHook}), or null. */
  java.util.List<java.util.function.UnaryOperator<Tensor>> hooks() {
    return hooks;
  }

  /** Where the hooks registered on this non-leaf are kept (the list the tensor holds). */
  void setHooks(java.util.List<java.util.function.UnaryOperator<Tensor>> list) {
    hooks = list;
    anyHooked = true;
  }

  /**
   * Whether a hook was ever registered on a non-leaf in this JVM: until then backward need not walk
   * the graph looking for hooked nodes.
   */
  static boolean anyHooked() {
    return anyHooked;
  }

  private static volatile boolean anyHooked;

  /** Makes backward deliver this non-leaf's gradient to {@code s} as well. */
  void retainGrad(GradSink s) {
    retainer = s;
  }
}
