package dev.gradc.frontend;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;

/**
 * A unary or binary elementwise op as a recipe: {@code op(in[0])}, {@code op(in[0], in[1])}, or,
 * with {@code literal}, {@code op(in[0], value)} with a Python-float literal. Equal records emit
 * equal instructions, so a record is its own signature.
 */
public record ElementwiseRecipe(Op op, boolean literal, double value) implements Recipe {
  public static ElementwiseRecipe unary(Op op) {
    return new ElementwiseRecipe(op, false, 0);
  }

  public static ElementwiseRecipe binary(Op op) {
    return new ElementwiseRecipe(op, false, 0);
  }

  public static ElementwiseRecipe withLiteral(Op op, double value) {
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
}
