/**
 * gradc's own elementary functions ({@link dev.gradc.ir.math.MathF64}): {@code exp}, {@code log},
 * {@code expm1}, {@code log1p}, {@code sigmoid}, {@code tanh}, {@code erf}, {@code erfc}, {@code
 * sin} and {@code cos} as polynomial kernels of {@code +}, {@code *}, {@code /} and fused
 * multiply-adds, within 1 to 2 ulp of the correctly rounded result and with the same bits on every
 * machine. Their coefficients ({@link dev.gradc.ir.math.Coefficients}) come from {@code
 * tools/math/fit.py}; {@code tools/math/reference.py} writes the high-precision values their tests
 * measure them against.
 */
package dev.gradc.ir.math;
