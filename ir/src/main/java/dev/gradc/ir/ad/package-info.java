/**
 * Reverse- and forward-mode differentiation. {@link dev.gradc.ir.ad.Autodiff#vjp} appends the
 * adjoint of a function to a copy of it and returns the value and one gradient per {@code param};
 * {@link dev.gradc.ir.ad.Autodiff#jvp} interleaves the tangents and returns the value and its
 * directional derivative. The gradient and tangent rules of all ops are in one file, {@code Rules}.
 * Each output is an ordinary function, so it can be optimized, compiled, or differentiated again
 * for higher-order gradients. {@link dev.gradc.ir.ad.Vmap#vmap} batches a function (one batching
 * rule per op), and {@link dev.gradc.ir.ad.Transforms} composes the three into {@code torch.func}'s
 * {@code grad}, {@code jacrev}, {@code jacfwd} and {@code hessian}.
 */
package dev.gradc.ir.ad;
