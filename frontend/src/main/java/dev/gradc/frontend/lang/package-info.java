/**
 * The {@code .grad} language: a Python-like subset that reads like the same loss in PyTorch.
 *
 * <p>{@link dev.gradc.frontend.lang.GradLanguage#parse} is the entry point. The lexer turns the
 * source into Python-style tokens (with {@code INDENT}/{@code DEDENT} for {@code with no_grad:}
 * blocks); the parser reads the declarations first, then builds the IR statement by statement
 * through {@link dev.gradc.ir.Builder}, so dtype promotion, broadcasting and folding are the IR's.
 * Calls are bound to a table of built-ins with PyTorch's names, keywords and defaults ({@code
 * Builtins}); Python numbers compute as in Python and meet tensors as weak scalars. Every error is
 * a {@link dev.gradc.frontend.lang.ProgramException} that renders as {@code FILE:LINE:COL: error:
 * MESSAGE} with the source line and a caret.
 */
package dev.gradc.frontend.lang;
