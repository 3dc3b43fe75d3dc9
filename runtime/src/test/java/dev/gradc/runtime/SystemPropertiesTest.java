package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.ad.Autodiff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad values of gradc's system properties are an {@link IllegalArgumentException} naming the
 * property, also in a fresh JVM where the first use of the runtime reads them.
 */
class SystemPropertiesTest {
  @AfterEach
  void clear() {
    System.clearProperty(SystemProperties.THREADS);
    System.clearProperty(SystemProperties.CACHE_SIZE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "-5", "1025", "", " ", "2.5", "١٢", "99999999999999999999"})
  void threads_notAnIntegerFrom1To1024_namesTheProperty(String value) {
    System.setProperty(SystemProperties.THREADS, value);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, SystemProperties::threads);
    assertEquals(
        "the system property gradc.threads must be an integer from 1 to 1024, got '" + value + "'",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, SystemProperties::check);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "-1", "3000000000", "1e3"})
  void cacheSize_notAPositiveInteger_namesTheProperty(String value) {
    System.setProperty(SystemProperties.CACHE_SIZE, value);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new KernelCache(CompiledKernel::compile));
    assertEquals(
        "the system property gradc.cache.size must be a positive integer, got '" + value + "'",
        e.getMessage());
  }

  @Test
  void validValues_areRead() {
    System.setProperty(SystemProperties.THREADS, " 3 ");
    System.setProperty(SystemProperties.CACHE_SIZE, "+17");
    assertEquals(3, SystemProperties.threads());
    assertEquals(17, new KernelCache(CompiledKernel::compile).capacity());
    SystemProperties.check();
  }

  @Test
  void unset_defaults() {
    assertEquals(
        Math.min(1024, java.lang.Runtime.getRuntime().availableProcessors()),
        SystemProperties.threads());
    assertEquals(4096, SystemProperties.cacheSize());
  }

  @Test
  void setThreads_outOfRange_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> Executor.setThreads(0));
    assertThrows(IllegalArgumentException.class, () -> Executor.setThreads(-5));
    assertThrows(IllegalArgumentException.class, () -> Executor.setThreads(1025));
  }

  /**
   * In a fresh JVM the first kernel compilation reads both properties: a bad value must be an
   * IllegalArgumentException of that call (it was an ExceptionInInitializerError), and a later call
   * after the property is fixed must work.
   */
  @ParameterizedTest
  @ValueSource(strings = {"-Dgradc.threads=abc", "-Dgradc.threads=0", "-Dgradc.cache.size=0"})
  void freshJvm_badProperty_isAnIllegalArgumentExceptionOfTheFirstCall(String property)
      throws IOException, InterruptedException {
    String out = runProbe(property);
    String name = property.substring(2, property.indexOf('='));
    assertTrue(
        out.startsWith("java.lang.IllegalArgumentException: the system property " + name), out);
    assertTrue(out.contains("\nafter clearing: 6.0\n"), out);
  }

  private static String runProbe(String property) throws IOException, InterruptedException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(property);
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(Probe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Compiles and runs a kernel, prints what the call threw, then retries without the property. */
  static final class Probe {
    private Probe() {}

    public static void main(String[] args) {
      Object[] in = {new double[] {1, 2, 3}, new double[] {1, 1, 1}};
      try {
        call(in);
        System.out.println("no error");
      } catch (RuntimeException | Error e) {
        System.out.println(e);
      }
      System.clearProperty(SystemProperties.THREADS);
      System.clearProperty(SystemProperties.CACHE_SIZE);
      System.out.println("after clearing: " + ((double[]) call(in)[0])[0]);
    }

    private static Object[] call(Object[] in) {
      return Kernels.compile(Autodiff.vjp(KernelsTest.loss("probe")))
          .call(in, new int[][] {{3}, {3}}, null);
    }
  }
}
