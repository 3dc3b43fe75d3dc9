package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The vector backend gives the scalar backend's bits: {@link VectorKernelBitsMain} (every op the
 * vector backend takes, and full sums, f64 and f32, lengths around the block and the chunk, 1, 2
 * and 7 threads) in fresh JVMs without the vector module and with 128-, 256- and 512-bit vectors
 * ({@code -XX:MaxVectorSize}, standing in for NEON, AVX2 and AVX-512 hardware) equals the
 * interpreter bit for bit and prints one digest everywhere; with the module every program runs a
 * vector kernel, without it none.
 */
class VectorKernelBitsTest {
  @Test
  void everyVectorWidthAndNoModule_sameBitsAsTheInterpreterAndEachOther() throws Exception {
    int programs = VectorKernelBitsMain.programs().size();
    String[] scalar = run(List.of(), VectorKernelBitsMain.class).split("\n", 4);
    assertEquals("0", scalar[0], "vector kernels without the module");
    assertEquals(
        "0", scalar[1], () -> "differing from the interpreter without the module\n" + scalar[3]);
    for (int bytes : VECTOR_BYTES) {
      String[] v = withVectors(bytes, VectorKernelBitsMain.class).split("\n", 4);
      String where = "with " + 8 * bytes + "-bit vectors";
      assertTrue(Integer.parseInt(v[0]) >= programs, where + ": vector kernels " + v[0]);
      assertEquals("0", v[1], () -> where + ": differing from the interpreter\n" + v[3]);
      assertEquals(scalar[2], v[2], where + ": digest");
    }
  }

  /**
   * Rows kernels ({@link VectorRowsBitsMain}): without the module none runs in vector form, with it
   * every program's rows kernel does, at 128, 256 and 512 bits, and all results have the same bits
   * everywhere.
   */
  @Test
  void rowsKernels_everyVectorWidthAndNoModule_sameBits() throws Exception {
    String[] scalar = run(List.of(), VectorRowsBitsMain.class).split("\n", 3);
    assertEquals("0", scalar[0], "vector kernels without the module");
    int programs = 0;
    for (int rows : VectorRowsBitsMain.ROWS) {
      programs += rows > 1 ? VectorRowsBitsMain.COLUMNS.length * 4 : 0;
    }
    for (int bytes : VECTOR_BYTES) {
      String[] v = withVectors(bytes, VectorRowsBitsMain.class).split("\n", 3);
      String where = "with " + 8 * bytes + "-bit vectors";
      assertTrue(Integer.parseInt(v[0]) >= programs, where + ": vector kernels " + v[0]);
      assertEquals(scalar[1], v[1], where + ": digest");
    }
  }

  /**
   * Rows kernels in blocks of rows that are not a multiple of 16 (the rows of a loop with column
   * sums in vectors run by their class mod 16, which then starts mid-block): the bits of the scalar
   * kernel in its default blocks, at 128 and 256 bits.
   */
  @Test
  void rowsKernels_blocksNotAMultipleOf16_sameBits() throws Exception {
    String[] scalar = run(List.of(), VectorRowsBitsMain.class).split("\n", 3);
    int[][] bytesAndBlock = {{16, 24}, {32, 5}};
    for (int[] c : bytesAndBlock) {
      String[] v =
          withVectors(
                  c[0],
                  VectorRowsBitsMain.class,
                  "-D" + ScalarKernelEmitter.ROW_BLOCK_PROPERTY + "=" + c[1])
              .split("\n", 3);
      assertEquals(
          scalar[1], v[1], "with " + 8 * c[0] + "-bit vectors, blocks of " + c[1] + ": digest");
    }
  }

  /** The vector sizes tried, in bytes: standing in for NEON, AVX2 and AVX-512 hardware. */
  private static final int[] VECTOR_BYTES = {16, 32, 64};

  /**
   * What {@code main} prints in a fresh JVM with the vector module and vectors of {@code bytes}.
   */
  private static String withVectors(int bytes, Class<?> main, String... flags)
      throws IOException, InterruptedException {
    List<String> all =
        new ArrayList<>(
            List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=" + bytes));
    all.addAll(List.of(flags));
    return run(all, main);
  }

  /** What a fresh JVM with {@code flags} running {@code main} prints. */
  private static String run(List<String> flags, Class<?> main)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(flags);
    // every chunk, however short, in vector form where the module is there
    cmd.add("-D" + ClassEmitter.VECTOR_MIN_PROPERTY + "=1");
    // and the full sums in vector form too, which are off by default
    cmd.add("-D" + VectorKernelEmitter.SUMS_PROPERTY + "=true");
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    Process p = new ProcessBuilder(cmd).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + err);
    // the first differing elements, if any, for the messages below
    return out
        + "\n"
        + err.replace("WARNING: Using incubator modules: jdk.incubator.vector", "").strip();
  }
}
