package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top-level command: help, version, --debug, and the README's main command. */
class GradcTest {
  static final List<String> COMMANDS = List.of("run", "inspect", "check", "compile", "bench");

  @Test
  void everyCommand_hasHelp() {
    for (String c : COMMANDS) {
      Cli.Result r = Cli.run(c, "--help");
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().contains("\nUsage: gradc " + c + " "), r.out());
      assertTrue(r.out().contains("--debug"), c + " has --debug");
      assertEquals("", r.err());
    }
    Cli.Result top = Cli.run("--help");
    assertEquals(0, top.code());
    for (String c : COMMANDS) {
      assertTrue(top.out().contains("\n  " + c + " "), c + " listed in\n" + top.out());
    }
  }

  @Test
  void everyHelp_formatsWithoutPicocliWarnings() {
    // picocli reports a help text it cannot format (a bare '%') on System.err, not on the
    // command's error stream
    PrintStream saved = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      for (String c : COMMANDS) {
        Cli.run(c, "--help");
      }
      Cli.run("--help");
    } finally {
      System.setErr(saved);
    }
    assertEquals("", bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void version() {
    Cli.Result r = Cli.run("--version");
    assertEquals(0, r.code());
    assertEquals("gradc 0.1.0\n", r.out());
  }

  @Test
  void debug_addsTheStackTrace() {
    Cli.Result plain = Cli.run("run", "no-such-file.grad");
    assertEquals("no-such-file.grad: error: no such file\n", plain.err());
    Cli.Result debug = Cli.run("run", "no-such-file.grad", "--debug");
    assertEquals(2, debug.code());
    assertTrue(debug.err().startsWith("no-such-file.grad: error: no such file\n"), debug.err());
    assertTrue(debug.err().contains("\tat dev.gradc.cli."), debug.err());
  }

  /** The README's main command runs the bundled example on the inputs of its PyTorch fixture. */
  @Test
  void readmeData_isThePyTorchFixturesInputs() throws IOException {
    JsonNode fixture = Fixtures.read(Cli.FIXTURES.resolve("example_linear_regression.json"));
    JsonNode bundled =
        Fixtures.JSON.readTree(Cli.EXAMPLES.resolve("linear_regression.json").toFile());
    assertEquals(Fixtures.inputs(fixture), bundled);
    Cli.Result r =
        Cli.run(
            "run",
            Cli.example("linear_regression.grad"),
            "--inputs",
            Cli.example("linear_regression.json"));
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.out().startsWith("value: tensor(1.8401, dtype=torch.float64, grad_fn=<MeanBackward0>)"),
        r.out());
  }
}
