package dev.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Runs the tutorial program and compares what it prints with what the PyTorch notebook printed,
 * cell by cell: the exact text, except that numbers drawn from a random generator and object
 * addresses are masked, and that each cell logs PyTorch's non-leaf {@code .grad} warning as often
 * as the notebook shows it.
 */
class TutorialTest {
  private static final String WARNING = "#! warning ";

  @Test
  void tutorial_printsWhatThePyTorchNotebookPrints() throws IOException {
    Map<String, List<String>> expected = cells(resource("/tutorial.expected"));
    Map<String, List<String>> actual = cells(runTutorial());
    assertEquals(expected.keySet(), actual.keySet(), "cells");
    for (String cell : expected.keySet()) {
      List<String> exp = expected.get(cell);
      List<String> act = actual.get(cell);
      boolean random = exp.contains("#! random");
      assertEquals(
          mask(printed(exp), random), mask(printed(act), random), "output of cell " + cell);
      int warnings = 0;
      for (String line : exp) {
        if (line.startsWith("#! warnings ")) {
          warnings = Integer.parseInt(line.substring("#! warnings ".length()));
        }
      }
      List<String> logged = new ArrayList<>();
      for (String line : act) {
        if (line.startsWith(WARNING)) {
          logged.add(line.substring(WARNING.length()));
        }
      }
      assertEquals(warnings, logged.size(), "warnings of cell " + cell + ": " + logged);
      for (String w : logged) {
        assertTrue(
            w.startsWith(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed."),
            w);
      }
    }
  }

  /**
   * The tutorial's output, with each warning logged written inline as a {@code #! warning} line.
   */
  private static String runTutorial() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Logger logger = Logger.getLogger("dev.gradc");
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            out.println(WARNING + r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    boolean parents = logger.getUseParentHandlers();
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
    try {
      Tutorial.run(out);
    } finally {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(parents);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = TutorialTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The lines of each cell, keyed by its {@code In [N]:} header; comment lines dropped. */
  private static Map<String, List<String>> cells(String text) {
    Map<String, List<String>> cells = new LinkedHashMap<>();
    List<String> cur = null;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("In [")) {
        cur = new ArrayList<>();
        cells.put(line, cur);
      } else if (cur != null && !(line.startsWith("# ") || line.equals("#"))) {
        cur.add(line);
      }
    }
    for (List<String> lines : cells.values()) {
      while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
        lines.remove(lines.size() - 1);
      }
    }
    return cells;
  }

  /** The printed lines of a cell, without the {@code #!} annotations. */
  private static String printed(List<String> lines) {
    StringBuilder s = new StringBuilder();
    for (String line : lines) {
      if (!line.startsWith("#!")) {
        s.append(line).append('\n');
      }
    }
    return s.toString();
  }

  private static String mask(String text, boolean random) {
    String t = text.replaceAll("object at 0x[0-9a-f]+", "object at 0x#");
    return random ? t.replaceAll(" *-?\\d+\\.\\d+(e[+-]\\d+)?", "#") : t;
  }
}
