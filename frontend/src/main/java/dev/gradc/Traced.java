package dev.gradc;

import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A Java function of tensors traced into the IR at given argument types, with the tensors it
 * captured as constants: what the transforms of {@code dev.gradc.func} rewrite and run. The traced
 * function's parameters are the arguments ({@code input}s, in order), then one trailing input per
 * constant; a function transformed from it keeps that order, and may take further inputs after the
 * constants (the tangents of a jvp, the cotangents of a vjp).
 */
public final class Traced {
  private final Trace trace;
  private final int arity;

  private Traced(Trace trace, int arity) {
    this.trace = trace;
    this.arity = arity;
  }

  /** Traces {@code f} once on zeros of {@code argTypes}. */
  public static Traced of(Gradc.TraceableOutputs f, List<Type> argTypes) {
    List<Tensor> examples = new ArrayList<>();
    for (Type t : argTypes) {
      if (!t.isStatic()) {
        throw new IllegalArgumentException("cannot trace at the symbolic type " + t);
      }
      examples.add(
          Tensor.of(Node.data(t, dev.gradc.runtime.Buffers.allocate(t.dtype(), t.staticNumel()))));
    }
    return new Traced(Gradc.trace(f, examples, false), argTypes.size());
  }

  /** The IR type (dtype and static shape) of a tensor. */
  public static Type typeOf(Tensor t) {
    return t.node().type();
  }

  /** The traced function. */
  public Func func() {
    return trace.func();
  }

  /** How many arguments the function takes (its parameters before the constants). */
  public int arity() {
    return arity;
  }

  /** How many constants follow the arguments. */
  public int constantCount() {
    return trace.constants().size();
  }

  /**
   * Runs {@code g}, a function whose parameters are {@code leading}'s, then this trace's constants,
   * then {@code trailing}'s, compiled through the kernel cache; returns its results as tensors.
   */
  public List<Tensor> run(Func g, List<Tensor> leading, List<Tensor> trailing) {
    int expected = leading.size() + trace.constants().size() + trailing.size();
    if (g.params().size() != expected) {
      throw new IllegalArgumentException(
          g.name() + " takes " + g.params().size() + " inputs, got " + expected);
    }
    List<Object> in = new ArrayList<>();
    int i = 0;
    for (Tensor t : leading) {
      in.add(buffer(g, i++, t));
    }
    in.addAll(trace.constants());
    i += trace.constants().size();
    for (Tensor t : trailing) {
      in.add(buffer(g, i++, t));
    }
    Object[] outs = Capture.run(g, in);
    List<Tensor> results = new ArrayList<>();
    for (int k = 0; k < g.results().size(); k++) {
      results.add(Tensor.of(Node.data(g.result(k).type(), outs[k])));
    }
    return results;
  }

  private static Object buffer(Func g, int i, Tensor t) {
    Param p = g.params().get(i);
    Type actual = t.node().type();
    if (!actual.equals(p.type())) {
      throw new IllegalArgumentException(
          "argument "
              + i
              + " should be "
              + Tensor.describe(p.type())
              + ", got "
              + Tensor.describe(actual));
    }
    return Capture.valueOf(t.node());
  }
}
