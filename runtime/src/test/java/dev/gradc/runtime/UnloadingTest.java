package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A long-lived JVM compiling many distinct functions through a bounded cache keeps its metaspace
 * bounded: evicted hidden classes unload. Runs in a child JVM with a small metaspace limit.
 */
class UnloadingTest {
  /** A distinct function per {@code i}: its constant differs. */
  static Func distinct(int i) {
    Builder b = new Builder("f" + i);
    Value x = b.param("x", Type.of(DType.F64, 8));
    b.ret(b.sum(b.mul(b.add(x, Builder.lit(i, DType.F64)), x)));
    return b.build();
  }

  /** Child JVM entry: compiles and calls {@code args[0]} functions through a small cache. */
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    KernelCache cache = new KernelCache(CompiledKernel::compile, 64);
    double[] x = {1, 2, 3, 4, 5, 6, 7, 8};
    for (int i = 0; i < n; i++) {
      Object[] r = cache.get(distinct(i)).call(new Object[] {x}, new int[][] {{8}}, null);
      double want = 0;
      for (double v : x) {
        want += (v + i) * v;
      }
      if (((double[]) r[0])[0] != want) {
        throw new AssertionError("function " + i + " computed " + ((double[]) r[0])[0]);
      }
    }
    long unloaded = ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount();
    System.out.println("compiled " + cache.compilations() + " unloaded " + unloaded);
  }

  @Test
  void fiftyThousandFunctions_inBoundedMetaspace() throws Exception {
    String javaBin =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin);
    cmd.add("-XX:MaxMetaspaceSize=48m");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(UnloadingTest.class.getName());
    cmd.add("50000");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("compiled 50000"), out);
    long unloaded = Long.parseLong(out.replaceAll("(?s).*unloaded (\\d+).*", "$1"));
    assertTrue(unloaded > 40_000, "only " + unloaded + " classes unloaded: " + out);
  }
}
