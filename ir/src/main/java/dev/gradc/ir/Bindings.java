package dev.gradc.ir;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binds the symbolic dims of a function's parameters to the shapes of actual arguments. */
public final class Bindings {
  private Bindings() {}

  /**
   * The size of each symbol, checking every argument's rank and static dims and that each symbol
   * has one size. The error names the parameter and both shapes.
   */
  public static Map<String, Integer> bind(List<Param> params, List<int[]> shapes) {
    if (params.size() != shapes.size()) {
      throw new GradcException("expected " + params.size() + " arguments, got " + shapes.size());
    }
    Map<String, Integer> env = new HashMap<>();
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      int[] s = shapes.get(i);
      List<Dim> dims = p.type().dims();
      if (dims.size() != s.length) {
        throw mismatch(p, s);
      }
      for (int k = 0; k < s.length; k++) {
        Dim d = dims.get(k);
        if (d.isStatic()) {
          if (d.size() != s[k]) {
            throw mismatch(p, s);
          }
        } else {
          if (s[k] % d.factor() != 0) {
            throw mismatch(p, s);
          }
          int n = s[k] / d.factor();
          Integer prev = env.putIfAbsent(d.symbol(), n);
          if (prev != null && prev != n) {
            throw new GradcException(
                "argument %"
                    + p.name()
                    + " of shape "
                    + Arrays.toString(s)
                    + " binds "
                    + d.symbol()
                    + " = "
                    + n
                    + ", but an earlier argument bound it to "
                    + prev);
          }
        }
      }
    }
    return env;
  }

  private static GradcException mismatch(Param p, int[] s) {
    return new GradcException(
        "argument %"
            + p.name()
            + " should have shape "
            + p.type().shapeString()
            + ", got "
            + Arrays.toString(s));
  }
}
