package dev.gradc.cli;

import dev.gradc.ir.GradcException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

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

  /**
   * A failed file operation: {@code WHERE: error: cannot DOING: REASON}, the reason without the
   * path Java's exceptions repeat ({@code permission denied}, {@code No space left on device}).
   */
  static UserError io(String where, String doing, IOException e) {
    return new UserError(where, "cannot " + doing + ": " + reason(e), e);
  }

  /** Why a file operation failed, in a few words. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  String where() {
    return where;
  }

  /** The one-line diagnostic, ending with a newline. */
  String diagnostic() {
    return where + ": error: " + getMessage() + "\n";
  }
}
