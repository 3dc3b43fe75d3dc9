/**
 * How the public API ({@code dev.gradc}) captures tensor programs into the IR: a {@link
 * dev.gradc.frontend.Node} is an immutable lazy value with PyTorch's autograd record; {@link
 * dev.gradc.frontend.Capture} walks pending nodes iteratively into a {@code Func} (leaves named by
 * position, so a rebuilt graph prints the same text and hits the kernel cache) and runs it; {@link
 * dev.gradc.frontend.Backward} is the backward engine on the same captures; {@link
 * dev.gradc.frontend.TensorFormat} prints tensors as PyTorch does. The {@code .grad} language that
 * parses to the same IR lives in {@code dev.gradc.frontend.lang}.
 */
package dev.gradc.frontend;
