package dev.gradc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gradc} command line. */
@Command(
    name = "gradc",
    mixinStandardHelpOptions = true,
    version = "gradc 0.1.0",
    description = "A gradient compiler for the JVM.",
    subcommands = {InspectCommand.class})
public final class Gradc implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** The command line; picocli's exit code for bad usage is 2, as gradc documents. */
  public static CommandLine commandLine() {
    return new CommandLine(new Gradc());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
