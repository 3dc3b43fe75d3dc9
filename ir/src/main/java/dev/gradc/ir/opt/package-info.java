/**
 * Optimization passes, each {@code Func -> Func}, and the {@link dev.gradc.ir.opt.Pipeline} that
 * runs them in order: simplify (folding, identities, stable rewrites), CSE, DCE.
 */
package dev.gradc.ir.opt;
