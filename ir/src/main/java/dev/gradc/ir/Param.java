package dev.gradc.ir;

/**
 * A named function parameter. {@link Role#PARAM} parameters require grad: reverse mode returns one
 * gradient for each. Printed form: {@code %w: f64[3]} in the signature, {@code %w} as an operand.
 */
public final class Param extends Value {
  private final String name;
  private final Role role;
  private final int id;

  Param(String name, Type type, Role role, int id) {
    super(type);
    this.name = name;
    this.role = role;
    this.id = id;
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  public boolean requiresGrad() {
    return role == Role.PARAM;
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public String toString() {
    return "%" + name;
  }
}
