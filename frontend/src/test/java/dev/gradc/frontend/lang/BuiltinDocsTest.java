package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/java-api.md} names every {@code .grad} builtin: a function or method the language
 * accepts and the table does not show is one a user coming from PyTorch cannot find. A name counts
 * as shown when it is an identifier inside a backquoted span of the document.
 */
class BuiltinDocsTest {
  static final Path DOC = Path.of("../docs/java-api.md");

  private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The identifiers of every backquoted span of {@code text}. */
  static Set<String> codeIdentifiers(String text) {
    Set<String> out = new HashSet<>();
    Matcher code = CODE.matcher(text);
    while (code.find()) {
      Matcher id = IDENTIFIER.matcher(code.group(1));
      while (id.find()) {
        out.add(id.group());
      }
    }
    return out;
  }

  @Test
  void everyBuiltin_isNamedInTheJavaApiDoc() throws IOException {
    Set<String> shown = codeIdentifiers(Files.readString(DOC, StandardCharsets.UTF_8));
    Set<String> missing = new TreeSet<>();
    for (Builtin f : Builtins.all()) {
      if (!shown.contains(f.name())) {
        missing.add(f.name());
      }
    }
    assertTrue(
        missing.isEmpty(),
        "docs/java-api.md does not name these .grad builtins in its tables: " + missing);
  }
}
