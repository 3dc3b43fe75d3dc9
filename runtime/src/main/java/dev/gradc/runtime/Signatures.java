package dev.gradc.runtime;

import dev.gradc.ir.Bindings;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Checks call arguments against a function's signature and computes result shapes. */
public final class Signatures {
  private Signatures() {}

  /** The parameter shapes of a function whose dims are all static. */
  public static int[][] staticShapes(Func f) {
    int[][] s = new int[f.params().size()][];
    for (int i = 0; i < s.length; i++) {
      Param p = f.params().get(i);
      if (!p.type().isStatic()) {
        throw new IllegalArgumentException(
            "parameter %" + p.name() + " has symbolic dims " + p.type() + ": pass the shapes");
      }
      s[i] = p.type().shape(Map.of());
    }
    return s;
  }

  /**
   * Binds the symbols of {@code f} from argument shapes after checking each buffer's dtype and
   * length; the error names the argument.
   */
  public static Map<String, Integer> bind(Func f, Object[] args, int[][] shapes) {
    List<Param> ps = f.params();
    if (args.length != ps.size() || shapes.length != ps.size()) {
      throw new IllegalArgumentException(
          "@" + f.name() + " takes " + ps.size() + " arguments, got " + args.length);
    }
    Map<String, Integer> env = Bindings.bind(ps, Arrays.asList(shapes));
    checkBuffers(f, args, shapes);
    return env;
  }

  /**
   * As {@link #bind}, for a function whose parameters all have the static shapes {@code expected}
   * (from {@link #staticShapes}): compares shapes without binding symbols, allocating nothing when
   * the arguments fit.
   */
  public static void check(Func f, Object[] args, int[][] shapes, int[][] expected) {
    boolean same = args.length == expected.length && shapes.length == expected.length;
    for (int i = 0; same && i < shapes.length; i++) {
      same = shapes[i] == expected[i] || Arrays.equals(shapes[i], expected[i]);
    }
    if (!same) {
      bind(f, args, shapes); // throws the message that names the argument
    }
    checkBuffers(f, args, shapes);
  }

  private static void checkBuffers(Func f, Object[] args, int[][] shapes) {
    List<Param> ps = f.params();
    for (int i = 0; i < args.length; i++) {
      Param p = ps.get(i);
      if (Buffers.dtypeOf(args[i]) != p.type().dtype()) {
        throw new IllegalArgumentException(
            "argument %"
                + p.name()
                + " should be a "
                + p.type().dtype().mnemonic()
                + " buffer, got "
                + Buffers.dtypeOf(args[i]).mnemonic());
      }
      int n = NdArray.numel(shapes[i]);
      if (Buffers.length(args[i]) != n) {
        throw new IllegalArgumentException(
            "argument %"
                + p.name()
                + " of shape "
                + Arrays.toString(shapes[i])
                + " needs "
                + n
                + " elements, got "
                + Buffers.length(args[i]));
      }
    }
  }

  public static int[][] resultShapes(Func f, int[][] shapes) {
    Map<String, Integer> env;
    try {
      env = Bindings.bind(f.params(), Arrays.asList(shapes));
    } catch (GradcException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    List<Value> rs = f.results();
    int[][] out = new int[rs.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = rs.get(i).type().shape(env);
    }
    return out;
  }
}
