package dev.gradc.bench;

import java.util.Locale;

/**
 * The first {@value #STEPS} steps of {@link TinyStep} in a fresh JVM: what a short training run
 * sees, the JIT's warm-up included. The clock starts at the first line of {@code main}, so JVM
 * start-up is excluded and everything after it (loading gradc's classes, making the leaves, the
 * first compile of the gradient) is included. Prints the number of steps and the total in seconds
 * on one line; {@code bench/compare.sh} runs it in several fresh JVMs.
 *
 * <p>Usage: {@code FirstSteps [STEPS]}.
 */
public final class FirstSteps {
  /** How many steps a run times. */
  public static final int STEPS = 100_000;

  private FirstSteps() {}

  public static void main(String[] args) {
    long start = System.nanoTime();
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : STEPS;
    double[] grads = run(steps);
    long nanos = System.nanoTime() - start;
    if (grads[0] != 42 || grads[1] != 23) {
      throw new IllegalStateException("wrong gradients " + grads[0] + ", " + grads[1]);
    }
    System.out.println(String.format(Locale.ROOT, "%d %.6f", steps, nanos / 1e9));
  }

  /** Runs {@code steps} steps on fresh leaves; returns the last step's gradients. */
  static double[] run(int steps) {
    TinyStep s = new TinyStep();
    s.setUp();
    double[] grads = null;
    for (int i = 0; i < steps; i++) {
      grads = s.step();
    }
    return grads;
  }
}
