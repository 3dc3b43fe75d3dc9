package dev.gradc.codegen.lib.vector;

import dev.gradc.ir.math.MathF64;
import dev.gradc.ir.math.MathF64Test;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The arguments {@link MathVectorTest} and {@link MathVectorMain} compare {@link MathVector} with
 * {@link MathF64} on, and the comparison: special values, every boundary between a function's
 * pieces and reductions with 300 neighbours on either side (ulp by ulp) and a grid across it,
 * mpmath's reference arguments ({@code MathF64Test}'s tables), random bit patterns and random
 * arguments over each function's interesting range, shuffled so that a vector mixes pieces.
 */
final class MathVectorCases {
  private MathVectorCases() {}

  /** Random arguments of each kind per function. */
  private static final int RANDOM = 10_000;

  static final String[] NAMES = {
    "exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "erfc", "sin", "cos"
  };

  static final double[] SPECIAL = {
    0.0,
    -0.0,
    Double.NaN,
    Double.longBitsToDouble(0xfff8000000000001L),
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MIN_VALUE,
    -Double.MIN_VALUE,
    Double.MIN_NORMAL,
    -Double.MIN_NORMAL,
    Math.nextDown(Double.MIN_NORMAL),
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    1,
    -1,
    0x1p-1074 * 3,
    0x1p-30,
    -0x1p-30,
    0x1p-60,
    1e300,
    -1e300,
    0x1p1023,
  };

