package dev.gradc.cli;

import dev.gradc.ir.DType;
import dev.gradc.runtime.Buffers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0): the magic {@code \x93NUMPY}, a
 * version, a little-endian header length, and a header that is a Python dict literal such as {@code
 * {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}, followed by the raw elements.
 * Supported: little-endian {@code <f8} (f64), {@code <f4} (f32), {@code <i8} (i64) and {@code |b1}
 * (bool) in C order, which is what {@code numpy.save} writes for float64, float32, int64 and bool
 * arrays.
 */
final class Npy {
  private Npy() {}

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int MAX_HEADER = 1 << 20;
  private static final int BLOCK = 1 << 16;

  /**
   * Reads {@code file}; {@code where} names it in errors. The data is read in blocks straight into
   * the tensor's array, and never more of it than the header's shape needs, so a pipe or a special
   * file cannot make it read without end.
   */
  static Data read(Path file, String where) {
    return read(file, where, null);
  }

  /**
   * {@link #read(Path, String)} for a value declared {@code declared} (null when unknown): an
   * unsupported dtype's hint proposes converting to it.
   */
  static Data read(Path file, String where, DType declared) {
    if (Files.isDirectory(file)) {
      throw new UserError(where, "is a directory, not a .npy file");
    }
    long size;
    try {
      size = Files.isRegularFile(file) ? Files.size(file) : -1;
    } catch (NoSuchFileException e) {
      throw new UserError(where, "no such file");
    } catch (IOException e) {
      throw UserError.io(where, "read the file", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] lead = in.readNBytes(MAGIC.length + 2);
      for (int i = 0; i < MAGIC.length; i++) {
        if (i >= lead.length || lead[i] != MAGIC[i]) {
          throw new UserError(where, "not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }
      }
      if (lead.length < MAGIC.length + 2) {
        throw new UserError(where, "truncated .npy file (no format version)");
      }
      int major = lead[6];
      int lengthBytes;
      if (major == 1) {
        lengthBytes = 2;
      } else if (major == 2 || major == 3) {
        lengthBytes = 4;
      } else {
        throw new UserError(
            where, "unsupported .npy format version " + major + "." + lead[7] + " (1, 2 or 3)");
      }
      byte[] len = in.readNBytes(lengthBytes);
      if (len.length < lengthBytes) {
        throw new UserError(where, "truncated .npy file (no header length)");
      }
      long headerLength = 0;
      for (int i = lengthBytes - 1; i >= 0; i--) {
        headerLength = (headerLength << 8) | (len[i] & 0xff);
      }
      if (headerLength > MAX_HEADER) {
        throw new UserError(
            where,
            "the .npy header is "
                + headerLength
                + " bytes long; headers are limited to "
                + MAX_HEADER
                + " bytes");
      }
      byte[] headerBytes = in.readNBytes((int) headerLength);
      if (headerBytes.length < headerLength) {
        throw new UserError(where, "truncated .npy file (incomplete header)");
      }
      String header =
          new String(
              headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      Header h = Header.parse(header, where, declared);
      long dataStart = MAGIC.length + 2 + lengthBytes + headerLength;
      long expected = (long) h.numel * Data.elementBytes(h.dtype);
      if (size >= 0) {
        checkSize(where, h, expected, size - dataStart);
      }
      Object data = Buffers.allocate(h.dtype, h.numel);
      long got = fill(in, h.dtype, data);
      // A file that changed while it was read, or a stream, whose size is known only now.
      if (got < expected) {
        checkSize(where, h, expected, got);
      }
      if (in.read() >= 0) {
        throw new UserError(
            where,
            "the .npy file has more than the "
                + expected
                + " bytes of data its shape "
                + Data.shapeText(h.shape)
                + " needs");
      }
      return new Data(h.dtype, h.shape, data);
    } catch (NoSuchFileException e) {
      throw new UserError(where, "no such file");
    } catch (IOException e) {
      throw UserError.io(where, "read the file", e);
    }
  }

  private static void checkSize(String where, Header h, long expected, long actual) {
    if (actual < expected) {
      throw new UserError(
          where,
          "truncated .npy file: shape "
              + Data.shapeText(h.shape)
              + " needs "
              + expected
              + " bytes of data, the file has "
              + actual);
    }
    if (actual > expected) {
      throw new UserError(
          where,
          "the .npy file has "
              + (actual - expected)
              + " bytes after the "
              + expected
              + " bytes of data its shape "
              + Data.shapeText(h.shape)
              + " needs");
    }
  }

  /**
   * Reads little-endian elements into {@code data} in blocks; returns the bytes read (fewer than
   * the array holds at the end of the stream).
   */
  private static long fill(InputStream in, DType dtype, Object data) throws IOException {
    int width = Data.elementBytes(dtype);
    int n = Buffers.length(data);
    byte[] block = new byte[BLOCK];
    ByteBuffer bytes = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    long total = 0;
    for (int at = 0; at < n; ) {
      int count = Math.min(n - at, BLOCK / width);
      int got = in.readNBytes(block, 0, count * width);
      total += got;
      int whole = got / width;
      bytes.clear();
      switch (dtype) {
        case F64 -> bytes.asDoubleBuffer().get((double[]) data, at, whole);
        case F32 -> bytes.asFloatBuffer().get((float[]) data, at, whole);
        case I64 -> bytes.asLongBuffer().get((long[]) data, at, whole);
        case BOOL -> {
          boolean[] b = (boolean[]) data;
          for (int i = 0; i < whole; i++) {
            b[at + i] = block[i] != 0;
          }
        }
      }
      if (got < count * width) {
        return total;
      }
      at += count;
    }
    return total;
  }

  /** The {@code descr} NumPy writes for a dtype. */
  static String descr(DType d) {
    return switch (d) {
      case F64 -> "<f8";
      case F32 -> "<f4";
      case I64 -> "<i8";
      case BOOL -> "|b1";
    };
  }

  /** The NumPy name of a dtype, for messages. */
  static String numpyName(DType d) {
    return switch (d) {
      case F64 -> "float64";
      case F32 -> "float32";
      case I64 -> "int64";
      case BOOL -> "bool";
    };
  }

  /** The parsed header dict. */
  private static final class Header {
    DType dtype;
    int[] shape;
    int numel;

    static Header parse(String text, String where, DType declared) {
      Map<String, Object> dict;
      try {
        dict = new Literal(text).dict();
      } catch (IllegalArgumentException e) {
        throw new UserError(where, "malformed .npy header: " + e.getMessage());
      }
      Header h = new Header();
      Object descr = dict.get("descr");
      Object fortran = dict.get("fortran_order");
      Object shape = dict.get("shape");
      if (!(descr instanceof String) || !(fortran instanceof Boolean) || !(shape instanceof List)) {
        throw new UserError(
            where, "malformed .npy header: it needs 'descr', 'fortran_order' and 'shape': " + text);
      }
      h.dtype = dtype((String) descr, where, declared);
      if ((Boolean) fortran) {
        throw new UserError(
            where,
            "the array is in Fortran order; save a C-ordered copy with"
                + " numpy.save(path, numpy.ascontiguousarray(a))");
      }
      List<?> dims = (List<?>) shape;
      h.shape = new int[dims.size()];
      long n = 1;
      for (int i = 0; i < h.shape.length; i++) {
        if (!(dims.get(i) instanceof Long)) {
          throw new UserError(where, "malformed .npy header: bad shape " + dims);
        }
        long d = (Long) dims.get(i);
        n *= d;
        if (d < 0 || n > Integer.MAX_VALUE - 8) {
          throw new UserError(where, "the shape " + dims + " is too large");
        }
        h.shape[i] = (int) d;
      }
      h.numel = (int) n;
      return h;
    }

    private static DType dtype(String descr, String where, DType declared) {
      DType d =
          switch (descr) {
            case "<f8" -> DType.F64;
            case "<f4" -> DType.F32;
            case "<i8" -> DType.I64;
            case "|b1" -> DType.BOOL;
            default -> null;
          };
      if (d != null) {
        return d;
      }
      String hint =
          descr.startsWith(">")
              ? "big-endian data is not supported; save a.astype(a.dtype.newbyteorder('<'))"
              : declared != null
                  ? "the program declares "
                      + declared.mnemonic()
                      + ": save a.astype(numpy."
                      + numpyName(declared)
                      + ")"
                  : "save it as float64, float32, int64 or bool, e.g. a.astype(numpy.float64)";
      throw new UserError(
          where,
          "unsupported dtype '"
              + descr
              + "' (supported: '<f8' float64, '<f4' float32, '<i8' int64, '|b1' bool); "
              + hint);
    }
  }

  /**
   * The Python literals a {@code .npy} header uses: dicts, tuples, strings, integers, {@code
   * True}/{@code False}. Nothing else, and no recursion deeper than a dict of tuples.
   */
  private static final class Literal {
    private final String s;
    private int pos;

    Literal(String s) {
      this.s = s;
    }

    Map<String, Object> dict() {
      skip();
      expect('{');
      Map<String, Object> d = new HashMap<>();
      skip();
      while (peek() != '}') {
        Object key = atom();
        if (!(key instanceof String)) {
          throw new IllegalArgumentException("a key is not a string at offset " + pos);
        }
        skip();
        expect(':');
        skip();
        Object value = peek() == '(' ? tuple() : atom();
        d.put((String) key, value);
        separator('}');
      }
      pos++;
      skip();
      if (pos != s.length()) {
        throw new IllegalArgumentException("text after the dict at offset " + pos);
      }
      return d;
    }

    private List<Object> tuple() {
      expect('(');
      List<Object> items = new ArrayList<>();
      skip();
      while (peek() != ')') {
        items.add(atom());
        separator(')');
      }
      pos++;
      return items;
    }

    /** After an item: a comma and the blanks after it, or (left unread) {@code close}. */
    private void separator(char close) {
      skip();
      if (peek() == ',') {
        pos++;
        skip();
      } else if (peek() != close) {
        throw new IllegalArgumentException("expected ',' or '" + close + "' at offset " + pos);
      }
    }

    private Object atom() {
      char c = peek();
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, pos + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated string at offset " + pos);
        }
        String v = s.substring(pos + 1, end);
        pos = end + 1;
        return v;
      }
      if (Character.isDigit(c)) {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        String digits = s.substring(start, pos);
        if (pos < s.length() && s.charAt(pos) == 'L') {
          pos++; // Python 2 longs
        }
        try {
          return Long.parseLong(digits);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("integer too large: " + digits, e);
        }
      }
      if (s.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (s.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw new IllegalArgumentException("unexpected '" + c + "' at offset " + pos);
    }

    private char peek() {
      if (pos >= s.length()) {
        throw new IllegalArgumentException("unexpected end of the header");
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at offset " + pos);
      }
      pos++;
    }

    private void skip() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }
  }
}
