package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.ir.Func;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The examples of {@code docs/language.md}. Each {@code grad} code block is a program: one marked
 * {@code <!-- error -->} must fail with exactly the diagnostic of the {@code text} block after it
 * (as file {@code example.grad}); every other one must compile and differentiate, and be the
 * PyTorch fixture {@code doc_language_K} (the K-th such block) with the shipped text, so that
 * {@link PyTorchFixtureTest} checks its value and gradients against PyTorch's.
 */
class LanguageDocTest {
  static final Path DOC = Path.of("../docs/language.md");

  /** One example: its text, the expected diagnostic (null for a program) and its line. */
  record Example(String program, String diagnostic, int line) {}

  static List<Example> examples() throws IOException {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).equals("```grad")) {
        continue;
      }
      boolean error = i > 0 && lines.get(i - 1).equals("<!-- error -->");
      int end = lines.subList(i + 1, lines.size()).indexOf("```") + i + 1;
      String program = String.join("\n", lines.subList(i + 1, end)) + "\n";
      String diagnostic = null;
      if (error) {
        int open = lines.subList(end + 1, lines.size()).indexOf("```text") + end + 1;
        int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
        diagnostic = String.join("\n", lines.subList(open + 1, close)) + "\n";
      }
      out.add(new Example(program, diagnostic, i + 1));
      i = end;
    }
    return out;
  }

  @Test
  void doc_hasProgramsAndErrors() throws IOException {
    List<Example> all = examples();
    assertTrue(all.stream().filter(e -> e.diagnostic() == null).count() >= 8, "programs");
    assertTrue(all.stream().filter(e -> e.diagnostic() != null).count() >= 3, "errors");
  }

  @TestFactory
  Stream<DynamicTest> everyExample_runsAsShown() throws IOException {
    List<Example> all = examples();
    List<DynamicTest> tests = new ArrayList<>();
    int k = 0;
    for (Example e : all) {
      String name = "language.md:" + e.line();
      if (e.diagnostic() != null) {
        tests.add(DynamicTest.dynamicTest(name, () -> checkError(e)));
      } else {
        int index = ++k;
        tests.add(DynamicTest.dynamicTest(name, () -> checkProgram(e, index)));
      }
    }
    return tests.stream();
  }

  private static void checkError(Example e) {
    ProgramException x =
        assertThrows(ProgramException.class, () -> GradLanguage.parse("example.grad", e.program()));
    assertEquals(e.diagnostic(), x.diagnostic(), "docs/language.md line " + e.line());
  }

  private static void checkProgram(Example e, int index) throws IOException {
    Func f = Verifier.verify(GradLanguage.parse("example.grad", e.program()).func());
    if (!f.gradParams().isEmpty()) {
      Verifier.verify(Autodiff.vjp(f));
    }
    Path fixture = PyTorchFixtureTest.FIXTURES.resolve("doc_language_" + index + ".json");
    assertTrue(Files.exists(fixture), fixture + ": rerun tools/fixtures/generate.py");
    assertEquals(
        e.program(),
        new ObjectMapper().readTree(fixture.toFile()).get("program").asText(),
        "docs/language.md line " + e.line() + " changed: rerun tools/fixtures/generate.py");
  }
}
