package dev.gradc;

/**
 * What a tensor and its {@code detach()} aliases share: the current value and PyTorch's version
 * counter, which every in-place operation bumps. Values are immutable nodes, so an in-place update
 * installs a new node; nodes captured earlier keep the data they saw.
 */
final class Storage {
  private Node latest;
  private int version;

  Storage(Node value) {
    this.latest = value;
  }

  Node latest() {
    return latest;
  }

  int version() {
    return version;
  }

  /** Installs the value written by an in-place operation; returns the new version. */
  int write(Node value) {
    latest = value;
    return ++version;
  }
}
