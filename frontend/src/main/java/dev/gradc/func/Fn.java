package dev.gradc.func;

import dev.gradc.Gradc;
import dev.gradc.Tensor;
import dev.gradc.Traced;
import dev.gradc.ir.Func;
import dev.gradc.ir.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A function of tensors that the transforms of {@link Transforms} accept and return: a Java
 * function ({@link #of}, {@link #ofOutputs}) or a transform of another {@code Fn}. Called on
 * tensors, it builds its IR for their dtypes and shapes once (then reuses it), and runs it
 * compiled.
 */
public final class Fn {
  /** The IR of a function at given argument types, and the trace whose constants it reads. */
  record Staged(Traced traced, Func func) {}

  /** Builds the IR of a function at given argument types. */
  @FunctionalInterface
  interface Stager {
    Staged stage(List<Type> argTypes);
  }

  private final Stager stager;
  private final Map<List<Type>, Staged> staged = new ConcurrentHashMap<>();

  Fn(Stager stager) {
    this.stager = stager;
  }

  /** A Java function with one result. */
  public static Fn of(Gradc.Traceable f) {
    return ofOutputs(args -> List.of(f.apply(args)));
  }

  /** A Java function with several results. */
  public static Fn ofOutputs(Gradc.TraceableOutputs f) {
    return new Fn(
        types -> {
          Traced t = Traced.of(f, types);
          return new Staged(t, t.func());
        });
  }

  /** The function's IR at the types of {@code args}, built once per types. */
  Staged staged(List<Type> types) {
    Staged s = staged.get(types);
    if (s == null) {
      s = stager.stage(types);
      staged.putIfAbsent(types, s);
    }
    return s;
  }

  static List<Type> types(List<Tensor> args) {
    List<Type> out = new ArrayList<>();
    for (Tensor t : args) {
      out.add(Traced.typeOf(t));
    }
    return out;
  }

  /** Every result of the function at {@code args}. */
  public List<Tensor> callAll(Tensor... args) {
    List<Tensor> in = List.of(args);
    Staged s = staged(types(in));
    return s.traced().run(s.func(), in, List.of());
  }

  /** The one result of the function at {@code args}. */
  public Tensor call(Tensor... args) {
    List<Tensor> out = callAll(args);
    if (out.size() != 1) {
      throw new IllegalArgumentException(
          "the function returns " + out.size() + " tensors; callAll(...) gives them all");
    }
    return out.get(0);
  }

  /** The function's IR at the dtypes and shapes of {@code args}, as text. */
  public String ir(Tensor... args) {
    return staged(types(List.of(args))).func().toString();
  }
}
