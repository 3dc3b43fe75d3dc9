package dev.gradc.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs {@code gradc} in-process through picocli's {@code execute}, capturing its output. */
final class Cli {
  private Cli() {}

  /** The repository root, seen from the module directory tests run in. */
  static final Path ROOT = Path.of("..");

  static final Path EXAMPLES = ROOT.resolve("examples");

  static final Path FIXTURES = ROOT.resolve("frontend/src/test/resources/fixtures");

  /** What one command did. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Gradc.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  static String example(String name) {
    return EXAMPLES.resolve(name).toString();
  }
}
