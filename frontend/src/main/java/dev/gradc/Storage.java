package dev.gradc;

/**
 * What a tensor and its {@code detach()} aliases share: the current value and PyTorch's version
 * counter, which every in-place operation bumps. Values are immutable nodes, so an in-place update
 * installs a new node; nodes captured earlier keep the data they saw.
 *
 * <p>One thread writes a storage at a time; others may read it meanwhile.
 */
final class Storage {
  private volatile Node latest;
  private volatile int version;

  Storage(Node value) {
    this.latest = value;
  }

  Node latest() {
    return latest;
  }

  int version() {
    return version;
  }

  /**
   * Installs the value written by an in-place operation; returns the new version. The value is
   * stored first, so that a thread that reads the version and then the value never sees a value
   * older than the version.
   */
  int write(Node value) {
    int next = version + 1;
    latest = value;
    version = next;
    return next;
  }
}
