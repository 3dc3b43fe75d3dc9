package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Cse;
import dev.gradc.ir.opt.Dce;
import dev.gradc.ir.opt.Pipeline;
import dev.gradc.ir.opt.Simplify;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden IR files under {@code src/test/resources/golden/STAGE/}. A file holds an input function, a
 * separator line {@code ;; ==== STAGE}, and the expected output of that stage; {@code roundtrip}
 * files hold one function that must print back exactly. Run with {@code -Dgolden.update=true} to
 * rewrite the expected parts, then review the diff.
 */
class GoldenTest {
  static final Path ROOT = Path.of("src/test/resources/golden");
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static UnaryOperator<Func> stage(String name) {
    return switch (name) {
      case "vjp" -> Autodiff::vjp;
      case "simplify" -> f -> new Simplify().run(f);
      case "cse" -> f -> new Cse().run(f);
      case "dce" -> f -> new Dce().run(f);
      case "opt" -> f -> Pipeline.run(Autodiff.vjp(f), (p, out) -> Verifier.verify(out));
      default -> throw new IllegalArgumentException("unknown golden stage " + name);
    };
  }

  @TestFactory
  Stream<DynamicTest> golden() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(ROOT)) {
      files = s.filter(p -> p.toString().endsWith(".ir")).sorted().collect(Collectors.toList());
    }
    return files.stream()
        .map(p -> DynamicTest.dynamicTest(ROOT.relativize(p).toString(), () -> check(p)));
  }

  private static void check(Path file) throws IOException {
    String stageName = file.getParent().getFileName().toString();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (stageName.equals("roundtrip")) {
      Func f = Verifier.verify(Parser.parse(file.toString(), text));
      assertEquals(text, Printer.print(f), "print(parse(text)) differs from the text");
      return;
    }
    String sep = ";; ==== " + stageName + "\n";
    int at = text.indexOf(sep);
    String input = at < 0 ? text : text.substring(0, at);
    String expected = at < 0 ? "" : text.substring(at + sep.length());
    Func in = Verifier.verify(Parser.parse(file.toString(), input));
    Func out = Verifier.verify(stage(stageName).apply(in));
    String actual = Printer.print(out);
    // What a stage prints must itself parse back to the same text.
    assertEquals(actual, Printer.print(Parser.parse(actual)), "output does not round-trip");
    if (UPDATE) {
      String stripped = input.endsWith("\n") ? input : input + "\n";
      Files.writeString(file, stripped + sep + actual, StandardCharsets.UTF_8);
      return;
    }
    assertEquals(expected, actual, "golden " + file + " (rerun with -Dgolden.update=true)");
  }
}
