package dev.gradc.codegen.lib.vector;

import dev.gradc.ir.math.MathF64;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementary functions over a block, {@code y[i] = f(x[i])} for {@code i} in {@code [0, n)}
 * with {@code n} a multiple of the species' length: the passes of the vector backend's kernels with
 * elementary functions (each function a call between vector passes over the block's values). {@code
 * exp} runs as {@link MathVector#exp}; the others lane by lane in {@link MathF64}, the same bits
 * either way. Their one-vector forms do not compile well on JDK 17 yet: C2 stops inlining at {@code
 * NodeCountInliningCutoff} (18,000 nodes, fixed in product JVMs) within one polynomial of {@code
 * erf}, and a Vector API call left out of line takes and returns boxed vectors (a loop over {@link
 * MathVector#erf} ran 90-120 ns per element here, {@link MathF64#erf} 8-20).
 *
 * <p>Like the rest of {@code lib.vector}, no fields: the methods are copied into generated classes.
 */
public final class MathBlocks {
  private MathBlocks() {}

  /** {@link MathVector#exp(DoubleVector)} over the block. */
  public static void expBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i += s.length()) {
      MathVector.exp(DoubleVector.fromArray(s, x, i)).intoArray(y, i);
    }
  }

  /** {@link MathF64#expm1} over the block. */
  public static void expm1Block(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.expm1(x[i]);
    }
  }

  /** {@link MathF64#log} over the block. */
  public static void logBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.log(x[i]);
    }
  }

  /** {@link MathF64#log1p} over the block. */
  public static void log1pBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.log1p(x[i]);
    }
  }

  /** {@link MathF64#sigmoid} over the block. */
  public static void sigmoidBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.sigmoid(x[i]);
    }
  }

  /** {@link MathF64#tanh} over the block. */
  public static void tanhBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.tanh(x[i]);
    }
  }

  /** {@link MathF64#erf} over the block. */
  public static void erfBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.erf(x[i]);
    }
  }

  /** {@link MathF64#erfc} over the block. */
  public static void erfcBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.erfc(x[i]);
    }
  }

  /** {@link MathF64#sin} over the block. */
  public static void sinBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.sin(x[i]);
    }
  }

  /** {@link MathF64#cos} over the block. */
  public static void cosBlock(VectorSpecies<Double> s, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = MathF64.cos(x[i]);
    }
  }
}
