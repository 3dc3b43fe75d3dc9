package dev.gradc.cli;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.Kernels;
import dev.gradc.runtime.Signatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
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
      "Checks the compiled gradients of a program against central finite differences in f64 and against the reference interpreter; prints a row per param with the largest absolute and relative errors, and exits with 1 when a gradient disagrees, saying which of the compiled gradient, the interpreter and finite differences is the odd one out. For a program with a non-scalar result or several results, each result is checked against the interpreter, and its vjp with standard normal cotangents (seeded by --seed) against finite differences of sum(result * cotangent). Values are given as for run.",
    },
    footer = {
      "",
      "Finite differences: (f(x+h) - f(x-h)) / 2h per element, h = 6.06e-6 max(1, |x|),",
      "on the reference interpreter with the program widened to f64, and with every",
      "detach() and 'with no_grad:' value frozen at its forward value (the gradient",
      "does not flow through them, so finite differences must not move them either).",
      "A param with more elements than --points is checked at --points evenly spaced",
      "elements.",
      "",
      "An element passes when |g - fd| <= atol + rtol |fd| + s, and likewise against",
      "the interpreter; an infinite or NaN value passes only against the same value.",
      "f64 programs: fd atol 1e-6, rtol 1e-4; interpreter atol 1e-12, rtol 1e-9.",
      "Programs with f32 values: fd atol 1e-3, rtol 1e-2; interpreter atol 1e-6,",
      "rtol 1e-5. s is the condition of that element: 4 times how far the gradient",
      "moves (in f64) when every input moves by one ulp of the program's dtype, or",
      "how far the interpreter's f32 gradient is from the f64 one, whichever is larger;",
      "against finite differences, plus their own rounding error.",
      "",
      "At a kink (relu or abs at 0, clamp at a bound) the gradient must lie between the",
      "one-sided differences. Where the function has no derivative, PyTorch's gradient",
      "is a convention (its rules for non-differentiable points): such elements are",
      "compared with the interpreter only (NaN and inf in the same places) and named:",
      "where the function is not finite within a step (then the one-sided difference",
      "on a finite side is tried first), where it jumps (sign at 0), and NaN gradients",
      "at a kink or where the program computes inf or NaN (a masked sqrt at 0, a",
      "softmax over all -inf). Finite differences are taken over the additive terms",
      "of the result that read the param, so a NaN term leaves the others checked.",
      "",
      "Example:",
      "  gradc check examples/mlp.grad --dim N=6 --set labels=[0,1,2,2,1,0] --random-inputs",
    })
final class CheckCommand extends GradcCommand {
  /** The multiple of an element's measured condition added to its tolerance. */
  private static final double CONDITION_FACTOR = 4;

  /**
   * For tests: applied to the adjoint of every checked program (a test breaks a gradient rule with
   * it, for the compiled and the interpreted gradient alike).
   */
  static UnaryOperator<Func> adjointForTesting = UnaryOperator.identity();

  /** For tests: applied to the adjoint that is compiled only (a test breaks code generation). */
  static UnaryOperator<Func> compiledForTesting = UnaryOperator.identity();

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

  /** The largest errors between two arrays. */
  private static final class Errors {
    double maxAbs;
    double maxRel;

    void add(double actual, double expected) {
      if (close(actual, expected, 0, 0)) {
        return; // equal, also equal infinities, or NaN where NaN is expected
      }
      double abs = Math.abs(actual - expected);
      double rel = abs / Math.max(Math.abs(actual), Math.abs(expected));
      maxAbs = Math.max(maxAbs, Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs);
      maxRel = Math.max(maxRel, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
    }
  }

  /**
   * The first element where two of the compiled gradient, the interpreter and finite differences
   * disagree, with all three values and which pairs agree.
   */
  record Mismatch(
      int index,
      double compiled,
      double interpreted,
      double fd,
      boolean compiledInterp,
      boolean compiledFd,
      boolean interpFd,
      boolean kink) {
    /** Which of the three is the odd one out, as a sentence. */
    String verdict() {
      if (compiledInterp && !compiledFd && !interpFd) {
        return "finite differences disagree with the compiled and interpreted gradients, which"
            + " agree";
      }
      if (!compiledInterp && !compiledFd && interpFd) {
        return "the compiled gradient disagrees with the interpreter and finite differences, which"
            + " agree";
      }
      if (!compiledInterp && compiledFd && !interpFd) {
        return "the interpreter disagrees with the compiled gradient and finite differences, which"
            + " agree";
      }
      if (!compiledInterp && !compiledFd) {
        return "the compiled gradient, the interpreter and finite differences all disagree";
      }
      if (!compiledInterp) {
        return "the compiled gradient and the interpreter disagree (both agree with finite"
            + " differences)";
      }
      return compiledFd
          ? "the interpreter disagrees with finite differences (the compiled gradient agrees with"
              + " both)"
          : "the compiled gradient disagrees with finite differences (the interpreter agrees with"
              + " both)";
    }

    /** Whether finite differences are the odd one out (a wrong rule, or a kink). */
    boolean fdAlone() {
      return compiledInterp && !compiledFd && !interpFd;
    }
  }

