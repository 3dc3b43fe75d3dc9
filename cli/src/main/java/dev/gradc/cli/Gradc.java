package dev.gradc.cli;

import dev.gradc.frontend.lang.Diagnostics;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code gradc} command line. Exit codes: 0 success, 1 a check failed, 2 bad usage, a bad
 * program or bad inputs, 3 an internal error (a bug). Diagnostics go to stderr; a Java stack trace
 * only with {@code --debug}.
 */
@Command(
    name = "gradc",
    mixinStandardHelpOptions = true,
    version = "gradc 0.1.0",
    description =
        "A gradient compiler for the JVM: run, inspect, check, compile and bench .grad"
            + " programs.",
    subcommands = {
      RunCommand.class,
      InspectCommand.class,
      CheckCommand.class,
      CompileCommand.class,
      BenchCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 a check failed, 2 bad usage, program or inputs, 3 internal error.",
      "Run 'gradc COMMAND --help' for the options of a command."
    })
public final class Gradc implements Runnable {
  static final int OK = 0;
  static final int CHECK_FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int INTERNAL_ERROR = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** The command line, with gradc's error handling; {@code execute} returns the exit code. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Gradc());
    cmd.setParameterExceptionHandler(Gradc::usageError);
    cmd.registerConverter(Path.class, Gradc::path);
    return cmd;
  }

  /** A path argument; one the file system cannot name is bad usage, not an exception. */
  private static Path path(String s) {
    try {
      return Path.of(s);
    } catch (InvalidPathException e) {
      throw new TypeConversionException("'" + s + "' is not a valid path: " + e.getReason());
    }
  }

  /** Bad usage: {@code gradc run: error: MESSAGE}, suggestions, and where to find help. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine c = e.getCommandLine();
    PrintWriter err = c.getErr();
    String name = c.getCommandSpec().qualifiedName();
    if (c.getParent() == null && e instanceof UnmatchedArgumentException u) {
      // The first word is not a command.
      String word = u.getUnmatched().get(0);
      err.println(
          name
              + ": error: unknown command '"
              + word
              + "'"
              + Diagnostics.suggestion(word, c.getSubcommands().keySet()));
      err.println("Commands: " + String.join(", ", c.getSubcommands().keySet()) + ".");
      err.println("Try 'gradc --help' for more information.");
    } else if (c.getParent() == null) {
      err.println(name + ": error: " + e.getMessage());
      err.print(c.getUsageMessage());
    } else {
      err.println(name + ": error: " + e.getMessage());
      UnmatchedArgumentException.printSuggestions(e, err);
      err.println("Try '" + name + " --help' for more information.");
    }
    err.flush();
    return BAD_INPUT;
  }

  /**
   * Runs the command line on these streams and returns the exit code. Output that could not be
   * written (a full disk, a closed pipe, a file size limit) is an error with exit code 2, whatever
   * the command did.
   */
  static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = commandLine();
    cmd.setOut(out);
    cmd.setErr(err);
    int code = cmd.execute(args);
    out.flush();
    String failure = ConsoleWriter.failure(out);
    if (failure != null && code != INTERNAL_ERROR) {
      err.println("gradc: error: cannot write to standard output: " + failure);
      code = BAD_INPUT;
    }
    err.flush();
    return code;
  }

  public static void main(String[] args) {
    // Unbuffered file streams under the writers: System.out would swallow write errors.
    ConsoleWriter out = ConsoleWriter.of(new FileOutputStream(FileDescriptor.out), false);
    ConsoleWriter err = ConsoleWriter.of(new FileOutputStream(FileDescriptor.err), true);
    System.exit(execute(args, out, err));
  }
}
