package dev.gradc;

import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Java function over tensors traced once into the IR and compiled: {@link #value} runs the
 * forward kernel, {@link #valueAndGrad} the forward and backward kernel, both through the kernel
 * cache. Arguments must have the dtypes and shapes of the examples it was traced with; the
 * gradients are taken with respect to the arguments whose examples required grad.
 */
public final class CompiledFn {
  private final Func forward;
  private final List<Object> constants;
  private final CompiledFunction value;
  private Func vjp;
  private CompiledFunction valueAndGrad;

  CompiledFn(Trace trace) {
    this.forward = trace.func();
    this.constants = trace.constants();
    this.value = Kernels.compile(forward);
  }

  private int arity() {
    return forward.params().size() - constants.size();
  }

  /** The traced function. */
  Func func() {
    return forward;
  }

  /** The traced function's vector-Jacobian product: its value, then one gradient per param. */
  Func vjpFunc() {
    return vjp();
  }

  /** The constant inputs that follow the arguments. */
  List<Object> constants() {
    return constants;
  }

  /** The traced function as IR text. */
  public String ir() {
    return forward.toString();
  }

  /** The function that computes the value and the gradients, as IR text. */
  public String gradIr() {
    return vjp().toString();
  }

  private synchronized Func vjp() {
    if (vjp == null) {
      vjp = Autodiff.vjp(forward);
      valueAndGrad = Kernels.compile(vjp);
    }
    return vjp;
  }

  /** The value of the function at {@code args}. */
  public Tensor value(Tensor... args) {
    Object[] outs = Capture.run(value, arguments(args));
    return Tensor.of(Node.data(forward.result(0).type(), outs[0]));
  }

  /** The value and its gradient with respect to each argument that requires grad. */
  public ValueAndGrad valueAndGrad(Tensor... args) {
    Func f = vjp();
    Object[] outs = Capture.run(valueAndGrad, arguments(args));
    List<Tensor> grads = new ArrayList<>();
    int k = 1;
    for (int i = 0; i < arity(); i++) {
      Param p = forward.params().get(i);
      grads.add(p.requiresGrad() ? Tensor.of(Node.data(p.type(), outs[k++])) : null);
    }
    return new ValueAndGrad(Tensor.of(Node.data(f.result(0).type(), outs[0])), grads);
  }

  private List<Object> arguments(Tensor[] args) {
    if (args.length != arity()) {
      throw new IllegalArgumentException(
          "the compiled function takes " + arity() + " arguments, got " + args.length);
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      Type expected = forward.params().get(i).type();
      Node n = args[i].node();
      if (!n.type().equals(expected)) {
        throw new IllegalArgumentException(
            "argument "
                + i
                + " should be "
                + Tensor.describe(expected)
                + ", got "
                + Tensor.describe(n.type())
                + " (compiled functions keep the dtypes and shapes they were traced with)");
      }
      out.add(Capture.valueOf(n));
    }
    out.addAll(constants);
    return out;
  }

  @Override
  public String toString() {
    return "CompiledFn" + Arrays.asList(forward.params());
  }
}
