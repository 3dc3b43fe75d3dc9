/**
 * The user-facing layer: the PyTorch-like {@code dev.gradc.Tensor} API that captures operations
 * into the IR, and the {@code .grad} language that parses to the same IR.
 */
package dev.gradc.frontend;
