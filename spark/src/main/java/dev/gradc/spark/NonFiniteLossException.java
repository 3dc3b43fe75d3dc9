package dev.gradc.spark;

/** A block whose loss or gradient is NaN or infinite; the message names the partition and block. */
public final class NonFiniteLossException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  NonFiniteLossException(String message) {
    super(message);
  }
}
