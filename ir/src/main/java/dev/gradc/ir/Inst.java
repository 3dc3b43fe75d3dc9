package dev.gradc.ir;

import java.util.Arrays;
import java.util.List;

/**
 * One SSA instruction: an op applied to operands, with a result type and attributes. Instructions
 * are immutable, compared by identity, and belong to the function whose builder made them.
 *
 * <p>Printed form: {@code %3: f64[2] = sum %2, dims=[1], keepdim=true}.
 */
public final class Inst extends Value {
  private final int id;
  private final Op op;
  private final Value[] operands;
  private final int[] dims;
  private final boolean keepdim;

  Inst(int id, Op op, Type type, Value[] operands, int[] dims, boolean keepdim) {
    super(type);
    this.id = id;
    this.op = op;
    this.operands = operands.clone();
    this.dims = dims.clone();
    this.keepdim = keepdim;
  }

  @Override
  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public int arity() {
    return operands.length;
  }

  public Value operand(int i) {
    return operands[i];
  }

  public List<Value> operands() {
    return List.of(operands);
  }

  /** The {@code dims} attribute (reduced dims, permutation, ...), sorted where order is free. */
  public int[] dims() {
    return dims.clone();
  }

  public int dimCount() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  public boolean keepdim() {
    return keepdim;
  }

  /** True when this instruction has the same op, type, operands and attributes as another. */
  public boolean sameAs(Op op, Type type, Value[] operands, int[] dims, boolean keepdim) {
    return this.op == op
        && this.keepdim == keepdim
        && type().equals(type)
        && Arrays.equals(this.dims, dims)
        && Arrays.equals(this.operands, operands);
  }

  @Override
  public String toString() {
    return "inst#" + id + " " + op.mnemonic();
  }
}
