/**
 * PyTorch's {@code torch.func} for Java functions of tensors: {@link dev.gradc.func.Transforms}
 * turns an {@link dev.gradc.func.Fn} into another ({@code grad}, {@code jacrev}, {@code jacfwd},
 * {@code hessian}, {@code vmap}) and runs {@code jvp} and {@code vjp}. A transformed function is a
 * recipe: called on tensors, it traces the innermost Java function once per argument types,
 * rewrites the IR with each transform from the inside out ({@code dev.gradc.ir.ad.Transforms},
 * {@code dev.gradc.ir.ad.Vmap}) and runs the one compiled kernel that results, through the kernel
 * cache. Nothing runs eagerly; {@code vmap(grad(f))} is one fused function, not a loop.
 */
package dev.gradc.func;
