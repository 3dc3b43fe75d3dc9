package dev.gradc.ir;

/**
 * An error in a user's program or inputs: a shape mismatch, an unknown name, a bad literal. It
 * carries the source position when one is known, so tools print a compiler-style diagnostic instead
 * of a stack trace. Misuse of the Java API throws {@link IllegalArgumentException}.
 */
public class GradcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient SourcePos pos;

  public GradcException(String message) {
    this(message, null);
  }

  public GradcException(String message, SourcePos pos) {
    super(message);
    this.pos = pos;
  }

  /** The source position, or null. */
  public SourcePos pos() {
    return pos;
  }

  /** The same error located at {@code p}, unless it already has a position. */
  public GradcException at(SourcePos p) {
    if (pos != null || p == null) {
      return this;
    }
    GradcException e = new GradcException(getMessage(), p);
    e.setStackTrace(getStackTrace());
    return e;
  }
}
