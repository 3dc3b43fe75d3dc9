package dev.gradc.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report files {@code tiny_step} and {@code compile} results where they belong, in a common
 * unit whatever unit JMH measured them in, and states their targets.
 */
class ReportTest {
  @Test
  void render_tinyStepAndCompile_rowsAndTargets(@TempDir Path dir) throws IOException {
    writeResults(
        dir,
        "jmh-1.json",
        jmh("GradcBench.tinyStep", "us/op", 5, 1500),
        jmh("peers.TensorFlowBench.tinyStep", "us/op", 50, 4000),
        jmh("CompileBench.warm", "ms/op", 4.5, 600_000));
    writeResults(dir, "jmh-cold-1.json", jmh("CompileBench.cold", "s/op", 0.4, 0));
    Files.writeString(
        dir.resolve("pytorch-1.json"),
        "{\"meta\": {}, \"results\": [{\"workload\": \"tiny_step\", \"median_ms\": 0.12}]}");
    String md = Report.render(dir);
    assertContains(md, "| µs per step | 5.00 ± 0.500 | 120 | 50.0 ± 5.00 | — |");
    assertContains(md, "| gradc's speed-up |  | 24.00× | 10.00× | — |");
    assertContains(md, "| B/step | 1.5 KiB | — | 3.9 KiB | — |");
    assertContains(md, "| 400 ± 40.0 | 4.50 ± 0.450 | 585.9 KiB |");
    assertContains(
        md,
        "- `tiny_step`: gradc ≥ 20× faster per step than PyTorch eager and every JVM peer: missed"
            + " (24.0× PyTorch, 10.0× TF Java, DJL not measured)");
    assertContains(md, "- `tiny_step` allocates under 2 KiB per step: met (1.5 KiB per step)");
    assertContains(
        md, "- `compile`: under 50 ms warm for `black_scholes`: met (4.50 ms warm; 400 ms cold)");
  }

  @Test
  void render_firstSteps_mediansAndIssue16Targets(@TempDir Path dir) throws IOException {
    String torch = "[{\"workload\": \"tiny_step\", \"median_ms\": 0.05}]";
    writeResults(dir, "jmh-1.json", jmh("GradcBench.tinyStep", "us/op", 2, 0));
    Files.writeString(dir.resolve("pytorch-1.json"), "{\"meta\": {}, \"results\": " + torch + "}");
    Files.writeString(
        dir.resolve("first-steps-gradc-1.txt"), "100000 0.9\n100000 0.5\n100000 0.6\n");
    Files.writeString(dir.resolve("first-steps-pytorch-1.txt"), "100000 5.0\n100000 5.4\n");
    String md = Report.render(dir);
    assertContains(md, "| gradc | 3 | 0.600 | 0.500 | 0.900 | 6.00 |");
    assertContains(md, "| PyTorch | 2 | 5.20 | 5.00 | 5.40 | 52.0 |");
    assertContains(md, "gradc's speed-up on the medians: 8.7×");
    assertContains(
        md,
        "- issue 16, `tiny_step`: steady state ≥ 30× faster than PyTorch eager: missed (25.0×)");
    assertContains(
        md,
        "- issue 16, `tiny_step`: first 100,000 steps of a fresh JVM ≥ 10× faster than PyTorch's:"
            + " missed (8.7×)");
  }

  @Test
  void render_workloadTargets_metMissedOrNotMeasured(@TempDir Path dir) throws IOException {
    writeResults(
        dir,
        "jmh-1.json",
        jmh("GradcBench.mse", "ms/op", 10, 0),
        jmh("HandWrittenBench.mse", "ms/op", 8, 0),
        jmh("GradcBench.mlp", "ms/op", 4, 0));
    Files.writeString(
        dir.resolve("pytorch-1.json"),
        "{\"meta\": {}, \"results\": [{\"workload\": \"mse\", \"median_ms\": 40},"
            + " {\"workload\": \"mlp\", \"median_ms\": 2}]}");
    String md = Report.render(dir);
    assertContains(md, "- `mse`: gradc ≥ 3× faster than PyTorch: met (4.00×)\n");
    assertContains(
        md, "- `mse`: within 1.3× of hand-written Java: met (gradc takes 1.25× its time)\n");
    assertContains(md, "- `logistic`: gradc ≥ 2× faster than PyTorch: not measured\n");
    // 7 arrays of 4,000,000 f64 (224 MB) in 10 ms and in 8 ms
    assertContains(md, "224 MB per call, in one fused loop: 22.4 GB/s, against 28.0 GB/s for");
    assertContains(md, "- `mlp`: within 1.5× of PyTorch: missed (gradc takes 2.00× its time)\n");
  }

  @Test
  void render_peakAndProducts_inGflops_withTheTarget(@TempDir Path dir) throws IOException {
    // 2 * 256 * 784 * 256 FLOPs in 1000 us is 102.8 GFLOP/s; the f32 peak 150.
    writeResults(
        dir,
        "jmh-kernels-1.json",
        throughput("PeakBench.vectorF32", 150),
        throughput("PeakBench.scalarF64", 8),
        gemm("gemmVector", "f32:256x784x256", 1000),
        gemm("matmul", "f32:256x784x256", 10276));
    String md = Report.render(dir);
    assertContains(md, "| vector FMA | 150.0 | — |");
    assertContains(md, "| scalar `Math.fma` | — | 8.0 |");
    assertContains(md, "| `f32:256x784x256` | 10.0 | — | 102.8 | 69% |");
    assertContains(
        md,
        "- the vector GEMM at `f32:256x784x256` reaches ≥ 50% of the single-thread f32 FMA peak:"
            + " met (69%)");
  }

