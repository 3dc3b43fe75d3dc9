package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compiled programs give the same bits with 1, 2 and 7 threads, with and without the vector module,
 * and with 128-, 256- and 512-bit vectors ({@code -XX:MaxVectorSize}, standing in for NEON, AVX2
 * and AVX-512 hardware): every line {@link SameBitsProgramsMain} prints in fresh JVMs carries one
 * digest.
 */
class SameBitsProgramsTest {
  @Test
  void threadsVectorModuleAndWidths_oneDigest() throws Exception {
    List<String> configs = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    lines.addAll(run(List.of(), false));
    configs.add("no vector module");
    for (int bytes : new int[] {16, 32, 64}) {
      lines.addAll(
          run(
              List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=" + bytes),
              true));
      configs.add(8 * bytes + "-bit vectors");
    }
    assertEquals(3 * configs.size(), lines.size(), String.join("\n", lines));
    String first = lines.get(0).split(" ", -1)[1];
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).split(" ", -1);
      assertEquals(
          first,
          parts[1],
          configs.get(i / 3) + ", " + parts[0] + " threads:\n" + String.join("\n", lines));
    }
  }

  /**
   * The digest lines a fresh JVM with {@code flags} prints, after checking that it ran the vector
   * forms when {@code vector}.
   */
  private static List<String> run(List<String> flags, boolean vector)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(flags);
    cmd.add("-Xss1m");
    cmd.addAll(
        List.of(
            "-cp", System.getProperty("java.class.path"), SameBitsProgramsMain.class.getName()));
    Process p = new ProcessBuilder(cmd).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + err);
    List<String> lines = new ArrayList<>(out.lines().toList());
    assertEquals("vector " + vector, lines.remove(lines.size() - 1), String.join(" ", flags));
    return lines;
  }
}
