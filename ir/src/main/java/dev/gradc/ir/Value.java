package dev.gradc.ir;

/**
 * An SSA value: a function parameter, an instruction's result, or an inline scalar literal.
 * Parameters and instructions of one function share one dense numbering ({@link #id()}): the
 * parameters first, then the instructions in definition order, so passes index arrays by id.
 * Literals have no id.
 */
public abstract sealed class Value permits Param, Inst, Lit {
  private final Type type;

  Value(Type type) {
    if (type == null) {
      throw new IllegalArgumentException("type is null");
    }
    this.type = type;
  }

  public final Type type() {
    return type;
  }

  /** The dense id within the defining function; -1 for literals. */
  public abstract int id();
}
