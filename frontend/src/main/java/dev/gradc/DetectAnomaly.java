package dev.gradc;

/**
 * A region in anomaly mode, as PyTorch's {@code with torch.autograd.detect_anomaly():}. Ops
 * recorded inside keep the Java file and line that called them; values computed inside run on the
 * reference interpreter, which checks each one, and the first NaN or infinity in the forward or
 * backward pass is a {@link dev.gradc.ir.AnomalyException} naming the IR node, the op (for a
 * gradient, its {@code grad_fn}, {@code "Function 'LogBackward0' returned nan values in its 0th
 * output"}) and the line that recorded it. Closing the scope restores the mode it found:
 *
 * <pre>
 * try (DetectAnomaly a = Autograd.detectAnomaly()) {
 *   loss.backward();
 * }
 * </pre>
 *
 * <p>Slower than compiled code, for debugging; outside the scope, kernels carry no checks.
 */
public final class DetectAnomaly implements AutoCloseable {
  private final AnomalyMode.State previous;

  DetectAnomaly(boolean checkNan) {
    previous = AnomalyMode.get();
    AnomalyMode.set(new AnomalyMode.State(checkNan));
  }

  @Override
  public void close() {
    AnomalyMode.set(previous);
  }
}
