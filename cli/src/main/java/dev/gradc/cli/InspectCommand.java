package dev.gradc.cli;

import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Pipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gradc inspect}: prints the stages of the pipeline for one program. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Print the IR, the gradient IR and the optimized IR of a program.")
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "An IR text file.")
  Path file;

  @Option(
      names = "--stage",
      defaultValue = "all",
      description = "ir, grad, opt or all (default: ${DEFAULT-VALUE}).")
  String stage;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println(file + ": error: cannot read: " + e.getMessage());
      return 2;
    }
    try {
      Func f = Parser.parse(file.toString(), text);
      boolean all = stage.equals("all");
      if (all || stage.equals("ir")) {
        out.print(Printer.print(f));
      }
      Func grad = Autodiff.vjp(f);
      if (all || stage.equals("grad")) {
        out.print(Printer.print(grad));
      }
      if (all || stage.equals("opt")) {
        out.print(Printer.print(Pipeline.run(grad)));
      }
      out.flush();
      return 0;
    } catch (GradcException e) {
      err.println((e.pos() != null ? e.pos() : file) + ": error: " + e.getMessage());
      return 2;
    }
  }
}
