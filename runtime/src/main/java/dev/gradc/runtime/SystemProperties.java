package dev.gradc.runtime;

/**
 * The system properties that configure the runtime, checked where they are read. A value that is
 * not allowed is an {@link IllegalArgumentException} naming the property, thrown by every call that
 * needs it, never an error in a class initializer (which would make the class unusable for the rest
 * of the JVM's life).
 *
 * <ul>
 *   <li>{@value #THREADS}: the threads compiled kernels use, an integer from 1 to {@value
 *       #MAX_THREADS}; default: the available processors.
 *   <li>{@value #CACHE_SIZE}: the entries of the process-wide kernel cache, a positive integer;
 *       default: {@value #DEFAULT_CACHE_SIZE}.
 * </ul>
 */
public final class SystemProperties {
  private SystemProperties() {}

  public static final String THREADS = "gradc.threads";
  public static final String CACHE_SIZE = "gradc.cache.size";

  /** The most threads a kernel call may use. */
  public static final int MAX_THREADS = 1024;

  public static final int DEFAULT_CACHE_SIZE = 4096;

  /** {@value #THREADS}, or the available processors (at most {@link #MAX_THREADS}). */
  public static int threads() {
    return integer(
        THREADS,
        1,
        MAX_THREADS,
        Math.min(MAX_THREADS, java.lang.Runtime.getRuntime().availableProcessors()));
  }

  /** {@value #CACHE_SIZE}, or {@value #DEFAULT_CACHE_SIZE}. */
  public static int cacheSize() {
    return integer(CACHE_SIZE, 1, Integer.MAX_VALUE, DEFAULT_CACHE_SIZE);
  }

  /** Checks every property the runtime reads; a command line calls it before it starts work. */
  public static void check() {
    threads();
    cacheSize();
  }

  /** The integer value of {@code name} in {@code [min, max]}, or {@code absent} when unset. */
  static int integer(String name, int min, int max, int absent) {
    String text = System.getProperty(name);
    if (text == null) {
      return absent;
    }
    String t = text.strip();
    // ASCII digits only: Long.parseLong would also read other scripts' digits.
    long v = isAsciiInteger(t) ? Long.parseLong(t) : Long.MIN_VALUE;
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          "the system property "
              + name
              + " must be "
              + (max == Integer.MAX_VALUE
                  ? "a positive integer"
                  : "an integer from " + min + " to " + max)
              + ", got '"
              + text
              + "'");
    }
    return (int) v;
  }

  /**
   * Whether {@code t} is an optional sign and 1 to 18 ASCII digits (a loop rather than a regular
   * expression, which would load the regex engine on the first kernel call).
   */
  private static boolean isAsciiInteger(String t) {
    int start = !t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-') ? 1 : 0;
    int digits = t.length() - start;
    if (digits < 1 || digits > 18) {
      return false;
    }
    for (int i = start; i < t.length(); i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
