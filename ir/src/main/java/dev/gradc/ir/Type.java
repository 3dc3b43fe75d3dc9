package dev.gradc.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tensor type: a dtype and a shape of dims, row-major. Rank 0 is a scalar.
 *
 * <p>Printed form: {@code f64}, {@code f32[4]}, {@code f64[N, 3]}.
 *
 * <p>A value class (equal by dtype and dims) that also keeps whether it is static and its static
 * element count, computed once: every tensor a training step records asks for them, and a loop over
 * the dims in each of those places is work for the JIT to compile again and again.
 */
public final class Type {
  private final DType dtype;
  private final List<Dim> dims;
  private final boolean isStatic;

  /** The static element count; -1 when a dim is symbolic or the count overflows an int. */
  private final int staticNumel;

  /**
   * The hash, computed once (a graph key hashes every type of a step's graph). From the dtype's
   * ordinal, not its identity hash, which the JIT's first tiers compute by a native call.
   */
  private final int hash;

  @SuppressWarnings("EnumOrdinal") // a hash within one JVM, never stored
  public Type(DType dtype, List<Dim> dims) {
    if (dtype == null) {
      throw new IllegalArgumentException("dtype is null");
    }
    this.dtype = dtype;
    this.dims = List.copyOf(dims);
    boolean st = true;
    long n = 1;
    for (int i = 0; i < this.dims.size(); i++) {
      Dim d = this.dims.get(i);
      if (!d.isStatic()) {
        st = false;
      } else if (n >= 0) {
        n *= d.size();
        if (n != (int) n) {
          n = -1; // as Math.multiplyExact, which staticNumel() then calls, overflows
        }
      }
    }
    this.isStatic = st;
    this.staticNumel = st ? (int) n : -1;
    this.hash = 31 * dtype.ordinal() + this.dims.hashCode();
  }

  public DType dtype() {
    return dtype;
  }

  public List<Dim> dims() {
    return dims;
  }

  private static final java.util.Map<DType, Type> SCALARS = new java.util.EnumMap<>(DType.class);

  static {
    for (DType d : DType.values()) {
      SCALARS.put(d, new Type(d, List.of()));
    }
  }

  /** The rank-0 type of {@code dtype} (one shared instance per dtype). */
  public static Type scalar(DType dtype) {
    return SCALARS.get(dtype);
  }

  public static Type of(DType dtype, int... sizes) {
    List<Dim> ds = new ArrayList<>(sizes.length);
    for (int s : sizes) {
      ds.add(Dim.of(s));
    }
    return new Type(dtype, ds);
  }

  public int rank() {
    return dims.size();
  }

  public boolean isScalar() {
    return dims.isEmpty();
  }

  public Dim dim(int i) {
    return dims.get(i);
  }

  /** True when no dim is symbolic. */
  public boolean isStatic() {
    return isStatic;
  }

  /**
   * The number of elements as a dim, or null when it is not a constant times at most one symbol
   * (for example {@code N*M}).
   */
  public Dim numel() {
    return product(dims);
  }

  /** The product of some dims as a dim, or null when two symbols would multiply. */
  public static Dim product(List<Dim> ds) {
    int k = 1;
    String sym = null;
    for (int i = 0; i < ds.size(); i++) {
      Dim d = ds.get(i);
      k = Math.multiplyExact(k, d.factor());
      if (d.symbol() != null) {
        if (sym != null) {
          return null;
        }
        sym = d.symbol();
      }
    }
    return sym == null ? Dim.of(k) : new Dim(k, sym);
  }

  /**
   * True when both types have the same number of elements for every binding of the symbols: the
   * same constant times the same multiset of symbols ({@code [N, 2, N]} and {@code [2*N, N]}).
   */
  public boolean sameNumel(Type other) {
    return numelTerms(dims).equals(numelTerms(other.dims));
  }

  private static List<Object> numelTerms(List<Dim> ds) {
    long k = 1;
    List<String> syms = new ArrayList<>();
    for (Dim d : ds) {
      k *= d.factor();
      if (d.symbol() != null) {
        syms.add(d.symbol());
      }
    }
    java.util.Collections.sort(syms);
    List<Object> terms = new ArrayList<>(syms);
    terms.add(0, k == 0 ? 0L : k);
    return k == 0 ? List.of(0L) : terms;
  }

  /** The static element count; only for static types. */
  public int staticNumel() {
    if (staticNumel >= 0) {
      return staticNumel;
    }
    int k = 1; // a symbolic dim throws, an overflow throws
    for (int i = 0; i < dims.size(); i++) {
      k = Math.multiplyExact(k, dims.get(i).size());
    }
    return k;
  }

  /** The concrete shape under the given symbol bindings. */
  public int[] shape(Map<String, Integer> bindings) {
    int[] s = new int[dims.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = dims.get(i).resolve(bindings);
    }
    return s;
  }

  public Type withDtype(DType d) {
    return new Type(d, dims);
  }

  public Type withDims(List<Dim> ds) {
    return new Type(dtype, ds);
  }

  /** The dims as text, {@code [2, N]}; {@code []} for a scalar. */
  public String shapeString() {
    return dims.toString();
  }

  @Override
  public String toString() {
    if (dims.isEmpty()) {
      return dtype.mnemonic();
    }
    return dtype.mnemonic() + dims;
  }

  // Written out rather than the record's generic methods, whose first use spins method handles
  // (tens of milliseconds in a fresh JVM) and which take the JIT longer to warm.

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Type t && t.hash == hash && t.dtype == dtype && t.dims.equals(dims));
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