  /** The boundaries of each function's pieces and reductions, and where it over- or underflows. */
  static double[] boundaries(String name) {
    double ln2 = Math.log(2);
    return switch (name) {
      case "exp", "sigmoid" ->
          new double[] {
            -746,
            710,
            709.782712893384,
            -708.3964185322641,
            -745.1332191019411,
            -744.4400719213812,
            ln2 / 2,
            0,
            1,
            36.7,
            -36.7
          };
      case "expm1" ->
          new double[] {
            ln2, -ln2, -40, 710, 709.78, 53 * ln2, -53 * ln2, -54 * ln2, 54 * ln2, 0, 1e-300
          };
      case "log" ->
          new double[] {
            Double.MIN_NORMAL,
            Double.MIN_VALUE,
            1,
            Math.sqrt(0.5),
            Math.sqrt(2),
            2,
            0.5,
            Double.MAX_VALUE,
            0
          };
      case "log1p" ->
          new double[] {
            -1,
            0,
            Math.sqrt(0.5) - 1,
            Math.sqrt(2) - 1,
            1,
            2,
            0x1p53,
            0x1p-53,
            Double.MAX_VALUE,
            -0.5
          };
      case "tanh" -> new double[] {0.75, -0.75, 0, 19.06, 355, 373, 0x1p-27};
      case "erf" ->
          new double[] {
            0.84375, 1.25, 1.75, 2.25, 2.875, 3.5, 4.5, 5.9375, 0, 1, -0.84375, -1.25, -1.75, -2.25,
            -2.875, -3.5, -4.5, -5.9375
          };
      case "erfc" ->
          new double[] {
            0.84375, 1.25, 2.25, 3.5, 6, 28, 26.55, 27.2, 0.25, 0, -0.84375, -1.25, -2.25, -3.5, -6,
            -28, -0.25, -5.9
          };
      case "sin", "cos" ->
          new double[] {
            Math.PI / 4,
            -Math.PI / 4,
            0x1p20 * 1.5707963267948966,
            -0x1p20 * 1.5707963267948966,
            Math.PI / 2,
            Math.PI,
            3 * Math.PI / 4,
            1e5,
            0x1p20,
            1e22,
            0x1p1023,
            6381956970095103.0 * 0x1p797
          };
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** The arguments for {@code name}, in an order fixed by {@code seed}. */
  static double[] arguments(String name, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] b = boundaries(name);
    double[] ref = table(name);
    int n = SPECIAL.length + b.length * 2 * (600 + 400) + ref.length + 2 * RANDOM;
    double[] x = new double[n];
    int i = 0;
    for (double v : SPECIAL) {
      x[i++] = v;
    }
    for (double c : b) {
      for (double s : new double[] {c, -c}) {
        double u = s;
        double d = s;
        for (int k = 0; k < 300; k++) {
          x[i++] = u;
          x[i++] = d;
          u = Math.nextUp(u);
          d = Math.nextDown(d);
        }
        double step = Math.max(Math.abs(s), 1e-3) * 1e-3;
        for (int k = -200; k < 200; k++) {
          x[i++] = s + k * step;
        }
      }
    }
    for (double v : ref) {
      x[i++] = v;
    }
    double range = range(name);
    for (int k = 0; k < RANDOM; k++) {
      x[i++] = Double.longBitsToDouble(rnd.nextLong());
      x[i++] = rnd.nextDouble(-range, range);
    }
    // shuffled, so that one vector holds arguments of several pieces
    for (int k = n - 1; k > 0; k--) {
      int j = rnd.nextInt(k + 1);
      double t = x[k];
      x[k] = x[j];
      x[j] = t;
    }
    return x;
  }

  private static double range(String name) {
    return switch (name) {
      case "exp", "sigmoid", "expm1" -> 750;
      case "log", "log1p" -> 10;
      case "tanh", "erf" -> 8;
      case "erfc" -> 30;
      default -> 20;
    };
  }

  /** mpmath's reference arguments for {@code name}, from the ir module's test resources. */
  static double[] table(String name) {
    try (InputStream in = MathVectorCases.class.getResourceAsStream("/math/" + name + ".txt");
        BufferedReader r =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      return r.lines()
          .mapToDouble(
              l -> Double.longBitsToDouble(Long.parseUnsignedLong(l.split(" ", -1)[0], 16)))
          .toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DoubleUnaryOperator scalar(String name) {
    return MathF64Test.function(name);
  }

  static DoubleVector vector(String name, DoubleVector x) {
    return switch (name) {
      case "exp" -> MathVector.exp(x);
      case "expm1" -> MathVector.expm1(x);
      case "log" -> MathVector.log(x);
      case "log1p" -> MathVector.log1p(x);
      case "sigmoid" -> MathVector.sigmoid(x);
      case "tanh" -> MathVector.tanh(x);
      case "erf" -> MathVector.erf(x);
      case "erfc" -> MathVector.erfc(x);
      case "sin" -> MathVector.sin(x);
      case "cos" -> MathVector.cos(x);
      default -> throw new IllegalArgumentException(name);
    };
  }

  static FloatVector vector(String name, FloatVector x) {
    return switch (name) {
      case "exp" -> MathVector.exp(x);
      case "expm1" -> MathVector.expm1(x);
      case "log" -> MathVector.log(x);
      case "log1p" -> MathVector.log1p(x);
      case "sigmoid" -> MathVector.sigmoid(x);
      case "tanh" -> MathVector.tanh(x);
      case "erf" -> MathVector.erf(x);
      case "erfc" -> MathVector.erfc(x);
      case "sin" -> MathVector.sin(x);
      case "cos" -> MathVector.cos(x);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Equal bits, any NaN equal to any NaN (Java leaves payloads unspecified). */
  static boolean same(double a, double b) {
    return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
  }

  /**
   * The lanes where {@code name}'s vector form, in vectors of species {@code s}, differs from the
   * scalar form on {@code x}: a count and the first few, empty when none.
   */
  static String mismatches(String name, VectorSpecies<Double> s, double[] x) {
    DoubleUnaryOperator f = scalar(name);
    int w = s.length();
    int n = x.length - x.length % w;
    double[] y = new double[n];
    for (int i = 0; i < n; i += w) {
      vector(name, DoubleVector.fromArray(s, x, i)).intoArray(y, i);
    }
    int bad = 0;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double want = f.applyAsDouble(x[i]);
      if (!same(want, y[i])) {
        if (bad++ < 5) {
          out.append(
              String.format(
                  "%n  %s(%s = %016x): scalar %s, vector %s",
                  name, x[i], Double.doubleToRawLongBits(x[i]), want, y[i]));
        }
      }
    }
    return bad == 0 ? "" : name + " with " + s + ": " + bad + " lanes differ" + out;
  }

  /** The same for f32 lanes, against {@code (float) MathF64.f(x)}. */
  static String mismatchesF32(String name, VectorSpecies<Float> s, float[] x) {
    DoubleUnaryOperator f = scalar(name);
    int w = s.length();
    int n = x.length - x.length % w;
    float[] y = new float[n];
    for (int i = 0; i < n; i += w) {
      vector(name, FloatVector.fromArray(s, x, i)).intoArray(y, i);
    }
    int bad = 0;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      float want = (float) f.applyAsDouble(x[i]);
      if (Float.floatToIntBits(want) != Float.floatToIntBits(y[i])) {
        if (bad++ < 5) {
          out.append(String.format("%n  %s(%s): scalar %s, vector %s", name, x[i], want, y[i]));
        }
      }
    }
    return bad == 0 ? "" : name + " f32 with " + s + ": " + bad + " lanes differ" + out;
  }

  /** f32 arguments: the f64 ones rounded, and random bit patterns. */
  static float[] argumentsF32(String name, long seed) {
    double[] d = arguments(name, seed);
    SplittableRandom rnd = new SplittableRandom(seed + 1);
    float[] x = new float[d.length + RANDOM];
    for (int i = 0; i < d.length; i++) {
      x[i] = (float) d[i];
    }
    for (int i = d.length; i < x.length; i++) {
      x[i] = Float.intBitsToFloat(rnd.nextInt());
    }
    return x;
  }
}
