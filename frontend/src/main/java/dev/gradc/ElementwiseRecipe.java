package dev.gradc;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;
import java.util.EnumMap;
import java.util.Map;

/**
 * A unary or binary elementwise op as a recipe: {@code op(in[0])}, {@code op(in[0], in[1])}, or,
 * with {@code literal}, {@code op(in[0], value)} with a Python-float literal. Equal records emit
 * equal instructions, so a record is its own signature.
 */
record ElementwiseRecipe(Op op, boolean literal, double value) implements Recipe {
  /** Literals {@code -SMALL..SMALL} (integers) share one recipe per op, as do ops without one. */
  private static final int SMALL = 16;

  private static final Map<Op, ElementwiseRecipe> PLAIN = new EnumMap<>(Op.class);
  private static final Map<Op, ElementwiseRecipe[]> SMALL_LITERALS = new EnumMap<>(Op.class);

  static {
    for (Op op : Op.values()) {
      PLAIN.put(op, new ElementwiseRecipe(op, false, 0));
      ElementwiseRecipe[] lits = new ElementwiseRecipe[2 * SMALL + 1];
      for (int i = 0; i < lits.length; i++) {
        lits[i] = new ElementwiseRecipe(op, true, i - SMALL);
      }
      SMALL_LITERALS.put(op, lits);
    }
  }

  static ElementwiseRecipe unary(Op op) {
    return PLAIN.get(op);
  }

  static ElementwiseRecipe binary(Op op) {
    return PLAIN.get(op);
  }

  static ElementwiseRecipe withLiteral(Op op, double value) {
    // -0.0 == 0 but is a literal of its own; its raw bits differ from those of 0.
    // A whole number within SMALL: the int conversion is exact there (and NaN fails it).
    if (Math.abs(value) <= SMALL
        && value == (int) value
        && Double.doubleToRawLongBits(value) != Double.doubleToRawLongBits(-0.0)) {
      return SMALL_LITERALS.get(op)[(int) value + SMALL];
    }
    return new ElementwiseRecipe(op, true, value);
  }

  @Override
  public Value apply(Builder b, Value[] in) {
    if (op.arity() == 1) {
      return b.unary(op, in[0]);
    }
    return b.binary(op, in[0], literal ? Builder.lit(value, DType.F64) : in[1]);
  }

  @Override
  public Object signature() {
    return this;
  }

  // Written out rather than the record's: a backward compares signatures on every step, and the
  // record's generic methods take the JIT longer to warm.

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof ElementwiseRecipe r
            && r.op == op
            && r.literal == literal
            && Double.doubleToLongBits(r.value) == Double.doubleToLongBits(value));
  }

  @Override
  @SuppressWarnings("EnumOrdinal") // a hash within one JVM, never stored
  public int hashCode() {
    // The op's ordinal rather than its identity hash, a native call until the JIT's last tier.
    return (31 * op.ordinal() + (literal ? 1 : 0)) * 31 + Double.hashCode(value);
  }
}
