package dev.gradc.ir;

/**
 * An inline scalar literal. Its dtype is that of the instruction that uses it (PyTorch treats a
 * Python number as a weak scalar that never changes a tensor's dtype). Literals are compared by
 * value. Printed form: {@code 2.0}, {@code -inf}, {@code nan}.
 */
public final class Lit extends Value {
  private final double value;

  public Lit(double value, DType dtype) {
    super(Type.scalar(dtype));
    this.value = dtype.round(value);
  }

  public double value() {
    return value;
  }

  @Override
  public int id() {
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Lit l
        && Double.doubleToLongBits(l.value) == Double.doubleToLongBits(value)
        && l.type().equals(type());
  }

  @Override
  public int hashCode() {
    return Double.hashCode(value) * 31 + type().dtype().hashCode();
  }

  /** The literal as IR text. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return Double.toString(v);
  }

  @Override
  public String toString() {
    return format(value);
  }
}
