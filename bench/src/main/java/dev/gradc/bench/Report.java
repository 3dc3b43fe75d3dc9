package dev.gradc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.codegen.Compiler;
import dev.gradc.runtime.InterpretedFunction;
import dev.gradc.runtime.Kernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes {@code BENCHMARKS.md} from one comparison run: the JMH results ({@code jmh-T.json}, with
 * {@code -prof gc}) and the PyTorch results ({@code pytorch-T.json}) for each thread count T found
 * in a directory, plus its {@code env.md} (machine and versions) and {@code notes.md} (what was
 * skipped). Ratios are taken within one run only.
 *
 * <p>Usage: {@code Report RESULTS_DIR OUTPUT.md}.
 */
public final class Report {
  private Report() {}

  /** The columns, in table order; the JMH benchmark class each comes from, or null. */
  enum Impl {
    GRADC("gradc", "GradcBench"),
    PYTORCH("PyTorch", null),
    TENSORFLOW("TF Java", "TensorFlowBench"),
    DJL("DJL", "DjlBench"),
    HAND_WRITTEN("hand-written", "HandWrittenBench"),
    INTERPRETER("interpreter", "InterpreterBench");

    final String label;
    final String jmhClass;

    Impl(String label, String jmhClass) {
      this.label = label;
      this.jmhClass = jmhClass;
    }
  }

