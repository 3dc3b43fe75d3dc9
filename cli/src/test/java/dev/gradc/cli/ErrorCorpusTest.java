package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed programs and bad inputs under {@code src/test/resources/errors/}: each {@code
 * NAME.case} holds a comment, the command line ({@code $ gradc ARGS}, single quotes group words),
 * and the exact expected stderr; programs and data files sit beside it. Every case must exit with
 * code 2, print nothing on stdout, print no stack trace, and finish promptly. In the command line
 * and the expected text, {@code {dir}}, {@code {examples}}, {@code {npy}} and {@code {tmp}} stand
 * for the corpus, the examples, the .npy fixtures and a scratch directory (where the test writes a
 * 10 MB program). Run with {@code -Dgolden.update=true} to rewrite the expected text, then review
 * the diff.
 */
class ErrorCorpusTest {
  static final Path DIR = Path.of("src/test/resources/errors");
  static final boolean UPDATE = Boolean.getBoolean("golden.update");
  static final int HUGE_BYTES = 10 * 1024 * 1024;

  @TempDir static Path tmp;

  @BeforeAll
  static void writeHugeProgram() throws IOException {
    byte[] line = "w = w * 1.0001\n".getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = Files.newOutputStream(tmp.resolve("huge.grad"))) {
      out.write("param w: f64[3]\n".getBytes(StandardCharsets.US_ASCII));
      for (int written = 0; written < HUGE_BYTES; written += line.length) {
        out.write(line);
      }
    }
  }

  /** Placeholder to path, longest path first so that no path is replaced inside another. */
  static Map<String, String> places() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("{tmp}", tmp.toString());
    m.put("{npy}", NpyTest.DIR.toString());
    m.put("{dir}", DIR.toString());
    m.put("{examples}", Cli.EXAMPLES.toString());
    return m;
  }

  static List<Path> cases() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".case")).sorted().toList();
    }
  }

  @Test
  void corpus_hasAtLeastFiftyCases() throws IOException {
    assertTrue(cases().size() >= 50, cases().size() + " cases");
  }

  @TestFactory
  Stream<DynamicTest> everyCase_exitsWith2AndItsDiagnostic() throws IOException {
    return cases().stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int cmd = text.indexOf("\n$ gradc");
    int end = text.indexOf('\n', cmd + 1);
    String head = text.substring(0, end + 1);
    String expected = text.substring(end + 1);
    String line = text.substring(cmd + "\n$ gradc".length(), end);
    for (Map.Entry<String, String> e : places().entrySet()) {
      line = line.replace(e.getKey(), e.getValue());
    }
    String[] args = words(line).toArray(new String[0]);
    Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run(args));
    String err = r.err();
    for (Map.Entry<String, String> e : places().entrySet()) {
      err = err.replace(e.getValue(), e.getKey());
    }
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out(), "nothing on stdout");
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
    assertFalse(err.contains("Exception"), "no exception names: " + err);
    if (UPDATE) {
      Files.writeString(file, head + err, StandardCharsets.UTF_8);
    } else {
      assertEquals(expected, err, file.toString());
    }
  }

  /** Splits on spaces; single quotes group a word and are removed. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        if (w == null) {
          w = new StringBuilder();
        }
      } else if (c == ' ' && !quoted) {
        if (w != null) {
          out.add(w.toString());
          w = null;
        }
      } else {
        if (w == null) {
          w = new StringBuilder();
        }
        w.append(c);
      }
    }
    if (w != null) {
      out.add(w.toString());
    }
    return out;
  }

  @Test
  void words_quoting() {
    assertEquals(List.of("run", "a b", "--set", "w=[1, 2]"), words(" run 'a b' --set 'w=[1, 2]'"));
    assertEquals(List.of(), words(""));
  }
}
