package dev.gradc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.frontend.lang.Diagnostics;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.runtime.Buffers;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * The options that give a program its values, shared by {@code run}, {@code check} and {@code
 * bench}, and their resolution into {@link Arguments}.
 *
 * <p>Precedence: {@code --inputs}, then each {@code --set} (the last one for a name wins). A name
 * without a value is an error, unless {@code --random-inputs} asks for generated values, which are
 * standard normal: {@code new SplittableRandom(seed)} is split once per declaration, in declaration
 * order, whether or not that name was given (so giving one value does not change the others), and
 * the split generator fills the tensor in row-major order with {@code nextGaussian()}. Integer
 * values are never generated.
 *
 * <p>Non-finite values (NaN, Infinity, or numbers too large for the dtype) are rejected unless
 * {@code --allow-nonfinite} is given; then they compute as in PyTorch.
 */
final class InputOptions {
  /** The largest JSON inputs file: 256 MiB (a JSON number takes about 20 bytes). */
  static final long MAX_JSON_BYTES = 256L << 20;

  /** The origin of generated values. */
  static final String GENERATED = "generated";

  @Option(
      names = "--inputs",
      paramLabel = "F.json|DIR",
      description = {
        "Values: a JSON object mapping names to numbers or nested lists (or to \"@file.npy\","
            + " relative to the JSON file), or a directory of NAME.npy files."
      })
  Path inputs;

