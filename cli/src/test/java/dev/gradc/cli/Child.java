package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code gradc} in a child JVM (the way the launcher script does), for what only a real
 * process shows: its standard output redirected to a file or a device, a file size limit ({@code
 * ulimit -f}), system properties read by a fresh JVM.
 */
final class Child {
  private Child() {}

  /** The java command with the test class path, then {@code jvmOptions}, then the main class. */
  static List<String> java(List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:-UsePerfData"); // no shared-memory file, which a file size limit would refuse
    cmd.add("-XX:TieredStopAtLevel=1"); // a short run: C1 only starts a fifth sooner
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
            .replace(File.pathSeparator + File.pathSeparator, File.pathSeparator));
    cmd.add(Gradc.class.getName());
    return cmd;
  }

  /**
   * Runs {@code gradc ARGS} with stdout redirected to {@code stdout}; {@code fileBlocks} > 0 sets
   * {@code ulimit -f} (in 1024-byte blocks) through bash. Returns the exit code and stderr.
   */
  static Cli.Result run(
      List<String> jvmOptions, Path stdout, int fileBlocks, List<String> args, Path scratch)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (fileBlocks > 0) {
      cmd.add("bash");
      cmd.add("-c");
      cmd.add("ulimit -f " + fileBlocks + " && exec \"$@\"");
      cmd.add("bash");
    }
    cmd.addAll(java(jvmOptions));
    cmd.addAll(args);
    Path err = Files.createTempFile(scratch, "stderr", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(stdout.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gradc finishes: " + args);
    String errText = Files.readString(err, StandardCharsets.UTF_8);
    Files.delete(err);
    String outText =
        Files.isRegularFile(stdout)
            ? new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8)
            : "";
    return new Cli.Result(p.exitValue(), outText, errText);
  }
}
