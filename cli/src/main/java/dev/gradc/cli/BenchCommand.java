package dev.gradc.cli;

import dev.gradc.ir.Func;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.Arrays;
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
      "Times value-and-gradient of a program, compiled and on the reference interpreter, after warm-up: the median time per call, and the achieved bandwidth (bytes of inputs and outputs per call divided by the median time). Values are given and generated as for run.",
    },
    footer = {
      "",
      "Each variant warms up for --warmup seconds, then is timed call by call for",
      "--time seconds (at least 3 calls). Compiled calls reuse their output arrays.",
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

  /** The timings of one variant. */
  private record Timing(String name, long medianNanos, int calls) {}

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
    Func vjp = pf.vjp();
    Arguments args = inputs.resolve(pf);
    Object[] buffers = args.buffers();
    int[][] shapes = args.shapes();
    CompiledFunction compiled = Kernels.compile(vjp);
    Object[] outs = pf.running(() -> compiled.call(buffers, shapes, null));
    long bytes = args.bytes();
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
    Table t = new Table(false, true, true, true);
    t.row("", "median/call", "GB/s", "calls");
    for (Timing timing : i == null ? new Timing[] {c} : new Timing[] {c, i}) {
      t.row(
          timing.name(),
          duration(timing.medianNanos()),
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
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    long median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Timing(name, median, n);
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
