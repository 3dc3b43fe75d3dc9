package dev.gradc.frontend.fuzz;

import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Central finite differences of a function's scalar result along directions in its params' space,
 * on the reference interpreter, with Richardson extrapolation ({@code (4 D(h/2) - D(h)) / 3}).
 *
 * <p>The function differentiated is the program with every {@code detach} (and so every {@code with
 * no_grad:} value) frozen at its value at the base point, since that is what autograd's gradient is
 * the derivative of. A direction is used only if no kink lies inside its stencil: every op whose
 * derivative jumps ({@code relu}, {@code abs}, comparisons, {@code maximum}, {@code clamp}, {@code
 * amax}, casts to integers, softplus's threshold) must see its operands on the same side of the
 * kink at all five stencil points. Exact ties that stay exact (a value compared with a broadcast
 * copy of itself) are not kinks.
 */
final class FiniteDifferences {
  static final double H = 1e-4;

  private final Kinks kinks;

  FiniteDifferences(Func f) {
    kinks = new Kinks(f, true, true);
  }

  /** What a gradient check found. */
  record Result(int directions, int kinked, int nonFinite, String mismatch) {}

  /**
   * Compares {@code grads} (one buffer per param that requires grad, in order) with finite
   * differences at {@code args}; returns the first mismatch, or null.
   */
  Result check(Object[] args, int[][] shapes, Object[] grads, SplittableRandom rnd) {
    Func frozen = kinks.probe;
    int detachCount = kinks.detachCount;
    List<Param> params = frozen.params();
    Object[] detached =
        detachCount == 0
            ? new Object[0]
            : Kernels.interpret(kinks.detached).call(args, shapes, null);
    int[][] detachedShapes =
        detachCount == 0 ? new int[0][] : Kernels.interpret(kinks.detached).resultShapes(shapes);
    Object[] full = Arrays.copyOf(args, args.length + detachCount);
    int[][] fullShapes = Arrays.copyOf(shapes, shapes.length + detachCount);
    for (int k = 0; k < detachCount; k++) {
      full[args.length + k] = detached[k];
      fullShapes[args.length + k] = detachedShapes[k];
    }
    CompiledFunction run = Kernels.interpret(frozen);
    int[][] resultShapes = run.resultShapes(fullShapes);
    // the grad params' positions and sizes
    List<Integer> gradArgs = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < args.length; i++) {
      if (params.get(i).requiresGrad()) {
        gradArgs.add(i);
        total += Buffers.length(args[i]);
      }
    }
    double[] g = new double[total];
    int at = 0;
    for (Object grad : grads) {
      for (int k = 0; k < Buffers.length(grad); k++) {
        g[at++] = Buffers.get(grad, k);
      }
    }
    double gnorm = 0;
    for (double v : g) {
      gnorm = Math.max(gnorm, Math.abs(v));
    }
    Object[] base = run.call(full, fullShapes, null);
    double f0 = Buffers.get(base[0], 0);
    long[] sig0 = kinks.signature(base, resultShapes);
    if (sig0 == null) {
      return new Result(0, 1, 0, null);
    }
    int checked = 0;
    int kinked = 0;
    int nonFinite = 0;
    int wanted = Math.min(total, 8);
    for (int attempt = 0; attempt < 16 && checked < wanted; attempt++) {
      double[] v = new double[total];
      if (total <= 8) {
        if (attempt >= total) {
          break;
        }
        v[attempt] = 1;
      } else if (attempt % 2 == 0) {
        v[rnd.nextInt(total)] = 1;
      } else {
        double n = 0;
        for (int k = 0; k < total; k++) {
          v[k] = rnd.nextDouble(-1, 1);
          n += v[k] * v[k];
        }
        for (int k = 0; k < total; k++) {
          v[k] /= Math.sqrt(n);
        }
      }
      double[] fs = new double[4];
      boolean kink = false;
      double[] steps = {H, -H, H / 2, -H / 2};
      for (int s = 0; s < 4; s++) {
        Object[] moved = full.clone();
        int off = 0;
        for (int i : gradArgs) {
          Object buf = copy(args[i]);
          for (int k = 0; k < Buffers.length(buf); k++) {
            Buffers.set(buf, k, Buffers.get(buf, k) + steps[s] * v[off + k]);
          }
          off += Buffers.length(buf);
          moved[i] = buf;
        }
        Object[] out = run.call(moved, fullShapes, null);
        fs[s] = Buffers.get(out[0], 0);
        long[] sig = kinks.signature(out, resultShapes);
        kink |= sig == null || !Arrays.equals(sig0, sig);
      }
      if (kink) {
        kinked++;
        continue;
      }
      if (!Double.isFinite(fs[0] + fs[1] + fs[2] + fs[3])) {
        nonFinite++;
        continue;
      }
      double d1 = (fs[0] - fs[1]) / (2 * H);
      double d2 = (fs[2] - fs[3]) / H;
      double fd = (4 * d2 - d1) / 3;
      double ad = 0;
      for (int k = 0; k < total; k++) {
        ad += g[k] * v[k];
      }
      double tol = 1e-6 * (Math.abs(ad) + gnorm) + 1e-10 * (1 + Math.abs(f0)) / H;
      if (!(Math.abs(fd - ad) <= tol)) {
        return new Result(
            checked,
            kinked,
            nonFinite,
            "directional derivative "
                + describe(v)
                + ": autograd "
                + ad
                + ", finite differences "
                + fd
                + " (tolerance "
                + tol
                + ")");
      }
      checked++;
    }
    return new Result(checked, kinked, nonFinite, null);
  }

  private static String describe(double[] v) {
    int nonzero = 0;
    int last = -1;
    for (int k = 0; k < v.length; k++) {
      if (v[k] != 0) {
        nonzero++;
        last = k;
      }
    }
    return nonzero == 1 ? "along element " + last + " of the params" : "along a random direction";
  }

  private static Object copy(Object buf) {
    Object c = Buffers.allocate(Buffers.dtypeOf(buf), Buffers.length(buf));
    System.arraycopy(buf, 0, c, 0, Buffers.length(buf));
    return c;
  }
}
