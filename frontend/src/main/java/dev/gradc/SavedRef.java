package dev.gradc;

import dev.gradc.frontend.Names;
import dev.gradc.ir.Type;

/**
 * A tensor an op saved for its backward, as PyTorch's {@code SavedVariable}: the storage and the
 * version it had when saved. Backward checks that nobody modified it in place since.
 *
 * @param outputOf the grad_fn name when the saved tensor was the output of a recorded op, else null
 * @param view whether the saved tensor is a view: modified, its history is regenerated, and
 *     PyTorch's message names {@code AsStridedBackward0}
 */
record SavedRef(Storage storage, int version, Type type, String outputOf, boolean view) {

  /**
   * The saved tensor's grad_fn now, as PyTorch names it in the message: a view's history is
   * regenerated, an update with grad recorded its node, an update without grad left it as it was.
   */
  private String gradFnNow() {
    if (view) {
      return Recorder.AS_STRIDED_BACKWARD;
    }
    Node latest = storage.latest();
    if (!latest.isRecorded()) {
      return outputOf;
    }
    return latest.gradFn().equals(Recorder.COPY_SLICES)
        ? "torch::autograd::" + Recorder.COPY_SLICES
        : latest.gradFn();
  }

  /** Throws PyTorch's error when the saved tensor was modified in place after it was saved. */
  void check() {
    int now = storage.version();
    if (now == version) {
      return;
    }
    throw new dev.gradc.ir.GradcException(
        "one of the variables needed for gradient computation has been modified by an inplace"
            + " operation: ["
            + Names.tensorType(type.dtype())
            + " "
            + type.dims()
            + "]"
            + (outputOf == null ? "" : ", which is output 0 of " + gradFnNow() + ",")
            + " is at version "
            + now
            + "; expected version "
            + version
            + " instead. Hint: enable anomaly detection to find the operation that failed to"
            + " compute its gradient, with torch.autograd.set_detect_anomaly(True).");
  }
}
