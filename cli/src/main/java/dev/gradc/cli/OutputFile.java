package dev.gradc.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Collection;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file a command writes ({@code compile -o}, {@code inspect -o}, {@code inspect --render}). It is
 * never one of the command's inputs; it is written to a temporary file in the same directory,
 * synced and then moved into place atomically, so that a write that fails midway (a full disk, a
 * file size limit) leaves the previous file as it was and no partial file behind. A special file
 * that exists ({@code /dev/null}, a pipe) is written in place. Every failure is a {@link UserError}
 * naming the path.
 */
final class OutputFile {
  private OutputFile() {}

  /** Writes the bytes of a file to a stream (which it may close). */
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** A buffered stream whose {@code close} only flushes: the file is synced after the body. */
  private static final class KeptOpen extends BufferedOutputStream {
    KeptOpen(OutputStream out) {
      super(out, 1 << 16);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  /** Fills the file at a path, e.g. by running a program that writes it. */
  interface Producer {
    void produce(Path file) throws IOException;
  }

  /**
   * Writes {@code target} with {@code body}. {@code inputs} are the files the command read (a
   * target that is one of them, by any path or link, is refused).
   */
  static void write(Path target, Collection<Path> inputs, Body body) {
    String where = target.toString();
    Path dest = destination(target, inputs);
    try {
      if (Files.exists(dest) && !Files.isRegularFile(dest)) {
        try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.WRITE)) {
          body.write(out);
        }
        return;
      }
    } catch (IOException e) {
      throw UserError.io(where, "write the file", e);
    }
    replace(
        dest,
        where,
        tmp -> {
          try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            OutputStream out = new KeptOpen(Channels.newOutputStream(ch));
            body.write(out);
            out.flush();
            ch.force(true);
          }
        });
  }

  /**
   * Makes {@code target} with {@code producer}, which fills a temporary file beside it that is then
   * moved into place; with the same checks as {@link #write}.
   */
  static void produce(Path target, Collection<Path> inputs, Producer producer) {
    Path dest = destination(target, inputs);
    String where = target.toString();
    if (Files.exists(dest) && !Files.isRegularFile(dest)) {
      throw new UserError(where, "is not a regular file; choose a file name for the output");
    }
    replace(dest, where, producer);
  }

  /**
   * The path the output lands on: the target, or the file a symbolic link points to. Refuses
   * directories and the command's inputs.
   */
  private static Path destination(Path target, Collection<Path> inputs) {
    String where = target.toString();
    if (Files.isDirectory(target)) {
      throw new UserError(where, "is a directory; give a file name for the output");
    }
    for (Path in : inputs) {
      if (same(target, in)) {
        throw new UserError(
            where,
            "the output file is also an input of this command ("
                + in
                + "); choose another output file");
      }
    }
    try {
      return linkTarget(target);
    } catch (IOException e) {
      throw UserError.io(where, "resolve the path", e);
    }
  }

  /**
   * The file a chain of symbolic links ends at, which may not exist yet: the output replaces that
   * file and the links stay, as when a program opens the link for writing.
   */
  private static Path linkTarget(Path target) throws IOException {
    Path p = target;
    for (int hops = 0; Files.isSymbolicLink(p); hops++) {
      if (hops == MAX_LINKS) {
        throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
      }
      Path link = Files.readSymbolicLink(p);
      Path dir = p.toAbsolutePath().getParent();
      p = dir == null ? link : dir.resolve(link);
    }
    return p;
  }

  /** As Linux's limit on symbolic links followed in one path. */
  private static final int MAX_LINKS = 40;

  private static boolean same(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }

  /** Creates a temporary file beside {@code dest}, fills it, and moves it onto {@code dest}. */
  private static void replace(Path dest, String where, Producer producer) {
    Path dir = dest.toAbsolutePath().getParent();
    boolean existed = Files.exists(dest, LinkOption.NOFOLLOW_LINKS);
    Path tmp = null;
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
      tmp = temporary(dir, dest.getFileName().toString());
      producer.produce(tmp);
      keepPermissions(dest, tmp);
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException e) {
      throw new UserError(
          where,
          "cannot write the file: "
              + UserError.reason(e)
              + (existed ? " (the existing file is left as it was)" : ""),
          e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // The write already failed and says so; a leftover temporary file is named like the
          // output, so the user can tell what it is.
        }
      }
    }
  }

  /**
   * A new empty file {@code .NAME.RANDOM.tmp} in {@code dir}, created with the default permissions
   * (the process's umask), as the output itself would be.
   */
  private static Path temporary(Path dir, String name) throws IOException {
    String prefix = "." + (name.length() > 100 ? name.substring(0, 100) : name) + ".";
    for (int attempt = 0; ; attempt++) {
      String random = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      Path p = (dir == null ? Path.of("") : dir).resolve(prefix + random + ".tmp");
      try {
        return Files.createFile(p);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  /** A file that replaces an existing one keeps its permissions. */
  private static void keepPermissions(Path dest, Path tmp) throws IOException {
    PosixFileAttributeView from = Files.getFileAttributeView(dest, PosixFileAttributeView.class);
    if (from != null && Files.isRegularFile(dest)) {
      Files.getFileAttributeView(tmp, PosixFileAttributeView.class)
          .setPermissions(from.readAttributes().permissions());
    }
  }
}
