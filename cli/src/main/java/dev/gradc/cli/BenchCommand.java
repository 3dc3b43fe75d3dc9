package dev.gradc.cli;

import dev.gradc.ir.Func;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gradc bench}: value-and-gradient timings, compiled and interpreted. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    header = "Time value-and-gradient, compiled and interpreted.",
    description = {
      "Times value-and-gradient of a program, compiled and on the reference interpreter, after warm-up: the median time per call, its spread, and the achieved bandwidth (bytes of inputs and outputs per call divided by the median time). For a program with a non-scalar result or several results, the results and their vjp with standard normal cotangents (as gradc compile's vjp; the results alone when one is not a float). Values are given as for run.",
    },
    footer = {
      "",
      "Each variant warms up for --warmup seconds, then is timed call by call for",
      "--time seconds (at least 3 calls). Compiled calls reuse their output arrays.",
      "spread: half the distance from the 10th to the 90th percentile, relative to the",
      "median. A warning says when timings are not steady: a spread above 10%%, the",
      "first half of the calls more than 10%% slower or faster than the second (too",
      "short a warm-up), or fewer than 10 calls.",
      "",
      "Example:",
      "  gradc bench examples/linear_regression.grad --dim N=1000000 --random-inputs --threads 2",
    })
final class BenchCommand extends GradcCommand {
  private static final int MIN_CALLS = 3;

  /** The longest warm-up or measurement: an hour (an infinite one would never end). */
  static final int MAX_SECONDS = 3600;

  @Mixin InputOptions inputs;

  @Mixin ThreadsOption threads;

  @Option(
      names = "--warmup",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "Warm-up time per variant (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(
      names = "--time",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description = "Measured time per variant (default: ${DEFAULT-VALUE}).")
  double time;

  @Option(names = "--skip-interpreter", description = "Time only the compiled code.")
  boolean skipInterpreter;

  /** The steadiness limits: the relative spread and drift above which a warning is printed. */
  static final double UNSTEADY = 0.10;

  static final int FEW_CALLS = 10;

  /** The timings of one variant, in call order. */
  static final class Timing {
    private final String name;
    private final long[] samples;

    Timing(String name, long[] samples) {
      this.name = name;
      this.samples = samples.clone();
    }

    String name() {
      return name;
    }

    int calls() {
      return samples.length;
    }

    long medianNanos() {
      return median(samples);
    }

    /** Half the distance from the 10th to the 90th percentile, relative to the median. */
    double spread() {
      long[] sorted = samples.clone();
      Arrays.sort(sorted);
      long p10 = sorted[(int) Math.floor(0.1 * (sorted.length - 1))];
      long p90 = sorted[(int) Math.ceil(0.9 * (sorted.length - 1))];
      return (p90 - p10) / (2.0 * Math.max(1, medianNanos()));
    }

    /**
     * Why these timings are not steady, or null when they are: a large spread, a drift between the
     * first and the second half of the calls, or too few calls.
     */
    String unsteady() {
      List<String> why = new ArrayList<>();
      if (spread() > UNSTEADY) {
        why.add(String.format(Locale.ROOT, "a spread of %.0f%%", 100 * spread()));
      }
      int half = samples.length / 2;
      if (half >= 2) {
        double first = median(Arrays.copyOfRange(samples, 0, half));
        double second = median(Arrays.copyOfRange(samples, samples.length - half, samples.length));
        double drift = first / Math.max(1, second);
        if (drift > 1 + UNSTEADY || drift < 1 / (1 + UNSTEADY)) {
          why.add(
              String.format(
                  Locale.ROOT, "the first half of the calls %.2fx the time of the second", drift));
        }
      }
      if (samples.length < FEW_CALLS) {
        why.add("only " + samples.length + " calls");
      }
      return why.isEmpty() ? null : String.join(", ", why);
    }
  }

