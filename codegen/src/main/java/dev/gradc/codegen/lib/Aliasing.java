package dev.gradc.codegen.lib;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Makes a call behave as if its arrays were distinct (copied into AOT classes; {@code java.base}
 * only). Generated code writes its outputs while it still reads its arguments, so an argument that
 * is also an output is copied first; two outputs sharing one array cannot both hold their result
 * and are refused.
 */
public final class Aliasing {
  private Aliasing() {}

  /**
   * Replaces each {@code args[i]} that is also one of {@code outs} by a copy, and throws {@link
   * IllegalArgumentException} naming both when two outputs are one array. Null outputs are skipped.
   * {@code outNames} holds one name per output, separated by {@code '\n'} (split only to write the
   * message), which keeps the code at a call site small.
   */
  public static void separate(Object[] args, Object[] outs, String outNames) {
    if (outs == null) {
      return;
    }
    if (args.length * outs.length <= 256) {
      for (int j = 0; j < outs.length; j++) {
        Object o = outs[j];
        if (o == null) {
          continue;
        }
        for (int k = 0; k < j; k++) {
          if (outs[k] == o) {
            throw sharedOutput(outNames, k, j);
          }
        }
        for (int i = 0; i < args.length; i++) {
          if (args[i] == o) {
            args[i] = copyOf(o);
          }
        }
      }
      return;
    }
    Map<Object, Integer> seen = new IdentityHashMap<>();
    for (int j = 0; j < outs.length; j++) {
      if (outs[j] != null) {
        Integer k = seen.putIfAbsent(outs[j], j);
        if (k != null) {
          throw sharedOutput(outNames, k, j);
        }
      }
    }
    for (int i = 0; i < args.length; i++) {
      if (args[i] != null && seen.containsKey(args[i])) {
        args[i] = copyOf(args[i]);
      }
    }
  }

  private static IllegalArgumentException sharedOutput(String outNames, int first, int second) {
    String[] names = outNames.split("\n", -1);
    return new IllegalArgumentException(
        names[first] + " and " + names[second] + " are the same array: each output needs its own");
  }

  private static Object copyOf(Object a) {
    if (a instanceof double[]) {
      return java.util.Arrays.copyOf((double[]) a, ((double[]) a).length);
    }
    if (a instanceof float[]) {
      return java.util.Arrays.copyOf((float[]) a, ((float[]) a).length);
    }
    if (a instanceof long[]) {
      return java.util.Arrays.copyOf((long[]) a, ((long[]) a).length);
    }
    if (a instanceof boolean[]) {
      return java.util.Arrays.copyOf((boolean[]) a, ((boolean[]) a).length);
    }
    if (a instanceof int[]) {
      return java.util.Arrays.copyOf((int[]) a, ((int[]) a).length);
    }
    return a;
  }
}
