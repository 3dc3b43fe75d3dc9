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
import java.util.function.DoublePredicate;

/**
 * Writes {@code BENCHMARKS.md} from one comparison run: the JMH results ({@code jmh-T.json}, with
 * {@code -prof gc}, and {@code jmh-cold-T.json}, the forked first compiles) and the PyTorch results
 * ({@code pytorch-T.json}) for each thread count T found in a directory, plus its {@code env.md}
 * (machine and versions) and {@code notes.md} (what was skipped). Ratios are taken within one run
 * only.
 *
 * <p>Usage: {@code Report RESULTS_DIR OUTPUT.md}.
 */
public final class Report {
  private Report() {}

  /** The columns, in table order; the JMH benchmark class each comes from, or null. */
  enum Impl {
    GRADC("gradc", "GradcBench"),
    /** gradc in a JVM with {@code jdk.incubator.vector} ({@code jmh-vector-T.json}). */
    GRADC_VECTOR("gradc, vector module", null),
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

  /** What the run at one thread count measured. */
  static final class Run {
    final Map<Workload, Map<Impl, Cell>> cells = new EnumMap<>(Workload.class);

    /** {@code tiny_step} by implementation. */
    final Map<Impl, Cell> tinyStep = new EnumMap<>(Impl.class);

    /**
     * Seconds for the first {@code tiny_step}s of fresh processes ({@link FirstSteps}, {@code
     * bench/pytorch_first_steps.py}), one entry per process, by implementation.
     */
    final Map<Impl, List<Double>> firstSteps = new EnumMap<>(Impl.class);

    /** How many steps each {@link #firstSteps} entry times. */
    int firstStepCount;

    /** {@link TinyStepPartsBench} by method name. */
    final Map<String, Cell> tinyStepParts = new LinkedHashMap<>();

    /** {@link CompileBench} by method name ({@code cold}, {@code warm}). */
    final Map<String, Cell> compile = new LinkedHashMap<>();

    /** How many fresh JVMs the cold compile is the mean of. */
    int coldShots;

    /** The OpenBLAS kernel family PyTorch ran with ({@code openblas_get_corename}), or null. */
    String blasCore;

    Size size = Size.FULL;
  }

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
          .filter(n -> n.matches("(jmh|jmh-cold|jmh-vector|jmh-kernels|pytorch)-\\d+\\.json"))
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
    Run first = null;
    for (int t : threads) {
      Run run = read(dir, t);
      first = first == null ? run : first;
      out.append(tables(t, run));
    }
    boolean quick = first != null && first.size != Size.FULL;
    out.append(kernels(dir, threads.isEmpty() ? 1 : threads.first(), quick));
    out.append(embeddingBag(dir, threads));
    out.append(
        whereTimeGoes(
            dir, threads.isEmpty() ? 1 : threads.first(), first == null ? new Run() : first));
    // The Spark benchmark's section, run by hand (bench/spark.md, copied in by compare.sh).
    appendFile(out, dir.resolve("spark.md"));
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

  /** Reads the result files for {@code t} threads. */
  private static Run read(Path dir, int t) throws IOException {
    Run run = new Run();
    ObjectMapper json = new ObjectMapper();
    for (String prefix : List.of("jmh-", "jmh-cold-", "jmh-vector-")) {
      Path jmh = dir.resolve(prefix + t + ".json");
      if (Files.exists(jmh)) {
        for (JsonNode b : json.readTree(jmh.toFile())) {
          readJmh(b, run, prefix.equals("jmh-vector-"));
        }
      }
    }
    for (Impl impl : List.of(Impl.GRADC, Impl.PYTORCH)) {
      readFirstSteps(dir.resolve(firstStepsFile(impl, t)), impl, run);
    }
    Path torch = dir.resolve("pytorch-" + t + ".json");
    if (Files.exists(torch)) {
      JsonNode results = json.readTree(torch.toFile());
      JsonNode core = results.path("meta").path("openblas").path("core");
      run.blasCore = core.isTextual() ? core.asText() : null;
      for (JsonNode r : results.get("results")) {
        String label = r.get("workload").asText();
        Cell cell = new Cell(r.get("median_ms").asDouble(), Double.NaN, Double.NaN);
        Workload w = workloadOf(label);
        if (w != null) {
          run.cells.computeIfAbsent(w, k -> new EnumMap<>(Impl.class)).put(Impl.PYTORCH, cell);
        } else if (label.equals(TINY_STEP)) {
          run.tinyStep.put(Impl.PYTORCH, cell);
        }
      }
    }
    return run;
  }

  private static final String TINY_STEP = "tiny_step";

  /**
   * The file {@code bench/compare.sh} writes the first-steps runs of {@code impl} at {@code t}
   * threads to: one line per fresh process, {@code STEPS SECONDS}.
   */
  static String firstStepsFile(Impl impl, int t) {
    return "first-steps-" + (impl == Impl.GRADC ? "gradc" : "pytorch") + "-" + t + ".txt";
  }

