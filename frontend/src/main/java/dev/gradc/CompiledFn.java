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
 * A Java function over tensors traced once into the IR and compiled: {@link #value} and {@link
 * #values} run the forward kernel, {@link #valueAndGrad} (a scalar loss) the forward and backward
 * kernel, {@link #vjp} the backward kernel seeded by one cotangent per result, {@link #jvp} the
 * forward-mode kernel along one tangent per argument, all through the kernel cache. Arguments must
 * have the dtypes and shapes of the examples it was traced with; the gradients are taken with
 * respect to the arguments whose examples required grad.
 */
public final class CompiledFn {
  private final Func forward;
  private final List<Object> constants;
  private final CompiledFunction value;
  private Func vjp;
  private CompiledFunction valueAndGrad;
  private CompiledFunction vjpWithCotangents;
  private CompiledFunction jvpKernel;

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

  /**
   * The value of the function at {@code args}; for a function with several results, use {@link
   * #values}.
   */
  public Tensor value(Tensor... args) {
    if (forward.results().size() != 1) {
      throw new IllegalArgumentException(
          "the compiled function has "
              + forward.results().size()
              + " results; values(...) gives them all");
    }
    return values(args).get(0);
  }

  /** Every result of the function at {@code args}, in order. */
  public List<Tensor> values(Tensor... args) {
    Object[] outs = Capture.run(value, arguments(args));
    List<Tensor> results = new ArrayList<>();
    for (int k = 0; k < forward.results().size(); k++) {
      results.add(Tensor.of(Node.data(forward.result(k).type(), outs[k])));
    }
    return results;
  }

  /**
   * The vector-Jacobian product at {@code args}: given one cotangent per result (each with its
   * result's dtype and shape), the gradient with respect to each argument that requires grad (null
   * for the others), as {@code torch.autograd.grad(results, args, cotangents)}.
   */
  public List<Tensor> vjp(List<Tensor> args, List<Tensor> cotangents) {
    int m = forward.results().size();
    if (cotangents.size() != m) {
      throw new IllegalArgumentException(
          "the compiled function has " + m + " results, got " + cotangents.size() + " cotangents");
    }
    List<Object> in = arguments(args.toArray(new Tensor[0]));
    for (int k = 0; k < m; k++) {
      Type expected = forward.result(k).type();
      Node n = cotangents.get(k).node();
      if (!n.type().equals(expected)) {
        throw new IllegalArgumentException(
            "cotangent "
                + k
                + " should be "
                + Tensor.describe(expected)
                + " like result "
                + k
                + ", got "
                + Tensor.describe(n.type()));
      }
      in.add(Capture.valueOf(n));
    }
    CompiledFunction kernel;
    synchronized (this) {
      if (vjpWithCotangents == null) {
        vjpWithCotangents = Kernels.compileVjp(forward, true);
      }
      kernel = vjpWithCotangents;
    }
    Object[] outs = Capture.run(kernel, in);
    return gradients(outs, m);
  }

  /**
   * The Jacobian-vector product at {@code args}, as the second result of {@code torch.func.jvp(f,
   * args, tangents)}: given one tangent per argument that requires grad (with its dtype and shape;
   * null for the other arguments, which get none), the tangent of each result.
   */
  public List<Tensor> jvp(List<Tensor> args, List<Tensor> tangents) {
    if (tangents.size() != arity()) {
      throw new IllegalArgumentException(
          "the compiled function takes "
              + arity()
              + " arguments, got "
              + tangents.size()
              + " tangents");
    }
    List<Object> in = arguments(args.toArray(new Tensor[0]));
    for (int i = 0; i < arity(); i++) {
      Param p = forward.params().get(i);
      Tensor t = tangents.get(i);
      if (!p.requiresGrad()) {
        if (t != null) {
          throw new IllegalArgumentException(
              "argument " + i + " does not require grad: its tangent must be null");
        }
        continue;
      }
      if (t == null || !t.node().type().equals(p.type())) {
        throw new IllegalArgumentException(
            "tangent "
                + i
                + " should be "
                + Tensor.describe(p.type())
                + " like argument "
                + i
                + ", got "
                + (t == null ? "null" : Tensor.describe(t.node().type())));
      }
      in.add(Capture.valueOf(t.node()));
    }
    CompiledFunction kernel;
    synchronized (this) {
      if (jvpKernel == null) {
        jvpKernel = Kernels.compile(Autodiff.jvp(forward));
      }
      kernel = jvpKernel;
    }
    Object[] outs = Capture.run(kernel, in);
    int m = forward.results().size();
    List<Tensor> out = new ArrayList<>();
    for (int k = 0; k < m; k++) {
      out.add(Tensor.of(Node.data(forward.result(k).type(), outs[m + k])));
    }
    return out;
  }

  /** One gradient per argument (null where it does not require grad) from {@code outs[first]}. */
  private List<Tensor> gradients(Object[] outs, int first) {
    List<Tensor> grads = new ArrayList<>();
    int k = first;
    for (int i = 0; i < arity(); i++) {
      Param p = forward.params().get(i);
      grads.add(p.requiresGrad() ? Tensor.of(Node.data(p.type(), outs[k++])) : null);
    }
    return grads;
  }

  /** The value and its gradient with respect to each argument that requires grad. */
  public ValueAndGrad valueAndGrad(Tensor... args) {
    Func f = vjp();
    Object[] outs = Capture.run(valueAndGrad, arguments(args));
    return new ValueAndGrad(Tensor.of(Node.data(f.result(0).type(), outs[0])), gradients(outs, 1));
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
