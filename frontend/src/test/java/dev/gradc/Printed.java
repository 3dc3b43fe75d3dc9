package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.GradcException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lines printed as Python's {@code print} joins its arguments, for the tests that run a scenario
 * recorded by PyTorch ({@code tools/api/scenarios.py}) and expect the same lines.
 */
record Printed(List<String> lines) {
  void p(Object... xs) {
    StringBuilder sb = new StringBuilder();
    for (Object x : xs) {
      sb.append(sb.length() == 0 ? "" : " ").append(x);
    }
    lines.add(sb.toString());
  }

  /**
   * Runs {@code scenario} and asserts it printed the lines of {@code fixture.get(name)}; a gradc
   * error ends the scenario with a line {@code error: MESSAGE}, as an exception does in PyTorch's.
   */
  static void assertPrints(JsonNode fixture, String name, Consumer<Printed> scenario) {
    List<String> expected = new ArrayList<>();
    fixture.get(name).forEach(l -> expected.add(l.asText()));
    List<String> got = new ArrayList<>();
    try {
      scenario.accept(new Printed(got));
    } catch (GradcException e) {
      got.add("error: " + e.getMessage());
    }
    assertEquals(String.join("\n", expected), String.join("\n", got));
  }
}
