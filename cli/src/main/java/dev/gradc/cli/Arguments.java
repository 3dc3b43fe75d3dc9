package dev.gradc.cli;

import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.runtime.Buffers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of every parameter of a function, in declaration order, with where each came from and
 * the size of each symbolic dim.
 */
final class Arguments {
  private final List<Param> params;
  private final Data[] values;
  private final String[] origins;
  private final Map<String, Integer> dims;
  private final long seed;

  Arguments(
      List<Param> params, Data[] values, String[] origins, Map<String, Integer> dims, long seed) {
    this.params = List.copyOf(params);
    this.values = values.clone();
    this.origins = origins.clone();
    this.dims = new LinkedHashMap<>(dims);
    this.seed = seed;
  }

  List<Param> params() {
    return params;
  }

  Data value(int i) {
    return values[i];
  }

  /** {@code inputs.json}, {@code --set x}, {@code x.npy} or {@link InputOptions#GENERATED}. */
  String origin(int i) {
    return origins[i];
  }

  /** The size of each symbolic dim, in order of first appearance in the declarations. */
  Map<String, Integer> dims() {
    return new LinkedHashMap<>(dims);
  }

  Object[] buffers() {
    Object[] b = new Object[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = values[i].buffer();
    }
    return b;
  }

  int[][] shapes() {
    int[][] s = new int[values.length][];
    for (int i = 0; i < s.length; i++) {
      s[i] = values[i].shape();
    }
    return s;
  }

  /** The values as the reference interpreter takes them. */
  List<NdArray> ndArrays() {
    List<NdArray> out = new ArrayList<>();
    for (Data d : values) {
      out.add(Buffers.toNdArray(d.buffer(), d.shape()));
    }
    return out;
  }

  /** The bytes of all argument buffers. */
  long bytes() {
    long n = 0;
    for (Data d : values) {
      n += d.bytes();
    }
    return n;
  }

  /** {@code N = 6, M = 5}, or the empty string when there are no symbolic dims. */
  String dimsText() {
    List<String> parts = new ArrayList<>();
    dims.forEach((k, v) -> parts.add(k + " = " + v));
    return String.join(", ", parts);
  }

  /**
   * A one-line note naming the generated values and the seed, or null when every value was given:
   * {@code x, y, w, b: standard normal, seed 0; N = 6}.
   */
  String generatedNote() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (origins[i].equals(InputOptions.GENERATED)) {
        names.add(params.get(i).name());
      }
    }
    if (names.isEmpty()) {
      return null;
    }
    String d = dimsText();
    return String.join(", ", names)
        + ": standard normal, seed "
        + seed
        + (d.isEmpty() ? "" : "; " + d);
  }
}
