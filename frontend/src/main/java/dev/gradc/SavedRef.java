package dev.gradc;

import dev.gradc.frontend.Names;
import dev.gradc.ir.Type;

/**
 * A tensor an op saved for its backward, as PyTorch's {@code SavedVariable}: the storage and the
 * version it had when saved. Backward checks that nobody modified it in place since.
 *
 * @param outputOf the grad_fn name when the saved tensor was the output of a recorded op, else null
 */
record SavedRef(Storage storage, int version, Type type, String outputOf) {

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
            + (outputOf == null ? "" : ", which is output 0 of " + outputOf + ",")
            + " is at version "
            + now
            + "; expected version "
            + version
            + " instead. Hint: enable anomaly detection to find the operation that failed to"
            + " compute its gradient, with torch.autograd.set_detect_anomaly(True).");
  }
}
