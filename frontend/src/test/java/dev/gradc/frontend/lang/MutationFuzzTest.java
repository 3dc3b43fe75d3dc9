package dev.gradc.frontend.lang;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gradc.ir.Func;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutations of the corpus programs: characters and tokens deleted, duplicated, swapped or
 * replaced. Every mutant must either parse to a function that verifies and differentiates, or fail
 * with a {@link ProgramException} positioned inside the source; any other exception is a bug.
 */
class MutationFuzzTest {
  private static final String[] PIECES = {
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    ".",
    "-",
    "**",
    "@",
    "<",
    "\n",
    "    ",
    "#",
    "x",
    "0",
    "1.5",
    "sum",
    "dim=",
    "keepdim=True",
    "with no_grad:\n",
    "return ",
    "param ",
    "f32",
    "N",
    "T",
    "١",
    "٢.٥",
    "２",
    "ｗ",
    "99999999999999999999"
  };

  static List<String> programs() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path p : LangCorpusTest.sources("programs")) {
      out.add(Files.readString(p, StandardCharsets.UTF_8));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void mutants_parseOrFailWithADiagnostic(long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<String> programs = programs();
    for (int i = 0; i < 300; i++) {
      String src = mutate(programs.get(rnd.nextInt(programs.size())), rnd);
      check(src);
    }
  }

  private static String mutate(String s, SplittableRandom rnd) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits && b.length() > 0; e++) {
      int at = rnd.nextInt(b.length());
      int len = Math.min(b.length() - at, 1 + rnd.nextInt(4));
      switch (rnd.nextInt(4)) {
        case 0 -> b.delete(at, at + len);
        case 1 -> b.insert(at, b.substring(at, at + len));
        case 2 -> b.insert(at, PIECES[rnd.nextInt(PIECES.length)]);
        default -> b.replace(at, at + len, PIECES[rnd.nextInt(PIECES.length)]);
      }
    }
    return b.toString();
  }

  private static void check(String src) {
    try {
      Program p = GradLanguage.parse("m.grad", src);
      Func f = Verifier.verify(p.func());
      if (!f.gradParams().isEmpty()) {
        // A scalar loss is seeded with 1; other programs (a non-scalar result, several results)
        // by one cotangent per result.
        boolean loss = f.results().size() == 1 && f.result(0).type().isScalar();
        Verifier.verify(Autodiff.vjp(f, !loss));
      }
    } catch (ProgramException e) {
      int lines = (int) src.lines().count();
      assertTrue(
          e.pos().line() >= 1 && e.pos().line() <= Math.max(1, lines) && e.pos().column() >= 1,
          "position " + e.pos() + " outside the source:\n" + src);
      assertTrue(e.diagnostic().startsWith("m.grad:"), e.diagnostic());
    } catch (RuntimeException | StackOverflowError e) {
      fail("mutant failed with " + e + " instead of a diagnostic:\n" + src, e);
    }
  }
}