  private static void readFirstSteps(Path file, Impl impl, Run run) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<Double> seconds = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.strip().split("\\s+", -1);
      if (f.length == 2) {
        run.firstStepCount = Integer.parseInt(f[0]);
        seconds.add(Double.parseDouble(f[1]));
      }
    }
    if (!seconds.isEmpty()) {
      run.firstSteps.put(impl, seconds);
    }
  }

  /** The median of {@code v}, which is not empty. */
  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** The single-thread benchmarks of the library routines, reported apart ({@link #kernels}). */
  private static final List<String> KERNEL_BENCHES =
      List.of(PeakBench.class.getSimpleName(), GemmBench.class.getSimpleName());

  /**
   * Files one JMH result where it belongs; {@code vector}: from the run with the vector module,
   * where gradc's results are {@link Impl#GRADC_VECTOR}'s.
   */
  private static void readJmh(JsonNode b, Run run, boolean vector) {
    String name = b.get("benchmark").asText();
    int method = name.lastIndexOf('.');
    int cls = name.lastIndexOf('.', method - 1);
    String className = name.substring(cls + 1, method);
    String methodName = name.substring(method + 1);
    if (KERNEL_BENCHES.contains(className)) {
      return;
    }
    Cell cell = cell(b);
    if (className.equals(CompileBench.class.getSimpleName())) {
      run.compile.put(methodName, cell);
      if (methodName.equals("cold")) {
        run.coldShots = b.path("forks").asInt() * b.path("measurementIterations").asInt();
      }
      return;
    }
    if (className.equals(TinyStepPartsBench.class.getSimpleName())) {
      run.tinyStepParts.put(methodName, cell);
      return;
    }
    Impl impl = implOf(className);
    if (impl == null) {
      return;
    }
    if (vector && impl == Impl.GRADC) {
      impl = Impl.GRADC_VECTOR;
    }
    if (workloadLabel(methodName).equals(TINY_STEP)) {
      run.tinyStep.put(impl, cell);
      return;
    }
    Workload w = workloadOf(methodName);
    if (w != null) {
      run.size = Size.parse(b.path("params").path("size").asText("full"));
      run.cells.computeIfAbsent(w, k -> new EnumMap<>(Impl.class)).put(impl, cell);
    }
  }

  /** A JMH result in milliseconds per call, whatever unit it was measured in. */
  private static Cell cell(JsonNode b) {
    JsonNode primary = b.get("primaryMetric");
    double toMs = msPer(primary.path("scoreUnit").asText("ms/op"));
    JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm");
    double bytes = alloc.isMissingNode() ? Double.NaN : alloc.get("score").asDouble();
    return new Cell(
        primary.get("score").asDouble() * toMs, error(primary.get("scoreError")) * toMs, bytes);
  }

  /** Milliseconds in one unit of a JMH time-per-operation score ({@code us/op}, ...). */
  private static double msPer(String unit) {
    return switch (unit) {
      case "s/op" -> 1e3;
      case "ms/op" -> 1;
      case "us/op" -> 1e-3;
      case "ns/op" -> 1e-6;
      default -> throw new IllegalArgumentException("not a time per operation: " + unit);
    };
  }

  /**
   * The score of each method of a benchmark class ({@link HelperBench}: ns per call; {@link
   * FloorBench}: ms), from the JMH results for {@code t} threads.
   */
  private static Map<String, Double> scores(Path dir, int t, Class<?> bench) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    Path jmh = dir.resolve("jmh-" + t + ".json");
    if (Files.exists(jmh)) {
      for (JsonNode b : new ObjectMapper().readTree(jmh.toFile())) {
        String name = b.get("benchmark").asText();
        String prefix = bench.getName() + ".";
        JsonNode range = b.path("params").path("range");
        // HelperBench by argument range: the report quotes the spread of black_scholes.
        if (name.startsWith(prefix) && (range.isMissingNode() || range.asText().equals("spread"))) {
          out.put(name.substring(prefix.length()), b.get("primaryMetric").get("score").asDouble());
        }
      }
    }
    return out;
  }

  /**
   * Why {@code logistic} takes what it takes: the time of one pass that only reads {@code x} at
   * memory speed ({@link FloorBench#readLogisticXVector}, one thread, run with the vector module),
   * which bounds every implementation from below, and of a scalar read with four accumulators, next
   * to gradc's and PyTorch's.
   */
  private static String logisticFloor(Path dir, int t, Run run) throws IOException {
    Double scalar = scores(dir, t, FloorBench.class).get("readLogisticX");
    Double floor = null;
    for (Score s : kernelScores(dir, 1, FloorBench.class)) {
      if (s.method().equals("readLogisticXVector")) {
        floor = s.score();
      }
    }
    Map<Impl, Cell> c = run.cells.getOrDefault(Workload.LOGISTIC, Map.of());
    Cell gradc = c.get(Impl.GRADC);
    Cell torch = c.get(Impl.PYTORCH);
    if (floor == null || gradc == null) {
      return "";
    }
    int[] xShape = problem(Workload.LOGISTIC, run.size).shapes()[0];
    double mb = 8.0 * xShape[0] * xShape[1] / 1e6;
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "`logistic` must read `x` (%.0f MB) at least once. A loop that only sums it, in"
                + " vectors with independent accumulators, takes %s ms on one thread here (%.1f"
                + " GB/s, JMH `FloorBench`): no implementation can beat that one-pass floor."
                + "%s gradc reads `x` once, in one fused loop (plan below), and takes %.1f× the"
                + " floor: for each row of 32 it runs the dot product `x_i . w`, the row's loss"
                + " and gradient coefficient (an `exp`, a `log1p` and a division) and 32"
                + " updates of the gradient's partial sums.",
            mb,
            number(floor),
            mb / floor,
            scalar == null
                ? ""
                : String.format(
                    Locale.ROOT,
                    " The same sum as scalars with four accumulators takes %s ms (%.1f× the"
                        + " floor): C2 keeps each accumulator's adds in order and does not"
                        + " vectorize them, so that loop is bound by the adds, not by memory.",
                    number(scalar),
                    scalar / floor),
            gradc.ms() / floor));
    if (torch != null) {
      out.append(
          String.format(
              Locale.ROOT,
              " PyTorch reads `x` twice, in two OpenBLAS matrix-vector products (forward and"
                  + " backward%s), %.1f× the floor in all. Being 2× faster than PyTorch would"
                  + " take %s ms, %.1f× the floor of a single pass.",
              run.blasCore == null ? "" : ", OpenBLAS's " + run.blasCore + " kernels",
              torch.ms() / floor,
              number(torch.ms() / 2),
              torch.ms() / 2 / floor));
    }
    Double linear = scores(dir, t, FloorBench.class).get("logisticLinear");
    if (linear != null) {
      Map<String, Double> ns = scores(dir, t, HelperBench.class);
      Double exp = ns.get("expMathF64");
      Double log1p = ns.get("log1pMathF64");
      out.append(
          String.format(
              Locale.ROOT,
              " With a linear loss in place of softplus (`mean(-y * (x @ w))`: the same fused"
                  + " pass, dot products and gradient sums; JMH `FloorBench.logisticLinear`),"
                  + " gradc takes %s ms, %.1f× the floor: the rows loops run in the scalar"
                  + " kernel, loop by loop over blocks of 64 rows, its 16 partial sums of each"
                  + " dot product and 32 column sums kept in order as scalars (with the vector"
                  + " module, the dot products and column sums run in f64 vectors with the same"
                  + " partials, `codegen.VectorRows`). The per-row loss functions take the other"
                  + " %s ms, %.0f ns per row%s.",
              number(linear),
              linear / floor,
              number(gradc.ms() - linear),
              (gradc.ms() - linear) * 1e6 / xShape[0],
              exp == null || log1p == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      ": an `exp` and a `log1p` (%.1f and %.1f ns per call alone, JMH"
                          + " `HelperBench`; `MathF64`'s, the same bits on every machine) and a"
                          + " division, each function in a pass over a block of 64 rows (with"
                          + " the vector module, in vectors)",
                      exp,
                      log1p)));
    }
    return out.append("\n\n").toString();
  }

  /** {@code mse} moves its bytes as fast as the hand-written loop does: memory, not arithmetic. */
  private static String mseBandwidth(Run run) {
    Map<Impl, Cell> c = run.cells.getOrDefault(Workload.MSE, Map.of());
    Cell gradc = c.get(Impl.GRADC);
    Cell hand = c.get(Impl.HAND_WRITTEN);
    if (gradc == null || hand == null) {
      return "";
    }
    double mb = problem(Workload.MSE, run.size).bytes() / 1e6;
    return String.format(
        Locale.ROOT,
        "`mse` reads its four inputs and writes three gradients once, %.0f MB per call, in one"
            + " fused loop: %.1f GB/s, against %.1f GB/s for the hand-written loop over the same"
            + " arrays: its time is memory traffic, not arithmetic.\n\n",
        mb,
        mb / gradc.ms(),
        mb / hand.ms());
  }

  /** The first layer's products, forward and the weight gradient: most of {@code mlp}'s FLOPs. */
  private static final List<String> MLP_LARGE = List.of("f32:256x784x256", "f32:784x256x256:At");

  /**
   * Why {@code mlp} takes what it takes, on one thread: the time of its two large products at the
   * routines' measured speed ({@link GemmBench}, one thread) against the workload's.
   */
  private static String mlpProducts(Path dir, int t, Run run) throws IOException {
    Map<Impl, Cell> c = run.cells.getOrDefault(Workload.MLP, Map.of());
    Cell scalar = c.get(Impl.GRADC);
    Cell vector = c.get(Impl.GRADC_VECTOR);
    double[] ms = new double[2];
    int found = 0;
    for (Score g : kernelScores(dir, 1, GemmBench.class)) {
      if (MLP_LARGE.contains(g.shape())) {
        switch (g.method()) {
          case "gemmScalar" -> ms[0] += g.score() / 1e3;
          case "gemmVector" -> {
            ms[1] += g.score() / 1e3;
            found++;
          }
          default -> {}
        }
      }
    }
    if (t != 1 || found != MLP_LARGE.size() || vector == null) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "`mlp`'s two large products (`%s` forward, `%s` for the first layer's weight gradient)"
            + " take %s ms with `GemmVector` on one thread (JMH `GemmBench`; %s ms with the"
            + " scalar `Gemm`) of gradc's %s ms with the vector module%s. The other %s ms go to"
            + " the second layer's small products, the f32 loops over `[256, 256]` and `[256, 10]`"
            + " (bias, relu and its mask, log-softmax and the loss), and the result buffers.\n\n",
        MLP_LARGE.get(0),
        MLP_LARGE.get(1),
        number(ms[1]),
        number(ms[0]),
        number(vector.ms()),
        scalar == null ? "" : " (" + number(scalar.ms()) + " ms without)",
        number(Math.max(0, vector.ms() - ms[1])));
  }

  /** One score of a library benchmark: its method, its {@code shape} parameter or "", its score. */
  record Score(String method, String shape, double score) {}

  /** The scores of {@code bench}'s methods in the JMH results for {@code t} threads. */
  private static List<Score> kernelScores(Path dir, int t, Class<?> bench) throws IOException {
    List<Score> out = new ArrayList<>();
    Path jmh = dir.resolve("jmh-kernels-" + t + ".json");
    if (Files.exists(jmh)) {
      for (JsonNode b : new ObjectMapper().readTree(jmh.toFile())) {
        String name = b.get("benchmark").asText();
        if (name.startsWith(bench.getName() + ".")) {
          out.add(
              new Score(
                  name.substring(bench.getName().length() + 1),
                  b.path("params").path("shape").asText(""),
                  b.get("primaryMetric").get("score").asDouble()));
        }
      }
    }
    return out;
  }

  /**
   * The single-thread peak ({@link PeakBench}, GFLOP/s) and the matrix-product routines at the
   * {@code mlp} shapes ({@link GemmBench}, microseconds turned into GFLOP/s), with issue 16's
   * target: the vector GEMM at {@code mlp}'s first product at half the f32 vector peak or more.
   */
  static String kernels(Path dir, int t, boolean quick) throws IOException {
    List<Score> peak = kernelScores(dir, t, PeakBench.class);
    List<Score> gemm = kernelScores(dir, t, GemmBench.class);
    if (peak.isEmpty() && gemm.isEmpty()) {
      return "";
    }
    Map<String, Double> peaks = new LinkedHashMap<>();
    for (Score p : peak) {
      peaks.put(p.method(), p.score());
    }
    StringBuilder out = new StringBuilder("## Peak and matrix products, one thread\n\n");
    out.append(
        "The machine's peak: a loop of independent fused multiply-adds and nothing else (JMH"
            + " `PeakBench`), in GFLOP/s; vectors of the JVM's preferred species (with"
            + " `--add-modules jdk.incubator.vector`), and scalar `Math.fma`:\n\n");
    out.append(row(List.of("", "f32", "f64"))).append(separator(3));
    out.append(
        row(List.of("vector FMA", gflops(peaks.get("vectorF32")), gflops(peaks.get("vectorF64")))));
    out.append(
        row(
            List.of(
                "scalar `Math.fma`",
                gflops(peaks.get("scalarF32")),
                gflops(peaks.get("scalarF64")))));
    out.append(
        "\nThe matrix-product routines at the `mlp` workload's shapes (JMH `GemmBench`; `NxKxM`,"
            + " `At`: A read transposed), GFLOP/s: the unpacked routine kernels called before"
            + " issue 16 (`Matmul`), and the packed GEMM they call now, in its scalar form and its"
            + " Vector API form (with the vector module), which give the same bits:\n\n");
    List<String> head =
        List.of("shape", "`Matmul` (unpacked)", "`Gemm` scalar", "`GemmVector`", "vector / peak");
    out.append(row(head)).append(separator(head.size()));
    Map<String, Map<String, Double>> byShape = new LinkedHashMap<>();
    for (Score g : gemm) {
      int[] d = GemmBench.dims(g.shape());
      double rate = 2.0 * d[0] * d[1] * d[2] / (g.score() * 1e3);
      byShape.computeIfAbsent(g.shape(), k -> new LinkedHashMap<>()).put(g.method(), rate);
    }
    String target = null;
    for (Map.Entry<String, Map<String, Double>> e : byShape.entrySet()) {
      Map<String, Double> r = e.getValue();
      Double vec = r.get("gemmVector");
      Double top = peaks.get(e.getKey().startsWith("f64") ? "vectorF64" : "vectorF32");
      String share =
          vec == null || top == null ? "—" : String.format(Locale.ROOT, "%.0f%%", 100 * vec / top);
      out.append(
          row(
              List.of(
                  "`" + e.getKey() + "`",
                  gflops(r.get("matmul")),
                  gflops(r.get("gemmScalar")),
                  gflops(vec),
                  share)));
      if (target == null && e.getKey().startsWith("f32") && vec != null && top != null) {
        target =
            String.format(
                Locale.ROOT,
                "- the vector GEMM at `%s` reaches ≥ 50%% of the single-thread f32 FMA peak: %s"
                    + " (%.0f%%)%n",
                e.getKey(),
                vec >= top / 2 ? "met" : "missed",
                100 * vec / top);
      }
    }
    if (target != null) {
      out.append("\nTarget of issue 16 in this run:\n\n").append(target);
      if (quick) {
        out.append("- quick mode: iterations are too short to warm up, so this does not count\n");
      }
    }
    return out.append("\n").toString();
  }

  private static String gflops(Double v) {
    return v == null ? "—" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** The parts of a tiny step, the helpers' cost, and the loop plan of each workload. */
  private static String whereTimeGoes(Path dir, int t, Run run) throws IOException {
    Size size = run.size;
    StringBuilder out = new StringBuilder("## Where gradc's time goes\n\n");
    out.append(tinyStepParts(run, t));
    out.append(mseBandwidth(run));
    out.append(logisticFloor(dir, t, run));
    out.append(mlpProducts(dir, t, run));
    Map<String, Double> ns = scores(dir, t, HelperBench.class);
    Double slow = ns.get("erfMathF64");
    Double fast = ns.get("erfTable");
    if (slow != null && fast != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "`erf`, which kernels copy from `MathF64`, costs %.1f ns per call; the"
                  + " table-driven one of the hand-written baseline (`baseline/Erf.java`) %.1f ns"
                  + " (JMH `HelperBench`).",
              slow,
              fast));
      int n = problem(Workload.BLACK_SCHOLES, size).shapes()[0][0];
      out.append(
          String.format(
              Locale.ROOT,
              " `black_scholes` makes 2 calls per option, so at these rates erf alone takes %.0f ms"
                  + " per call of the workload with `MathF64`'s and %.0f ms with the table's"
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

  /** {@code blackScholes} to {@code black_scholes}. */
  private static String workloadLabel(String method) {
    return method.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static Workload workloadOf(String s) {
    String label = workloadLabel(s);
    for (Workload w : Workload.values()) {
      if (w.label().equals(label)) {
        return w;
      }
    }
    return null;
  }

  private static String tables(int threads, Run run) {
    Map<Workload, Map<Impl, Cell>> cells = run.cells;
    Size size = run.size;
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
            "GB/s hand-written",
            "GFLOP/s gradc"));
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
      long flops = problem(w, size).flops();
      r.add(
          flops == 0 || gradc == null
              ? "—"
              : String.format(Locale.ROOT, "%.1f", flops / (gradc.ms() * 1e6)));
      out.append(row(r));
    }
    out.append("\n").append(tinyStepTable(run.tinyStep));
    out.append(firstStepsTable(run));
    out.append(compileTable(run));
    out.append(targets(run)).append("\n");
    return out.toString();
  }

  /** The JVM peers and PyTorch next to gradc on the tiny step, in microseconds. */
  private static String tinyStepTable(Map<Impl, Cell> c) {
    List<Impl> impls = List.of(Impl.GRADC, Impl.PYTORCH, Impl.TENSORFLOW, Impl.DJL);
    StringBuilder out =
        new StringBuilder(
            "`tiny_step`: the tutorial's `z = (5*x1 + 3*x2) * (2*x1 + x2)` on f32 [1] leaves;"
                + " build the graph, backward, read both gradients, zero them:\n\n");
    List<String> head = new ArrayList<>(List.of(""));
    for (Impl i : impls) {
      head.add(i.label);
    }
    out.append(row(head)).append(separator(head.size()));
    List<String> time = new ArrayList<>(List.of("µs per step"));
    List<String> speedup = new ArrayList<>(List.of("gradc's speed-up"));
    List<String> alloc = new ArrayList<>(List.of("B/step"));
    Cell gradc = c.get(Impl.GRADC);
    for (Impl i : impls) {
      Cell cell = c.get(i);
      time.add(cell == null ? "—" : ms(scaled(cell, 1e3)));
      speedup.add(i == Impl.GRADC ? "" : ratio(cell, gradc));
      alloc.add(cell == null || Double.isNaN(cell.bytes()) ? "—" : bytes(cell.bytes()));
    }
    return out.append(row(time)).append(row(speedup)).append(row(alloc)).append("\n").toString();
  }

  /**
   * The first {@code tiny_step}s of fresh processes, warm-up included: per process, the median, the
   * fastest and the slowest, and gradc's speed-up on the medians.
   */
  private static String firstStepsTable(Run run) {
    if (run.firstSteps.isEmpty()) {
      return "";
    }
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "The first %,d steps of `tiny_step` in a fresh process, warm-up included (JVM start"
                    + " and Python's `import torch` excluded; `FirstSteps` and"
                    + " `bench/pytorch_first_steps.py`), seconds:%n%n",
                run.firstStepCount));
    List<String> head = List.of("", "processes", "median", "fastest", "slowest", "µs per step");
    out.append(row(head)).append(separator(head.size()));
    for (Impl i : List.of(Impl.GRADC, Impl.PYTORCH)) {
      List<Double> s = run.firstSteps.get(i);
      if (s == null) {
        out.append(row(List.of(i.label, "—", "—", "—", "—", "—")));
        continue;
      }
      double median = median(s);
      out.append(
          row(
              List.of(
                  i.label,
                  Integer.toString(s.size()),
                  number(median),
                  number(java.util.Collections.min(s)),
                  number(java.util.Collections.max(s)),
                  number(median / run.firstStepCount * 1e6))));
    }
    String speedup = firstStepsSpeedup(run);
    if (speedup != null) {
      out.append("\ngradc's speed-up on the medians: ").append(speedup).append("\n");
    }
    out.append(
        "\nWhere gradc's time goes: the first step loads gradc's classes and compiles the gradient"
            + " (capture, vjp, optimize, plan, emit, define the hidden class: about 0.1 s of CPU);"
            + " after it, most of the time is the JIT's warm-up, steps run in C1's profiling code at"
            + " several times the steady state until C2 has compiled the step's path, several hundred"
            + " milliseconds of C2's CPU. That path is kept short for the JIT: the backward is"
            + " three methods C2 compiles apart (checks and choice of gradients, kernel lookup, the"
            + " kernel call and the delivery of the gradients) rather than one large unit, and the"
            + " first step spins no method handles (no invokedynamic string concatenation, no"
            + " records' generic `equals`).\n");
    return out.append("\n").toString();
  }

  /** PyTorch's median over gradc's for the first steps, as text, or null. */
  private static String firstStepsSpeedup(Run run) {
    List<Double> g = run.firstSteps.get(Impl.GRADC);
    List<Double> p = run.firstSteps.get(Impl.PYTORCH);
    return g == null || p == null
        ? null
        : String.format(Locale.ROOT, "%.1f×", median(p) / median(g));
  }

  /** A cell in another unit: {@code factor} times its milliseconds. */
  private static Cell scaled(Cell c, double factor) {
    return new Cell(c.ms() * factor, c.error() * factor, c.bytes());
  }

  /** Cold and warm compile times. */
  private static String compileTable(Run run) {
    Cell cold = run.compile.get("cold");
    Cell warm = run.compile.get("warm");
    StringBuilder out =
        new StringBuilder(
            "`compile`: milliseconds from the source of `examples/black_scholes.grad` to the first"
                + " results of its loaded value-and-gradient kernel ("
                + CompileBench.OPTIONS
                + " options): parse, vjp, optimize, emit, define the hidden class, call:\n\n");
    List<String> head =
        List.of(
            "cold: first in a fresh JVM"
                + (run.coldShots > 0 ? " (mean of " + run.coldShots + ")" : ""),
            "warm: repeated in one JVM",
            "B/compile warm");
    out.append(row(head)).append(separator(head.size()));
    out.append(
        row(
            List.of(
                cold == null ? "—" : ms(cold),
                warm == null ? "—" : ms(warm),
                warm == null || Double.isNaN(warm.bytes()) ? "—" : bytes(warm.bytes()))));
    return out.append("\n").toString();
  }

  /** What a tiny step's parts cost, from {@link TinyStepPartsBench}. */
  private static String tinyStepParts(Run run, int threads) {
    Cell step = run.tinyStep.get(Impl.GRADC);
    Cell record = run.tinyStepParts.get("record");
    Cell call = run.tinyStepParts.get("buildAndCall");
    Cell kernel = run.tinyStepParts.get("kernel");
    if (step == null || record == null || call == null || kernel == null) {
      return "";
    }
    double rest = step.ms() - record.ms() - kernel.ms();
    double restBytes = step.bytes() - record.bytes() - kernel.bytes();
    return String.format(
        Locale.ROOT,
        "A `tiny_step` of gradc at %d thread%s (%s µs, %s per step) in parts (JMH"
            + " `TinyStepPartsBench`, measured apart from the step, so the parts need not add up"
            + " exactly): recording the five ops %s µs (%s); the compiled vjp itself %s µs (%s);"
            + " the rest of `backward()` (walking the graph, computing its key, finding the"
            + " compiled gradient of a graph seen before, wrapping the results) and accumulating"
            + " into `.grad`, `item()` and `zero_()` about %s µs (%s). For comparison, building"
            + " the same function with the IR builder and calling its vjp through the kernel"
            + " cache, the path of a graph not seen before, takes %s µs (%s).%n%n",
        threads,
        threads == 1 ? "" : "s",
        number(step.ms() * 1e3),
        bytes(step.bytes()),
        number(record.ms() * 1e3),
        bytes(record.bytes()),
        number(kernel.ms() * 1e3),
        bytes(kernel.bytes()),
        number(Math.max(rest, 0) * 1e3),
        bytes(Math.max(restBytes, 0)),
        number(call.ms() * 1e3),
        bytes(call.bytes()));
  }

  /** Issue 7's targets that this run can check. */
  private static String targets(Run run) {
    Map<Workload, Map<Impl, Cell>> cells = run.cells;
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
    out.append(tinyStepTargets(run.tinyStep));
    out.append(compileTarget(run.compile));
    out.append(tinyStepTargets16(run));
    if (run.size != Size.FULL) {
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

  /** Issue 7's two {@code tiny_step} targets: speed against every other column, allocation. */
  private static String tinyStepTargets(Map<Impl, Cell> c) {
    String what =
        "- `tiny_step`: gradc ≥ 20× faster per step than PyTorch eager and every JVM peer: ";
    Cell gradc = c.get(Impl.GRADC);
    List<String> ratios = new ArrayList<>();
    boolean met = true;
    for (Impl other : List.of(Impl.PYTORCH, Impl.TENSORFLOW, Impl.DJL)) {
      Cell o = c.get(other);
      if (gradc != null && o != null) {
        double speedup = o.ms() / gradc.ms();
        met &= speedup >= 20;
        ratios.add(String.format(Locale.ROOT, "%.1f× %s", speedup, other.label));
      } else {
        ratios.add(other.label + " not measured");
      }
    }
    String verdict =
        gradc == null
            ? "not measured"
            : (met ? "met" : "missed") + " (" + String.join(", ", ratios) + ")";
    String alloc = "- `tiny_step` allocates under 2 KiB per step: ";
    if (gradc == null || Double.isNaN(gradc.bytes())) {
      alloc += "not measured";
    } else {
      alloc +=
          (gradc.bytes() < 2048 ? "met" : "missed") + " (" + bytes(gradc.bytes()) + " per step)";
    }
    return what + verdict + "\n" + alloc + "\n";
  }

  /**
   * Issue 16's two {@code tiny_step} targets: steady state ≥ 30× faster than PyTorch eager, and the
   * first 100k steps of a fresh JVM ≥ 10× faster than PyTorch's.
   */
  private static String tinyStepTargets16(Run run) {
    Cell gradc = run.tinyStep.get(Impl.GRADC);
    Cell torch = run.tinyStep.get(Impl.PYTORCH);
    String steady = "- issue 16, `tiny_step`: steady state ≥ 30× faster than PyTorch eager: ";
    if (gradc == null || torch == null) {
      steady += "not measured";
    } else {
      double speedup = torch.ms() / gradc.ms();
      steady += String.format(Locale.ROOT, "%s (%.1f×)", speedup >= 30 ? "met" : "missed", speedup);
    }
    String first =
        String.format(
            Locale.ROOT,
            "- issue 16, `tiny_step`: first %,d steps of a fresh JVM ≥ 10× faster than PyTorch's:"
                + " ",
            FirstSteps.STEPS);
    String speedup = firstStepsSpeedup(run);
    if (speedup == null) {
      first += "not measured";
    } else {
      double r = median(run.firstSteps.get(Impl.PYTORCH)) / median(run.firstSteps.get(Impl.GRADC));
      first +=
          (run.firstStepCount != FirstSteps.STEPS
                  ? "not measured (" + run.firstStepCount + " steps)"
                  : r >= 10 ? "met" : "missed")
              + " ("
              + speedup
              + ")";
    }
    return steady + "\n" + first + "\n";
  }

  /** Issue 7's {@code compile} target: under 50 ms warm. */
  private static String compileTarget(Map<String, Cell> compile) {
    String what = "- `compile`: under 50 ms warm for `black_scholes`: ";
    Cell warm = compile.get("warm");
    if (warm == null) {
      return what + "not measured\n";
    }
    Cell cold = compile.get("cold");
    return String.format(
        Locale.ROOT,
        "%s%s (%s ms warm%s)%n",
        what,
        warm.ms() < 50 ? "met" : "missed",
        number(warm.ms()),
        cold == null ? "" : "; " + number(cold.ms()) + " ms cold");
  }

  private static String target(
      Map<Workload, Map<Impl, Cell>> cells, Workload w, Impl other, double factor, String what) {
    return goal(cells, w, other, what, false, r -> r >= factor, "(%.2f×)");
  }

  private static String within(
      Map<Workload, Map<Impl, Cell>> cells, Workload w, Impl other, double factor, String what) {
    return goal(cells, w, other, what, true, r -> r <= factor, "(gradc takes %.2f× its time)");
  }

  /**
   * The line of goal {@code what}: met or missed as {@code met} says of the ratio of the two times
   * (other's over gradc's, or gradc's over other's when {@code gradcOverOther}), then the ratio in
   * {@code detail}; or not measured.
   */
  private static String goal(
      Map<Workload, Map<Impl, Cell>> cells,
      Workload w,
      Impl other,
      String what,
      boolean gradcOverOther,
      DoublePredicate met,
      String detail) {
    Map<Impl, Cell> c = cells.getOrDefault(w, Map.of());
    Cell g = c.get(Impl.GRADC);
    Cell o = c.get(other);
    if (g == null || o == null) {
      return "- " + what + ": not measured\n";
    }
    double ratio = gradcOverOther ? g.ms() / o.ms() : o.ms() / g.ms();
    return String.format(
        Locale.ROOT, "- %s: %s " + detail + "%n", what, met.test(ratio) ? "met" : "missed", ratio);
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

  /**
   * The embedding-bag workload ({@link EmbeddingBag}): gradc's compiled vjp, with the vector module
   * too, and PyTorch eager, per thread count; empty when the run has none of it.
   */
  private static String embeddingBag(Path dir, java.util.Set<Integer> threads) throws IOException {
    StringBuilder rows = new StringBuilder();
    ObjectMapper json = new ObjectMapper();
    String bench = GradcBench.class.getName() + ".embeddingBag";
    for (int t : threads) {
      Cell[] cells = new Cell[3];
      String[] files = {"jmh-" + t + ".json", "jmh-vector-" + t + ".json"};
      for (int k = 0; k < files.length; k++) {
        Path p = dir.resolve(files[k]);
        if (Files.exists(p)) {
          for (JsonNode b : json.readTree(p.toFile())) {
            if (b.get("benchmark").asText().equals(bench)) {
              cells[k] = cell(b);
            }
          }
        }
      }
      Path torch = dir.resolve("pytorch-" + t + ".json");
      if (Files.exists(torch)) {
        for (JsonNode r : json.readTree(torch.toFile()).path("results")) {
          if (r.get("workload").asText().equals(EMBEDDING_BAG)) {
            cells[2] = new Cell(r.get("median_ms").asDouble(), Double.NaN, Double.NaN);
          }
        }
      }
      if (cells[0] == null && cells[1] == null && cells[2] == null) {
        continue;
      }
      rows.append("| ").append(t).append(" |");
      for (Cell c : cells) {
        rows.append(' ').append(c == null ? "—" : number(c.ms())).append(" |");
      }
      rows.append(' ')
          .append(
              cells[0] == null || cells[2] == null
                  ? "—"
                  : String.format(Locale.ROOT, "%.2f×", cells[2].ms() / cells[0].ms()))
          .append(" |\n");
    }
    if (rows.length() == 0) {
      return "";
    }
    return "## Embedding bag: gather and scatter-add\n\n"
        + "`embedding_bag`: `((table.index_select(0, ids).reshape(B, 16, 64).sum(1) @ w - y) ** 2)"
        + ".mean()` and its gradients (of the table: each row's gradient added at its id, into"
        + " zeros of the table), f32, a table of 100,000 × 64, 4,096 bags of 16 ids drawn with"
        + " repeats (JMH `GradcBench.embeddingBag`, `bench/pytorch_bench.py`). Milliseconds per"
        + " value-and-gradient call.\n\n"
        + "| threads | gradc | gradc (vector module) | PyTorch | gradc's speed-up |\n"
        + "|---|---|---|---|---|\n"
        + rows
        + "\n";
  }

  private static final String EMBEDDING_BAG = "embedding_bag";

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
        - **gradc, vector module**: the same, in JVMs started with `--add-modules \
        jdk.incubator.vector` (issue 16: every workload with the module on and off). The vector \
        forms of the library (`dev.gradc.codegen.lib.vector`: GEMM, sums, and the \
        `dev.gradc.ir.math` kernels) run in kernels once codegen adopts them; until then both \
        columns run the same code.
        - **interpreter**: `Kernels.interpret` of the same vjp, the reference interpreter.
        - **hand-written**: plain Java in `bench/src/main/java/dev/gradc/bench/baseline`, value \
        and every gradient in as few passes as the math allows, several accumulators per sum, \
        split into one chunk per thread; a unit test checks it against the interpreter.
        - **PyTorch**: `bench/pytorch_bench.py`, eager mode, `torch.autograd.grad` of the loss \
        with respect to the params, `torch.set_num_threads(T)`, `OPENBLAS_NUM_THREADS` and \
        `OMP_NUM_THREADS` set to T, the machine's `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` pins \
        removed, and OpenBLAS on the fastest kernel family for this CPU \
        (`bench/blas_kernel.py`, named under Machine and versions).
        - **TF Java**: TensorFlow Java graph mode, `tf.gradients`, one session with T intra-op \
        threads; arguments fed as tensors made once; results stay native tensors (closed after \
        each call, not copied to Java arrays).
        - **DJL**: DJL with the PyTorch engine, eager mode with a `GradientCollector`; \
        gradients are read and zeroed after each step; `ai.djl.pytorch.num_threads=T`.
        - **B/call**: JMH `-prof gc` (`gc.alloc.rate.norm`): Java heap bytes allocated per call. \
        Native memory of TF Java and DJL is not counted.
        - **GFLOP/s**: the floating-point operations of a call's matrix products (`2 n k m` \
        each, forward and backward) over its time, for the workloads that have them.
        - **GB/s**: the fewest bytes a call must move (read each argument once, write each \
        gradient once) over its time, for the memory-bound workloads (`mse`, `logistic`).
        - Same sizes and dtypes everywhere: `mse` N = 4,000,000 (f64); `logistic` x \
        [200000, 32] (f64); `black_scholes` N = 1,000,000 (f64); `mlp` x [256, 784], hidden \
        256, 10 classes (f32). The JVM columns use the same numbers (same seeded problem); \
        PyTorch draws its own from the same distributions.
        - **`tiny_step`**, as a user of each writes a training step on two f32 [1] leaves that \
        require grad (x1 = 1, x2 = 2; every implementation's test checks the gradients 42 and \
        23). gradc: `dev.gradc.Tensor` ops, `z.backward()`, `x1.grad().item()`, \
        `x1.grad().zero_()` (`bench/.../TinyStep.java`). PyTorch: the same in eager mode, 1,000 \
        steps per timed call. TF Java: the graph and `tf.gradients` built once (TF Java has no \
        eager gradient tape); each step feeds x1 and x2, runs the session and reads both \
        gradients into Java; graph gradients do not accumulate, so there is nothing to zero. \
        DJL: each step records z in a `GradientCollector`, runs backward, reads both gradients \
        and zeroes them in place as `GradientCollector.zeroGradients` does.
        - **`compile`**: `CompileBench`, from the text of `examples/black_scholes.grad` \
        (packaged with the benchmarks): `GradLanguage.parse`, `Autodiff.vjp`, \
        `CompiledKernel.compile` (optimize, lower, plan, emit, define the hidden class; the \
        kernel cache is not consulted) and the first call on a few options. Cold: JMH single \
        shot, one per fresh JVM, averaged over the forks; warm: JMH average time in one JVM \
        after warm-up, a new parse, vjp and hidden class every call.
        """;
  }
}
