package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code gradc run --detect-anomaly}: the line and column of the op that made the first non-finite
 * value, found in the program's text here rather than written into the test.
 */
class AnomalyCommandTest {
  private static final Path ERRORS = Path.of("src/test/resources/errors");

  /** {@code FILE:LINE:COL} of the first occurrence of {@code text} in the program. */
  private static String position(Path program, String text) throws IOException {
    List<String> lines = Files.readAllLines(program);
    for (int i = 0; i < lines.size(); i++) {
      int col = lines.get(i).indexOf(text);
      if (col >= 0 && !lines.get(i).startsWith("#")) {
        return program + ":" + (i + 1) + ":" + (col + 1);
      }
    }
    throw new AssertionError(text + " is not in " + program);
  }

  private static final String[] LOG_ZERO_INPUTS = {
    "--set", "x=[1,1.5,0.5,3]", "--set", "y=[0,0,0,0]", "--set", "w=[1,1,1,1]"
  };

  private static String[] args(String program, String[] inputs, String... more) {
    String[] out = new String[2 + inputs.length + more.length];
    out[0] = "run";
    out[1] = program;
    System.arraycopy(inputs, 0, out, 2, inputs.length);
    System.arraycopy(more, 0, out, 2 + inputs.length, more.length);
    return out;
  }

  @Test
  void logOfZero_namesItsLineAndColumnAndNode() throws IOException {
    Path program = ERRORS.resolve("anomaly_log_zero.grad");
    Cli.Result r = Cli.run(args(program.toString(), LOG_ZERO_INPUTS, "--detect-anomaly"));
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out(), r.toString());
    String at = position(program, "log(");
    assertTrue(r.err().startsWith(at + ": error: anomaly detected in forward: 'log'"), r.err());
    assertTrue(r.err().contains("returned -inf values (%"), r.err());
    assertTrue(r.err().contains(" = log %"), r.err());
    assertTrue(r.err().contains("the op was recorded at " + at + "\n"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void withoutTheOption_theSameProgramRunsToItsInfiniteValue() throws IOException {
    Path program = ERRORS.resolve("anomaly_log_zero.grad");
    Cli.Result r = Cli.run(args(program.toString(), LOG_ZERO_INPUTS));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("value: tensor(inf, dtype=torch.float64"), r.toString());
  }

  @Test
  void nanOnlyInBackward_namesTheForwardOpsLineAndItsGradFn() throws IOException {
    Path program = ERRORS.resolve("anomaly_sqrt_backward.grad");
    String[] inputs = {"--set", "x=[0,1]", "--set", "w=[0,4]"};
    Cli.Result plain = Cli.run(args(program.toString(), inputs));
    assertEquals(0, plain.code(), plain.toString());
    assertTrue(plain.out().contains("w.grad: tensor([   nan, 0.2500]"), plain.toString());

    Cli.Result r = Cli.run(args(program.toString(), inputs, "--detect-anomaly"));
    assertEquals(2, r.code(), r.toString());
    String at = position(program, "sqrt(");
    assertTrue(
        r.err()
            .startsWith(
                at
                    + ": error: anomaly detected in backward: Function 'SqrtBackward0' returned"
                    + " nan values in its 0th output"),
        r.err());
    assertTrue(r.err().contains("the backward of 'sqrt'"), r.err());
  }

  @Test
  void help_describesTheOption() {
    Cli.Result r = Cli.run("run", "--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("--detect-anomaly"), r.out());
  }
}
