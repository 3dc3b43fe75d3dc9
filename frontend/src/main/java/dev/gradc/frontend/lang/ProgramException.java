package dev.gradc.frontend.lang;

import dev.gradc.ir.GradcException;
import dev.gradc.ir.SourcePos;

/**
 * A program that does not parse, type or differentiate, with its position and the source, so that a
 * tool prints {@link #diagnostic()} instead of a stack trace.
 */
public final class ProgramException extends GradcException {
  private static final long serialVersionUID = 1L;

  private final String source;

  ProgramException(String message, SourcePos pos, String source, Throwable cause) {
    super(message, pos);
    this.source = source;
    initCause(cause);
  }

  /** {@code FILE:LINE:COL: error: MESSAGE}, the source line and a caret, ending with a newline. */
  public String diagnostic() {
    return Diagnostics.render(source, pos(), getMessage());
  }
}
