/**
 * The {@code gradc} command: run, inspect, check, compile and bench {@code .grad} programs.
 *
 * <p>{@link dev.gradc.cli.Gradc} is the picocli entry point; each subcommand extends {@code
 * GradcCommand}, which loads the program ({@code ProgramFile}: a {@code .grad} program or IR text)
 * and is the one place where failures become diagnostics and exit codes (0 success, 1 a failed
 * check, 2 bad usage, program or inputs, 3 a bug). Values come from {@code InputOptions}: JSON
 * ({@code JsonValues}), NumPy files ({@code Npy}), or seeded standard normals on request; they are
 * checked against the declarations, and errors point at the declaration they contradict. {@code
 * run}, {@code check} and {@code bench} compile {@code Autodiff.vjp} of the program through the
 * kernel cache; {@code inspect} prints each stage ({@code FuncGraph} and {@code AutogradGraph} draw
 * the IR and PyTorch's backward graph); {@code compile} writes {@code AotCompiler}'s classes to a
 * jar.
 */
package dev.gradc.cli;
