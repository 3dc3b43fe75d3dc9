/**
 * The Java API of gradc, with PyTorch's autograd contract: {@link dev.gradc.Tensor} (factories,
 * ops, {@code backward()}, {@code .grad}), {@link dev.gradc.Autograd} (no-grad regions, {@code
 * autograd.grad}), {@link dev.gradc.F} (losses and activations) and {@link dev.gradc.Gradc}
 * (explicit compilation and cache counters). Every graph is captured into the IR, differentiated in
 * reverse mode and run through the runtime's kernel cache.
 */
package dev.gradc;
