package dev.gradc.cli;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradc check}: compiled gradients against central finite differences in f64 and against the
 * reference interpreter.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    header = "Check gradients against finite differences and the interpreter.",
    description = {
      "Checks the compiled gradients of a program against central finite differences in f64 and against the reference interpreter; prints a row per param with the largest absolute and relative errors, and exits with 1 when a gradient disagrees. Values are given and generated as for run.",
    },
    footer = {
      "",
      "Finite differences: (f(x+h) - f(x-h)) / 2h per element, h = 6.06e-6 max(1, |x|),",
      "on the reference interpreter with the program widened to f64. A param with more",
      "elements than --points is checked at --points evenly spaced elements.",
      "",
      "An element passes when |g - fd| <= atol + rtol |fd|, and likewise against the",
      "interpreter; an infinite or NaN value passes only against the same value.",
      "f64 programs: fd atol 1e-6, rtol 1e-4; interpreter atol 1e-12, rtol 1e-9.",
      "Programs with f32 values: fd atol 1e-3, rtol 1e-2; interpreter atol 1e-6,",
      "rtol 1e-5.",
      "",
      "At a kink (relu or abs at 0, clamp at a bound) finite differences see another",
      "slope than the subgradient PyTorch defines, and the check fails there.",
      "",
      "Example:",
      "  gradc check examples/mlp.grad --dim N=6 --set labels=[0,1,2,2,1,0] --random-inputs",
    })
final class CheckCommand extends GradcCommand {
  /** {@code cbrt(2^-52)}: balances the truncation and rounding errors of central differences. */
  private static final double STEP = Math.cbrt(Math.ulp(1.0));

  @Mixin InputOptions inputs;

  @Option(
      names = "--points",
      paramLabel = "P",
      defaultValue = "64",
      description =
          "The most elements per param checked by finite differences (default:"
              + " ${DEFAULT-VALUE}).")
  int points;

  /** Tolerances: finite differences, then interpreter. */
  private record Tolerance(double fdAbs, double fdRel, double interpAbs, double interpRel) {}

  private static final Tolerance F64 = new Tolerance(1e-6, 1e-4, 1e-12, 1e-9);
  private static final Tolerance F32 = new Tolerance(1e-3, 1e-2, 1e-6, 1e-5);

  /**
   * Whether {@code actual} passes against {@code expected}: {@code |actual - expected| <= atol +
   * rtol |expected|} for finite values; an infinite or NaN value on either side passes only against
   * the same value (with {@code atol + rtol * inf} every number would pass).
   */
  static boolean close(double actual, double expected, double atol, double rtol) {
    if (!Double.isFinite(expected) || !Double.isFinite(actual)) {
      return Double.isNaN(expected) ? Double.isNaN(actual) : actual == expected;
    }
    return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  }

  /** The largest errors between two arrays, and the first element out of tolerance. */
  private static final class Errors {
    double maxAbs;
    double maxRel;
    int firstBad = -1;
    double badActual;
    double badExpected;

    void add(int i, double actual, double expected, double atol, double rtol) {
      double abs = Math.abs(actual - expected);
      double scale = Math.max(Math.abs(actual), Math.abs(expected));
      double rel = abs == 0 ? 0 : abs / scale;
      boolean bad = !close(actual, expected, atol, rtol);
      if (!bad && !Double.isFinite(expected)) {
        abs = 0; // equal infinities, or NaN where NaN is expected
        rel = 0;
      }
      maxAbs = Math.max(maxAbs, Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs);
      maxRel = Math.max(maxRel, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
      if (bad && firstBad < 0) {
        firstBad = i;
        badActual = actual;
        badExpected = expected;
      }
    }

    /** Adds {@code w.grad[1] is 0.0, finite differences give 0.5} when an element failed. */
    void failure(String what, int[] shape, String oracle, List<String> failures) {
      if (firstBad >= 0) {
        failures.add(
            what
                + InputOptions.index(shape, firstBad)
                + " is "
                + badActual
                + ", "
                + oracle
                + " "
                + badExpected);
      }
    }
  }

