/**
 * Test support that the {@code ir} module publishes in its test-jar ({@code gradc-ir}, type {@code
 * test-jar}) for other modules' tests.
 *
 * <ul>
 *   <li>{@link dev.gradc.ir.testing.RandomFuncs}: seeded random functions covering every op, and
 *       inputs that respect each op's domain, for differential tests ({@code generate(seed)},
 *       {@code inputs(f, seed)}, {@code describe(seed, f)} for failure messages).
 *   <li>{@link dev.gradc.ir.testing.Gradients}: central finite differences, gradient and
 *       Hessian-vector checks of a function's vjp.
 *   <li>{@link dev.gradc.ir.testing.Domain}: where a test draws argument values.
 *   <li>{@link dev.gradc.ir.testing.Fixtures}: the committed JSON fixtures (needs Jackson).
 * </ul>
 */
package dev.gradc.ir.testing;
