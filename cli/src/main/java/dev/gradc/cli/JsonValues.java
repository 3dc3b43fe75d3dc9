package dev.gradc.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gradc.ir.DType;
import dev.gradc.ir.NdArray;
import dev.gradc.runtime.Buffers;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON values of tensors: a number for a scalar, nested lists for a tensor of any rank, in
 * row-major order. Python's {@code json} module writes non-finite floats as {@code NaN}, {@code
 * Infinity} and {@code -Infinity}; they are read too (whether they are accepted is the caller's
 * decision).
 */
final class JsonValues {
  private JsonValues() {}

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Parses JSON text; {@code where} names its origin in errors ({@code inputs.json:LINE:COL}). */
  static JsonNode parse(String text, String where) {
    try {
      return tree(MAPPER.readTree(text), where);
    } catch (JsonProcessingException e) {
      throw error(e, where);
    }
  }

  /**
   * Parses the JSON file {@code file} as it is read, reading at most {@code limit} bytes; errors as
   * for {@link #parse(String, String)}.
   */
  static JsonNode parse(Path file, String where, long limit) {
    try (InputStream in = new Bounded(Files.newInputStream(file), limit)) {
      return tree(MAPPER.readTree(in), where);
    } catch (JsonProcessingException e) {
      throw error(e, where);
    } catch (Bounded.TooLong e) {
      throw new UserError(
          where,
          "the file has more than "
              + limit
              + " bytes ("
              + (limit >> 20)
              + " MiB), the limit for JSON inputs; give large values as .npy files");
    } catch (NoSuchFileException e) {
      throw new UserError(where, "no such file");
    } catch (IOException e) {
      throw UserError.io(where, "read the file", e);
    }
  }

  private static JsonNode tree(JsonNode n, String where) {
    if (n == null || n.isMissingNode()) {
      throw new UserError(where, "no JSON value (the text is empty)");
    }
    return n;
  }

  private static UserError error(JsonProcessingException e, String where) {
    String at = where;
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      at = where + ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
    }
    String message = e.getOriginalMessage();
    if (e instanceof StreamConstraintsException) {
      // Jackson's message names its Java API; say what the limit means.
      message =
          message.contains("nesting depth")
              ? "the JSON is nested too deeply (more than 1000 levels)"
              : "the JSON exceeds a limit of the reader: " + message;
    } else if (e instanceof JsonParseException) {
      message = "invalid JSON: " + message;
    }
    return new UserError(at, message, e);
  }

  /** A stream that fails with {@link TooLong} after {@code limit} bytes. */
  private static final class Bounded extends FilterInputStream {
    /** More bytes than the limit. */
    static final class TooLong extends IOException {
      private static final long serialVersionUID = 1L;
    }

    private long left;

    Bounded(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0 && --left < 0) {
        throw new TooLong();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        left -= n;
        if (left < 0) {
          throw new TooLong();
        }
      }
      return n;
    }
  }

  /**
   * The shape of a JSON value: the lengths along the first element at each level ({@code []} for a
   * number). Raggedness is found later, by {@link #toData}.
   */
  static int[] shapeOf(JsonNode node) {
    List<Integer> dims = new ArrayList<>();
    JsonNode cur = node;
    while (cur.isArray()) {
      dims.add(cur.size());
      if (cur.isEmpty()) {
        break;
      }
      cur = cur.get(0);
    }
    int[] s = new int[dims.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = dims.get(i);
    }
    return s;
  }

  /**
   * The elements of {@code node}, whose shape is {@code shape} (from {@link #shapeOf}), as a tensor
   * of {@code dtype}. {@code name} names the value in errors ({@code x[1][2] is a string}).
   */
  static Data toData(JsonNode node, int[] shape, DType dtype, String name, String where) {
    Object buf = Buffers.allocate(dtype, NdArray.numel(shape));
    int[] next = {0};
    fill(node, shape, 0, dtype, name, new StringBuilder(name), where, buf, next);
    return new Data(dtype, shape, buf);
  }

  /** Recursion over the dims of one value: its depth is the rank the caller checked. */
  private static void fill(
      JsonNode node,
      int[] shape,
      int depth,
      DType dtype,
      String name,
      StringBuilder path,
      String where,
      Object buf,
      int[] next) {
    if (depth == shape.length) {
      long integer = element(node, dtype, name, path, where);
      if (dtype == DType.I64) {
        ((long[]) buf)[next[0]++] = integer; // exact, also beyond 2^53
      } else if (dtype == DType.BOOL) {
        Buffers.set(buf, next[0]++, (double) integer);
      } else {
        Buffers.set(buf, next[0]++, dtype.round(node.doubleValue()));
      }
      return;
    }
    if (!node.isArray() || node.size() != shape[depth]) {
      String got = node.isArray() ? "a list of " + node.size() : describe(node);
      throw new UserError(
          where,
          "ragged list: "
              + path
              + " should be a list of "
              + shape[depth]
              + " (as the first element at that depth is), got "
              + got);
    }
    int mark = path.length();
    for (int i = 0; i < node.size(); i++) {
      path.append('[').append(i).append(']');
      fill(node.get(i), shape, depth + 1, dtype, name, path, where, buf, next);
      path.setLength(mark);
    }
  }

  /** Checks one element; for i64 returns its value (for floats the caller reads the double). */
  private static long element(
      JsonNode node, DType dtype, String name, CharSequence path, String where) {
    if (dtype == DType.BOOL) {
      if (!node.isBoolean()) {
        throw new UserError(
            where,
            path + " is " + describe(node) + ", but " + name + " is bool: give true or false");
      }
      return node.booleanValue() ? 1 : 0;
    }
    if (!node.isNumber()) {
      throw new UserError(
          where,
          path
              + " is "
              + describe(node)
              + ", but "
              + name
              + " is "
              + dtype.mnemonic()
              + ": give "
              + (dtype == DType.I64 ? "integers" : "numbers"));
    }
    if (dtype == DType.I64) {
      if (!node.isIntegralNumber()) {
        throw new UserError(
            where, path + " is " + node.asText() + ", but " + name + " is i64: give integers");
      }
      if (!node.canConvertToLong()) {
        throw new UserError(where, path + " is " + node.asText() + ", too large for i64");
      }
      return node.longValue();
    }
    return 0;
  }

  private static String describe(JsonNode n) {
    if (n.isNumber()) {
      return "a number (" + n.asText() + ")";
    }
    if (n.isTextual()) {
      String t = n.asText();
      return "a string (\"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\")";
    }
    if (n.isBoolean()) {
      return "a boolean (" + n.asText() + ")";
    }
    if (n.isNull()) {
      return "null";
    }
    if (n.isObject()) {
      return "an object";
    }
    return "a list of " + n.size();
  }

  /** What a JSON value is, for messages: {@code a number}, {@code a list of shape [2, 3]}. */
  static String kind(JsonNode n) {
    if (n.isArray()) {
      return "a list of shape " + Data.shapeText(shapeOf(n));
    }
    return describe(n);
  }
}
