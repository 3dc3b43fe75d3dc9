package dev.gradc.ir.testing;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Pipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Gradient checks against central finite differences of the interpreted forward function, in the
 * style of JAX's {@code check_grads}. Meant for f64 functions with a scalar result and inputs away
 * from kinks and domain edges.
 */
public final class Gradients {
  private Gradients() {}

  /**
   * Central differences of the scalar result of {@code f} with respect to every element of every
   * parameter that requires grad, in declaration order; the step is {@code h * max(1, |x|)}.
   */
  public static List<double[]> numeric(Func f, List<NdArray> args, double h) {
    List<double[]> out = new ArrayList<>();
    for (Param p : f.gradParams()) {
      NdArray x = args.get(p.id());
      double[] base = x.toDoubleArray();
      double[] g = new double[base.length];
      for (int i = 0; i < base.length; i++) {
        // Steps as the dtype represents them, so the quotient uses the true distance.
        double step = h * Math.max(1, Math.abs(base[i]));
        double hi = x.dtype().round(base[i] + step);
        double lo = x.dtype().round(base[i] - step);
        double up = evalWith(f, args, p.id(), x, base, i, hi);
        double down = evalWith(f, args, p.id(), x, base, i, lo);
        g[i] = (up - down) / (hi - lo);
      }
      out.add(g);
    }
    return out;
  }

  private static double evalWith(
      Func f, List<NdArray> args, int at, NdArray x, double[] base, int i, double v) {
    double[] moved = base.clone();
    moved[i] = v;
    List<NdArray> a = new ArrayList<>(args);
    a.set(at, NdArray.of(x.dtype(), x.shape(), moved));
    return Interpreter.run(f, a).get(0).item();
  }

  /** The gradients a vjp function returns (its results after the value), as flat arrays. */
  public static List<double[]> analytic(Func vjp, List<NdArray> args) {
    List<NdArray> r = Interpreter.run(vjp, args);
    List<double[]> out = new ArrayList<>();
    for (int k = 1; k < r.size(); k++) {
      out.add(r.get(k).toDoubleArray());
    }
    return out;
  }

  /**
   * Asserts that the gradients of {@code f}'s vjp, before and after the optimization pipeline,
   * match central differences within {@code tol * max(1, |g|)} per element. The verifier runs on
   * the vjp and after every pass. The failure message prints the function, its vjp and both sets of
   * gradients.
   */
  public static void check(Func f, List<NdArray> args, double tol) {
    check(f, args, numeric(f, args, 1e-6), tol);
  }

  /** As {@link #check(Func, List, double)}, against given expected gradients. */
  public static void check(Func f, List<NdArray> args, List<double[]> expected, double tol) {
    Verifier.verify(f);
    Func vjp = Verifier.verify(Autodiff.vjp(f));
    Func opt = Pipeline.run(vjp, (pass, out) -> Verifier.verify(out));
    for (Func g : List.of(vjp, opt)) {
      List<double[]> actual = analytic(g, args);
      String problem = compare(expected, actual, tol);
      if (problem != null) {
        throw new AssertionError(
            problem
                + "\nfunction:\n"
                + Printer.print(f)
                + "gradient function:\n"
                + Printer.print(g)
                + "arguments: "
                + args
                + "\nfinite differences: "
                + toString(expected)
                + "\nvjp:                "
                + toString(actual));
      }
    }
  }

  /**
   * The function {@code h(params..., v...) = sum_k sum(grad_k f * v_k)}, one input {@code v_k} per
   * parameter of {@code f} that requires grad, built by inlining {@code f}'s vjp. Its own vjp is
   * the Hessian-vector product of {@code f}.
   */
  public static Func gradientDot(Func f) {
    Func vjp = Autodiff.vjp(f);
    Builder b = new Builder(f.name() + ".dot");
    List<Value> args = new ArrayList<>();
    for (Param p : f.params()) {
      args.add(b.addParam(p.name(), p.type(), p.role()));
    }
    List<Value> vs = new ArrayList<>();
    for (Param p : f.gradParams()) {
      String name = "v_" + p.name();
      while (f.param(name) != null) {
        name = "v_" + name;
      }
      vs.add(b.input(name, p.type()));
    }
    List<Value> r = b.inline(vjp, args);
    Value dot = null;
    for (int k = 0; k < vs.size(); k++) {
      Value term = b.sum(b.mul(r.get(k + 1), vs.get(k)));
      dot = dot == null ? term : b.add(dot, term);
    }
    b.ret(dot == null ? Builder.lit(0, f.result(0).type().dtype()) : dot);
    return b.build();
  }

