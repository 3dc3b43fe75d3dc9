package dev.gradc.runtime;

import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import java.util.ArrayList;
import java.util.List;

/** A {@link CompiledFunction} that runs the reference interpreter: the oracle, and a fallback. */
public final class InterpretedFunction implements CompiledFunction {
  private final Func func;
  private final boolean detectAnomalies;

  public InterpretedFunction(Func func) {
    this(func, false);
  }

  /**
   * With {@code detectAnomalies}, each value is checked as in {@link
   * Interpreter#runDetectingAnomalies}.
   */
  public InterpretedFunction(Func func, boolean detectAnomalies) {
    this.func = func;
    this.detectAnomalies = detectAnomalies;
  }

  @Override
  public Func func() {
    return func;
  }

  @Override
  public Object[] call(Object[] args, int[][] shapes, Object[] outs) {
    Signatures.bind(func, args, shapes);
    List<NdArray> in = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      in.add(Buffers.toNdArray(args[i], shapes[i]));
    }
    List<NdArray> res =
        detectAnomalies ? Interpreter.runDetectingAnomalies(func, in) : Interpreter.run(func, in);
    Object[] out = new Object[res.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Buffers.fromNdArray(res.get(i), outs == null ? null : outs[i]);
    }
    return out;
  }
}
