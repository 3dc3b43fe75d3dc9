package dev.gradc.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Standard output or error as the commands write them: a {@link PrintWriter} (UTF-8) that remembers
 * why a write failed. A {@code PrintWriter} only records that one did ({@link #checkError}); a full
 * disk, a closed pipe or a file size limit must still end the command with exit code 2 and the
 * reason.
 */
final class ConsoleWriter extends PrintWriter {
  private final Recorder recorder;

  private ConsoleWriter(Recorder recorder, boolean autoFlush) {
    super(new OutputStreamWriter(recorder, StandardCharsets.UTF_8), autoFlush);
    this.recorder = recorder;
  }

  static ConsoleWriter of(OutputStream out, boolean autoFlush) {
    return new ConsoleWriter(new Recorder(out), autoFlush);
  }

  /** The reason of the first failed write, or null when there was none. */
  String failure() {
    IOException e = recorder.first;
    return e == null ? null : UserError.reason(e);
  }

  /**
   * Why writing to {@code w} failed, after flushing it: the reason when it is a {@code
   * ConsoleWriter}, else a generic one; null when every write succeeded.
   */
  static String failure(PrintWriter w) {
    if (!w.checkError()) {
      return null;
    }
    String reason = w instanceof ConsoleWriter c ? c.failure() : null;
    return reason != null ? reason : "write error";
  }

  private static final class Recorder extends FilterOutputStream {
    IOException first;

    Recorder(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        record(e);
        throw e;
      }
    }

    @Override
    public void write(int b) throws IOException {
      try {
        out.write(b);
      } catch (IOException e) {
        record(e);
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        record(e);
        throw e;
      }
    }

    private void record(IOException e) {
      if (first == null) {
        first = e;
      }
    }
  }
}
