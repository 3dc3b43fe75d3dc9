package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parser errors: each names the problem and its line and column. A seeded fuzz mutates valid IR
 * text and checks that every outcome is either a function that verifies or a positioned {@link
 * GradcException}, never another exception, and what parses prints and parses back to the same
 * text.
 */
class ParserTest {
  private static final String GOOD =
      """
      func @f(%x: f64[2, 3], input %y: f64[2, 3]) -> f64 {
        %0: f64[2, 3] = add %x, %y
        %1: f64 = sum %0
        ret %1
      }
      """;

  /** The error of parsing {@code GOOD} with one line replaced, as "LINE:COL: message". */
  private static String errorWithLine(int line, String text) {
    List<String> lines = new ArrayList<>(List.of(GOOD.split("\n", -1)));
    lines.set(line - 1, text);
    return error(String.join("\n", lines));
  }

  private static String error(String text) {
    GradcException e = assertThrows(GradcException.class, () -> Parser.parse("t.ir", text));
    assertNotNull(e.pos(), "no position for: " + e.getMessage());
    assertEquals("t.ir", e.pos().file());
    return e.pos().line() + ":" + e.pos().column() + ": " + e.getMessage();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      ignoreLeadingAndTrailingWhitespace = false,
      value = {
        "2|  %0: f64[2, 3] = plus %x, %y|2:19: unknown op 'plus'",
        "2|  %0: f64[2, 3] = add %x, %z|2:27: %z is not defined",
        "2|  %0: f65[2, 3] = add %x, %y|2:7: unknown dtype 'f65'",
        "2|  %0: f64[2, 3] add %x, %y|2:17: expected '=' but found 'a'",
        "2|  %0: f64[2, 4] = add %x, %y|2:19: add produces f64[2, 3], but the result is declared as"
            + " f64[2, 4]",
        "2|  %0: f64[2, 3] = add %x|2:19: add takes 2 operands, got 1",
        "2|  %0: f64[-2, 3] = add %x, %y|2:11: invalid dimension -2",
        "2|  %0: f64[0*N, 3] = add %x, %y|2:11: invalid dimension 0",
        "2|  %0: f64[2, 3] = add %x, %y, dims=[0]|2:19: add takes no dims",
        "2|  %0: f64[2, 3] = add %x, %y, keep=true|2:31: unknown attribute 'keep'",
        "2|  %0: f64[2, 3] = add %x, 1.0.0|2:27: expected an operand, found '1.0.0'",
        "3|  %1: f64 = sum %0, dims=[2]|3:13: Dimension out of range (expected to be in range of"
            + " [-2, 1], but got 2) in sum",
        "3|  %1: f64[3, 2] = transpose %0, dims=[-1, 1]|3:19: Dimension out of range (expected to"
            + " be in range of [-2, 1], but got -1) in transpose",
        "3|  %0: f64 = sum %0|3:3: %0 is defined twice",
        "4|  ret %1, %0|4:11: more results than the signature declares",
        "4|  ret %0|4:7: result 0 is f64[2, 3], but the signature says f64",
        "5|} extra|5:3: unexpected text after the function",
      })
  void errors_carryLineAndColumn(int line, String text, String expected) {
    assertEquals(expected, errorWithLine(line, text));
  }

  @Test
  void errors_inTheSignature() {
    assertEquals(
        "1:18: parameter x is declared twice",
        error("func @f(%x: f64, %x: f64) -> f64 {\n  ret %x\n}\n"));
    assertEquals(
        "1:9: only Tensors of floating point dtype can require gradients (i: i64)",
        error("func @f(%i: i64) -> f64 {\n  ret 1.0\n}\n"));
    assertEquals("1:1: expected 'func'", error("fun @f() -> f64 {\n  ret 1.0\n}\n"));
    assertEquals(
        "3:1: expected an instruction or 'ret' but found end of input",
        error("func @f(%x: f64) -> f64 {\n  %0: f64 = neg %x\n"));
  }

  @Test
  void fuzz_mutatedText_parsesOrFailsWithAPosition() {
    List<String> corpus = corpus();
    SplittableRandom rng = new SplittableRandom(42);
    for (int n = 0; n < 3000; n++) {
      String text = corpus.get(rng.nextInt(corpus.size()));
      String mutated = mutate(text, rng);
      try {
        Func f = Verifier.verify(Parser.parse("fuzz.ir", mutated));
        String printed = Printer.print(f);
        assertEquals(printed, Printer.print(Parser.parse(printed)), "round trip of:\n" + mutated);
      } catch (GradcException e) {
        if (e.pos() == null) {
          throw new AssertionError("no position for '" + e.getMessage() + "' in:\n" + mutated, e);
        }
      } catch (RuntimeException e) {
        throw new AssertionError("mutation " + n + " failed with " + e + " on:\n" + mutated, e);
      }
    }
  }

  private static final String[] TOKENS = {
    "%",
    ",",
    "=",
    ":",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "-",
    "*",
    "N",
    "0",
    "-1",
    "99",
    "1e400",
    "f32",
    "i64",
    "bool",
    "sum",
    "dims=[",
    "keepdim=true",
    "ret",
    "input ",
    "\n",
    " ",
    "@",
    "nan",
    "->"
  };

  private static String mutate(String text, SplittableRandom rng) {
    StringBuilder s = new StringBuilder(text);
    int edits = 1 + rng.nextInt(3);
    for (int k = 0; k < edits; k++) {
      int at = rng.nextInt(s.length() + 1);
      switch (rng.nextInt(4)) {
        case 0 -> s.delete(at, Math.min(s.length(), at + 1 + rng.nextInt(4)));
        case 1 -> s.insert(at, TOKENS[rng.nextInt(TOKENS.length)]);
        case 2 -> {
          int end = Math.min(s.length(), at + 1 + rng.nextInt(6));
          s.replace(at, end, TOKENS[rng.nextInt(TOKENS.length)]);
        }
        default -> {
          int end = Math.min(s.length(), at + rng.nextInt(20));
          s.insert(rng.nextInt(s.length() + 1), s.substring(at, end));
        }
      }
    }
    return s.toString();
  }

  /** Golden IR texts: inputs and expected outputs alike. */
  static List<String> corpus() {
    try (Stream<Path> files = Files.walk(GoldenTest.ROOT)) {
      List<String> out = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".ir")).collect(Collectors.toList())) {
        for (String part : Files.readString(p).split(";; ====[^\n]*\n", -1)) {
          out.add(part);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
