package dev.gradc.frontend;

/**
 * What an op's backward node saves, as PyTorch's {@code derivatives.yaml} decides, written as a
 * short code: a digit {@code k} saves input {@code k}; {@code c} saves each of two inputs when the
 * other requires grad (the rule of {@code mul} and {@code matmul}); {@code R} saves the result;
 * {@code *} saves something that is not a tensor the user holds (a scalar, an intermediate). An
 * empty code saves nothing, so the graph can be backpropagated again.
 */
public record Saves(String code) {
  public static final Saves NOTHING = new Saves("");

  private static final java.util.Map<String, Saves> KNOWN =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The codes are a few constants, so each is made once. */
  public static Saves of(String code) {
    return code.isEmpty() ? NOTHING : KNOWN.computeIfAbsent(code, Saves::new);
  }

  public boolean any() {
    return !code.isEmpty();
  }

  public boolean result() {
    return code.indexOf('R') >= 0;
  }

  /**
   * Whether input {@code i} of {@code count} is saved, given which inputs require grad (bit {@code
   * k} of {@code requiresGrad} for input {@code k}).
   */
  public boolean input(int i, int count, int requiresGrad) {
    if (code.indexOf((char) ('0' + i)) >= 0) {
      return true;
    }
    return code.indexOf('c') >= 0 && count == 2 && (requiresGrad & (1 << (1 - i))) != 0;
  }
}
