package dev.gradc.frontend.fuzz;

import dev.gradc.frontend.fuzz.FuzzProgram.Domain;
import dev.gradc.frontend.lang.GradLanguage;
import dev.gradc.frontend.lang.ProgramException;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Checks one generated program three ways: its vjp (and its forward function) compiled against the
 * reference interpreter, on value and gradients, at the program's sizes and, when it has symbolic
 * dims, at sizes large enough to run in parallel chunks; and the gradients of its double-precision
 * variant against {@link FiniteDifferences}. A failure is a {@link Failure} of one {@link Kind}.
 *
 * <p>Compiled and interpreted results must have the same dtypes and shapes, NaN where the other has
 * NaN, equal infinities, and elements within {@code rtol * (|e| + S)} of the interpreter's {@code
 * e}, with {@code rtol} 1e-9 in f64 and 1e-4 when the function has f32 values; {@code S} is the
 * largest magnitude among the call's results and inputs (inputs counted up to 2), the scale of the
 * rounding that a result cancelling to nearly zero carries.
 */
final class DifferentialCheck {
  private DifferentialCheck() {}

  static final double RTOL_F64 = 1e-9;
  static final double RTOL_F32 = 1e-4;

  /** What went wrong. */
  enum Kind {
    /** The program was rejected: the generator or the language is wrong. */
    REJECTED,
    /** An exception other than a diagnostic. */
    CRASHED,
    /** Compiled code disagrees with the interpreter. */
    COMPILED_MISMATCH,
    /** A gradient disagrees with finite differences. */
    GRADIENT_MISMATCH
  }

