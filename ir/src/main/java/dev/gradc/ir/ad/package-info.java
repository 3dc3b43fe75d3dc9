/**
 * Reverse-mode differentiation. {@link dev.gradc.ir.ad.Autodiff#vjp} appends the adjoint of a
 * function to a copy of it and returns the value and one gradient per {@code param}; the gradient
 * rules of all ops are in one file, {@code Rules}. The output is an ordinary function, so it can be
 * optimized, compiled, or differentiated again for higher-order gradients.
 */
package dev.gradc.ir.ad;
