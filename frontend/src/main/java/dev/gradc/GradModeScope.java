package dev.gradc;

/** A region of code with grad mode set; closing it restores the mode it found. */
abstract class GradModeScope implements AutoCloseable {
  private final boolean previous;

  GradModeScope(boolean enabled) {
    previous = GradMode.isEnabled();
    GradMode.set(enabled);
  }

  @Override
  public void close() {
    GradMode.set(previous);
  }
}
