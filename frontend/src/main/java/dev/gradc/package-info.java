/**
 * The Java API of gradc, with PyTorch's autograd contract: {@link dev.gradc.Tensor} (factories,
 * ops, {@code backward()}, {@code .grad}), {@link dev.gradc.Autograd} (no-grad regions, {@code
 * autograd.grad}), {@link dev.gradc.F} (losses and activations) and {@link dev.gradc.Gradc}
 * (explicit compilation and cache counters). Every graph is captured into the IR, differentiated in
 * reverse mode and run through the runtime's kernel cache.
 *
 * <p>The machinery behind the API is package-private, so it is not part of it. A {@code Node} is an
 * immutable lazy value with PyTorch's autograd record; {@code Recorder} records Tensor's ops and
 * in-place writes as nodes (named by the op table, {@code dev.gradc.ir.Op}); {@code Capture} walks
 * pending nodes iteratively into a {@code Func} (leaves named by position, so a rebuilt graph
 * prints the same text and hits the kernel cache) and runs it; {@code Backward} is the backward
 * engine on the same captures; {@code GradMode} is the per-thread grad mode.
 */
package dev.gradc;
