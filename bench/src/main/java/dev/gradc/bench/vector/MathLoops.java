package dev.gradc.bench.vector;

import dev.gradc.codegen.lib.vector.MathVector;
import dev.gradc.ir.math.MathF64;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Array loops over {@link MathVector}'s functions in the preferred species, the tail in {@link
 * MathF64}, one method per function so that each call site sees one callee: {@code MathBench}'s
 * vector side. Compiled apart from the benchmarks (with {@code jdk.incubator.vector}); loaded only
 * by a benchmark whose fork adds the module.
 */
public final class MathLoops {
  private MathLoops() {}

  /** The loop of {@code name}. */
  public static void apply(String name, double[] in, double[] out) {
    switch (name) {
      case "exp" -> exp(in, out);
      case "expm1" -> expm1(in, out);
      case "log" -> log(in, out);
      case "log1p" -> log1p(in, out);
      case "sigmoid" -> sigmoid(in, out);
      case "tanh" -> tanh(in, out);
      case "erf" -> erf(in, out);
      case "erfc" -> erfc(in, out);
      case "sin" -> sin(in, out);
      case "cos" -> cos(in, out);
      default -> throw new IllegalArgumentException(name);
    }
  }

  public static void exp(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.exp(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.exp(in[i]);
    }
  }

  public static void expm1(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.expm1(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.expm1(in[i]);
    }
  }

  public static void log(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.log(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.log(in[i]);
    }
  }

  public static void log1p(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.log1p(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.log1p(in[i]);
    }
  }

  public static void sigmoid(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.sigmoid(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.sigmoid(in[i]);
    }
  }

  public static void tanh(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.tanh(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.tanh(in[i]);
    }
  }

  public static void erf(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.erf(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.erf(in[i]);
    }
  }

  public static void erfc(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.erfc(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.erfc(in[i]);
    }
  }

  public static void sin(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.sin(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.sin(in[i]);
    }
  }

  public static void cos(double[] in, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int i = 0;
    for (; i <= in.length - s.length(); i += s.length()) {
      MathVector.cos(DoubleVector.fromArray(s, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = MathF64.cos(in[i]);
    }
  }
}
