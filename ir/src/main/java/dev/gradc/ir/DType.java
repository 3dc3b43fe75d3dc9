package dev.gradc.ir;

/** Element types of tensors. Printed form: {@code f32}, {@code f64}, {@code bool}, {@code i64}. */
public enum DType {
  F32("f32"),
  F64("f64"),
  BOOL("bool"),
  I64("i64");

  private final String mnemonic;

  DType(String mnemonic) {
    this.mnemonic = mnemonic;
  }

  /** The name used in IR text and in the {@code .grad} language. */
  public String mnemonic() {
    return mnemonic;
  }

  /** True for {@code f32} and {@code f64}, the only types that carry gradients. */
  public boolean isFloat() {
    return this == F32 || this == F64;
  }

  /**
   * Promotion category as in PyTorch: bool &lt; integer &lt; floating point. Within one category a
   * tensor with dims wins over a zero-dim tensor, which wins over a literal.
   */
  int category() {
    return switch (this) {
      case BOOL -> 0;
      case I64 -> 1;
      case F32, F64 -> 2;
    };
  }

  /** Rounds {@code v} to a value representable in this type. */
  public double round(double v) {
    return switch (this) {
      case F32 -> (float) v;
      case BOOL -> v != 0 ? 1 : 0;
      case I64 -> (double) (long) v;
      case F64 -> v;
    };
  }

  /** The Java array type that holds this dtype's elements: {@code double[]}, {@code long[]}. */
  public String javaArrayType() {
    return switch (this) {
      case F64 -> "double[]";
      case F32 -> "float[]";
      case I64 -> "long[]";
      case BOOL -> "boolean[]";
    };
  }

  /** PyTorch's name of the scalar type, as its messages print it: {@code Float}, {@code Long}. */
  public String scalarTypeName() {
    return switch (this) {
      case F32 -> "Float";
      case F64 -> "Double";
      case I64 -> "Long";
      case BOOL -> "Bool";
    };
  }

  /** Looks up a dtype by its mnemonic, or returns null. */
  public static DType byMnemonic(String s) {
    for (DType d : values()) {
      if (d.mnemonic.equals(s)) {
        return d;
      }
    }
    return null;
  }
}
