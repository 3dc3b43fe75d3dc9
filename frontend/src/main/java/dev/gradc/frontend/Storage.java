package dev.gradc.frontend;

/**
 * What a tensor and its {@code detach()} aliases share: the current value and PyTorch's version
 * counter, which every in-place operation bumps. Values are immutable nodes, so an in-place update
 * installs a new node; nodes captured earlier keep the data they saw.
 */
public final class Storage {
  private Node latest;
  private int version;

  public Storage(Node value) {
    this.latest = value;
  }

  public Node latest() {
    return latest;
  }

  public int version() {
    return version;
  }

  /** Installs the value written by an in-place operation; returns the new version. */
  public int write(Node value) {
    latest = value;
    return ++version;
  }
}
