package dev.gradc.codegen.lib.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MathVector} gives the same bits as {@code MathF64}, lane by lane, on {@link
 * MathVectorCases}' arguments: in every species of this JVM (64 to 512 bits, so 1 to 8 lanes), in
 * f32 lanes, and in fresh JVMs whose widest vectors are 128, 256 and 512 bits ({@code
 * -XX:MaxVectorSize}, standing in for NEON, AVX2 and AVX-512 hardware).
 */
class MathVectorTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "erfc", "sin", "cos"})
  void everySpecies_sameBitsAsScalar(String name) {
    List<VectorSpecies<Double>> species =
        List.of(
            DoubleVector.SPECIES_PREFERRED,
            DoubleVector.SPECIES_64,
            DoubleVector.SPECIES_128,
            DoubleVector.SPECIES_256,
            DoubleVector.SPECIES_512);
    double[] x = MathVectorCases.arguments(name, 1);
    StringBuilder bad = new StringBuilder();
    for (VectorSpecies<Double> s : species) {
      bad.append(MathVectorCases.mismatches(name, s, x));
    }
    assertEquals("", bad.toString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "erfc", "sin", "cos"})
  void f32Lanes_sameBitsAsScalarRoundedOnce(String name) {
    float[] x = MathVectorCases.argumentsF32(name, 2);
    StringBuilder bad = new StringBuilder();
    for (VectorSpecies<Float> s : List.of(FloatVector.SPECIES_PREFERRED, FloatVector.SPECIES_64)) {
      bad.append(MathVectorCases.mismatchesF32(name, s, x));
    }
    assertEquals("", bad.toString());
  }

  @Test
  void narrowerVectorWidths_sameBitsAsScalar() throws Exception {
    for (int bytes : new int[] {16, 32, 64}) {
      assertEquals("lanes " + bytes / 8, run("-XX:MaxVectorSize=" + bytes), bytes + " bytes");
    }
  }

  private static String run(String flag) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", flag));
    cmd.addAll(
        List.of("-cp", System.getProperty("java.class.path"), MathVectorMain.class.getName()));
    Process p = new ProcessBuilder(cmd).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + err);
    return out;
  }
}
