package dev.gradc.frontend.fuzz;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A generated {@code .grad} program with what it takes to run it: the sizes of its symbolic dims
 * and the domain each declared tensor is drawn from. {@code seed} names the program and seeds its
 * inputs.
 */
record FuzzProgram(
    long seed, String source, Map<String, Integer> symbols, Map<String, Domain> domains) {

  /** Where the elements of one declared tensor are drawn from: uniform reals, or integers. */
  record Domain(boolean integral, double lo, double hi) {
    static Domain uniform(double lo, double hi) {
      return new Domain(false, lo, hi);
    }

    /** Integers in {@code [lo, hi)}. */
    static Domain ints(int lo, int hi) {
      return new Domain(true, lo, hi);
    }

    Range range() {
      return integral ? new Range(lo, hi - 1) : new Range(lo, hi);
    }
  }

  FuzzProgram {
    symbols = Collections.unmodifiableMap(new LinkedHashMap<>(symbols));
    domains = Collections.unmodifiableMap(new LinkedHashMap<>(domains));
  }

  String name() {
    return "fuzz_" + seed;
  }

  FuzzProgram withSource(String s) {
    return new FuzzProgram(seed, s, symbols, domains);
  }

  FuzzProgram withSymbols(Map<String, Integer> s) {
    return new FuzzProgram(seed, source, s, domains);
  }

  private static final Pattern F32_DECLARATION =
      Pattern.compile("^((?:param|input) \\w+: )f32", Pattern.MULTILINE);

  /** True when some declaration or cast is single precision. */
  boolean usesF32() {
    return F32_DECLARATION.matcher(source).find() || source.contains(".float()");
  }

  /**
   * The same program in double precision: f32 declarations and {@code .float()} casts become f64.
   * Finite differences run on this variant.
   */
  FuzzProgram inF64() {
    String s = F32_DECLARATION.matcher(source).replaceAll("$1f64").replace(".float()", ".double()");
    return withSource(s);
  }
}
