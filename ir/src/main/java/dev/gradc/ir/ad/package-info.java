/**
 * Reverse- and forward-mode differentiation. {@link dev.gradc.ir.ad.Autodiff#vjp} appends the
 * adjoint of a function to a copy of it and returns the value and one gradient per {@code param};
 * {@link dev.gradc.ir.ad.Autodiff#jvp} interleaves the tangents and returns the value and its
 * directional derivative. The gradient and tangent rules of all ops are in one file, {@code Rules}.
 * Each output is an ordinary function, so it can be optimized, compiled, or differentiated again
 * for higher-order gradients.
 */
package dev.gradc.ir.ad;
