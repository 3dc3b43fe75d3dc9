package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command's report; no assertion on timings (they are not tested). */
class BenchCommandTest {
  @Test
  void reportsCompiledAndInterpreted() {
    Cli.Result r =
        Cli.run(
            "bench",
            Cli.example("linear_regression.grad"),
            "--dim",
            "N=100",
            "--threads",
            "1",
            "--random-inputs",
            "--warmup",
            "0",
            "--time",
            "0.01");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    // Inputs: x 100*3, y 100, w 3, b 1 doubles; outputs: value, grad w 3, grad b 1.
    long bytes = 8L * (300 + 100 + 3 + 1) + 8L * (1 + 3 + 1);
    assertEquals(
        "bench "
            + Cli.example("linear_regression.grad")
            + " (N = 100; 1 thread; "
            + bytes
            + " bytes of inputs and outputs per call)",
        lines.get(0));
    assertEquals(
        List.of("median/call", "spread", "GB/s", "calls"),
        List.of(lines.get(1).trim().split(" +")));
    assertTrue(
        lines.get(2).matches("compiled +[0-9.]+ (us|ms|s) +±[0-9.]+% +[0-9.]+ +[0-9]+"),
        lines.get(2));
    assertTrue(
        lines.get(3).matches("interpreted +[0-9.]+ (us|ms|s) +±[0-9.]+% +[0-9.]+ +[0-9]+"),
        lines.get(3));
    assertTrue(
        lines.get(4).matches("compiled is [0-9.]+x faster than the interpreter"), lines.get(4));
    // Short runs on a shared machine may be unsteady: then a warning per variant says why.
    List<String> err = r.err().lines().toList();
    assertEquals(
        "gradc: note: x, y, w, b: standard normal, seed 0; N = 100", err.get(err.size() - 1));
    for (String w : err.subList(0, err.size() - 1)) {
      assertTrue(
          w.matches(
              "gradc: warning: the (compiled|interpreted) timings are not steady \\(.+\\);"
                  + " lengthen --warmup and --time, or quiet the machine"),
          w);
    }
  }

  /**
   * The two-layer MLP's logits: the results and their vjp with standard normal cotangents are
   * timed; the bytes count the cotangents among the inputs and the logits and gradients among the
   * outputs.
   */
  @Test
  void forwardProgram_timesResultsAndVjp(@TempDir Path tmp) throws IOException {
    Path p = tmp.resolve("mlp.grad");
    Files.writeString(
        p,
        Fixtures.read(ForwardProgramTest.FORWARD.resolve("mlp_f64.json")).get("program").asText());
    Cli.Result r =
        Cli.run(
            "bench",
            p.toString(),
            "--dim",
            "N=8",
            "--random-inputs",
            "--warmup",
            "0",
            "--time",
            "0.01");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("bench " + p + " ("), lines.get(0));
    assertTrue(
        lines.get(2).matches("compiled +[0-9.]+ (us|ms|s) +±[0-9.]+% +[0-9.]+ +[0-9]+"),
        lines.get(2));
  }

  @Test
  void skipInterpreter() {
    Cli.Result r =
        Cli.run(
            "bench",
            Cli.example("huber_regression.grad"),
            "--dim",
            "N=10",
            "--random-inputs",
            "--warmup",
            "0",
            "--time",
            "0.01",
            "--skip-interpreter");
    assertEquals(0, r.code(), r.toString());
    assertEquals(3, r.out().lines().count(), r.out());
    assertTrue(r.out().lines().noneMatch(l -> l.startsWith("interpreted")), r.out());
  }

  @Test
  void duration_units() {
    assertEquals("1.23 us", BenchCommand.duration(1234));
    assertEquals("123.5 us", BenchCommand.duration(123_456));
    assertEquals("12.3 ms", BenchCommand.duration(12_345_678));
    assertEquals("12.35 s", BenchCommand.duration(12_345_678_901L));
  }

  /** Steadiness is judged from the samples in call order (synthetic here, not timed). */
  @Test
  void unsteady_spreadDriftAndFewCalls() {
    long[] steady = new long[40];
    java.util.Arrays.fill(steady, 1000);
    for (int i = 0; i < steady.length; i += 3) {
      steady[i] = 1040; // 4% noise
    }
    BenchCommand.Timing ok = new BenchCommand.Timing("compiled", steady);
    assertEquals(null, ok.unsteady());
    assertEquals(1000, ok.medianNanos());
    assertEquals(0.02, ok.spread(), 1e-12);

    long[] warming = new long[40];
    for (int i = 0; i < warming.length; i++) {
      warming[i] = i < 20 ? 1500 : 1000; // the first half slower: a warm-up too short
    }
    assertEquals(
        "a spread of 20%, the first half of the calls 1.50x the time of the second",
        new BenchCommand.Timing("compiled", warming).unsteady());

    assertEquals(
        "only 3 calls",
        new BenchCommand.Timing("compiled", new long[] {1000, 1001, 1000}).unsteady());

    long[] noisy = new long[40];
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = i % 2 == 0 ? 1000 : 2000;
    }
    assertEquals("a spread of 33%", new BenchCommand.Timing("compiled", noisy).unsteady());
  }
}
