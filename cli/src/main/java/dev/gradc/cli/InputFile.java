package dev.gradc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a file a command takes as input, never more than a limit: the size of a regular file is
 * checked first, and every file is read through a bounded stream, so that {@code /dev/zero}, a pipe
 * or a file that grows while it is read cannot exhaust memory.
 */
final class InputFile {
  private InputFile() {}

  /**
   * The bytes of {@code file}; {@code where} names it in errors, {@code what} says what it should
   * be ({@code a program file}) and {@code limitText} why the limit exists.
   */
  static byte[] read(Path file, String where, String what, int limit, String limitText) {
    if (Files.isDirectory(file)) {
      throw new UserError(where, "is a directory, not " + what);
    }
    try {
      if (Files.isRegularFile(file)) {
        long size = Files.size(file);
        if (size > limit) {
          throw tooLarge(where, "is " + size + " bytes", limit, limitText);
        }
      }
      try (InputStream in = Files.newInputStream(file)) {
        byte[] bytes = in.readNBytes(limit);
        if (in.read() >= 0) {
          throw tooLarge(where, "has more than " + limit + " bytes", limit, limitText);
        }
        return bytes;
      }
    } catch (NoSuchFileException e) {
      throw new UserError(where, "no such file");
    } catch (IOException e) {
      throw UserError.io(where, "read the file", e);
    }
  }

  private static UserError tooLarge(String where, String size, int limit, String limitText) {
    return new UserError(
        where, "the file " + size + "; " + limitText + " " + limit + " bytes" + unit(limit));
  }

  /** {@code " (1 MiB)"} for a whole number of MiB. */
  private static String unit(int bytes) {
    return bytes % (1 << 20) == 0 ? " (" + (bytes >> 20) + " MiB)" : "";
  }
}