  static long median(long[] samples) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  @Override
  int execute() {
    if (!(warmup >= 0 && warmup <= MAX_SECONDS)) {
      throw usage("--warmup must be from 0 to " + MAX_SECONDS + " seconds, got " + warmup);
    }
    if (!(time > 0 && time <= MAX_SECONDS)) {
      throw usage(
          "--time must be more than 0 and at most " + MAX_SECONDS + " seconds, got " + time);
    }
    ProgramFile pf = load();
    Arguments args = inputs.resolve(pf);
    Differentiated d = Differentiated.of(pf, args, inputs.seed());
    Func vjp = d.func();
    Object[] buffers = d.buffers();
    int[][] shapes = d.shapes();
    CompiledFunction compiled = Kernels.compile(vjp);
    Object[] outs = pf.running(args, () -> compiled.call(buffers, shapes, null));
    long bytes = 0;
    for (Object b : buffers) {
      bytes += (long) Buffers.length(b) * Data.elementBytes(Buffers.dtypeOf(b));
    }
    for (Object o : outs) {
      bytes += (long) Buffers.length(o) * Data.elementBytes(Buffers.dtypeOf(o));
    }
    final long ioBytes = bytes;
    int usedThreads = threads.effective();
    Timing c = threads.run(() -> time("compiled", () -> compiled.call(buffers, shapes, outs)));
    Timing i = null;
    if (!skipInterpreter) {
      CompiledFunction interp = Kernels.interpret(vjp);
      i = time("interpreted", () -> interp.call(buffers, shapes, null));
    }

    StringBuilder s = new StringBuilder();
    String dims = args.dimsText();
    s.append("bench ")
        .append(pf.name())
        .append(" (")
        .append(dims.isEmpty() ? "" : dims + "; ")
        .append(usedThreads)
        .append(usedThreads == 1 ? " thread; " : " threads; ")
        .append(ioBytes)
        .append(" bytes of inputs and outputs per call)\n");
    Table t = new Table(false, true, true, true, true);
    t.row("", "median/call", "spread", "GB/s", "calls");
    Timing[] timings = i == null ? new Timing[] {c} : new Timing[] {c, i};
    for (Timing timing : timings) {
      t.row(
          timing.name(),
          duration(timing.medianNanos()),
          String.format(Locale.ROOT, "±%.1f%%", 100 * timing.spread()),
          String.format(Locale.ROOT, "%.2f", ioBytes / (double) Math.max(1, timing.medianNanos())),
          Integer.toString(timing.calls()));
    }
    s.append(t);
    if (i != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "compiled is %.1fx faster than the interpreter%n",
              i.medianNanos() / (double) Math.max(1, c.medianNanos())));
    }
    out().print(s);
    out().flush();
    for (Timing timing : timings) {
      String why = timing.unsteady();
      if (why != null) {
        err()
            .println(
                "gradc: warning: the "
                    + timing.name()
                    + " timings are not steady ("
                    + why
                    + "); lengthen --warmup and --time, or quiet the machine");
      }
    }
    noteGenerated(args);
    return Gradc.OK;
  }

  private Timing time(String name, Runnable call) {
    long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
    do {
      call.run();
    } while (System.nanoTime() < warmupEnd);
    long[] samples = new long[64];
    int n = 0;
    long end = System.nanoTime() + (long) (time * 1e9);
    while (n < MIN_CALLS || System.nanoTime() < end) {
      long t0 = System.nanoTime();
      call.run();
      long t1 = System.nanoTime();
      if (n == samples.length) {
        samples = Arrays.copyOf(samples, n * 2);
      }
      samples[n++] = t1 - t0;
    }
    return new Timing(name, Arrays.copyOf(samples, n));
  }

  /** {@code 12.3 us}, {@code 4.56 ms}, {@code 1.23 s}. */
  static String duration(long nanos) {
    if (nanos < 10_000) {
      return String.format(Locale.ROOT, "%.2f us", nanos / 1e3);
    }
    if (nanos < 10_000_000) {
      return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }
    if (nanos < 10_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
