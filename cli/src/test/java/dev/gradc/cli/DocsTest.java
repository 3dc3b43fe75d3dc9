package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The README and the docs say only what the code does. A code block shown as a command's output
 * carries a marker comment just before it, and this test runs the command in-process and compares:
 *
 * <ul>
 *   <li>{@code <!-- output of the command above -->}: the {@code ./gradc} commands of the code
 *       block before (joined with {@code &&}) print exactly this block;
 *   <li>{@code <!-- output of: ./gradc ARGS -->}: that command prints exactly this block;
 *   <li>{@code <!-- excerpt of: ./gradc ARGS -->}: the block's lines, trimmed and without {@code //
 *       comments}, appear in order in what the command prints;
 *   <li>{@code <!-- file: PATH -->}: the block is the text of that file.
 * </ul>
 *
 * A line {@code ...} in a block stands for any number of lines. Besides, every {@code ./gradc}
 * command in a code block must parse, and every repository path and every class or test named in
 * backquotes must exist, so a doc that says where a thing lives breaks when it moves.
 */
class DocsTest {
  private static final List<Path> DOCS = docs();

  private static final Pattern MARKER =
      Pattern.compile(
          "<!-- (output of the command above|output of: (.*)|excerpt of: (.*)|file: (.*)) -->");

  /** A path of the repository: a top-level folder, then more of it. */
  private static final Pattern PATH =
      Pattern.compile(
          "^(ir|codegen|runtime|frontend|cli|examples|bench|docs|tools|gradc|\\.ci)(/[\\w./-]*)?$|^[\\w-]+\\.md$");

  /**
   * A test, benchmark or test tool named alone ({@code LanguageFuzzTest}, {@code
   * GradcBench.tinyStep}), or a class named with its package ({@code dev.gradc.examples.Tutorial}).
   */
  private static final Pattern CLASS =
      Pattern.compile(
          "^(?:[A-Z]\\w*(?:Test|Bench|Writer)(?=$|\\.\\w+$)|dev\\.gradc\\.(?:[a-z]+\\.)*[A-Z]\\w*$)");

  /** Classes a code block names: {@code -Dtest=X} and {@code dev.gradc...X}. */
  private static final Pattern CLASS_IN_CODE =
      Pattern.compile("-Dtest=(\\w+)|\\b(dev\\.gradc\\.(?:[a-z]+\\.)*[A-Z]\\w*)");