  /** One measurement: milliseconds per call, its error, and heap bytes allocated per call. */
  record Cell(double ms, double error, double bytes) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Report RESULTS_DIR OUTPUT.md");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String md = render(dir);
    Files.writeString(Path.of(args[1]), md, StandardCharsets.UTF_8);
  }

  static String render(Path dir) throws IOException {
    TreeSet<Integer> threads = new TreeSet<>();
    try (var files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("(jmh|pytorch)-\\d+\\.json"))
          .forEach(n -> threads.add(Integer.parseInt(n.replaceAll("\\D", ""))));
    }
    StringBuilder out = new StringBuilder();
    out.append("# Benchmarks\n\n");
    out.append(
        "Written by `bench/compare.sh` from one run; every number below comes from that run."
            + " Times are milliseconds per value-and-gradient call (JMH average time; PyTorch:"
            + " median of repeated calls after warm-up). A speed-up is the other time divided by"
            + " gradc's. Absolute times on a shared machine are noisy: compare ratios within one"
            + " table.\n\n");
    Path notes = dir.resolve("notes.md");
    StringBuilder notesText =
        new StringBuilder(
            Files.exists(notes) ? Files.readString(notes, StandardCharsets.UTF_8) : "");
    if (compilesToInterpreter()) {
      notesText.append(
          "- `Kernels.compile` returns the reference interpreter in this build, so the gradc"
              + " column measures the interpreter behind the kernel cache; it becomes the fused"
              + " kernels' time when codegen lands, with no change to the benchmarks.\n");
    }
    if (!notesText.toString().isBlank()) {
      out.append(notesText.toString().strip()).append("\n\n");
    }
    Size size = Size.FULL;
    for (int t : threads) {
      Map<Workload, Map<Impl, Cell>> cells = new EnumMap<>(Workload.class);
      size = read(dir, t, cells, size);
      out.append(tables(t, cells, size));
    }
    out.append(whereTimeGoes(dir, threads.isEmpty() ? 1 : threads.first(), size));
    appendFile(out, dir.resolve("env.md"));
    out.append(methodology());
    return out.toString();
  }

  private static final Map<Size, Map<Workload, Problem>> PROBLEMS = new EnumMap<>(Size.class);

  /** Problems are large at full size: each is made once. */
  private static Problem problem(Workload w, Size size) {
    return PROBLEMS
        .computeIfAbsent(size, k -> new EnumMap<>(Workload.class))
        .computeIfAbsent(w, k -> k.problem(size));
  }

  /** True when this build's {@code Kernels.compile} is still the interpreter. */
  private static boolean compilesToInterpreter() {
    Problem p = problem(Workload.MSE, Size.SMALL);
    return Kernels.compile(p.vjp()) instanceof InterpretedFunction;
  }

  /** Reads both result files for {@code t} threads into {@code cells}; returns the size run. */
  private static Size read(Path dir, int t, Map<Workload, Map<Impl, Cell>> cells, Size size)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    Path jmh = dir.resolve("jmh-" + t + ".json");
    if (Files.exists(jmh)) {
      for (JsonNode b : json.readTree(jmh.toFile())) {
        String name = b.get("benchmark").asText();
        int method = name.lastIndexOf('.');
        int cls = name.lastIndexOf('.', method - 1);
        Impl impl = implOf(name.substring(cls + 1, method));
        Workload w = workloadOf(name.substring(method + 1));
        if (impl == null || w == null) {
          continue;
        }
        size = Size.parse(b.path("params").path("size").asText("full"));
        JsonNode primary = b.get("primaryMetric");
        JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm");
        double bytes = alloc.isMissingNode() ? Double.NaN : alloc.get("score").asDouble();
        cells
            .computeIfAbsent(w, k -> new EnumMap<>(Impl.class))
            .put(
                impl,
                new Cell(primary.get("score").asDouble(), error(primary.get("scoreError")), bytes));
      }
    }
    Path torch = dir.resolve("pytorch-" + t + ".json");
    if (Files.exists(torch)) {
      for (JsonNode r : json.readTree(torch.toFile()).get("results")) {
        Workload w = workloadOf(r.get("workload").asText());
        if (w != null) {
          cells
              .computeIfAbsent(w, k -> new EnumMap<>(Impl.class))
              .put(Impl.PYTORCH, new Cell(r.get("median_ms").asDouble(), Double.NaN, Double.NaN));
        }
      }
    }
    return size;
  }

  /** ns per call of each {@link HelperBench} method, from the JMH results for {@code t} threads. */
  private static Map<String, Double> helpers(Path dir, int t) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    Path jmh = dir.resolve("jmh-" + t + ".json");
    if (Files.exists(jmh)) {
      for (JsonNode b : new ObjectMapper().readTree(jmh.toFile())) {
        String name = b.get("benchmark").asText();
        String prefix = HelperBench.class.getName() + ".";
        if (name.startsWith(prefix)) {
          out.put(name.substring(prefix.length()), b.get("primaryMetric").get("score").asDouble());
        }
      }
    }
    return out;
  }

  /** The helpers' cost, and the loop plan codegen makes for each workload. */
  private static String whereTimeGoes(Path dir, int t, Size size) throws IOException {
    StringBuilder out = new StringBuilder("## Where gradc's time goes\n\n");
    Map<String, Double> ns = helpers(dir, t);
    Double slow = ns.get("erfScalarMath");
    Double fast = ns.get("erfTable");
    if (slow != null && fast != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "`erf`, which kernels copy from `ScalarMath`, costs %.1f ns per call; the"
                  + " table-driven one of the hand-written baseline (`baseline/Erf.java`) %.1f ns"
                  + " (JMH `HelperBench`).",
              slow,
              fast));
      int n = problem(Workload.BLACK_SCHOLES, size).shapes()[0][0];
      out.append(
          String.format(
              Locale.ROOT,
              " `black_scholes` makes 2 calls per option, so at these rates erf alone takes %.0f ms"
                  + " per call of the workload with `ScalarMath`'s and %.0f ms with the table's"
                  + " (compare the times above; helpers and workloads run in different forks, and"
                  + " the machine's load moves between them).",
              2 * n * slow / 1e6,
              2 * n * fast / 1e6));
      out.append("\n\n");
    }
    out.append(
        "The loop plan of each workload's vjp, as `Kernels.compile` makes it (reads, writes and"
            + " the per-call heap bytes in the tables above show which values are materialized):"
            + "\n\n");
    for (Workload w : Workload.values()) {
      out.append("`").append(w.label()).append("`:\n\n```\n");
      out.append(Compiler.plan(problem(w, size).vjp()).text().strip()).append("\n```\n\n");
    }
    return out.toString();
  }

  private static double error(JsonNode e) {
    return e == null || !e.isNumber() ? Double.NaN : e.asDouble();
  }

  private static Impl implOf(String jmhClass) {
    for (Impl i : Impl.values()) {
      if (jmhClass.equals(i.jmhClass)) {
        return i;
      }
    }
    return null;
  }

  private static Workload workloadOf(String s) {
    String label = s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    for (Workload w : Workload.values()) {
      if (w.label().equals(label)) {
        return w;
      }
    }
    return null;
  }

  private static String tables(int threads, Map<Workload, Map<Impl, Cell>> cells, Size size) {
    StringBuilder out = new StringBuilder();
    out.append("## ").append(threads).append(threads == 1 ? " thread" : " threads");
    out.append(size == Size.FULL ? "" : " (quick: small sizes, not comparable)").append("\n\n");
    out.append("Milliseconds per call (± JMH's 99.9% error where measured):\n\n");
    List<String> head = new ArrayList<>(List.of("workload"));
    for (Impl i : Impl.values()) {
      head.add(i.label);
    }
    out.append(row(head)).append(separator(head.size()));
    for (Workload w : Workload.values()) {
      Map<Impl, Cell> c = cells.getOrDefault(w, Map.of());
      List<String> r = new ArrayList<>(List.of("`" + w.label() + "`"));
      for (Impl i : Impl.values()) {
        Cell cell = c.get(i);
        r.add(cell == null ? "—" : ms(cell));
      }
      out.append(row(r));
    }
    out.append("\nRatios, allocation and bandwidth:\n\n");
    Map<String, Impl> speedups = new LinkedHashMap<>();
    speedups.put("speed-up vs PyTorch", Impl.PYTORCH);
    speedups.put("vs TF Java", Impl.TENSORFLOW);
    speedups.put("vs DJL", Impl.DJL);
    speedups.put("vs interpreter", Impl.INTERPRETER);
    List<String> head2 = new ArrayList<>(List.of("workload"));
    head2.addAll(speedups.keySet());
    head2.addAll(
        List.of(
            "gradc / hand-written",
            "B/call gradc",
            "B/call hand-written",
            "B/call TF Java",
            "B/call DJL",
            "GB/s gradc",
            "GB/s hand-written"));
    out.append(row(head2)).append(separator(head2.size()));
    for (Workload w : Workload.values()) {
      Map<Impl, Cell> c = cells.getOrDefault(w, Map.of());
      Cell gradc = c.get(Impl.GRADC);
      List<String> r = new ArrayList<>(List.of("`" + w.label() + "`"));
      for (Impl other : speedups.values()) {
        r.add(ratio(c.get(other), gradc));
      }
      r.add(ratio(gradc, c.get(Impl.HAND_WRITTEN)));
      for (Impl i : List.of(Impl.GRADC, Impl.HAND_WRITTEN, Impl.TENSORFLOW, Impl.DJL)) {
        Cell cell = c.get(i);
        r.add(cell == null || Double.isNaN(cell.bytes()) ? "—" : bytes(cell.bytes()));
      }
      long moved = problem(w, size).bytes();
      for (Impl i : List.of(Impl.GRADC, Impl.HAND_WRITTEN)) {
        Cell cell = c.get(i);
        r.add(
            moved == 0 || cell == null
                ? "—"
                : String.format(Locale.ROOT, "%.1f", moved / (cell.ms() * 1e6)));
      }
      out.append(row(r));
    }
    out.append("\n").append(targets(cells, size)).append("\n");
    return out.toString();
  }

  /** Issue 7's targets that this run can check. */
  private static String targets(Map<Workload, Map<Impl, Cell>> cells, Size size) {
    StringBuilder out = new StringBuilder("Targets of issue 7 in this run:\n\n");
    out.append(
        target(cells, Workload.MSE, Impl.PYTORCH, 3, "`mse`: gradc ≥ 3× faster than PyTorch"));
    out.append(
        within(
            cells,
            Workload.MSE,
            Impl.HAND_WRITTEN,
            1.3,
            "`mse`: within 1.3× of hand-written Java"));
    out.append(
        target(
            cells,
            Workload.LOGISTIC,
            Impl.PYTORCH,
            2,
            "`logistic`: gradc ≥ 2× faster than PyTorch"));
    out.append(
        target(
            cells,
            Workload.BLACK_SCHOLES,
            Impl.PYTORCH,
            1.5,
            "`black_scholes`: gradc ≥ 1.5× faster than PyTorch"));
    out.append(within(cells, Workload.MLP, Impl.PYTORCH, 1.5, "`mlp`: within 1.5× of PyTorch"));
    out.append(allocation(cells.getOrDefault(Workload.MSE, Map.of())));
    out.append("- `tiny_step` and `compile`: not measured yet (no benchmark in this run)\n");
    if (size != Size.FULL) {
      out.append("- quick mode: sizes are small, so the verdicts above do not count\n");
    }
    return out.toString();
  }

  /**
   * The {@code mse} allocation target. JMH's own bookkeeping adds a few hundred bytes per call to
   * calls this long (the hand-written column, which allocates nothing, shows that floor), so
   * anything under 1 KiB means no arrays: one gradient alone is 32 MB.
   */
  private static String allocation(Map<Impl, Cell> mse) {
    Cell g = mse.get(Impl.GRADC);
    String what = "- `mse` allocates no arrays per call with caller-provided buffers: ";
    if (g == null || Double.isNaN(g.bytes())) {
      return what + "not measured\n";
    }
    Cell h = mse.get(Impl.HAND_WRITTEN);
    String floor =
        h == null || Double.isNaN(h.bytes())
            ? ""
            : "; hand-written, the floor: " + bytes(h.bytes());
    return what
        + (g.bytes() < 1024 ? "met" : "missed")
        + " ("
        + bytes(g.bytes())
        + " per call"
        + floor
        + ")\n";
  }

  private static String target(
      Map<Workload, Map<Impl, Cell>> cells, Workload w, Impl other, double factor, String what) {
    Map<Impl, Cell> c = cells.getOrDefault(w, Map.of());
    Cell g = c.get(Impl.GRADC);
    Cell o = c.get(other);
    if (g == null || o == null) {
      return "- " + what + ": not measured\n";
    }
    double speedup = o.ms() / g.ms();
    return String.format(
        Locale.ROOT, "- %s: %s (%.2f×)%n", what, speedup >= factor ? "met" : "missed", speedup);
  }

  private static String within(
      Map<Workload, Map<Impl, Cell>> cells, Workload w, Impl other, double factor, String what) {
    Map<Impl, Cell> c = cells.getOrDefault(w, Map.of());
    Cell g = c.get(Impl.GRADC);
    Cell o = c.get(other);
    if (g == null || o == null) {
      return "- " + what + ": not measured\n";
    }
    double slowdown = g.ms() / o.ms();
    return String.format(
        Locale.ROOT,
        "- %s: %s (gradc takes %.2f× its time)%n",
        what,
        slowdown <= factor ? "met" : "missed",
        slowdown);
  }

  private static String ms(Cell c) {
    String v = number(c.ms());
    return Double.isNaN(c.error()) ? v : v + " ± " + number(c.error());
  }

  /** Three significant digits, no exponent. */
  private static String number(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (v >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static String ratio(Cell num, Cell den) {
    if (num == null || den == null) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.2f×", num.ms() / den.ms());
  }

  private static String bytes(double b) {
    if (b < 1024) {
      return String.format(Locale.ROOT, "%.0f B", b);
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", b / 1024);
    }
    return String.format(Locale.ROOT, "%.1f MiB", b / (1024 * 1024));
  }

  private static String row(List<String> cells) {
    return "| " + String.join(" | ", cells) + " |\n";
  }

  private static String separator(int n) {
    return "|" + "---|".repeat(n) + "\n";
  }

  private static void appendFile(StringBuilder out, Path p) throws IOException {
    if (Files.exists(p)) {
      out.append(Files.readString(p, StandardCharsets.UTF_8).strip()).append("\n\n");
    }
  }

  private static String methodology() {
    return """
        ## How each column is measured

        - **gradc**: `Kernels.compile` of the vjp (`Autodiff.vjp` then `Pipeline`) of a function \
        built with `dev.gradc.ir.Builder`, called with caller-provided result buffers; threads \
        from `-Dgradc.threads`.
        - **interpreter**: `Kernels.interpret` of the same vjp, the reference interpreter.
        - **hand-written**: plain Java in `bench/src/main/java/dev/gradc/bench/baseline`, value \
        and every gradient in as few passes as the math allows, several accumulators per sum, \
        split into one chunk per thread; a unit test checks it against the interpreter.
        - **PyTorch**: `bench/pytorch_bench.py`, eager mode, `torch.autograd.grad` of the loss \
        with respect to the params, `torch.set_num_threads(T)`.
        - **TF Java**: TensorFlow Java graph mode, `tf.gradients`, one session with T intra-op \
        threads; arguments fed as tensors made once; results stay native tensors (closed after \
        each call, not copied to Java arrays).
        - **DJL**: DJL with the PyTorch engine, eager mode with a `GradientCollector`; \
        gradients are read and zeroed after each step; `ai.djl.pytorch.num_threads=T`.
        - **B/call**: JMH `-prof gc` (`gc.alloc.rate.norm`): Java heap bytes allocated per call. \
        Native memory of TF Java and DJL is not counted.
        - **GB/s**: the fewest bytes a call must move (read each argument once, write each \
        gradient once) over its time, for the memory-bound workloads (`mse`, `logistic`).
        - Same sizes and dtypes everywhere: `mse` N = 4,000,000 (f64); `logistic` x \
        [200000, 32] (f64); `black_scholes` N = 1,000,000 (f64); `mlp` x [256, 784], hidden \
        256, 10 classes (f32). The JVM columns use the same numbers (same seeded problem); \
        PyTorch draws its own from the same distributions.
        """;
  }
}