  @Override
  int execute() {
    if (points < 1) {
      throw usage("--points must be at least 1, got " + points);
    }
    ProgramFile pf = load();
    Func f = pf.func();
    Arguments args = inputs.resolve(pf);
    Differentiated d = Differentiated.of(pf, args, inputs.seed());
    Func vjp = adjointForTesting.apply(d.func());
    Func compiledVjp = compiledForTesting.apply(vjp);
    Object[] buffers = d.buffers();
    int[][] shapes = d.shapes();
    int m = d.results();
    Object[] compiled =
        pf.running(args, () -> Kernels.compile(compiledVjp).call(buffers, shapes, null));
    Object[] interpreted = pf.running(() -> Kernels.interpret(vjp).call(buffers, shapes, null));
    int[][] resultShapes = Signatures.resultShapes(vjp, shapes);
    boolean f32 = usesF32(f);
    Tolerance tol = f32 ? F32 : F64;
    List<NdArray> wideArgs = widened(buffers, shapes);

    // The results in f64, and again with every input one ulp (of the program's dtype) away: how
    // far they move is the condition of each element at the program's precision.
    Func wideVjp = Widen.toF64(vjp);
    List<NdArray> reference = pf.running(() -> Interpreter.run(wideVjp, wideArgs));
    List<NdArray> nudged =
        pf.running(() -> Interpreter.run(wideVjp, nudged(wideArgs, args.params(), f32)));

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
    boolean valueNonFinite = false;
    for (int k = 0; k < m; k++) {
      String label = m == 1 ? "value" : "value[" + k + "]";
      Object c = compiled[k];
      Object ci = interpreted[k];
      Errors value = new Errors();
      int bad = -1;
      for (int i = 0; i < Buffers.length(c); i++) {
        double a = Buffers.get(c, i);
        double b = Buffers.get(ci, i);
        value.add(a, b);
        valueNonFinite |= !Double.isFinite(a);
        double slack = condition(reference.get(k), nudged.get(k), ci, f32, i);
        if (bad < 0 && !close(a, b, tol.interpAbs() + slack, tol.interpRel())) {
          bad = i;
        }
      }
      table.row(
          label,
          Data.shapeText(resultShapes[k]),
          "-",
          "-",
          "-",
          Table.error(value.maxAbs),
          Table.error(value.maxRel),
          bad < 0 ? "ok" : "FAILED");
      if (bad >= 0) {
        failures.add(
            (m == 1 && resultShapes[k].length == 0
                    ? "the value"
                    : label + InputOptions.index(resultShapes[k], bad))
                + ": compiled "
                + Buffers.get(c, bad)
                + ", interpreter "
                + Buffers.get(ci, bad)
                + "; the compiled value disagrees with the interpreter");
      }
    }

    List<Param> grads = d.hasGradients() ? vjp.gradParams() : List.of();
    boolean fdNonFinite = false;
    boolean fdAlone = false;
    List<String> kinks = new ArrayList<>();
    List<String> noDerivative = new ArrayList<>();
    List<String> nanByConvention = new ArrayList<>();
    if (!grads.isEmpty()) {
      FiniteDifferences fdf = FiniteDifferences.of(pf, d.scalar(), wideArgs, args.params());
      Boolean nanConvention = null;
      for (int k = 0; k < grads.size(); k++) {
        Param p = grads.get(k);
        int arg = p.id();
        Object g = compiled[m + k];
        Object gi = interpreted[m + k];
        int n = Buffers.length(g);
        FiniteDifferences.Restricted fd = fdf.restrictedTo(arg);
        double[] slack = new double[n];
        for (int i = 0; i < n; i++) {
          slack[i] = condition(reference.get(m + k), nudged.get(m + k), gi, f32, i);
        }
        Errors vsInterp = new Errors();
        Errors vsFd = new Errors();
        Mismatch bad = null;
        for (int i = 0; i < n; i++) {
          vsInterp.add(Buffers.get(g, i), Buffers.get(gi, i));
          if (bad == null
              && !close(
                  Buffers.get(g, i),
                  Buffers.get(gi, i),
                  tol.interpAbs() + slack[i],
                  tol.interpRel())) {
            bad = compare(i, Buffers.get(g, i), Buffers.get(gi, i), fd.at(i), slack[i], tol);
          }
        }
        int[] shape = args.value(arg).shape();
        int[] sample = sample(n, points);
        int checked = 0;
        for (int i : sample) {
          String element = p.name() + InputOptions.index(shape, i);
          FiniteDifferences.Difference diff = fd.at(i);
          if (!diff.finite()) {
            FiniteDifferences.Difference side = fd.oneSided(i, diff);
            Mismatch mm =
                side == null
                    ? null
                    : compare(i, Buffers.get(g, i), Buffers.get(gi, i), side, slack[i], tol);
            if (mm == null || !(mm.compiledFd() && mm.interpFd())) {
              // The function is not finite within a step: no derivative to measure. PyTorch's
              // gradient there is a convention (its rules for points where a function is not
              // differentiable), which the comparison with the interpreter covers.
              noDerivative.add(element);
              continue;
            }
            diff = side;
          }
          Mismatch mm = compare(i, Buffers.get(g, i), Buffers.get(gi, i), diff, slack[i], tol);
          if (!(mm.compiledFd() && mm.interpFd())) {
            if (Double.isNaN(mm.compiled()) && Double.isNaN(mm.interpreted())) {
              if (nanConvention == null && !diff.kink()) {
                nanConvention = pf.running(fdf::forwardNonFinite);
              }
              if (diff.kink() || nanConvention) {
                // At a point where the function is not differentiable (a masked sqrt at 0), or
                // where the program computes inf or NaN (a softmax over all -inf): PyTorch's NaN.
                nanByConvention.add(element);
                continue;
              }
            }
            if (fd.jumps(i, diff)) {
              // sign at 0: PyTorch's gradient there is the limit of its neighbours'.
              noDerivative.add(element);
              continue;
            }
          }
          checked++;
          vsFd.add(Buffers.get(g, i), diff.value());
          if (bad == null && !(mm.compiledFd() && mm.interpFd())) {
            bad = mm;
          }
          if (mm.kink() && mm.compiledFd() && mm.interpFd()) {
            kinks.add(element);
          }
        }
        table.row(
            p.name(),
            Data.shapeText(shape),
            checked + "/" + n,
            Table.error(vsFd.maxAbs),
            Table.error(vsFd.maxRel),
            Table.error(vsInterp.maxAbs),
            Table.error(vsInterp.maxRel),
            bad == null ? "ok" : "FAILED");
        if (bad != null) {
          failures.add(
              p.name()
                  + ".grad"
                  + InputOptions.index(shape, bad.index())
                  + ": compiled "
                  + bad.compiled()
                  + ", interpreter "
                  + bad.interpreted()
                  + ", finite differences "
                  + bad.fd()
                  + "; "
                  + bad.verdict());
          fdNonFinite |= !Double.isFinite(bad.fd());
          fdAlone |= bad.fdAlone();
        }
      }
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
    s.append(pf.isLoss() ? "gradient check of " : "check of ")
        .append(pf.name())
        .append(about.isEmpty() ? "" : " (" + String.join("; ", about) + ")")
        .append("\n");
    s.append(table);
    listLine(s, "at a kink (each gradient between the one-sided differences): ", kinks);
    listLine(
        s,
        "no derivative within a step (the function is not finite or jumps; compared with the"
            + " interpreter only): ",
        noDerivative);
    listLine(
        s,
        "NaN at a kink or where the program computes inf or NaN (compared with the"
            + " interpreter only): ",
        nanByConvention);
    if (d.hasGradients() && !pf.isLoss()) {
      s.append("vjp: the gradients of ")
          .append(m == 1 ? "sum(result * cotangent)" : "the sum of sum(result * cotangent)")
          .append(", cotangents standard normal (seed ")
          .append(inputs.seed())
          .append(")\n");
    }
    s.append(
        String.format(
            Locale.ROOT,
            "fd: central finite differences in f64, detached values frozen; interp: the reference"
                + " interpreter%n"
                + "tolerance: |g - fd| <= %.0e + %.0e |fd| + s; |g - interp| <= %.0e + %.0e"
                + " |interp| + s; s: each element's condition%n",
            tol.fdAbs(),
            tol.fdRel(),
            tol.interpAbs(),
            tol.interpRel()));
    if (failures.isEmpty()) {
      s.append("ok: ");
      if (grads.isEmpty()) {
        s.append(m == 1 ? "the value agrees" : "the values agree")
            .append(" with the interpreter")
            .append(d.hasGradients() ? " (no params)" : " (a result that is not a float)");
      } else {
        s.append(grads.size() == 1 ? "1 gradient agrees" : grads.size() + " gradients agree")
            .append(" with finite differences and the interpreter");
      }
      s.append('\n');
    }
    out().print(s);
    out().flush();
    for (String failure : failures) {
      err().println("gradc: check failed: " + failure);
    }
    if (failures.isEmpty()) {
      // Nothing to note.
    } else if (valueNonFinite && fdNonFinite) {
      err()
          .println(
              "gradc: note: the value is not finite: these inputs are outside the program's domain;"
                  + " give others with --set or --inputs");
    } else if (fdNonFinite) {
      err()
          .println(
              "gradc: note: finite differences are not finite here: the program overflows or"
                  + " leaves its domain within a step of these inputs; try other values");
    } else if (fdAlone) {
      err()
          .println(
              "gradc: note: a gradient rule is wrong, or these inputs are at a kink (relu or abs at"
                  + " 0, clamp at a bound), where finite differences see another slope than the"
                  + " subgradient; try other values");
    }
    if (!noDerivative.isEmpty()) {
      err()
          .println(
              "gradc: note: "
                  + (noDerivative.size() == 1
                      ? "1 gradient element is"
                      : noDerivative.size() + " gradient elements are")
                  + " not checked by finite differences (the function is not finite or jumps within a step"
                  + " of "
                  + (noDerivative.size() == 1 ? "it" : "them")
                  + "); give other values with --set or --inputs to check "
                  + (noDerivative.size() == 1 ? "it" : "them"));
    }
    noteGenerated(args);
    return failures.isEmpty() ? Gradc.OK : Gradc.CHECK_FAILED;
  }

  /** A line {@code heading} and the {@link #listed} elements, none without elements. */
  private static void listLine(StringBuilder s, String heading, List<String> elements) {
    if (!elements.isEmpty()) {
      s.append(heading).append(listed(elements)).append('\n');
    }
  }

  /** The first {@link #LISTED} elements, then how many in all. */
  private static String listed(List<String> elements) {
    if (elements.size() <= LISTED) {
      return String.join(", ", elements);
    }
    return String.join(", ", elements.subList(0, LISTED))
        + ", ... ("
        + elements.size()
        + " elements)";
  }

  private static final int LISTED = 8;

  /** The three-way comparison of one element of a gradient. */
  private static Mismatch compare(
      int i, double g, double gi, FiniteDifferences.Difference fd, double slack, Tolerance tol) {
    double atol = tol.fdAbs() + slack + fd.noise();
    boolean smooth = close(g, fd.value(), atol, tol.fdRel());
    return new Mismatch(
        i,
        g,
        gi,
        fd.value(),
        close(g, gi, tol.interpAbs() + slack, tol.interpRel()),
        smooth || fd.brackets(g, atol + fd.noise(), tol.fdRel()),
        close(gi, fd.value(), atol, tol.fdRel()) || fd.brackets(gi, atol + fd.noise(), tol.fdRel()),
        fd.kink());
  }

  /**
   * The condition of element {@code i} of a result: {@link #CONDITION_FACTOR} times how far the f64
   * result moves when the inputs move by one ulp, or (f32 programs) how far the interpreter's f32
   * result is from the f64 one, whichever is larger; 0 when either is not finite.
   */
  private static double condition(
      NdArray reference, NdArray nudged, Object interpreted, boolean f32, int i) {
    double r = reference.get(i);
    double moved = Math.abs(nudged.get(i) - r);
    double rounded = f32 ? Math.abs(Buffers.get(interpreted, i) - r) : 0;
    double c = CONDITION_FACTOR * Math.max(moved, rounded);
    return Double.isFinite(c) ? c : 0;
  }

  /**
   * The float arguments with each element one ulp away (of f32 when {@code f32}, else of f64), up
   * or down by a fixed pseudo-random sign; integer and bool arguments unchanged.
   */
  static List<NdArray> nudged(List<NdArray> wide, List<Param> params, boolean f32) {
    SplittableRandom signs = new SplittableRandom(0x5eed);
    List<NdArray> out = new ArrayList<>();
    for (int k = 0; k < wide.size(); k++) {
      NdArray a = wide.get(k);
      if (k >= params.size() || !params.get(k).type().dtype().isFloat()) {
        out.add(a);
        continue;
      }
      double[] d = a.toDoubleArray();
      for (int i = 0; i < d.length; i++) {
        boolean up = signs.nextBoolean();
        d[i] =
            f32
                ? (up ? Math.nextUp((float) d[i]) : Math.nextDown((float) d[i]))
                : (up ? Math.nextUp(d[i]) : Math.nextDown(d[i]));
      }
      out.add(new NdArray(DType.F64, a.shape(), d));
    }
    return out;
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
  private static List<NdArray> widened(Object[] buffers, int[][] shapes) {
    List<NdArray> out = new ArrayList<>();
    for (int k = 0; k < buffers.length; k++) {
      NdArray a = Buffers.toNdArray(buffers[k], shapes[k]);
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
}
