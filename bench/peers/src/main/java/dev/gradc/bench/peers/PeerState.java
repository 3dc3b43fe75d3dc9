package dev.gradc.bench.peers;

import dev.gradc.bench.Problem;
import dev.gradc.bench.Size;
import dev.gradc.bench.Workload;
import dev.gradc.bench.baseline.ChunkPool;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What every peer's benchmark state starts from: the same {@link Problem} (and so the same numbers)
 * the gradc benchmarks use, and the thread count {@code gradc.threads} asks for.
 */
@State(Scope.Benchmark)
public abstract class PeerState {
  /** {@code full} or {@code small}, as in the gradc benchmarks. */
  @Param({"full"})
  public String size;

  protected abstract Workload workload();

  protected Problem problem() {
    return workload().problem(Size.parse(size));
  }

  protected static int threads() {
    return ChunkPool.configuredThreads();
  }
}
