/**
 * PyTorch's names and printing, shared by the Java API and the command line: {@link
 * dev.gradc.frontend.Names} (dtypes, sizes and legacy tensor types as PyTorch's messages print
 * them) and {@link dev.gradc.frontend.TensorFormat} (tensors as PyTorch prints them). The {@code
 * .grad} language, which parses to the same IR, lives in {@code dev.gradc.frontend.lang}.
 */
package dev.gradc.frontend;
