package dev.gradc.codegen;

import dev.gradc.ir.Dim;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A size or stride known at compile time up to the symbolic dims: a constant times a product of
 * symbols ({@code 3*N*M}), or zero. Equality is decidable, so the planner can tell at compile time
 * whether two dims of a loop collapse into one for every binding of the symbols.
 */
record Extent(long coeff, List<String> symbols) {
  public static final Extent ZERO = new Extent(0, List.of());
  public static final Extent ONE = new Extent(1, List.of());

  public Extent {
    List<String> s = new ArrayList<>(coeff == 0 ? List.of() : symbols);
    Collections.sort(s);
    symbols = List.copyOf(s);
  }

  /** A constant extent (negative for a slice that runs backwards). */
  public static Extent constant(long c) {
    return new Extent(c, List.of());
  }

  public static Extent of(Dim d) {
    return d.isStatic()
        ? new Extent(d.size(), List.of())
        : new Extent(d.factor(), List.of(d.symbol()));
  }

  public static Extent product(List<Dim> dims) {
    Extent e = ONE;
    for (Dim d : dims) {
      e = e.times(of(d));
    }
    return e;
  }

  /** Row-major strides of a contiguous buffer of {@code dims}. */
  public static List<Extent> contiguousStrides(List<Dim> dims) {
    Extent[] s = new Extent[dims.size()];
    Extent acc = ONE;
    for (int d = dims.size() - 1; d >= 0; d--) {
      s[d] = acc;
      acc = acc.times(of(dims.get(d)));
    }
    return List.of(s);
  }

  /** True when strides read a buffer in row-major order (size-1 dims are free). */
  public static boolean isContiguous(List<Dim> dims, List<Extent> strides) {
    List<Extent> c = contiguousStrides(dims);
    for (int d = 0; d < c.size(); d++) {
      if (!dims.get(d).equals(Dim.of(1)) && !c.get(d).equals(strides.get(d))) {
        return false;
      }
    }
    return true;
  }

  public Extent times(Extent o) {
    List<String> s = new ArrayList<>(symbols);
    s.addAll(o.symbols);
    return new Extent(Math.multiplyExact(coeff, o.coeff), s);
  }

  /**
   * The sum, when it is an extent too: either is zero, or both are multiples of the same symbols;
   * otherwise null (a slice of two dims with different strides, {@code 4*N + 1}).
   */
  public Extent plus(Extent o) {
    if (isZero()) {
      return o;
    }
    if (o.isZero() || !symbols.equals(o.symbols)) {
      return o.isZero() ? this : null;
    }
    return new Extent(Math.addExact(coeff, o.coeff), symbols);
  }

  /** {@code -this}: a stride of a slice that runs backwards is a negated extent. */
  public Extent negated() {
    return new Extent(Math.negateExact(coeff), symbols);
  }

  public boolean isZero() {
    return coeff == 0;
  }

  public boolean isConstant() {
    return symbols.isEmpty();
  }

  /** The value under symbol bindings. */
  public long resolve(Map<String, Integer> env) {
    long v = coeff;
    for (String s : symbols) {
      v = Math.multiplyExact(v, env.get(s));
    }
    return v;
  }

  @Override
  public String toString() {
    if (symbols.isEmpty()) {
      return Long.toString(coeff);
    }
    String s = String.join("*", symbols);
    return coeff == 1 ? s : coeff + "*" + s;
  }

  // Written out rather than the record's generic methods, whose first use spins method handles
  // (milliseconds on the first compile in a fresh JVM).

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Extent e && e.coeff == coeff && e.symbols.equals(symbols));
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(coeff) + symbols.hashCode();
  }
}
