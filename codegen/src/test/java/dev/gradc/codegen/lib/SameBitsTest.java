package dev.gradc.codegen.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The library gives the same bits with and without the vector module and with 128-, 256- and
 * 512-bit vectors ({@code -XX:MaxVectorSize}, standing in for NEON, AVX2 and AVX-512 hardware):
 * {@link SameBitsMain}'s digest in fresh JVMs equals the scalar forms' digest in this one.
 */
class SameBitsTest {
  @Test
  void everyVectorWidthAndNoModule_sameDigestAsTheScalarForms() throws Exception {
    String scalar = SameBitsMain.digest(false);
    assertEquals(scalar + "\n0", run(List.of()), "without the vector module");
    for (int bytes : new int[] {16, 32, 64}) {
      assertEquals(
          scalar + "\n" + bytes / 4,
          run(List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=" + bytes)),
          "with " + 8 * bytes + "-bit vectors");
    }
  }

  @Test
  void vectorSupport_followsTheModuleAndTheSwitch() {
    // Surefire adds the module to this JVM.
    assertEquals(true, VectorSupport.enabled());
    String old = System.getProperty("gradc.vector");
    System.setProperty("gradc.vector", "false");
    try {
      assertFalse(VectorSupport.enabled());
    } finally {
      if (old == null) {
        System.clearProperty("gradc.vector");
      } else {
        System.setProperty("gradc.vector", old);
      }
    }
  }

  /** The digest a fresh JVM with {@code flags} prints. */
  private static String run(List<String> flags) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(flags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SameBitsMain.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + err);
    return out;
  }
}
