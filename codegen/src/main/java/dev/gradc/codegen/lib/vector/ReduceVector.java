package dev.gradc.codegen.lib.vector;

import dev.gradc.codegen.lib.Reduce;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Reduce}'s sums with the Vector API, in its logical-block order and with its bits: the 16
 * partial sums live in {@code 16 / w} vectors of {@code w} f64 lanes ({@code a0} holds partials 0
 * to {@code w - 1}, {@code a1} the next {@code w}, ...; the others stay zero and unused), the last
 * partial block is loaded with a mask, and the partials are combined by {@link Reduce#tree16}. f32
 * data is widened to f64 lanes ({@code convertShape}, part 0 then part 1 of each float vector, so
 * float lane {@code l} feeds partial {@code l}). Species with fewer than 2 or more than 8 f64 lanes
 * use the scalar form.
 *
 * <p>Its f32 and f64 methods are twins on purpose, line for line: Java has no generics over
 * primitive arrays, boxing or a shared method taking {@code double} per element would cost the
 * vectorized loop its speed, and {@code LibraryCopier} copies each method into a generated class by
 * name, so a method must stand alone. A change to one twin is made to the other in the same commit;
 * the bit-identity tests ({@code GemmBitsTest}, {@code ReduceTest}) run both.
 */
public final class ReduceVector {
  private ReduceVector() {}

  /** {@link Reduce#tree16} of the partials held in the first {@code 16 / w} accumulators. */
  private static double tree(
      int w,
      DoubleVector a0,
      DoubleVector a1,
      DoubleVector a2,
      DoubleVector a3,
      DoubleVector a4,
      DoubleVector a5,
      DoubleVector a6,
      DoubleVector a7) {
    double[] p = new double[16];
    a0.intoArray(p, 0);
    a1.intoArray(p, w);
    if (w < 8) {
      a2.intoArray(p, 2 * w);
      a3.intoArray(p, 3 * w);
    }
    if (w < 4) {
      a4.intoArray(p, 4 * w);
      a5.intoArray(p, 5 * w);
      a6.intoArray(p, 6 * w);
      a7.intoArray(p, 7 * w);
    }
    return Reduce.tree16(p, 0);
  }

  /** {@link Reduce#sumF64}, vectorized. */
  public static double sumF64(double[] x, int from, int to) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int w = s.length();
    if (w < 2 || w > 8) {
      return Reduce.sumF64(x, from, to);
    }
    DoubleVector a0 = DoubleVector.zero(s);
    DoubleVector a1 = a0;
    DoubleVector a2 = a0;
    DoubleVector a3 = a0;
    DoubleVector a4 = a0;
    DoubleVector a5 = a0;
    DoubleVector a6 = a0;
    DoubleVector a7 = a0;
    int i = from;
    for (; i + 16 <= to; i += 16) {
      a0 = a0.add(DoubleVector.fromArray(s, x, i));
      a1 = a1.add(DoubleVector.fromArray(s, x, i + w));
      if (w < 8) {
        a2 = a2.add(DoubleVector.fromArray(s, x, i + 2 * w));
        a3 = a3.add(DoubleVector.fromArray(s, x, i + 3 * w));
      }
      if (w < 4) {
        a4 = a4.add(DoubleVector.fromArray(s, x, i + 4 * w));
        a5 = a5.add(DoubleVector.fromArray(s, x, i + 5 * w));
        a6 = a6.add(DoubleVector.fromArray(s, x, i + 6 * w));
        a7 = a7.add(DoubleVector.fromArray(s, x, i + 7 * w));
      }
    }
    if (i < to) {
      a0 = a0.add(DoubleVector.fromArray(s, x, i, s.indexInRange(i, to)));
      a1 = a1.add(DoubleVector.fromArray(s, x, i + w, s.indexInRange(i + w, to)));
      if (w < 8) {
        a2 = a2.add(DoubleVector.fromArray(s, x, i + 2 * w, s.indexInRange(i + 2 * w, to)));
        a3 = a3.add(DoubleVector.fromArray(s, x, i + 3 * w, s.indexInRange(i + 3 * w, to)));
      }
      if (w < 4) {
        a4 = a4.add(DoubleVector.fromArray(s, x, i + 4 * w, s.indexInRange(i + 4 * w, to)));
        a5 = a5.add(DoubleVector.fromArray(s, x, i + 5 * w, s.indexInRange(i + 5 * w, to)));
        a6 = a6.add(DoubleVector.fromArray(s, x, i + 6 * w, s.indexInRange(i + 6 * w, to)));
        a7 = a7.add(DoubleVector.fromArray(s, x, i + 7 * w, s.indexInRange(i + 7 * w, to)));
      }
    }
    return tree(w, a0, a1, a2, a3, a4, a5, a6, a7);
  }

  /** {@link Reduce#dotF64}, vectorized. */
  public static double dotF64(double[] x, int xOff, double[] y, int yOff, int n) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int w = s.length();
    if (w < 2 || w > 8) {
      return Reduce.dotF64(x, xOff, y, yOff, n);
    }
    DoubleVector a0 = DoubleVector.zero(s);
    DoubleVector a1 = a0;
    DoubleVector a2 = a0;
    DoubleVector a3 = a0;
    DoubleVector a4 = a0;
    DoubleVector a5 = a0;
    DoubleVector a6 = a0;
    DoubleVector a7 = a0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      a0 =
          a0.add(
              DoubleVector.fromArray(s, x, xOff + i).mul(DoubleVector.fromArray(s, y, yOff + i)));
      a1 =
          a1.add(
              DoubleVector.fromArray(s, x, xOff + i + w)
                  .mul(DoubleVector.fromArray(s, y, yOff + i + w)));
      if (w < 8) {
        a2 =
            a2.add(
                DoubleVector.fromArray(s, x, xOff + i + 2 * w)
                    .mul(DoubleVector.fromArray(s, y, yOff + i + 2 * w)));
        a3 =
            a3.add(
                DoubleVector.fromArray(s, x, xOff + i + 3 * w)
                    .mul(DoubleVector.fromArray(s, y, yOff + i + 3 * w)));
      }
      if (w < 4) {
        a4 =
            a4.add(
                DoubleVector.fromArray(s, x, xOff + i + 4 * w)
                    .mul(DoubleVector.fromArray(s, y, yOff + i + 4 * w)));
        a5 =
            a5.add(
                DoubleVector.fromArray(s, x, xOff + i + 5 * w)
                    .mul(DoubleVector.fromArray(s, y, yOff + i + 5 * w)));
        a6 =
            a6.add(
                DoubleVector.fromArray(s, x, xOff + i + 6 * w)
                    .mul(DoubleVector.fromArray(s, y, yOff + i + 6 * w)));
        a7 =
            a7.add(
                DoubleVector.fromArray(s, x, xOff + i + 7 * w)
                    .mul(DoubleVector.fromArray(s, y, yOff + i + 7 * w)));
      }
    }
    if (i < n) {
      a0 =
          a0.add(
              DoubleVector.fromArray(s, x, xOff + i, s.indexInRange(i, n))
                  .mul(DoubleVector.fromArray(s, y, yOff + i, s.indexInRange(i, n))));
      a1 =
          a1.add(
              DoubleVector.fromArray(s, x, xOff + i + w, s.indexInRange(i + w, n))
                  .mul(DoubleVector.fromArray(s, y, yOff + i + w, s.indexInRange(i + w, n))));
      if (w < 8) {
        a2 =
            a2.add(
                DoubleVector.fromArray(s, x, xOff + i + 2 * w, s.indexInRange(i + 2 * w, n))
                    .mul(
                        DoubleVector.fromArray(
                            s, y, yOff + i + 2 * w, s.indexInRange(i + 2 * w, n))));
        a3 =
            a3.add(
                DoubleVector.fromArray(s, x, xOff + i + 3 * w, s.indexInRange(i + 3 * w, n))
                    .mul(
                        DoubleVector.fromArray(
                            s, y, yOff + i + 3 * w, s.indexInRange(i + 3 * w, n))));
      }
      if (w < 4) {
        a4 =
            a4.add(
                DoubleVector.fromArray(s, x, xOff + i + 4 * w, s.indexInRange(i + 4 * w, n))
                    .mul(
                        DoubleVector.fromArray(
                            s, y, yOff + i + 4 * w, s.indexInRange(i + 4 * w, n))));
        a5 =
            a5.add(
                DoubleVector.fromArray(s, x, xOff + i + 5 * w, s.indexInRange(i + 5 * w, n))
                    .mul(
                        DoubleVector.fromArray(
                            s, y, yOff + i + 5 * w, s.indexInRange(i + 5 * w, n))));
        a6 =
            a6.add(
                DoubleVector.fromArray(s, x, xOff + i + 6 * w, s.indexInRange(i + 6 * w, n))
                    .mul(
                        DoubleVector.fromArray(
                            s, y, yOff + i + 6 * w, s.indexInRange(i + 6 * w, n))));
        a7 =
            a7.add(
                DoubleVector.fromArray(s, x, xOff + i + 7 * w, s.indexInRange(i + 7 * w, n))
                    .mul(
                        DoubleVector.fromArray(
                            s, y, yOff + i + 7 * w, s.indexInRange(i + 7 * w, n))));
      }
    }
    return tree(w, a0, a1, a2, a3, a4, a5, a6, a7);
  }

  /** {@link Reduce#sumF32}, vectorized. */
  public static double sumF32(float[] x, int from, int to) {
    VectorSpecies<Float> fs = FloatVector.SPECIES_PREFERRED;
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int wf = fs.length();
    int w = s.length();
    if (w < 2 || w > 8 || wf != 2 * w) {
      return Reduce.sumF32(x, from, to);
    }
    DoubleVector a0 = DoubleVector.zero(s);
    DoubleVector a1 = a0;
    DoubleVector a2 = a0;
    DoubleVector a3 = a0;
    DoubleVector a4 = a0;
    DoubleVector a5 = a0;
    DoubleVector a6 = a0;
    DoubleVector a7 = a0;
    int i = from;
    for (; i + 16 <= to; i += 16) {
      FloatVector f0 = FloatVector.fromArray(fs, x, i);
      a0 = a0.add(f0.convertShape(VectorOperators.F2D, s, 0));
      a1 = a1.add(f0.convertShape(VectorOperators.F2D, s, 1));
      if (wf < 16) {
        FloatVector f1 = FloatVector.fromArray(fs, x, i + wf);
        a2 = a2.add(f1.convertShape(VectorOperators.F2D, s, 0));
        a3 = a3.add(f1.convertShape(VectorOperators.F2D, s, 1));
      }
      if (wf < 8) {
        FloatVector f2 = FloatVector.fromArray(fs, x, i + 2 * wf);
        a4 = a4.add(f2.convertShape(VectorOperators.F2D, s, 0));
        a5 = a5.add(f2.convertShape(VectorOperators.F2D, s, 1));
        FloatVector f3 = FloatVector.fromArray(fs, x, i + 3 * wf);
        a6 = a6.add(f3.convertShape(VectorOperators.F2D, s, 0));
        a7 = a7.add(f3.convertShape(VectorOperators.F2D, s, 1));
      }
    }
    if (i < to) {
      FloatVector f0 = FloatVector.fromArray(fs, x, i, fs.indexInRange(i, to));
      a0 = a0.add(f0.convertShape(VectorOperators.F2D, s, 0));
      a1 = a1.add(f0.convertShape(VectorOperators.F2D, s, 1));
      if (wf < 16) {
        FloatVector f1 = FloatVector.fromArray(fs, x, i + wf, fs.indexInRange(i + wf, to));
        a2 = a2.add(f1.convertShape(VectorOperators.F2D, s, 0));
        a3 = a3.add(f1.convertShape(VectorOperators.F2D, s, 1));
      }
      if (wf < 8) {
        FloatVector f2 = FloatVector.fromArray(fs, x, i + 2 * wf, fs.indexInRange(i + 2 * wf, to));
        a4 = a4.add(f2.convertShape(VectorOperators.F2D, s, 0));
        a5 = a5.add(f2.convertShape(VectorOperators.F2D, s, 1));
        FloatVector f3 = FloatVector.fromArray(fs, x, i + 3 * wf, fs.indexInRange(i + 3 * wf, to));
        a6 = a6.add(f3.convertShape(VectorOperators.F2D, s, 0));
        a7 = a7.add(f3.convertShape(VectorOperators.F2D, s, 1));
      }
    }
    return tree(w, a0, a1, a2, a3, a4, a5, a6, a7);
  }

  /** {@link Reduce#dotF32}, vectorized. */
  public static double dotF32(float[] x, int xOff, float[] y, int yOff, int n) {
    VectorSpecies<Float> fs = FloatVector.SPECIES_PREFERRED;
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int wf = fs.length();
    int w = s.length();
    if (w < 2 || w > 8 || wf != 2 * w) {
      return Reduce.dotF32(x, xOff, y, yOff, n);
    }
    DoubleVector a0 = DoubleVector.zero(s);
    DoubleVector a1 = a0;
    DoubleVector a2 = a0;
    DoubleVector a3 = a0;
    DoubleVector a4 = a0;
    DoubleVector a5 = a0;
    DoubleVector a6 = a0;
    DoubleVector a7 = a0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      FloatVector f0 =
          FloatVector.fromArray(fs, x, xOff + i).mul(FloatVector.fromArray(fs, y, yOff + i));
      a0 = a0.add(f0.convertShape(VectorOperators.F2D, s, 0));
      a1 = a1.add(f0.convertShape(VectorOperators.F2D, s, 1));
      if (wf < 16) {
        FloatVector f1 =
            FloatVector.fromArray(fs, x, xOff + i + wf)
                .mul(FloatVector.fromArray(fs, y, yOff + i + wf));
        a2 = a2.add(f1.convertShape(VectorOperators.F2D, s, 0));
        a3 = a3.add(f1.convertShape(VectorOperators.F2D, s, 1));
      }
      if (wf < 8) {
        FloatVector f2 =
            FloatVector.fromArray(fs, x, xOff + i + 2 * wf)
                .mul(FloatVector.fromArray(fs, y, yOff + i + 2 * wf));
        a4 = a4.add(f2.convertShape(VectorOperators.F2D, s, 0));
        a5 = a5.add(f2.convertShape(VectorOperators.F2D, s, 1));
        FloatVector f3 =
            FloatVector.fromArray(fs, x, xOff + i + 3 * wf)
                .mul(FloatVector.fromArray(fs, y, yOff + i + 3 * wf));
        a6 = a6.add(f3.convertShape(VectorOperators.F2D, s, 0));
        a7 = a7.add(f3.convertShape(VectorOperators.F2D, s, 1));
      }
    }
    if (i < n) {
      FloatVector f0 =
          FloatVector.fromArray(fs, x, xOff + i, fs.indexInRange(i, n))
              .mul(FloatVector.fromArray(fs, y, yOff + i, fs.indexInRange(i, n)));
      a0 = a0.add(f0.convertShape(VectorOperators.F2D, s, 0));
      a1 = a1.add(f0.convertShape(VectorOperators.F2D, s, 1));
      if (wf < 16) {
        FloatVector f1 =
            FloatVector.fromArray(fs, x, xOff + i + wf, fs.indexInRange(i + wf, n))
                .mul(FloatVector.fromArray(fs, y, yOff + i + wf, fs.indexInRange(i + wf, n)));
        a2 = a2.add(f1.convertShape(VectorOperators.F2D, s, 0));
        a3 = a3.add(f1.convertShape(VectorOperators.F2D, s, 1));
      }
      if (wf < 8) {
        FloatVector f2 =
            FloatVector.fromArray(fs, x, xOff + i + 2 * wf, fs.indexInRange(i + 2 * wf, n))
                .mul(
                    FloatVector.fromArray(
                        fs, y, yOff + i + 2 * wf, fs.indexInRange(i + 2 * wf, n)));
        a4 = a4.add(f2.convertShape(VectorOperators.F2D, s, 0));
        a5 = a5.add(f2.convertShape(VectorOperators.F2D, s, 1));
        FloatVector f3 =
            FloatVector.fromArray(fs, x, xOff + i + 3 * wf, fs.indexInRange(i + 3 * wf, n))
                .mul(
                    FloatVector.fromArray(
                        fs, y, yOff + i + 3 * wf, fs.indexInRange(i + 3 * wf, n)));
        a6 = a6.add(f3.convertShape(VectorOperators.F2D, s, 0));
        a7 = a7.add(f3.convertShape(VectorOperators.F2D, s, 1));
      }
    }
    return tree(w, a0, a1, a2, a3, a4, a5, a6, a7);
  }
}
