package dev.gradc.bench;

import dev.gradc.bench.baseline.Baseline;
import dev.gradc.bench.baseline.BlackScholes;
import dev.gradc.bench.baseline.ChunkPool;
import dev.gradc.bench.baseline.Logistic;
import dev.gradc.bench.baseline.Mlp;
import dev.gradc.bench.baseline.Mse;

/** The workloads of issue 7 that run on arrays: value and gradients of one scalar loss each. */
public enum Workload {
  MSE("mse"),
  LOGISTIC("logistic"),
  BLACK_SCHOLES("black_scholes"),
  MLP("mlp");

  private final String label;

  Workload(String label) {
    this.label = label;
  }

  /** The name used in the report and by the PyTorch script. */
  public String label() {
    return label;
  }

  public Problem problem(Size size) {
    return switch (this) {
      case MSE -> Problems.mse(size);
      case LOGISTIC -> Problems.logistic(size);
      case BLACK_SCHOLES -> Problems.blackScholes(size);
      case MLP -> Problems.mlp(size);
    };
  }

  /**
   * The hand-written Java version, writing the value and the gradients into {@code outs} laid out
   * as {@link Problem#newOutputs} lays them out.
   */
  public Baseline handWritten(Problem p, Object[] outs, ChunkPool pool) {
    return switch (this) {
      case MSE -> new Mse(p.args(), outs, pool);
      case LOGISTIC -> new Logistic(p.args(), outs, pool);
      case BLACK_SCHOLES -> new BlackScholes(p.args(), outs, pool);
      case MLP -> new Mlp(p.args(), outs, pool);
    };
  }
}
