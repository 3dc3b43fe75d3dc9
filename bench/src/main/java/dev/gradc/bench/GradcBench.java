package dev.gradc.bench;

import dev.gradc.runtime.CompiledFunction;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Value and gradients by gradc's compiled vjp ({@code Kernels.compile}), of the workloads and of
 * {@code embedding_bag} ({@link EmbeddingBag}); and {@code tiny_step}, a step of the Java API on
 * two one-element leaves, where the capture, the kernel cache and the leaves' gradients cost more
 * than the arithmetic.
 */
public class GradcBench extends VjpBench {
  @Override
  protected CompiledFunction function(WorkloadState s) {
    return s.compiled;
  }

  /** The embedding-bag loss: a gather of table rows and, for the gradient, their scatter-add. */
  @Benchmark
  public Object[] embeddingBag(EmbeddingBag s) {
    return s.call();
  }

  /** The frontend's code takes longer than the kernels' to reach C2: a longer warm-up. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 8, time = 1)
  public double[] tinyStep(TinyStep s) {
    return s.step();
  }
}