  /** A failed check. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Kind kind;

    Failure(Kind kind, String message, Throwable cause) {
      super(kind + ": " + message, cause);
      this.kind = kind;
    }

    Failure(Kind kind, String message) {
      this(kind, message, null);
    }

    /**
     * What identifies this failure while a program is reduced: the kind, and for rejections and
     * crashes the exception and its message with numbers and shapes blurred.
     */
    String signature() {
      if (kind == Kind.COMPILED_MISMATCH || kind == Kind.GRADIENT_MISMATCH) {
        return kind.name();
      }
      Throwable c = getCause();
      String m = c instanceof ProgramException pe ? pe.getMessage() : String.valueOf(c);
      return kind
          + " "
          + m.replaceAll("\\[[^\\]]*\\]", "[]")
              .replaceAll("[0-9]+", "0")
              .replaceAll("'[^']*'", "''");
    }
  }

  /** True when {@code p} fails as {@code original} did. */
  static boolean failsAlike(FuzzProgram p, Failure original) {
    try {
      check(p, new Stats());
      return false;
    } catch (Failure f) {
      return f.signature().equals(original.signature());
    }
  }

  /** Counts over many programs. */
  static final class Stats {
    int programs;
    int gradientChecked;
    int directions;
    int kinkedDirections;
    int nonFinitePrograms;
    int largeRuns;
    int noVariant;
    int nearJumps;
    long compileNanos;
    long interpretNanos;
    long differenceNanos;
    final Set<Op> ops = EnumSet.noneOf(Op.class);

    void add(Stats o) {
      programs += o.programs;
      gradientChecked += o.gradientChecked;
      directions += o.directions;
      kinkedDirections += o.kinkedDirections;
      nonFinitePrograms += o.nonFinitePrograms;
      largeRuns += o.largeRuns;
      noVariant += o.noVariant;
      nearJumps += o.nearJumps;
      compileNanos += o.compileNanos;
      interpretNanos += o.interpretNanos;
      differenceNanos += o.differenceNanos;
      ops.addAll(o.ops);
    }

    @Override
    public String toString() {
      return programs
          + " programs; compiled = interpreted on all but "
          + nearJumps
          + " whose inputs lay within rounding of a jump, "
          + largeRuns
          + " also at large symbolic sizes; gradients = finite differences on "
          + gradientChecked
          + " ("
          + directions
          + " directions, "
          + kinkedDirections
          + " skipped at kinks), "
          + nonFinitePrograms
          + " with non-finite values and "
          + noVariant
          + " computing in f32 even as f64 skipped; seconds compiling "
          + compileNanos / 1_000_000_000
          + ", interpreting "
          + interpretNanos / 1_000_000_000
          + ", in finite differences "
          + differenceNanos / 1_000_000_000;
    }
  }

  /** Runs every check on {@code p}; throws a {@link Failure}. */
  static void check(FuzzProgram p, Stats stats) {
    Func f = parse(p);
    try {
      Func g = Verifier.verify(Autodiff.vjp(f));
      stats.programs++;
      for (Inst i : g.insts()) {
        stats.ops.add(i.op());
      }
      double rtol = hasF32(g) ? RTOL_F32 : RTOL_F64;
      boolean compared = false;
      for (int attempt = 0; attempt < 3 && !compared; attempt++) {
        try {
          Args a = inputs(f, p, attempt == 0 ? 0 : 20 + attempt);
          double scale = compareCompiled("vjp", g, a, rtol, 0, false, stats);
          compareCompiled("forward", f, a, rtol, 0, false, stats);
          // NaN and infinities leave few finite results to judge rounding by: use the plain call's
          compareCompiled(
              "vjp with special values", g, special(a, p.seed()), rtol, scale, true, stats);
          compared = true;
        } catch (NearJump e) {
          // differing rounding may land on either side of a jump here: draw other inputs
        }
      }
      if (!compared) {
        stats.nearJumps++;
      }
      Map<String, Integer> large = largeSymbols(g, p.symbols());
      if (large != null) {
        stats.largeRuns++;
        try {
          // long reductions round at the scale of their partial sums: grow the tolerance
          double longSums = Math.sqrt((double) largestValue(g, large));
          compareCompiled(
              "vjp at " + large,
              g,
              inputs(f, p.withSymbols(large), 1),
              rtol * longSums,
              0,
              false,
              stats);
        } catch (NearJump e) {
          stats.nearJumps++;
        }
      }
      long t0 = System.nanoTime();
      checkGradients(p.usesF32() ? p.inF64() : p, stats);
      stats.differenceNanos += System.nanoTime() - t0;
    } catch (Failure e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new Failure(Kind.CRASHED, e.toString(), e);
    }
  }

  static Func parse(FuzzProgram p) {
    try {
      return Verifier.verify(GradLanguage.parse(p.name() + ".grad", p.source()).func());
    } catch (ProgramException e) {
      throw new Failure(Kind.REJECTED, e.diagnostic(), e);
    }
  }

  /** Arguments and their shapes. */
  static final class Args {
    private final Object[] values;
    private final int[][] shapes;

    Args(Object[] values, int[][] shapes) {
      this.values = values;
      this.shapes = shapes;
    }

    Object[] values() {
      return values;
    }

    int[][] shapes() {
      return shapes;
    }
  }

  /** Seeded inputs: each declaration's elements depend only on the seed, its name and a salt. */
  static Args inputs(Func f, FuzzProgram p, long salt) {
    List<Param> ps = f.params();
    Object[] values = new Object[ps.size()];
    int[][] shapes = new int[ps.size()][];
    for (int i = 0; i < values.length; i++) {
      Param q = ps.get(i);
      shapes[i] = q.type().shape(p.symbols());
      int n = 1;
      for (int s : shapes[i]) {
        n *= s;
      }
      Domain d = p.domains().getOrDefault(q.name(), Domain.uniform(-2, 2));
      SplittableRandom r =
          new SplittableRandom(p.seed() * 1_000_003L + salt * 7919L + q.name().hashCode());
      Object buf = Buffers.allocate(q.type().dtype(), n);
      for (int k = 0; k < n; k++) {
        Buffers.set(
            buf,
            k,
            d.integral()
                ? d.lo() + r.nextInt((int) (d.hi() - d.lo()))
                : r.nextDouble(d.lo(), d.hi()));
      }
      values[i] = buf;
    }
    return new Args(values, shapes);
  }

  private static final double[] SPECIAL = {
    Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0
  };

  /** A copy of {@code a} with one float element in ten replaced by NaN, an infinity or a zero. */
  static Args special(Args a, long seed) {
    return mapFloats(
        a,
        seed ^ 0x5DEECE66DL,
        (v, r) -> r.nextInt(10) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : v);
  }

  /** How one element of a float argument changes. */
  private interface ElementChange {
    double apply(double v, SplittableRandom r);
  }

  /** A copy of {@code a} with each float element changed; other arguments are shared. */
  private static Args mapFloats(Args a, long seed, ElementChange change) {
    SplittableRandom r = new SplittableRandom(seed);
    Object[] values = a.values().clone();
    for (int i = 0; i < values.length; i++) {
      if (!Buffers.dtypeOf(values[i]).isFloat()) {
        continue;
      }
      int n = Buffers.length(values[i]);
      Object buf = Buffers.allocate(Buffers.dtypeOf(values[i]), n);
      for (int k = 0; k < n; k++) {
        Buffers.set(buf, k, change.apply(Buffers.get(values[i], k), r));
      }
      values[i] = buf;
    }
    return new Args(values, a.shapes());
  }

  /**
   * Symbol sizes that make the largest value more than one chunk of compiled loops (2^15) but at
   * most 150,000 elements, or null without symbols.
   */
  static Map<String, Integer> largeSymbols(Func g, Map<String, Integer> symbols) {
    if (symbols.isEmpty()) {
      return null;
    }
    Map<String, Integer> best = null;
    for (int n : new int[] {512, 4096, 40_000}) {
      Map<String, Integer> s = new HashMap<>();
      for (String k : symbols.keySet()) {
        s.put(k, k.equals("N") ? n : 3);
      }
      if (largestValue(g, s) > 150_000) {
        break;
      }
      best = s;
    }
    return best;
  }

  private static long largestValue(Func g, Map<String, Integer> s) {
    long most = 0;
    for (int id = 0; id < g.valueCount(); id++) {
      Value v = g.value(id);
      long n = 1;
      for (int d : v.type().shape(s)) {
        n *= d;
      }
      most = Math.max(most, n);
    }
    return most;
  }

  /**
   * Compares the compiled and interpreted results of one call, allowing rounding at the scale of
   * the largest result or input (at least {@code minScale}); returns that scale. With {@code
   * nonFiniteAlike}, NaN and either infinity count as equal: a value that cancels to zero in one
   * order of summation and to a rounding residue in another becomes NaN or an infinity when an
   * infinity multiplies it.
   */
  /** Compiled code raises the interpreter's error {@code e} with its message. */
  private static void sameError(String what, Func f, Args a, GradcException e) {
    try {
      Kernels.compile(f).call(a.values(), a.shapes(), null);
    } catch (GradcException c) {
      if (c.getMessage().equals(e.getMessage())) {
        return;
      }
      throw new Failure(
          Kind.COMPILED_MISMATCH, what + ": compiled raised " + c + ", interpreted " + e);
    } catch (RuntimeException c) {
      throw new Failure(Kind.CRASHED, what + " compiled: " + c, c);
    }
    throw new Failure(
        Kind.COMPILED_MISMATCH, what + ": interpreted raised " + e + ", compiled not");
  }

  static double compareCompiled(
      String what,
      Func f,
      Args a,
      double rtol,
      double minScale,
      boolean nonFiniteAlike,
      Stats stats) {
    long t0 = System.nanoTime();
    Object[] want;
    try {
      want = Kernels.interpret(f).call(a.values(), a.shapes(), null);
    } catch (GradcException e) {
      // an error that depends on the data (svd of a matrix holding NaN): compiled code's too
      sameError(what, f, a, e);
      return minScale;
    }
    long t1 = System.nanoTime();
    Object[] got;
    try {
      got = Kernels.compile(f).call(a.values(), a.shapes(), null);
    } catch (RuntimeException e) {
      throw new Failure(Kind.CRASHED, what + " compiled: " + e, e);
    }
    stats.interpretNanos += t1 - t0;
    stats.compileNanos += System.nanoTime() - t1;
    double scale = minScale;
    for (Object w : want) {
      scale = Math.max(scale, magnitude(w));
    }
    // A result that cancels to nearly zero carries rounding at the scale of the inputs.
    for (Object x : a.values()) {
      if (Buffers.dtypeOf(x).isFloat()) {
        scale = Math.max(scale, Math.min(magnitude(x), 2));
      }
    }
    for (int r = 0; r < want.length; r++) {
      String mismatch = compare(want[r], got[r], rtol, scale, nonFiniteAlike);
      if (mismatch != null) {
        if (nearJump(f, a, rtol)) {
          throw new NearJump();
        }
        throw new Failure(Kind.COMPILED_MISMATCH, what + " result " + r + ": " + mismatch);
      }
    }
    return scale;
  }

  /**
   * Compiled and interpreted results differ at inputs where some operand of a jump (a comparison,
   * {@code sign}, {@code relu}, {@code amax}, ...) is within rounding of it: two correct
   * evaluations that round differently can land on either side (sign(logsumexp(log_softmax(x)))).
   */
  private static final class NearJump extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NearJump() {
      super(null, null, false, false);
    }
  }

  /**
   * True when, at {@code a}, some operand of a jump in {@code f} is within rounding of it: near it
   * on the interpreter, or on different sides of it interpreted and compiled.
   */
  static boolean nearJump(Func f, Args a, double rtol) {
    Kinks k = new Kinks(f, false, false);
    CompiledFunction probe = Kernels.interpret(k.probe);
    int[][] shapes = probe.resultShapes(a.shapes());
    Object[] base = probe.call(a.values(), a.shapes(), null);
    Object[] moved = probe.call(nudged(a, 7).values(), a.shapes(), null);
    Object[] compiled = Kernels.compile(k.probe).call(a.values(), a.shapes(), null);
    return k.near(base, moved, shapes, rtol) || k.sidesDiffer(base, compiled, shapes, rtol);
  }

  /** {@code a} with every float element moved by about one part in a million. */
  private static Args nudged(Args a, long seed) {
    return mapFloats(a, seed, (v, r) -> v + (Math.abs(v) * 1e-6 + 1e-9) * r.nextDouble(-1, 1));
  }

  /** The largest finite magnitude in a buffer. */
  static double magnitude(Object buf) {
    double m = 0;
    for (int i = 0; i < Buffers.length(buf); i++) {
      double e = Buffers.get(buf, i);
      if (Double.isFinite(e)) {
        m = Math.max(m, Math.abs(e));
      }
    }
    return m;
  }

  /**
   * Null when {@code got} matches {@code want}, else what differs. Elements may differ by {@code
   * rtol * (|e| + scale)}; {@code scale} is the largest magnitude among all results of the call,
   * since a gradient that cancels to nearly zero carries the rounding of its larger terms.
   */
  static String compare(
      Object want, Object got, double rtol, double scale, boolean nonFiniteAlike) {
    DType dw = Buffers.dtypeOf(want);
    if (Buffers.dtypeOf(got) != dw) {
      return "dtype " + Buffers.dtypeOf(got) + ", interpreter " + dw;
    }
    int n = Buffers.length(want);
    if (Buffers.length(got) != n) {
      return Buffers.length(got) + " elements, interpreter " + n;
    }
    for (int i = 0; i < n; i++) {
      double e = Buffers.get(want, i);
      double g = Buffers.get(got, i);
      boolean ok =
          (nonFiniteAlike && !Double.isFinite(e) && !Double.isFinite(g))
              || (Double.isNaN(e)
                  ? Double.isNaN(g)
                  : Double.isInfinite(e)
                      ? g == e
                      : Math.abs(g - e) <= rtol * (Math.abs(e) + scale));
      if (!ok) {
        return "element " + i + ": compiled " + g + ", interpreter " + e;
      }
    }
    return null;
  }

  private static void checkGradients(FuzzProgram p, Stats stats) {
    Func f;
    try {
      f = parse(p);
    } catch (Failure e) {
      // an f32 program whose f64 variant mixes dtypes where only f32 was implied (k / 2 @ w)
      stats.noVariant++;
      return;
    }
    if (computesInF32(f)) {
      // integer division and Python floats with integer tensors give f32 even here
      stats.noVariant++;
      return;
    }
    Func g = Verifier.verify(Autodiff.vjp(f));
    CompiledFunction vjp = Kernels.compile(g);
    FiniteDifferences fd = new FiniteDifferences(f);
    SplittableRandom rnd = new SplittableRandom(p.seed());
    for (int attempt = 0; attempt < 3; attempt++) {
      Args a = inputs(f, p, 10 + attempt);
      Object[] out = vjp.call(a.values(), a.shapes(), null);
      if (!finite(out)) {
        continue;
      }
      Object[] grads = java.util.Arrays.copyOfRange(out, 1, out.length);
      FiniteDifferences.Result r = fd.check(a.values(), a.shapes(), grads, rnd);
      stats.kinkedDirections += r.kinked();
      if (r.mismatch() != null) {
        throw new Failure(Kind.GRADIENT_MISMATCH, r.mismatch());
      }
      if (r.directions() > 0) {
        stats.directions += r.directions();
        stats.gradientChecked++;
        return;
      }
    }
    stats.nonFinitePrograms++;
  }

  /** True when some value is single precision (declared, cast, or implied by integer division). */
  private static boolean hasF32(Func f) {
    for (int id = 0; id < f.valueCount(); id++) {
      if (f.value(id).type().dtype() == DType.F32) {
        return true;
      }
    }
    return false;
  }

  /** True when a value that carries gradient from a param is single precision. */
  private static boolean computesInF32(Func f) {
    boolean[] dep = new boolean[f.valueCount()];
    for (Param p : f.params()) {
      dep[p.id()] = p.requiresGrad();
    }
    for (Inst i : f.insts()) {
      for (Value o : i.operands()) {
        dep[i.id()] |= o.id() >= 0 && dep[o.id()];
      }
      dep[i.id()] &= i.op().isDifferentiable() && i.type().dtype().isFloat();
      if (dep[i.id()] && i.type().dtype() == DType.F32) {
        return true;
      }
    }
    return false;
  }

  private static boolean finite(Object[] out) {
    for (Object b : out) {
      for (int i = 0; i < Buffers.length(b); i++) {
        if (!Double.isFinite(Buffers.get(b, i))) {
          return false;
        }
      }
    }
    return true;
  }
}
