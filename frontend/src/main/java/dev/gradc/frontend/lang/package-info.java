/**
 * The {@code .grad} language: a strict subset of Python that reads like the same loss in PyTorch
 * ({@code docs/language.md} is its reference).
 *
 * <p>{@link dev.gradc.frontend.lang.GradLanguage#parse} is the entry point. The lexer turns the
 * source into Python-style tokens (with {@code INDENT}/{@code DEDENT} for blocks); the parser reads
 * the declarations first, then runs the program statement by statement, building the IR through
 * {@link dev.gradc.ir.Builder}, so dtype promotion, broadcasting and folding are the IR's. Control
 * flow ({@code def}, {@code for}, {@code if}) runs when compiling, on values known then: numbers,
 * strings, tuples, shapes; a symbolic dim is a number known only when the program runs. Calls are
 * bound to a table of built-ins with PyTorch's names, keywords and defaults ({@code Builtins});
 * Python numbers compute as in Python and meet tensors as weak scalars. Every error is a {@link
 * dev.gradc.frontend.lang.ProgramException} that renders as {@code FILE:LINE:COL: error: MESSAGE}
 * with the source line and a caret.
 */
package dev.gradc.frontend.lang;
