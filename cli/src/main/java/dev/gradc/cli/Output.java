package dev.gradc.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gradc.frontend.TensorFormat;
import dev.gradc.ir.DType;
import dev.gradc.runtime.Buffers;
import java.io.IOException;
import java.io.Writer;

/** Tensors as text (PyTorch's repr, through the frontend's printer) and as JSON. */
final class Output {
  private Output() {}

  /**
   * Writes non-finite numbers bare ({@code NaN}, {@code Infinity}), as Python's {@code json} module
   * does and reads back.
   */
  static final JsonMapper MAPPER =
      JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

  /**
   * The tensor as PyTorch prints it; {@code autograd} is a {@code grad_fn=<...>} suffix or null.
   */
  static String repr(Data d, String autograd) {
    return TensorFormat.format(d.dtype(), d.shape(), d.buffer(), autograd);
  }

  /**
   * {@code name: tensor(...)}; a tensor that prints on several lines starts on the line after its
   * name, so that its rows stay aligned as PyTorch aligns them.
   */
  static String labelled(String name, String repr) {
    return repr.indexOf('\n') < 0 ? name + ": " + repr + "\n" : name + ":\n" + repr + "\n";
  }

  /** Writes JSON with a generator. */
  interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  /**
   * One JSON document written by {@code body} to {@code out} as it is generated (compact, on one
   * line, then a newline), so that the output of a large tensor is never held in memory as text.
   * {@code out} stays open.
   */
  static void json(Writer out, JsonBody body) throws IOException {
    try (JsonGenerator g = MAPPER.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      body.write(g);
    }
    out.write('\n');
  }

  /**
   * A tensor as a JSON number (rank 0) or nested lists in row-major order. An empty tensor nests as
   * PyTorch's {@code tolist()} does: lists down to its first dim of size 0, which is {@code []}
   * ({@code [5, 0]} is five empty lists).
   */
  static void tensor(JsonGenerator g, Data d) throws IOException {
    int[] shape = d.shape();
    if (shape.length == 0) {
      number(g, d.dtype(), d.buffer(), 0);
      return;
    }
    // The dims walked: all of them, or those before the first empty one, each of whose elements
    // is then an empty list.
    int depth = 0;
    long n = 1;
    while (depth < shape.length && shape[depth] != 0) {
      n *= shape[depth];
      depth++;
    }
    boolean empty = depth < shape.length;
    int[] index = new int[depth];
    // Open the lists of every dim, then write elements, closing and reopening lists as the
    // multi-index rolls over: no recursion, whatever the rank.
    for (int k = 0; k < depth; k++) {
      g.writeStartArray();
    }
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        int k = depth - 1;
        int closed = 0;
        while (k >= 0 && ++index[k] == shape[k]) {
          index[k] = 0;
          k--;
          closed++;
        }
        for (int c = 0; c < closed; c++) {
          g.writeEndArray();
        }
        for (int c = 0; c < closed; c++) {
          g.writeStartArray();
        }
      }
      if (empty) {
        g.writeStartArray();
        g.writeEndArray();
      } else {
        number(g, d.dtype(), d.buffer(), i);
      }
    }
    for (int k = 0; k < depth; k++) {
      g.writeEndArray();
    }
  }

  private static void number(JsonGenerator g, DType dtype, Object buffer, int i)
      throws IOException {
    switch (dtype) {
      case F64 -> g.writeNumber(((double[]) buffer)[i]);
      case F32 -> g.writeNumber(((float[]) buffer)[i]);
      case I64 -> g.writeNumber(((long[]) buffer)[i]);
      case BOOL -> g.writeBoolean(Buffers.get(buffer, i) != 0);
    }
  }
}
