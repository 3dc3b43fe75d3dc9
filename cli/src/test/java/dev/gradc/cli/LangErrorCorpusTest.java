package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The language's corpus of malformed programs ({@code frontend/src/test/resources/lang/errors}),
 * run through the command line: {@code gradc inspect} on each must exit with code 2, print nothing
 * on stdout, and print on stderr exactly the diagnostic of its {@code .err} file (the frontend's
 * {@code LangCorpusTest} checks the same text from the API and blesses it).
 */
class LangErrorCorpusTest {
  static final Path DIR = Path.of("../frontend/src/test/resources/lang/errors");

  static List<Path> programs() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".grad")).sorted().toList();
    }
  }

  @Test
  void corpus_isLarge() throws IOException {
    assertTrue(programs().size() >= 170, programs().size() + " programs");
  }

  @TestFactory
  Stream<DynamicTest> everyProgram_exitsWith2AndItsDiagnostic() throws IOException {
    return programs().stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path program) throws IOException {
    String name = program.getFileName().toString();
    Path err = program.resolveSibling(name.substring(0, name.length() - ".grad".length()) + ".err");
    String expected = Files.readString(err, StandardCharsets.UTF_8);
    Cli.Result r = Cli.run("inspect", program.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out(), "nothing on stdout");
    String prefix = program.getParent().toString() + "/";
    assertEquals(expected, r.err().replace(prefix, ""), name);
  }
}
