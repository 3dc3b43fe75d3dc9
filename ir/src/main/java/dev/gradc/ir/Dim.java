package dev.gradc.ir;

import java.util.Map;

/**
 * One dimension of a shape: a constant size, or a symbol times a constant factor ({@code N}, {@code
 * 3*N}). Symbols are bound to sizes when a function is called, so one compiled kernel serves every
 * batch size. The factor lets {@code reshape} flatten a symbolic dim.
 *
 * <p>Printed form: {@code 4}, {@code N}, {@code 3*N}.
 */
public record Dim(int factor, String symbol) {

  public Dim {
    if (symbol == null && factor < 0) {
      throw new IllegalArgumentException("negative dimension " + factor);
    }
    if (symbol != null && factor < 1) {
      throw new IllegalArgumentException("symbolic dimension needs a positive factor: " + factor);
    }
  }

  /** A constant dimension. */
  public static Dim of(int size) {
    return new Dim(size, null);
  }

  /** A symbolic dimension. */
  public static Dim sym(String name) {
    return new Dim(1, name);
  }

  public boolean isStatic() {
    return symbol == null;
  }

  /** The constant size; only for static dims. */
  public int size() {
    if (symbol != null) {
      throw new IllegalStateException("symbolic dimension " + this + " has no static size");
    }
    return factor;
  }

  /** The size under the given symbol bindings. */
  public int resolve(Map<String, Integer> bindings) {
    if (symbol == null) {
      return factor;
    }
    Integer n = bindings.get(symbol);
    if (n == null) {
      throw new IllegalArgumentException("symbolic dimension " + symbol + " is not bound");
    }
    return Math.multiplyExact(factor, n);
  }

  /** This dim times a constant. */
  public Dim times(int k) {
    if (symbol == null) {
      return of(Math.multiplyExact(factor, k));
    }
    return new Dim(Math.multiplyExact(factor, k), symbol);
  }

  @Override
  public String toString() {
    if (symbol == null) {
      return Integer.toString(factor);
    }
    return factor == 1 ? symbol : factor + "*" + symbol;
  }

  // Written out rather than the record's generic methods, whose first use spins method handles
  // (tens of milliseconds in a fresh JVM) and which take the JIT longer to warm.

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Dim d && d.factor == factor && java.util.Objects.equals(d.symbol, symbol));
  }

  @Override
  public int hashCode() {
    return 31 * factor + (symbol == null ? 0 : symbol.hashCode());
  }
}