  @Override
  int execute() {
    if (points < 1) {
      throw usage("--points must be at least 1, got " + points);
    }
    ProgramFile pf = load();
    Func f = pf.func();
    Func vjp = pf.vjp();
    Arguments args = inputs.resolve(pf);
    Object[] buffers = args.buffers();
    int[][] shapes = args.shapes();
    Object[] compiled = pf.running(() -> Kernels.compile(vjp).call(buffers, shapes, null));
    Object[] interpreted = pf.running(() -> Kernels.interpret(vjp).call(buffers, shapes, null));
    Tolerance tol = usesF32(f) ? F32 : F64;
    Func wide = Widen.toF64(f);
    List<NdArray> wideArgs = widened(args);

    Table table = new Table(false, false, true, true, true, true, true, false);
    table.row(
        "name",
        "shape",
        "checked",
        "fd max abs",
        "fd max rel",
        "interp max abs",
        "interp max rel",
        "");
    List<String> failures = new ArrayList<>();

    Errors value = new Errors();
    compare(value, compiled[0], interpreted[0], tol.interpAbs(), tol.interpRel());
    table.row(
        "value",
        Data.shapeText(new int[0]),
        "-",
        "-",
        "-",
        Table.error(value.maxAbs),
        Table.error(value.maxRel),
        value.firstBad < 0 ? "ok" : "FAILED");
    value.failure("the value", new int[0], "the interpreter gives", failures);

    List<Param> grads = vjp.gradParams();
    boolean fdNonFinite = false;
    for (int k = 0; k < grads.size(); k++) {
      Param p = grads.get(k);
      int arg = p.id();
      Object g = compiled[k + 1];
      Errors vsInterp = new Errors();
      compare(vsInterp, g, interpreted[k + 1], tol.interpAbs(), tol.interpRel());
      Errors vsFd = new Errors();
      int[] sample = sample(Buffers.length(g), points);
      for (int i : sample) {
        double fd = finiteDifference(wide, wideArgs, arg, i);
        vsFd.add(i, Buffers.get(g, i), fd, tol.fdAbs(), tol.fdRel());
      }
      boolean ok = vsFd.firstBad < 0 && vsInterp.firstBad < 0;
      int[] shape = args.value(arg).shape();
      table.row(
          p.name(),
          Data.shapeText(shape),
          sample.length + "/" + Buffers.length(g),
          Table.error(vsFd.maxAbs),
          Table.error(vsFd.maxRel),
          Table.error(vsInterp.maxAbs),
          Table.error(vsInterp.maxRel),
          ok ? "ok" : "FAILED");
      vsFd.failure(p.name() + ".grad", shape, "finite differences give", failures);
      fdNonFinite |= vsFd.firstBad >= 0 && !Double.isFinite(vsFd.badExpected);
      vsInterp.failure(p.name() + ".grad", shape, "the interpreter gives", failures);
    }

    StringBuilder s = new StringBuilder();
    String dims = args.dimsText();
    List<String> about = new ArrayList<>();
    if (!dims.isEmpty()) {
      about.add(dims);
    }
    if (inputs.randomInputs) {
      about.add("seed " + inputs.seed());
    }
    s.append("gradient check of ")
        .append(pf.name())
        .append(about.isEmpty() ? "" : " (" + String.join("; ", about) + ")")
        .append("\n");
    s.append(table);
    s.append(
        String.format(
            Locale.ROOT,
            "fd: central finite differences in f64; interp: the reference interpreter%n"
                + "tolerance: |g - fd| <= %.0e + %.0e |fd|; |g - interp| <= %.0e + %.0e |interp|%n",
            tol.fdAbs(),
            tol.fdRel(),
            tol.interpAbs(),
            tol.interpRel()));
    if (failures.isEmpty()) {
      s.append("ok: ")
          .append(grads.size() == 1 ? "1 gradient agrees" : grads.size() + " gradients agree")
          .append(" with finite differences and the interpreter\n");
    }
    out().print(s);
    out().flush();
    boolean fdFailed = false;
    for (String failure : failures) {
      err().println("gradc: check failed: " + failure);
      fdFailed |= failure.contains("finite differences");
    }
    double v = Buffers.get(compiled[0], 0);
    if (!Double.isFinite(v)) {
      err()
          .println(
              "gradc: note: the value is "
                  + v
                  + ": these inputs are outside the program's domain; give others with --set or"
                  + " --inputs");
    } else if (fdNonFinite) {
      err()
          .println(
              "gradc: note: finite differences are not finite here: the program overflows or"
                  + " leaves its domain within a step of these inputs; try other values");
    } else if (fdFailed) {
      err()
          .println(
              "gradc: note: at a kink (relu or abs at 0, clamp at a bound) finite differences see"
                  + " another slope than the subgradient; try other values");
    }
    noteGenerated(args);
    return failures.isEmpty() ? Gradc.OK : Gradc.CHECK_FAILED;
  }

  private static void compare(Errors e, Object actual, Object expected, double atol, double rtol) {
    int n = Buffers.length(actual);
    for (int i = 0; i < n; i++) {
      e.add(i, Buffers.get(actual, i), Buffers.get(expected, i), atol, rtol);
    }
  }

  private static boolean usesF32(Func f) {
    if (f.result(0).type().dtype() == DType.F32) {
      return true;
    }
    for (Param p : f.params()) {
      if (p.type().dtype() == DType.F32) {
        return true;
      }
    }
    for (Inst i : f.insts()) {
      if (i.type().dtype() == DType.F32) {
        return true;
      }
    }
    return false;
  }

  /** The arguments with f32 values widened to f64, for {@link Widen#toF64}. */
  private static List<NdArray> widened(Arguments args) {
    List<NdArray> out = new ArrayList<>();
    for (NdArray a : args.ndArrays()) {
      out.add(a.dtype() == DType.F32 ? new NdArray(DType.F64, a.shape(), a.toDoubleArray()) : a);
    }
    return out;
  }

  /** {@code n} indices, or {@code max} evenly spaced ones (the first and the last included). */
  static int[] sample(int n, int max) {
    if (n <= max) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] s = new int[max];
    for (int i = 0; i < max; i++) {
      s[i] = max == 1 ? 0 : (int) ((long) i * (n - 1) / (max - 1));
    }
    return s;
  }

  /**
   * The central difference of the scalar {@code f} in element {@code i} of argument {@code arg}.
   */
  private static double finiteDifference(Func f, List<NdArray> args, int arg, int i) {
    NdArray a = args.get(arg);
    double[] data = a.toDoubleArray();
    double x = data[i];
    double h = STEP * Math.max(1, Math.abs(x));
    double xp = x + h;
    double xm = x - h;
    data[i] = xp;
    double fp = evaluate(f, args, arg, new NdArray(DType.F64, a.shape(), data));
    data[i] = xm;
    double fm = evaluate(f, args, arg, new NdArray(DType.F64, a.shape(), data));
    return (fp - fm) / (xp - xm);
  }

  private static double evaluate(Func f, List<NdArray> args, int arg, NdArray replaced) {
    List<NdArray> in = new ArrayList<>(args);
    in.set(arg, replaced);
    return Interpreter.run(f, in).get(0).item();
  }
}