  private static List<Path> docs() {
    List<Path> out = new ArrayList<>();
    out.add(Cli.ROOT.resolve("README.md"));
    try (Stream<Path> s = Files.list(Cli.ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** A fenced code block: its lines, the marker before it (or null) and where it starts. */
  record Block(Path doc, int line, List<String> lines, Matcher marker) {
    String where() {
      return Cli.ROOT.relativize(doc) + ":" + line;
    }
  }

  static List<Block> blocks(Path doc) throws IOException {
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    List<Block> out = new ArrayList<>();
    Matcher marker = null;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      Matcher m = MARKER.matcher(l.trim());
      if (m.matches()) {
        marker = m;
        continue;
      }
      if (l.startsWith("```")) {
        int start = i;
        List<String> body = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
          body.add(lines.get(i));
        }
        out.add(new Block(doc, start + 1, body, marker));
        marker = null;
      } else if (!l.isBlank()) {
        marker = null;
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> markedBlocks_showWhatTheCodeDoes() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path doc : DOCS) {
      List<Block> bs = blocks(doc);
      for (int i = 0; i < bs.size(); i++) {
        Block b = bs.get(i);
        if (b.marker() == null) {
          continue;
        }
        Block before = i > 0 ? bs.get(i - 1) : null;
        tests.add(DynamicTest.dynamicTest(b.where(), () -> check(b, before)));
      }
    }
    assertTrue(tests.size() >= 5, "marked blocks: " + tests.size());
    return tests.stream();
  }

  private static void check(Block b, Block before) throws IOException {
    Matcher m = b.marker();
    if (m.group(4) != null) {
      String file = Files.readString(Cli.ROOT.resolve(m.group(4).trim()), StandardCharsets.UTF_8);
      assertEquals(file, String.join("\n", b.lines()) + "\n", b.where() + " shows " + m.group(4));
      return;
    }
    boolean excerpt = m.group(3) != null;
    String commands =
        m.group(2) != null
            ? m.group(2)
            : excerpt ? m.group(3) : String.join(" ", commandsOf(before, b));
    StringBuilder out = new StringBuilder();
    for (String command : commands.split("&&", -1)) {
      Cli.Result r = Cli.run(args(command.trim()));
      assertEquals(0, r.code(), b.where() + ": " + command + "\n" + r);
      out.append(r.out());
    }
    List<String> actual = Arrays.asList(out.toString().split("\n", -1));
    if (excerpt) {
      List<String> expected = new ArrayList<>(List.of("..."));
      for (String l : b.lines()) {
        expected.add(l.replaceFirst("\\s+// .*$", "").trim());
      }
      expected.add("...");
      List<String> trimmed = actual.stream().map(String::trim).collect(Collectors.toList());
      if (!matches(expected, 0, trimmed, 0)) {
        fail(b.where() + ": not in the output of " + commands + "\n" + out);
      }
      return;
    }
    List<String> expected = new ArrayList<>(b.lines());
    expected.add("");
    if (!matches(expected, 0, actual, 0)) {
      assertEquals(
          String.join("\n", b.lines()), out.toString().strip(), b.where() + ": " + commands);
    }
  }

  private static List<String> commandsOf(Block before, Block b) {
    assertTrue(before != null, b.where() + ": no command block above");
    List<String> cs =
        before.lines().stream().filter(l -> l.startsWith("./gradc ")).collect(Collectors.toList());
    assertTrue(!cs.isEmpty(), before.where() + ": no ./gradc command");
    return cs;
  }

  /** The arguments of a {@code ./gradc} command line; repository paths resolve from its root. */
  static String[] args(String command) {
    assertTrue(command.startsWith("./gradc "), command);
    String[] words = command.substring("./gradc ".length()).trim().split("\\s+", -1);
    for (int i = 0; i < words.length; i++) {
      Path p = Cli.ROOT.resolve(words[i]);
      if (words[i].contains("/") && Files.exists(p)) {
        words[i] = p.toString();
      }
    }
    return words;
  }

  /** Whether {@code a} from {@code j} matches {@code e} from {@code i}, {@code ...} any lines. */
  static boolean matches(List<String> e, int i, List<String> a, int j) {
    if (i == e.size()) {
      return j == a.size();
    }
    if (e.get(i).trim().equals("...")) {
      for (int k = j; k <= a.size(); k++) {
        if (matches(e, i + 1, a, k)) {
          return true;
        }
      }
      return false;
    }
    boolean same = j < a.size() && e.get(i).stripTrailing().equals(a.get(j).stripTrailing());
    return same && matches(e, i + 1, a, j + 1);
  }

  @TestFactory
  Stream<DynamicTest> everyGradcCommand_parses() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path doc : DOCS) {
      for (Block b : blocks(doc)) {
        for (String l : b.lines()) {
          for (String command : l.split("&&", -1)) {
            String c = command.trim();
            if (c.startsWith("./gradc ")) {
              tests.add(
                  DynamicTest.dynamicTest(
                      b.where() + " " + c, () -> Gradc.commandLine().parseArgs(args(c))));
            }
          }
        }
      }
    }
    assertTrue(tests.size() >= 6, "gradc commands in the docs: " + tests.size());
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> everyNamedPathAndClass_exists() throws IOException {
    Set<String> classes = classNames();
    List<DynamicTest> tests = new ArrayList<>();
    Pattern code = Pattern.compile("`([^`\\s]+)`|\\]\\(([^)\\s]+)\\)");
    for (Path doc : DOCS) {
      String where = Cli.ROOT.relativize(doc).toString();
      Set<String> names = new LinkedHashSet<>();
      Matcher m = code.matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (m.find()) {
        names.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
      for (Block b : blocks(doc)) {
        Matcher c = CLASS_IN_CODE.matcher(String.join("\n", b.lines()));
        while (c.find()) {
          names.add(c.group(1) != null ? c.group(1) : c.group(2));
        }
      }
      for (String n : names) {
        if (PATH.matcher(n).matches() && !n.contains("/target/")) {
          tests.add(
              DynamicTest.dynamicTest(
                  where + " names " + n,
                  () ->
                      assertTrue(
                          exists(doc.getParent(), n) || exists(Cli.ROOT, n),
                          where + " names " + n + ", which does not exist")));
        } else if (CLASS.matcher(n).matches() || CLASS_IN_CODE.matcher(n).matches()) {
          String simple = simpleName(n);
          tests.add(
              DynamicTest.dynamicTest(
                  where + " names " + n,
                  () ->
                      assertTrue(
                          classes.contains(simple),
                          where + " names " + n + ", which does not exist")));
        }
      }
    }
    assertTrue(tests.size() >= 10, "named paths and classes: " + tests.size());
    return tests.stream();
  }

  /** {@code LanguageFuzzTest}, {@code GradcBench} of {@code GradcBench.tinyStep}, ... */
  private static String simpleName(String n) {
    String[] parts = n.split("\\.", -1);
    for (int i = parts.length - 1; i >= 0; i--) {
      if (!parts[i].isEmpty() && Character.isUpperCase(parts[i].charAt(0))) {
        return parts[i];
      }
    }
    return n;
  }

  /** Whether a path exists below {@code base}; an all-capitals segment (STAGE) stands for any. */
  private static boolean exists(Path base, String path) {
    Path p = base;
    for (String segment : path.split("/", -1)) {
      if (segment.equals(segment.toUpperCase(java.util.Locale.ROOT)) && segment.matches("[A-Z]+")) {
        return Files.isDirectory(p);
      }
      p = p.resolve(segment);
    }
    return Files.exists(p);
  }

  /** The simple names of every Java class in the repository's sources. */
  private static Set<String> classNames() throws IOException {
    try (Stream<Path> s = Files.walk(Cli.ROOT)) {
      return s.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .map(p -> p.getFileName().toString().replace(".java", ""))
          .collect(Collectors.toSet());
    }
  }

  /** A Java API call in a table cell: {@code x.name(}, {@code Tensor.name(}, {@code F.name(}... */
  private static final Pattern JAVA_CALL =
      Pattern.compile("(?<![\\w.])(x|a|b|Tensor|F|Autograd)\\.(\\w+)\\(");

  /**
   * Every Java spelling that docs/java-api.md's tables give for a PyTorch function is a public
   * method of that class ({@code x} and {@code a}, {@code b} stand for a {@code Tensor}), so the
   * table cannot promise a method that does not exist or was renamed.
   */
  @TestFactory
  Stream<DynamicTest> javaApiTables_nameMethodsThatExist() throws IOException {
    Path doc = Cli.ROOT.resolve("docs/java-api.md");
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      List<String> cells = Arrays.asList(lines.get(i).split("\\|", -1));
      if (!lines.get(i).startsWith("|") || cells.size() < 3) {
        continue;
      }
      Matcher m = JAVA_CALL.matcher(cells.get(2));
      Set<String> calls = new LinkedHashSet<>();
      while (m.find()) {
        String owner = m.group(1).matches("[xab]") ? "Tensor" : m.group(1);
        calls.add(owner + "." + m.group(2));
      }
      int line = i + 1;
      for (String call : calls) {
        tests.add(
            DynamicTest.dynamicTest(
                "docs/java-api.md:" + line + " " + call,
                () -> {
                  String owner = call.substring(0, call.indexOf('.'));
                  String name = call.substring(call.indexOf('.') + 1);
                  Class<?> c = Class.forName("dev.gradc." + owner);
                  assertTrue(
                      Arrays.stream(c.getMethods()).anyMatch(x -> x.getName().equals(name)),
                      "docs/java-api.md:" + line + " names " + call + ", which does not exist");
                }));
      }
    }
    assertTrue(tests.size() > 40, "calls found: " + tests.size());
    return tests.stream();
  }
}
