package dev.gradc.cli;

import dev.gradc.ir.GradcException;

/**
 * A bad input, option value or file found by the command line itself, printed as {@code WHERE:
 * error: MESSAGE} with exit code 2. {@code WHERE} names what was wrong: a file ({@code
 * inputs.json}, {@code x.npy}), a file position ({@code inputs.json:3:7}) or an option ({@code
 * --set w}). Errors inside a program carry a {@link dev.gradc.ir.SourcePos} instead and print with
 * the source line.
 */
final class UserError extends GradcException {
  private static final long serialVersionUID = 1L;

  private final String where;

  UserError(String where, String message) {
    super(message);
    this.where = where;
  }

  UserError(String where, String message, Throwable cause) {
    this(where, message);
    initCause(cause);
  }

  String where() {
    return where;
  }

  /** The one-line diagnostic, ending with a newline. */
  String diagnostic() {
    return where + ": error: " + getMessage() + "\n";
  }
}
