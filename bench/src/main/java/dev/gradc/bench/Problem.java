package dev.gradc.bench;

import dev.gradc.ir.Func;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.opt.Pipeline;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.Signatures;

/**
 * One benchmark problem: a forward function with a scalar result, its arguments (buffers in
 * parameter order, with their shapes), and the fewest bytes a value-and-gradient pass must move
 * through memory (read every argument once, write every gradient once; 0 where the workload is
 * compute-bound, so no bandwidth is reported).
 */
public final class Problem {
  private final Workload workload;
  private final Func forward;
  private final Object[] args;
  private final int[][] shapes;
  private final long bytes;
  private final long flops;

  Problem(Workload workload, Func forward, Object[] args, int[][] shapes, long bytes) {
    this(workload, forward, args, shapes, bytes, 0);
  }

  Problem(Workload workload, Func forward, Object[] args, int[][] shapes, long bytes, long flops) {
    this.workload = workload;
    this.forward = forward;
    this.args = args;
    this.shapes = shapes;
    this.bytes = bytes;
    this.flops = flops;
  }

  /** The workload, or null for a problem outside {@link Workload} ({@link EmbeddingBag}). */
  public Workload workload() {
    return workload;
  }

  public Func forward() {
    return forward;
  }

  /** The argument buffers, shared: callers do not write to them. */
  public Object[] args() {
    return args;
  }

  public int[][] shapes() {
    return shapes;
  }

  /** The fewest bytes one value-and-gradient call moves, or 0 where compute-bound. */
  public long bytes() {
    return bytes;
  }

  /**
   * The floating-point operations of the matrix products in one value-and-gradient call ({@code 2 n
   * k m} per product, forward and backward), or 0 for a workload without them.
   */
  public long flops() {
    return flops;
  }

  /** The value and the gradient of every {@code param}, optimized as the runtime would run it. */
  public Func vjp() {
    return Pipeline.run(Autodiff.vjp(forward));
  }

  /** Fresh result buffers for {@code vjp}: the value first, then one gradient per param. */
  public Object[] newOutputs(Func vjp) {
    int[][] shapes = Signatures.resultShapes(vjp, this.shapes);
    Object[] outs = new Object[shapes.length];
    for (int i = 0; i < outs.length; i++) {
      int n = 1;
      for (int d : shapes[i]) {
        n *= d;
      }
      outs[i] = Buffers.allocate(vjp.result(i).type().dtype(), n);
    }
    return outs;
  }
}
