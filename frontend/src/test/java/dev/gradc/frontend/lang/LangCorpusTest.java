package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.Func;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The program corpus under {@code src/test/resources/lang/}: each {@code errors/NAME.grad} must
 * fail with exactly the diagnostic in {@code NAME.err}; each {@code programs/NAME.grad} must parse
 * to exactly the IR in {@code NAME.ir}, which verifies, round-trips through the IR parser and
 * differentiates. Run with {@code -Dgolden.update=true} to rewrite the expected files, then review
 * the diff.
 */
class LangCorpusTest {
  static final Path ROOT = Path.of("src/test/resources/lang");
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static List<Path> sources(String dir) throws IOException {
    try (Stream<Path> s = Files.list(ROOT.resolve(dir))) {
      return s.filter(p -> p.toString().endsWith(".grad")).sorted().collect(Collectors.toList());
    }
  }

  static Path sidecar(Path grad, String ext) {
    String n = grad.getFileName().toString();
    return grad.resolveSibling(n.substring(0, n.length() - ".grad".length()) + ext);
  }

  @TestFactory
  Stream<DynamicTest> errors() throws IOException {
    return sources("errors").stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkError(p)));
  }

  @TestFactory
  Stream<DynamicTest> programs() throws IOException {
    return sources("programs").stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkProgram(p)));
  }

  private static void checkError(Path file) throws IOException {
    String source = Files.readString(file, StandardCharsets.UTF_8);
    String name = file.getFileName().toString();
    ProgramException e =
        assertThrows(ProgramException.class, () -> GradLanguage.parse(name, source), name);
    compare(sidecar(file, ".err"), e.diagnostic());
  }

  private static void checkProgram(Path file) throws IOException {
    String source = Files.readString(file, StandardCharsets.UTF_8);
    Program program = GradLanguage.parse(file.getFileName().toString(), source);
    Func f = Verifier.verify(program.func());
    String printed = Printer.print(f);
    assertEquals(printed, Printer.print(Parser.parse(printed)), "IR does not round-trip");
    if (!f.gradParams().isEmpty()) {
      Verifier.verify(Autodiff.vjp(f));
    }
    compare(sidecar(file, ".ir"), printed);
  }

  private static void compare(Path expectedFile, String actual) throws IOException {
    if (UPDATE) {
      Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
      return;
    }
    String expected =
        Files.exists(expectedFile) ? Files.readString(expectedFile, StandardCharsets.UTF_8) : "";
    assertEquals(expected, actual, expectedFile + " (rerun with -Dgolden.update=true)");
  }
}
