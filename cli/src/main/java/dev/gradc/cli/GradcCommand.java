package dev.gradc.cli;

import dev.gradc.frontend.lang.ProgramException;
import dev.gradc.ir.GradcException;
import dev.gradc.runtime.SystemProperties;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: the program file, {@code --debug}, and the one place where failures
 * become diagnostics and exit codes: {@link Gradc#OK} on success, {@link Gradc#CHECK_FAILED} when a
 * check fails, {@link Gradc#BAD_INPUT} for a bad program, bad inputs or bad usage, {@link
 * Gradc#INTERNAL_ERROR} for a bug in gradc. A stack trace is printed only with {@code --debug}.
 */
abstract class GradcCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "A .grad program, or IR text (a file ending in .ir).")
  Path file;

  @Option(names = "--debug", description = "Print the Java stack trace of an error.")
  boolean debug;

  /** The program, once loaded: errors about it are shown at its source lines. */
  private ProgramFile program;

  /** Does the command's work; returns the exit code. */
  abstract int execute() throws Exception;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Loads {@link #file}; later errors about the program point into it. */
  ProgramFile load() {
    return load(file);
  }

  /** Loads {@code path}; later errors about a program point into the last one loaded. */
  ProgramFile load(Path path) {
    program = null;
    lastFile = path;
    program = ProgramFile.read(path);
    return program.parse();
  }

  /** The program file loaded last, for errors before it parses. */
  private Path lastFile;

  /** The files this command reads, which its outputs must never overwrite. */
  List<Path> inputFiles() {
    return List.of(file);
  }

  /** A usage error about this command's options: printed with a hint, exit code 2. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Says on stderr which values were generated, and from which seed. */
  void noteGenerated(Arguments args) {
    String note = args.generatedNote();
    if (note != null) {
      err().println("gradc: note: " + note);
    }
  }

  @Override
  public final Integer call() {
    PrintWriter err = err();
    try {
      checkProperties();
      return execute();
    } catch (ParameterException e) {
      throw e;
    } catch (ProgramException e) {
      return fail(e, e.diagnostic(), Gradc.BAD_INPUT);
    } catch (UserError e) {
      return fail(e, e.diagnostic(), Gradc.BAD_INPUT);
    } catch (GradcException e) {
      String text =
          program != null
              ? program.render(e)
              : (e.pos() != null ? e.pos() : where()) + ": error: " + e.getMessage() + "\n";
      return fail(e, text, Gradc.BAD_INPUT);
    } catch (UnsupportedOperationException e) {
      return fail(e, where() + ": error: not supported: " + e.getMessage() + "\n", Gradc.BAD_INPUT);
    } catch (OutOfMemoryError e) {
      return fail(
          e,
          where()
              + ": error: out of memory (the JVM's maximum heap is "
              + (Runtime.getRuntime().maxMemory() >> 20)
              + " MiB); use smaller dims, or a larger heap: GRADC_JAVA_OPTS=-Xmx8g\n",
          Gradc.BAD_INPUT);
    } catch (StackOverflowError e) {
      return fail(
          e, where() + ": error: the program is too deeply nested to process\n", Gradc.BAD_INPUT);
    } catch (Exception | Error e) {
      err.flush();
      return fail(
          e,
          "gradc: internal error: "
              + e
              + "\n(this is a bug in gradc; rerun with --debug for the stack trace)\n",
          Gradc.INTERNAL_ERROR);
    } finally {
      out().flush();
      err.flush();
    }
  }

  /** Bad values of gradc's system properties, before any work. */
  private static void checkProperties() {
    try {
      SystemProperties.check();
    } catch (IllegalArgumentException e) {
      throw new UserError("gradc", e.getMessage(), e);
    }
  }

  private String where() {
    return program != null ? program.name() : String.valueOf(lastFile != null ? lastFile : file);
  }

  private int fail(Throwable e, String diagnostic, int code) {
    PrintWriter err = err();
    out().flush();
    err.print(diagnostic);
    if (debug) {
      e.printStackTrace(err);
    }
    return code;
  }
}
