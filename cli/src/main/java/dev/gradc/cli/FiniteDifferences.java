package dev.gradc.cli;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Central finite differences in f64 of a scalar function, one element of a param at a time, with
 * every {@code detach()} and {@code with no_grad:} value frozen at its forward value ({@link
 * Widen#frozen}). They are taken over the additive terms of the function that read the param
 * ({@link Widen#frozenTerms}): a term that does not read it has no derivative in it, so a term that
 * is NaN or infinite elsewhere in the program does not hide the derivative of the others.
 */
final class FiniteDifferences {
  /** {@code cbrt(2^-52)}: balances the truncation and rounding errors of central differences. */
  private static final double STEP = Math.cbrt(Math.ulp(1.0));

  /** {@code sqrt(2^-52)}: the same balance for one-sided differences. */
  private static final double ONE_SIDED_STEP = Math.sqrt(Math.ulp(1.0));

  private final Func scalar;
  private final List<NdArray> wideArgs;
  private final Func terms;
  private final double[] signs;
  private final BitSet[] reads;
  private final List<NdArray> frozenArgs;
  private final List<NdArray> terms0;
  private final List<NdArray> termsNudged;

  private FiniteDifferences(
      Func scalar,
      List<NdArray> wideArgs,
      List<NdArray> frozenArgs,
      List<NdArray> terms0,
      List<NdArray> termsNudged) {
    this.scalar = scalar;
    this.wideArgs = wideArgs;
    this.terms = Widen.frozenTerms(scalar);
    this.signs = Widen.termSigns(scalar);
    this.reads = Widen.reads(terms);
    this.frozenArgs = frozenArgs;
    this.terms0 = terms0;
    this.termsNudged = termsNudged;
  }

  /**
   * The finite differences of the scalar function {@code scalar} at {@code wideArgs} (its arguments
   * in f64); {@code params} are those that the rounding error of one evaluation is measured by
   * moving.
   */
  static FiniteDifferences of(
      ProgramFile pf, Func scalar, List<NdArray> wideArgs, List<Param> params) {
    List<NdArray> probe = pf.running(() -> Interpreter.run(Widen.probe(scalar), wideArgs));
    List<NdArray> detached = probe.subList(1, probe.size());
    List<NdArray> frozenArgs = new ArrayList<>(wideArgs);
    frozenArgs.addAll(detached);
    List<NdArray> frozenNudged = new ArrayList<>(CheckCommand.nudged(wideArgs, params, false));
    frozenNudged.addAll(detached);
    Func terms = Widen.frozenTerms(scalar);
    return new FiniteDifferences(
        scalar,
        wideArgs,
        frozenArgs,
        pf.running(() -> Interpreter.run(terms, frozenArgs)),
        pf.running(() -> Interpreter.run(terms, frozenNudged)));
  }

  /** Whether an argument or a value the function computes is infinite or NaN. */
  boolean forwardNonFinite() {
    for (NdArray a : Interpreter.run(Widen.values(scalar), wideArgs)) {
      if (nonFinite(a)) {
        return true;
      }
    }
    for (NdArray a : wideArgs) {
      if (nonFinite(a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean nonFinite(NdArray a) {
    if (!a.dtype().isFloat()) {
      return false;
    }
    for (double x : a.toDoubleArray()) {
      if (!Double.isFinite(x)) {
        return true;
      }
    }
    return false;
  }

  /** The differences in the elements of argument {@code arg}. */
  Restricted restrictedTo(int arg) {
    BitSet relevant = new BitSet();
    for (int j = 0; j < reads.length; j++) {
      if (reads[j].get(arg)) {
        relevant.set(j);
      }
    }
    double f0 = sum(terms0, relevant);
    double moved = sum(termsNudged, relevant) - f0;
    // The rounding error of one evaluation in f64, from which that of a difference follows.
    double noise = Double.isFinite(moved) ? Math.abs(moved) + 8 * Math.ulp(f0) : 0;
    return new Restricted(arg, relevant, f0, noise);
  }

  private double sum(List<NdArray> values, BitSet relevant) {
    double s = 0;
    for (int j = relevant.nextSetBit(0); j >= 0; j = relevant.nextSetBit(j + 1)) {
      s += signs[j] * values.get(j).item();
    }
    return s;
  }

  /** Finite differences in one argument. */
  final class Restricted {
    private final int arg;
    private final BitSet relevant;
    private final double f0;
    private final double noise;

    private Restricted(int arg, BitSet relevant, double f0, double noise) {
      this.arg = arg;
      this.relevant = relevant;
      this.f0 = f0;
      this.noise = noise;
    }

    /** The central difference in element {@code i}, and the one-sided ones. */
    Difference at(int i) {
      NdArray a = frozenArgs.get(arg);
      double[] data = a.toDoubleArray();
      double x = data[i];
      double h = STEP * Math.max(1, Math.abs(x));
      double xp = x + h;
      double xm = x - h;
      data[i] = xp;
      double fp = evaluate(new NdArray(DType.F64, a.shape(), data));
      data[i] = xm;
      double fm = evaluate(new NdArray(DType.F64, a.shape(), data));
      return new Difference(
          (fp - fm) / (xp - xm),
          (f0 - fm) / (x - xm),
          (fp - f0) / (xp - x),
          2 * noise / (xp - xm),
          Double.isFinite(x) && Double.isFinite(f0) && Double.isFinite(fp) && Double.isFinite(fm));
    }

    /**
     * Where the function is finite at element {@code i} and a step to one side only ({@code exp} at
     * 709.78 overflows a step up), the one-sided difference on that side with the step {@code
     * sqrt(2^-52)}, which balances its truncation and rounding errors; else null.
     */
    Difference oneSided(int i, Difference central) {
      if (!Double.isFinite(f0)
          || (!Double.isFinite(central.left()) && !Double.isFinite(central.right()))) {
        return null;
      }
      double x = frozenArgs.get(arg).get(i);
      double h =
          (Double.isFinite(central.left()) ? -1 : 1) * ONE_SIDED_STEP * Math.max(1, Math.abs(x));
      double d = (at(i, x + h) - f0) / h;
      return Double.isFinite(d) ? new Difference(d, d, d, 2 * noise / Math.abs(h), true) : null;
    }

    /**
     * Whether the function jumps at element {@code i}: the central difference over an eighth of the
     * step moves the function as far as over the whole step (a smooth function moves an eighth as
     * far), as {@code sign} does at 0.
     */
    boolean jumps(int i, Difference central) {
      double x = frozenArgs.get(arg).get(i);
      double h = STEP * Math.max(1, Math.abs(x));
      double whole = Math.abs(central.value() * 2 * h);
      double eighth = Math.abs(at(i, x + h / 8) - at(i, x - h / 8));
      return whole > 4 * noise && eighth > 0.5 * whole;
    }

    private double at(int i, double xi) {
      NdArray a = frozenArgs.get(arg);
      double[] data = a.toDoubleArray();
      data[i] = xi;
      return evaluate(new NdArray(DType.F64, a.shape(), data));
    }

    private double evaluate(NdArray replaced) {
      List<NdArray> in = new ArrayList<>(frozenArgs);
      in.set(arg, replaced);
      return sum(Interpreter.run(terms, in), relevant);
    }
  }

  /**
   * A central difference, the one-sided differences to its left and right, the bound of the central
   * difference's rounding error (twice that for the one-sided ones), and whether the function is
   * finite at all three points (else there is no derivative to measure).
   */
  record Difference(double value, double left, double right, double noise, boolean finite) {
    /**
     * Whether the one-sided differences differ by more than curvature explains: by 1e-3 of their
     * size (curvature makes them differ by h |f''|, 6e-6 |f''|).
     */
    boolean kink() {
      if (!Double.isFinite(left) || !Double.isFinite(right)) {
        return false;
      }
      return Math.abs(left - right) > 1e-3 * Math.max(1, Math.max(Math.abs(left), Math.abs(right)));
    }

    /**
     * Whether {@code g} lies between the one-sided differences (within tolerance): at a kink (relu
     * or abs at 0, clamp at a bound) PyTorch's subgradient does, where the central difference is
     * their mean.
     */
    boolean brackets(double g, double atol, double rtol) {
      if (!Double.isFinite(left) || !Double.isFinite(right) || !Double.isFinite(g)) {
        return false;
      }
      double lo = Math.min(left, right);
      double hi = Math.max(left, right);
      return g >= lo - atol - rtol * Math.abs(lo) && g <= hi + atol + rtol * Math.abs(hi);
    }
  }
}