  @Test
  void render_vectorModuleColumn_andOpenBlasKernel(@TempDir Path dir) throws IOException {
    writeResults(dir, "jmh-1.json", jmh("GradcBench.logistic", "ms/op", 8, 100));
    writeResults(dir, "jmh-vector-1.json", jmh("GradcBench.logistic", "ms/op", 4, 100));
    Files.writeString(
        dir.resolve("pytorch-1.json"),
        "{\"meta\": {\"openblas\": {\"core\": \"Cooperlake\"}}, \"results\": [{\"workload\":"
            + " \"logistic\", \"median_ms\": 6}]}");
    String md = Report.render(dir);
    assertContains(md, "| `logistic` | 8.00 ± 0.800 | 4.00 ± 0.400 | 6.00 |");
  }

  @Test
  void render_logisticBreakdown_linearLossAndPerRowFunctions(@TempDir Path dir) throws IOException {
    writeResults(
        dir,
        "jmh-1.json",
        jmh("GradcBench.logistic", "ms/op", 20, 100),
        jmh("FloorBench.logisticLinear", "ms/op", 10, 100),
        jmh("HelperBench.expMathF64", "ns/op", 9, 0),
        jmh("HelperBench.log1pMathF64", "ns/op", 6.5, 0));
    writeResults(dir, "jmh-kernels-1.json", jmh("FloorBench.readLogisticXVector", "ms/op", 4, 0));
    String md = Report.render(dir);
    assertContains(md, "gradc takes 10.0 ms, 2.5× the floor: the rows loops run in the scalar");
    assertContains(
        md,
        "The per-row loss functions take the other 10.0 ms, 50 ns per row: an `exp` and a"
            + " `log1p` (9.0 and 6.5 ns per call alone");
  }

  @Test
  void render_mlpBreakdown_largeProductsAtTheirMeasuredSpeed(@TempDir Path dir) throws IOException {
    writeResults(dir, "jmh-1.json", jmh("GradcBench.mlp", "ms/op", 8, 100));
    writeResults(dir, "jmh-vector-1.json", jmh("GradcBench.mlp", "ms/op", 4, 100));
    writeResults(
        dir,
        "jmh-kernels-1.json",
        gemm("gemmVector", "f32:256x784x256", 1000),
        gemm("gemmVector", "f32:784x256x256:At", 1200),
        gemm("gemmScalar", "f32:256x784x256", 3000),
        gemm("gemmScalar", "f32:784x256x256:At", 3500),
        gemm("gemmVector", "f32:256x256x10", 500));
    String md = Report.render(dir);
    assertContains(
        md,
        "take 2.20 ms with `GemmVector` on one thread (JMH `GemmBench`; 6.50 ms with the scalar"
            + " `Gemm`) of gradc's 4.00 ms with the vector module (8.00 ms without). The other 1.80"
            + " ms go to");
  }

  /** A JMH throughput result in ops/ns. */
  private static String throughput(String benchmark, double score) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"benchmark\": \"dev.gradc.bench.%s\", \"primaryMetric\": {\"score\": %s,"
            + " \"scoreError\": 1, \"scoreUnit\": \"ops/ns\"}}",
        benchmark,
        score);
  }

  /** A {@code GemmBench} result in microseconds per call. */
  private static String gemm(String method, String shape, double us) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"benchmark\": \"dev.gradc.bench.GemmBench.%s\", \"params\": {\"shape\": \"%s\"},"
            + " \"primaryMetric\": {\"score\": %s, \"scoreError\": 1, \"scoreUnit\": \"us/op\"}}",
        method,
        shape,
        us);
  }

  /** One JMH result as JMH writes it, with a 10% error and the allocation per operation. */
  @Test
  void render_embeddingBag_aRowPerThreadCount(@TempDir Path dir) throws IOException {
    writeResults(dir, "jmh-1.json", jmh("GradcBench.embeddingBag", "ms/op", 20, 0));
    writeResults(dir, "jmh-vector-1.json", jmh("GradcBench.embeddingBag", "us/op", 19_000, 0));
    Files.writeString(
        dir.resolve("pytorch-1.json"),
        "{\"meta\": {}, \"results\": [{\"workload\": \"embedding_bag\", \"median_ms\": 50}]}");
    Files.writeString(
        dir.resolve("pytorch-2.json"),
        "{\"meta\": {}, \"results\": [{\"workload\": \"embedding_bag\", \"median_ms\": 30}]}");
    String md = Report.render(dir);
    assertContains(md, "## Embedding bag: gather and scatter-add");
    assertContains(md, "| 1 | 20.0 | 19.0 | 50.0 | 2.50× |");
    assertContains(md, "| 2 | — | — | 30.0 | — |");
  }

  private static String jmh(String benchmark, String unit, double score, double bytes) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"benchmark\": \"dev.gradc.bench.%s\", \"forks\": 1, \"measurementIterations\": 1,"
            + " \"primaryMetric\": {\"score\": %s, \"scoreError\": %s, \"scoreUnit\": \"%s\"},"
            + " \"secondaryMetrics\": {\"gc.alloc.rate.norm\": {\"score\": %s}}}",
        benchmark,
        score,
        score / 10,
        unit,
        bytes);
  }

  /** Writes {@code file} in {@code dir}: a JSON array of JMH results as {@link #jmh} gives them. */
  private static void writeResults(Path dir, String file, String... results) throws IOException {
    Files.writeString(dir.resolve(file), "[" + String.join(",", results) + "]");
  }

  private static void assertContains(String text, String part) {
    assertTrue(text.contains(part), () -> "no line\n" + part + "\nin\n" + text);
  }
}