  /**
   * Asserts that the Hessian-vector product of {@code f} in direction {@code v} (one array per
   * parameter that requires grad), computed as the vjp of {@link #gradientDot}, matches central
   * differences of the interpreted gradient along {@code v}.
   */
  public static void checkHessianVector(
      Func f, List<NdArray> args, List<NdArray> v, double h, double tol) {
    Func vjp = Verifier.verify(Autodiff.vjp(f));
    Func dot = Verifier.verify(gradientDot(f));
    Func hvp = Verifier.verify(Autodiff.vjp(dot));
    List<NdArray> hvpArgs = new ArrayList<>(args);
    hvpArgs.addAll(v);
    List<double[]> actual = analytic(hvp, hvpArgs);
    List<double[]> up = analytic(vjp, moved(f, args, v, h));
    List<double[]> down = analytic(vjp, moved(f, args, v, -h));
    List<double[]> expected = new ArrayList<>();
    for (int k = 0; k < up.size(); k++) {
      double[] g = new double[up.get(k).length];
      for (int i = 0; i < g.length; i++) {
        g[i] = (up.get(k)[i] - down.get(k)[i]) / (2 * h);
      }
      expected.add(g);
    }
    String problem = compare(expected, actual, tol);
    if (problem != null) {
      throw new AssertionError(
          problem
              + "\nfunction:\n"
              + Printer.print(f)
              + "Hessian-vector product:\n"
              + Printer.print(hvp)
              + "arguments: "
              + args
              + "\ndirection: "
              + v
              + "\nfinite differences of the gradient: "
              + toString(expected)
              + "\nvjp of the vjp:                     "
              + toString(actual));
    }
  }

  /** The arguments with each parameter that requires grad moved by {@code t * v}. */
  public static List<NdArray> moved(Func f, List<NdArray> args, List<NdArray> v, double t) {
    List<NdArray> out = new ArrayList<>(args);
    List<Param> ps = f.gradParams();
    for (int k = 0; k < ps.size(); k++) {
      NdArray x = args.get(ps.get(k).id());
      double[] d = x.toDoubleArray();
      for (int i = 0; i < d.length; i++) {
        d[i] += t * v.get(k).get(i);
      }
      out.set(ps.get(k).id(), NdArray.of(x.dtype(), x.shape(), d));
    }
    return out;
  }

  /** A description of the first element that differs by more than the tolerance, or null. */
  public static String compare(List<double[]> expected, List<double[]> actual, double tol) {
    if (expected.size() != actual.size()) {
      return "expected " + expected.size() + " gradients, got " + actual.size();
    }
    for (int k = 0; k < expected.size(); k++) {
      double[] e = expected.get(k);
      double[] a = actual.get(k);
      if (e.length != a.length) {
        return "gradient " + k + " has " + a.length + " elements, expected " + e.length;
      }
      for (int i = 0; i < e.length; i++) {
        if (!close(e[i], a[i], tol)) {
          return "gradient " + k + " element " + i + ": expected " + e[i] + ", got " + a[i];
        }
      }
    }
    return null;
  }

  /** True when {@code |a - b| <= tol * max(1, |a|)}, or both are the same non-finite value. */
  public static boolean close(double a, double b, double tol) {
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return Double.compare(a, b) == 0;
    }
    return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a));
  }

  private static String toString(List<double[]> gs) {
    StringBuilder s = new StringBuilder();
    for (double[] g : gs) {
      s.append(Arrays.toString(g)).append(' ');
    }
    return s.toString();
  }
}
