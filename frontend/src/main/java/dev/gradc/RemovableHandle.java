package dev.gradc;

/**
 * What {@link Tensor#registerHook} returns, PyTorch's {@code RemovableHandle}: {@link #remove}
 * unregisters the hook.
 */
public final class RemovableHandle {
  private final Runnable remover;

  RemovableHandle(Runnable remover) {
    this.remover = remover;
  }

  /** Unregisters the hook; later calls do nothing. */
  public void remove() {
    remover.run();
  }
}
