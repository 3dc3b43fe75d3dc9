package dev.gradc.codegen.lib;

/**
 * Per-thread scratch arrays of generated kernels: the partial sums a kernel keeps for one chunk (a
 * column sum's {@code 16 * n} partials, a sum's 16) live in an array each thread keeps, instead of
 * one new array per chunk call. Each kernel and sum has its own {@code ThreadLocal} (a static field
 * of the generated class), and a chunk runs on one thread from start to end, so no two chunk calls
 * share an array. Copied into generated classes: no fields here.
 */
public final class Scratch {
  private Scratch() {}

  /**
   * This thread's array of {@code cache}, at least {@code length} long, its first {@code length}
   * elements set to {@code +0.0} (as a new array's).
   */
  public static double[] zeroed(ThreadLocal<double[]> cache, int length) {
    double[] a = cache.get();
    if (a == null || a.length < length) {
      a = new double[length];
      cache.set(a);
      return a;
    }
    java.util.Arrays.fill(a, 0, length, 0.0);
    return a;
  }
}