  @Option(
      names = "--set",
      paramLabel = "NAME=VALUE",
      description = {
        "One value, overriding --inputs: JSON (--set w=[0.5,-1,2], --set b=0.1) or a NumPy"
            + " file (--set x=@x.npy). Repeatable."
      })
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--dim",
      paramLabel = "SYM=INT",
      description = "The size of a symbolic dim (--dim N=100). Repeatable.")
  List<String> dims = new ArrayList<>();

  @Option(
      names = "--random-inputs",
      description =
          "Fill every float name without a value with standard normals (without it, a name"
              + " without a value is an error).")
  boolean randomInputs;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description =
          "Seed of the values --random-inputs generates (default: 0); only with --random-inputs.")
  Long seedOption;

  /** The seed of generated values. */
  long seed() {
    return seedOption == null ? 0 : seedOption;
  }

  @Option(
      names = "--allow-nonfinite",
      description =
          "Accept NaN and infinite values and compute with them as PyTorch does"
              + " (by default they are an error).")
  boolean allowNonFinite;

  /** A value as given, before it is checked against its declaration. */
  private static final class Given {
    final String origin;
    final JsonNode json;
    final Data data;
    final String npyDescr;

    Given(String origin, JsonNode json, Data data) {
      this.origin = origin;
      this.json = json;
      this.data = data;
      this.npyDescr = data == null ? null : Npy.descr(data.dtype());
    }
  }

  /** Resolves every parameter of {@code pf}'s function to a value. */
  Arguments resolve(ProgramFile pf) {
    Func f = pf.func();
    List<Param> params = f.params();
    Map<String, Param> byName = new LinkedHashMap<>();
    for (Param p : params) {
      byName.put(p.name(), p);
    }
    if (seedOption != null && !randomInputs) {
      throw new UserError(
          "--seed " + seedOption,
          "--seed chooses the values --random-inputs generates; give --random-inputs too");
    }
    Map<String, Integer> fixed = parseDims(f);
    Map<String, Given> given = new HashMap<>();
    if (inputs != null) {
      readInputs(inputs, byName, given);
    }
    for (String s : sets) {
      readSet(s, byName, given);
    }

    Data[] values = new Data[params.size()];
    String[] origins = new String[params.size()];
    Map<String, Integer> bound = new HashMap<>(fixed);
    Map<String, String> boundBy = new HashMap<>();
    for (String sym : fixed.keySet()) {
      boundBy.put(sym, "--dim " + sym + "=" + fixed.get(sym));
    }
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      Given g = given.get(p.name());
      if (g == null) {
        continue;
      }
      Data d = convert(pf, p, g);
      bind(pf, p, d, g.origin, bound, boundBy);
      if (!allowNonFinite) {
        checkFinite(p, d, g.origin);
      }
      values[i] = d;
      origins[i] = g.origin;
    }

    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      if (values[i] == null && !randomInputs) {
        throw pf.errorAt(p.name(), missing(p, given.isEmpty()));
      }
      if (values[i] == null && !p.type().dtype().isFloat()) {
        throw pf.errorAt(
            p.name(),
            p.name()
                + " ("
                + p.type()
                + ") has no value, and "
                + (p.type().dtype() == DType.BOOL ? "bool" : "integer")
                + " values are not generated; give one with --set "
                + p.name()
                + "=[...] or --inputs");
      }
    }
    SplittableRandom root = new SplittableRandom(seed());
    for (int i = 0; i < params.size(); i++) {
      SplittableRandom rng = root.split();
      if (values[i] != null) {
        continue;
      }
      Param p = params.get(i);
      int[] shape = generatedShape(pf, p, bound);
      values[i] = normals(p.type().dtype(), shape, rng);
      origins[i] = GENERATED;
    }
    Map<String, Integer> dimsInOrder = new LinkedHashMap<>();
    for (String sym : symbols(f)) {
      if (bound.containsKey(sym)) {
        dimsInOrder.put(sym, bound.get(sym));
      }
    }
    return new Arguments(params, values, origins, dimsInOrder, seed());
  }

  /**
   * {@code x (f64[N, 3]) has no value in inputs.json; give it ...}: the message about a name
   * without a value.
   */
  private String missing(Param p, boolean nothingGiven) {
    String where =
        inputs != null
            ? "has no value in " + inputs
            : nothingGiven ? "has no value (no --inputs or --set was given)" : "has no value";
    return p.name()
        + " ("
        + p.type()
        + ") "
        + where
        + "; give it with --inputs or --set "
        + p.name()
        + "=..."
        + (p.type().dtype().isFloat()
            ? ", or generate standard normals with --random-inputs [--seed S]"
            : "");
  }

  /** The symbols of a function's parameter types, in order of first appearance. */
  static List<String> symbols(Func f) {
    List<String> out = new ArrayList<>();
    for (Param p : f.params()) {
      for (Dim d : p.type().dims()) {
        if (!d.isStatic() && !out.contains(d.symbol())) {
          out.add(d.symbol());
        }
      }
    }
    return out;
  }

  private Map<String, Integer> parseDims(Func f) {
    List<String> known = symbols(f);
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String s : dims) {
      String where = "--dim " + s;
      int eq = s.indexOf('=');
      if (eq < 0) {
        throw new UserError(where, "expected SYM=INT, like N=8");
      }
      String sym = s.substring(0, eq).trim();
      String num = s.substring(eq + 1).trim();
      if (!known.contains(sym)) {
        throw new UserError(
            where,
            known.isEmpty()
                ? "the program has no symbolic dims"
                : "the program has no symbolic dim '"
                    + sym
                    + "' (it has "
                    + String.join(", ", known)
                    + ")"
                    + Diagnostics.suggestion(sym, known));
      }
      int n;
      try {
        n = Integer.parseInt(num);
      } catch (NumberFormatException e) {
        throw new UserError(where, "'" + num + "' is not an integer");
      }
      if (n < 1) {
        throw new UserError(where, "a dim must be a positive integer, got " + n);
      }
      Integer prev = out.put(sym, n);
      if (prev != null && prev != n) {
        throw new UserError(where, sym + " was already given as " + prev);
      }
    }
    return out;
  }

  private static void readInputs(Path path, Map<String, Param> byName, Map<String, Given> given) {
    String where = path.toString();
    if (Files.isDirectory(path)) {
      Map<String, Path> files = new TreeMap<>();
      try (DirectoryStream<Path> dir = Files.newDirectoryStream(path, "*.npy")) {
        for (Path p : dir) {
          String file = p.getFileName().toString();
          files.put(file.substring(0, file.length() - ".npy".length()), p);
        }
      } catch (IOException e) {
        throw UserError.io(where, "list the directory", e);
      }
      if (files.isEmpty()) {
        throw new UserError(where, "the directory holds no .npy files");
      }
      for (Map.Entry<String, Path> e : files.entrySet()) {
        String origin = e.getValue().toString();
        known(e.getKey(), byName, origin);
        given.put(
            e.getKey(),
            new Given(origin, null, Npy.read(e.getValue(), origin, dtypeOf(e.getKey(), byName))));
      }
      return;
    }
    JsonNode root = JsonValues.parse(path, where, MAX_JSON_BYTES);
    if (!root.isObject()) {
      throw new UserError(
          where,
          "expected a JSON object mapping names to values, like {\"w\": [1, 2], \"b\": 0.5}, got "
              + JsonValues.kind(root));
    }
    Path base = path.toAbsolutePath().getParent();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      known(e.getKey(), byName, where);
      JsonNode v = e.getValue();
      if (v.isTextual() && v.asText().startsWith("@")) {
        Path npy = path(base, v.asText().substring(1), where);
        String origin = npy.toString();
        given.put(
            e.getKey(),
            new Given(origin, null, Npy.read(npy, origin, dtypeOf(e.getKey(), byName))));
      } else {
        given.put(e.getKey(), new Given(where, v, null));
      }
    }
  }

  private static void readSet(String s, Map<String, Param> byName, Map<String, Given> given) {
    int eq = s.indexOf('=');
    if (eq < 0) {
      throw new UserError("--set " + s, "expected NAME=VALUE, like w=[1.0, 2.0] or x=@x.npy");
    }
    String name = s.substring(0, eq).trim();
    String value = s.substring(eq + 1).trim();
    String where = "--set " + name;
    known(name, byName, where);
    if (value.startsWith("@")) {
      Path npy = path(null, value.substring(1), where);
      given.put(
          name,
          new Given(npy.toString(), null, Npy.read(npy, npy.toString(), dtypeOf(name, byName))));
    } else {
      given.put(name, new Given(where, JsonValues.parse(value, where), null));
    }
  }

  /**
   * {@code name} as a path (against {@code base} when not null); a name no path can have is an
   * error.
   */
  private static Path path(Path base, String name, String where) {
    try {
      return base == null ? Path.of(name) : base.resolve(name);
    } catch (InvalidPathException e) {
      throw new UserError(where, "'" + name + "' is not a valid path: " + e.getReason());
    }
  }

  private static DType dtypeOf(String name, Map<String, Param> byName) {
    return byName.get(name).type().dtype();
  }

  private static void known(String name, Map<String, Param> byName, String where) {
    if (!byName.containsKey(name)) {
      String hint = Diagnostics.suggestion(name, byName.keySet());
      throw new UserError(
          where,
          "the program has no param or input named '"
              + name
              + "'"
              + (hint.isEmpty() ? " (it has " + String.join(", ", byName.keySet()) + ")" : hint));
    }
  }

  /** The given value as a tensor of the declared dtype and rank. */
  private static Data convert(ProgramFile pf, Param p, Given g) {
    DType dtype = p.type().dtype();
    if (g.data != null) {
      if (g.data.dtype() != dtype) {
        throw pf.errorAt(
            p.name(),
            declaredBut(p, g.origin)
                + " holds "
                + Npy.numpyName(g.data.dtype())
                + " ('"
                + g.npyDescr
                + "'); save it with a.astype(numpy."
                + Npy.numpyName(dtype)
                + ")");
      }
      checkRank(pf, p, g.data.shape(), g.origin);
      return g.data;
    }
    int[] shape = emptyTail(JsonValues.shapeOf(g.json), p.type().dims());
    if (shape.length != p.type().rank()) {
      throw pf.errorAt(p.name(), declaredBut(p, g.origin) + " gives " + JsonValues.kind(g.json));
    }
    return JsonValues.toData(g.json, shape, dtype, p.name(), g.origin);
  }

  /**
   * The shape of an empty JSON list read as the declared type, as PyTorch's {@code tolist()} writes
   * one: a {@code [0, 3]} tensor is {@code []}, whose own shape stops at the 0. The dims below an
   * empty level come from the declaration where they are static; otherwise the shape is left as it
   * is (and the rank check names the mismatch).
   */
  static int[] emptyTail(int[] shape, List<Dim> declared) {
    if (shape.length == 0 || shape[shape.length - 1] != 0 || shape.length >= declared.size()) {
      return shape;
    }
    int[] full = Arrays.copyOf(shape, declared.size());
    for (int k = shape.length; k < full.length; k++) {
      if (!declared.get(k).isStatic()) {
        return shape;
      }
      full[k] = declared.get(k).size();
    }
    return full;
  }

  private static void checkRank(ProgramFile pf, Param p, int[] shape, String origin) {
    if (shape.length != p.type().rank()) {
      throw pf.errorAt(p.name(), declaredBut(p, origin) + " has shape " + Data.shapeText(shape));
    }
  }

  /** {@code x is declared f64[N, 3], but ORIGIN}: the start of a message about a given value. */
  private static String declaredBut(Param p, String origin) {
    return p.name()
        + " is declared "
        + p.type()
        + (p.type().isScalar() ? " (a scalar)" : "")
        + ", but "
        + origin;
  }

  /** Checks a value's shape against its declared dims, binding symbols. */
  private static void bind(
      ProgramFile pf,
      Param p,
      Data d,
      String origin,
      Map<String, Integer> bound,
      Map<String, String> boundBy) {
    int[] s = d.shape();
    List<Dim> declared = p.type().dims();
    for (int k = 0; k < s.length; k++) {
      Dim dim = declared.get(k);
      String mismatch = declaredBut(p, origin) + " has shape " + Data.shapeText(s);
      if (dim.isStatic()) {
        if (dim.size() != s[k]) {
          throw pf.errorAt(p.name(), mismatch);
        }
        continue;
      }
      if (s[k] == 0 || s[k] % dim.factor() != 0) {
        throw pf.errorAt(
            p.name(),
            mismatch
                + (s[k] == 0
                    ? " (symbolic dims must be positive)"
                    : " (dim " + k + " must be a multiple of " + dim.factor() + ")"));
      }
      int n = s[k] / dim.factor();
      Integer prev = bound.get(dim.symbol());
      if (prev != null && prev != n) {
        throw pf.errorAt(
            p.name(),
            mismatch
                + ", which makes "
                + dim.symbol()
                + " = "
                + n
                + ", but "
                + boundBy.get(dim.symbol())
                + " made "
                + dim.symbol()
                + " = "
                + prev);
      }
      if (prev == null) {
        bound.put(dim.symbol(), n);
        boundBy.put(
            dim.symbol(),
            origin.equals("--set " + p.name()) ? origin : p.name() + " from " + origin);
      }
    }
  }

  private static void checkFinite(Param p, Data d, String origin) {
    int n = d.size();
    for (int i = 0; i < n; i++) {
      double v = d.get(i);
      if (!Double.isFinite(v)) {
        throw new UserError(
            origin,
            p.name()
                + index(d.shape(), i)
                + " is "
                + (Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity")
                + (d.dtype() == DType.F32 && !Double.isNaN(v) ? " as f32" : "")
                + "; non-finite values are rejected (--allow-nonfinite computes with them as"
                + " PyTorch does)");
      }
    }
  }

  /** {@code [1][2]} for the flat index {@code i} of a tensor of {@code shape}. */
  static String index(int[] shape, int i) {
    StringBuilder s = new StringBuilder();
    int[] strides = NdArray.strides(shape);
    int rest = i;
    for (int k = 0; k < shape.length; k++) {
      s.append('[').append(rest / strides[k]).append(']');
      rest %= strides[k];
    }
    return s.toString();
  }

  private static int[] generatedShape(ProgramFile pf, Param p, Map<String, Integer> bound) {
    List<Dim> ds = p.type().dims();
    int[] shape = new int[ds.size()];
    for (int k = 0; k < shape.length; k++) {
      Dim d = ds.get(k);
      if (!d.isStatic() && !bound.containsKey(d.symbol())) {
        throw pf.errorAt(
            p.name(),
            "the size of "
                + d.symbol()
                + " is unknown, so "
                + p.name()
                + " cannot be generated: give --dim "
                + d.symbol()
                + "=INT, or a value with that dim");
      }
      try {
        shape[k] = d.resolve(bound);
      } catch (ArithmeticException e) {
        throw pf.errorAt(p.name(), p.name() + " would be too large: " + d + " overflows an int");
      }
    }
    try {
      int n = NdArray.numel(shape);
      if (n > Integer.MAX_VALUE - 8) {
        throw new ArithmeticException();
      }
    } catch (ArithmeticException e) {
      throw pf.errorAt(
          p.name(),
          p.name()
              + " of shape "
              + Data.shapeText(shape)
              + " would have more elements than a Java array holds");
    }
    return shape;
  }

  private static Data normals(DType dtype, int[] shape, SplittableRandom rng) {
    int n = NdArray.numel(shape);
    Object buf = Buffers.allocate(dtype, n);
    for (int i = 0; i < n; i++) {
      Buffers.set(buf, i, rng.nextGaussian());
    }
    return new Data(dtype, shape, buf);
  }
}
