package dev.gradc;

import dev.gradc.ir.Dim;
import dev.gradc.ir.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The structure of a captured backward graph, computed from the nodes without replaying them into a
 * function: the frontier's types and which get gradients, each interior node's recipe signature,
 * type and inputs by position, the probes and the roots. Two graphs with equal keys capture to
 * structurally identical functions, so a training step that rebuilds the same graph reuses the
 * compiled gradient directly.
 *
 * <p>A key is two flat arrays, the types and signatures in one and the positions and flags in the
 * other, with its hash computed while it is built: looking up a graph seen before is a few loops
 * over small arrays, with no boxing, no list and no generic {@code hashCode} or {@code equals} of
 * records. A backward builds its key into its scratch's key ({@link #clear}, {@link #of}) and
 * copies it ({@link #copy}) only to remember a new graph.
 */
final class GraphKey {
  // Markers between the sections of the int part, so that sections of different lengths differ.
  private static final int PROBES = -1;
  private static final int ROOTS = -2;

  private Object[] refs;
  private int refCount;
  private int[] ints;
  private int intCount;
  private int hash = 1;

  GraphKey() {
    this(new Object[16], new int[32]);
  }

  private GraphKey(Object[] refs, int[] ints) {
    this.refs = refs;
    this.ints = ints;
  }

  /**
   * The key of the graph of {@code w} in {@code scratch.key}, valid until the scratch is released
   * ({@link #copy} it to keep it); null when some recipe has no signature.
   */
  static GraphKey of(
      Walk w,
      NodeIndex params,
      List<Node> probes,
      List<Node> roots,
      List<Node> gradOutputs,
      Scratch scratch) {
    NodeIndex index = scratch.index;
    GraphKey key = scratch.key;
    List<Node> frontier = w.frontier();
    int i = 0;
    for (int f = 0; f < frontier.size(); f++) {
      Node n = frontier.get(f);
      index.put(n, i++);
      key.type(n.type());
      key.flag(params.contains(n));
    }
    List<Node> interior = w.interior();
    for (int k = 0; k < interior.size(); k++) {
      Node n = interior.get(k);
      Object sig = n.recipe() == null ? null : n.recipe().signature();
      if (sig == null) {
        return null;
      }
      key.ref(sig, sig.hashCode());
      key.type(n.type());
      for (int in = 0; in < n.inputCount(); in++) {
        key.position(index.get(n.input(in)));
      }
      index.put(n, i++);
    }
    key.position(PROBES);
    for (int p = 0; p < probes.size(); p++) {
      key.position(index.get(probes.get(p)));
    }
    key.position(ROOTS);
    for (int r = 0; r < roots.size(); r++) {
      key.position(index.get(roots.get(r)));
      key.flag(gradOutputs.get(r) != null);
    }
    return key;
  }

  /** Empties this key for the next graph. */
  void clear() {
    Arrays.fill(refs, 0, refCount, null);
    refCount = 0;
    intCount = 0;
    hash = 1;
  }

  boolean isEmpty() {
    return refCount == 0 && intCount == 0;
  }

  /** Whether this key holds more than {@code n} entries (a scratch drops such a key). */
  boolean largerThan(int n) {
    return refCount > n || intCount > n;
  }

  /** An exact-size copy of this key, which does not change when this one is cleared. */
  GraphKey copy() {
    GraphKey c = new GraphKey(Arrays.copyOf(refs, refCount), Arrays.copyOf(ints, intCount));
    c.refCount = refCount;
    c.intCount = intCount;
    c.hash = hash;
    return c;
  }

  private void type(Type t) {
    ref(t, t.hashCode()); // equal types (sameType) hash alike; the type computed it once
  }

  private void ref(Object o, int h) {
    if (refCount == refs.length) {
      refs = Arrays.copyOf(refs, refCount * 2);
    }
    refs[refCount++] = o;
    hash = 31 * hash + h;
  }

  private void flag(boolean b) {
    position(b ? 1 : 0);
  }

  void position(int v) {
    if (intCount == ints.length) {
      ints = Arrays.copyOf(ints, intCount * 2);
    }
    ints[intCount++] = v;
    hash = 31 * hash + v;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GraphKey k)
        || k.hash != hash
        || k.refCount != refCount
        || k.intCount != intCount) {
      return false;
    }
    for (int i = 0; i < intCount; i++) {
      if (ints[i] != k.ints[i]) {
        return false;
      }
    }
    for (int i = 0; i < refCount; i++) {
      Object a = refs[i];
      Object b = k.refs[i];
      if (a != b && !(a instanceof Type t ? sameType(t, b) : a.equals(b))) {
        return false;
      }
    }
    return true;
  }

  /** {@code a.equals(b)} for a type, without the record's generic comparison of its dims list. */
  private static boolean sameType(Type a, Object o) {
    if (!(o instanceof Type b) || a.dtype() != b.dtype()) {
      return false;
    }
    List<Dim> da = a.dims();
    List<Dim> db = b.dims();
    if (da.size() != db.size()) {
      return false;
    }
    for (int d = 0; d < da.size(); d++) {
      Dim x = da.get(d);
      Dim y = db.get(d);
      if (x.factor() != y.factor() || !Objects.equals(x.symbol(), y.symbol())) {
        return false;
      }
    }
    return true;
  }
}
