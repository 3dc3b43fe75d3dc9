package dev.gradc.bench;

import dev.gradc.bench.baseline.Baseline;
import dev.gradc.bench.baseline.ChunkPool;
import dev.gradc.ir.Func;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A workload ready to run in every JVM form: the problem, gradc's compiled and interpreted vjp,
 * result buffers the caller provides, and the hand-written version writing into the same buffers.
 * The thread count is {@code gradc.threads}, for the runtime and the hand-written code alike.
 */
@State(Scope.Benchmark)
public abstract class WorkloadState {
  /** {@code full} (issue 7's sizes) or {@code small}; see {@link Size}. */
  @Param({"full"})
  public String size;

  public Problem problem;
  public Object[] args;
  public int[][] shapes;
  public Object[] outs;
  public CompiledFunction compiled;
  public CompiledFunction interpreted;
  public Baseline handWritten;
  private ChunkPool pool;

  protected abstract Workload workload();

  @Setup
  public void setUp() {
    problem = workload().problem(Size.parse(size));
    args = problem.args();
    shapes = problem.shapes();
    Func vjp = problem.vjp();
    outs = problem.newOutputs(vjp);
    compiled = Kernels.compile(vjp);
    interpreted = Kernels.interpret(vjp);
    pool = new ChunkPool(ChunkPool.configuredThreads());
    handWritten = workload().handWritten(problem, outs, pool);
  }

  @TearDown
  public void tearDown() {
    pool.close();
  }

  /** {@code mean((a*b + c - d)**2)}. */
  public static class Mse extends WorkloadState {
    @Override
    protected Workload workload() {
      return Workload.MSE;
    }
  }

  /** {@code mean(softplus(-y * (x @ w)))}. */
  public static class Logistic extends WorkloadState {
    @Override
    protected Workload workload() {
      return Workload.LOGISTIC;
    }
  }

  /** The sum of Black-Scholes call prices. */
  public static class BlackScholes extends WorkloadState {
    @Override
    protected Workload workload() {
      return Workload.BLACK_SCHOLES;
    }
  }

  /** A two-layer perceptron with cross entropy, f32. */
  public static class Mlp extends WorkloadState {
    @Override
    protected Workload workload() {
      return Workload.MLP;
    }
  }
}
