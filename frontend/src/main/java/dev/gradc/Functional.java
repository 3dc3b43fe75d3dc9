package dev.gradc;

import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Type;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.CompiledFunction;
import dev.gradc.runtime.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * PyTorch's {@code torch.autograd.functional}, as {@link Autograd#functional}: {@code jvp}, {@code
 * vjp}, {@code jacobian}, {@code hvp} and {@code hessian} of a Java function of tensors. Each call
 * traces the function once on its inputs (every input gets a tangent or a gradient, as in PyTorch;
 * tensors the function uses besides its inputs are constants), transforms the traced IR ({@code
 * Autodiff.jvp}, {@code Autodiff.vjp}, and {@code jvp} of the gradient program for {@code hvp} and
 * {@code hessian}: forward over reverse) and runs the one compiled kernel that results, through the
 * kernel cache. The results do not require grad ({@code create_graph=False}).
 */
public final class Functional {
  Functional() {}

  /** {@code (func_output, jvp)}: the function's value and its derivative along {@code v}. */
  public record JvpResult(Tensor output, Tensor jvp) {}

  /** {@code (func_output, vjp)}: the function's value and one vector-Jacobian product per input. */
  public record VjpResult(Tensor output, List<Tensor> vjp) {}

  /** {@code (func_output, hvp)}: the function's value and one Hessian-vector product per input. */
  public record HvpResult(Tensor output, List<Tensor> hvp) {}

  /**
   * {@code torch.autograd.functional.jvp(func, inputs, v)}: the value of {@code func} at {@code
   * inputs} and its directional derivative along {@code v}, one tangent per input with its dtype
   * and shape ({@code v} may be null only when every input has one element: a tangent of ones).
   */
  public JvpResult jvp(Gradc.Traceable func, List<Tensor> inputs, List<Tensor> v) {
    Trace t = trace("jvp", func, inputs);
    Func jvp = Autodiff.jvp(t.func());
    List<Object> args = arguments(t, inputs);
    args.addAll(perInput("jvp", "v", inputs, v));
    Object[] outs = Capture.run(jvp, args);
    return new JvpResult(result(t, 0, outs[0]), result(t, 0, outs[1]));
  }

  /**
   * {@code torch.autograd.functional.vjp(func, inputs, v)}: the value of {@code func} at {@code
   * inputs} and the product of {@code v} (the result's dtype and shape; null only for a function
   * with a one-element result: 1) with its Jacobian, one tensor per input.
   */
  public VjpResult vjp(Gradc.Traceable func, List<Tensor> inputs, Tensor v) {
    Trace t = trace("vjp", func, inputs);
    Func vjp = Autodiff.vjp(t.func(), true);
    List<Object> args = arguments(t, inputs);
    Type out = t.func().result(0).type();
    args.add(v == null ? ones("vjp", "v", out) : buffer("vjp", "v", out, v));
    Object[] outs = Capture.run(vjp, args);
    return new VjpResult(result(t, 0, outs[0]), perInputResults(t, outs, 1));
  }

  /**
   * {@code torch.autograd.functional.hvp(func, inputs, v)}: the value of {@code func}, which must
   * return one element, and the product of its Hessian with {@code v} (one tensor per input),
   * computed forward over reverse: the jvp of the gradient program along {@code v}.
   */
  public HvpResult hvp(Gradc.Traceable func, List<Tensor> inputs, List<Tensor> v) {
    Trace t = trace("hvp", func, inputs);
    Func hvp = hvpFunc("hvp", t);
    List<Object> args = arguments(t, inputs);
    args.addAll(perInput("hvp", "v", inputs, v));
    Object[] outs = Capture.run(hvp, args);
    return new HvpResult(result(t, 0, outs[0]), perInputResults(t, outs, inputs.size() + 2));
  }

  /**
   * {@code torch.autograd.functional.vhp(func, inputs, v)}: the value of {@code func}, which must
   * return one element, and the product of {@code v} with its Hessian (one tensor per input). The
   * Hessian of a twice differentiable function is symmetric, so this is the {@link #hvp} kernel
   * (forward over reverse); PyTorch computes it by double backward, equal up to rounding.
   */
  public HvpResult vhp(Gradc.Traceable func, List<Tensor> inputs, List<Tensor> v) {
    return hvp(func, inputs, v);
  }

  /**
   * {@code torch.autograd.functional.jacobian(func, inputs)}, computed in forward mode: block
   * {@code j} holds the derivatives of the result with respect to input {@code j}, of shape {@code
   * result.shape + inputs[j].shape}. Each column is one run of the compiled jvp kernel, along one
   * element of one input.
   */
  public List<Tensor> jacobian(Gradc.Traceable func, List<Tensor> inputs) {
    Trace t = trace("jacobian", func, inputs);
    Func jvp = Autodiff.jvp(t.func());
    // the jvp returns the value, then the result's tangent
    return columns(t, inputs, Kernels.compile(jvp), 1, List.of(t.func().result(0).type())).get(0);
  }

  /**
   * {@code torch.autograd.functional.hessian(func, inputs)}: block {@code [i][j]} holds the second
   * derivatives with respect to input {@code i} and input {@code j}, of shape {@code
   * inputs[i].shape + inputs[j].shape}. Each column is one run of the compiled forward-over-reverse
   * kernel, along one element of one input.
   */
  public List<List<Tensor>> hessian(Gradc.Traceable func, List<Tensor> inputs) {
    Trace t = trace("hessian", func, inputs);
    List<Type> gradients = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      gradients.add(t.func().params().get(i).type());
    }
    // the jvp of the gradient program returns the value, the gradients, the value's tangent, then
    // the gradients' tangents
    return columns(t, inputs, Kernels.compile(hvpFunc("hessian", t)), inputs.size() + 2, gradients);
  }

  /**
   * The Jacobian of the outputs {@code outs[first + i]} of {@code kernel} (of types {@code
   * outputs}), a jvp program of the trace, with respect to every input: block {@code [i][j]} of
   * shape {@code outputs[i].shape + inputs[j].shape}, column by column along each element of each
   * input.
   */
  private static List<List<Tensor>> columns(
      Trace t, List<Tensor> inputs, CompiledFunction kernel, int first, List<Type> outputs) {
    int n = inputs.size();
    int m = outputs.size();
    Type[] types = new Type[n];
    int[] sizes = new int[n];
    for (int j = 0; j < n; j++) {
      types[j] = t.func().params().get(j).type();
      sizes[j] = types[j].numel().size();
    }
    Object[][] blocks = new Object[m][n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        blocks[i][j] =
            Buffers.allocate(outputs.get(i).dtype(), outputs.get(i).numel().size() * sizes[j]);
      }
    }
    for (int j = 0; j < n; j++) {
      for (int e = 0; e < sizes[j]; e++) {
        List<Object> args = arguments(t, inputs);
        for (int k = 0; k < n; k++) {
          Object tangent = Buffers.allocate(types[k].dtype(), sizes[k]);
          if (k == j) {
            Buffers.set(tangent, e, 1);
          }
          args.add(tangent);
        }
        Object[] outs = Capture.run(kernel, args);
        for (int i = 0; i < m; i++) {
          // the derivative of output i along element e of input j: column e of block [i][j]
          Object column = outs[first + i];
          for (int r = 0; r < outputs.get(i).numel().size(); r++) {
            Buffers.set(blocks[i][j], r * sizes[j] + e, Buffers.get(column, r));
          }
        }
      }
    }
    List<List<Tensor>> out = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      List<Tensor> row = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        List<Dim> dims = new ArrayList<>(outputs.get(i).dims());
        dims.addAll(types[j].dims());
        row.add(Tensor.of(Node.data(new Type(outputs.get(i).dtype(), dims), blocks[i][j])));
      }
      out.add(row);
    }
    return out;
  }

  /** {@link #jacobian(Gradc.Traceable, List)} of a function of one tensor. */
  public Tensor jacobian(Function<Tensor, Tensor> func, Tensor input) {
    return jacobian(args -> func.apply(args[0]), List.of(input)).get(0);
  }

  /** {@link #hessian(Gradc.Traceable, List)} of a function of one tensor. */
  public Tensor hessian(Function<Tensor, Tensor> func, Tensor input) {
    return hessian(args -> func.apply(args[0]), List.of(input)).get(0).get(0);
  }

  /** {@link #jvp(Gradc.Traceable, List, List)} of a function of one tensor. */
  public JvpResult jvp(Function<Tensor, Tensor> func, Tensor input, Tensor v) {
    return jvp(args -> func.apply(args[0]), List.of(input), v == null ? null : List.of(v));
  }

  /** {@link #vjp(Gradc.Traceable, List, Tensor)} of a function of one tensor. */
  public VjpResult vjp(Function<Tensor, Tensor> func, Tensor input, Tensor v) {
    return vjp(args -> func.apply(args[0]), List.of(input), v);
  }

  // ---------------------------------------------------------------- helpers

  /** Traces {@code func} with every input requiring grad; it must return one tensor. */
  private static Trace trace(String what, Gradc.Traceable func, List<Tensor> inputs) {
    for (int i = 0; i < inputs.size(); i++) {
      DType d = inputs.get(i).dtype();
      if (!d.isFloatingPoint()) {
        throw new IllegalArgumentException(
            what
                + ": input "
                + i
                + " is "
                + d
                + "; only floating point inputs can be differentiated");
      }
    }
    return Gradc.trace(args -> List.of(func.apply(args)), inputs, true);
  }

  /**
   * Forward over reverse: the jvp of the gradient program, which returns the value, the gradients,
   * the value's tangent, then one Hessian-vector product per input.
   */
  private static Func hvpFunc(String what, Trace t) {
    Type out = t.func().result(0).type();
    if (!out.isScalar()) {
      throw new IllegalArgumentException(
          what + ": the function must return a scalar, got " + Tensor.describe(out));
    }
    Func grad = Autodiff.vjp(t.func());
    return Autodiff.jvp(grad, grad.gradParams());
  }

  /** The inputs' buffers, then the trace's constants. */
  private static List<Object> arguments(Trace t, List<Tensor> inputs) {
    List<Object> args = new ArrayList<>();
    for (Tensor x : inputs) {
      args.add(Capture.valueOf(x.node()));
    }
    args.addAll(t.constants());
    return args;
  }

  /** One buffer per input from {@code v} (checked against the inputs), or ones when null. */
  private static List<Object> perInput(
      String what, String name, List<Tensor> inputs, List<Tensor> v) {
    if (v != null && v.size() != inputs.size()) {
      throw new IllegalArgumentException(
          what
              + ": "
              + name
              + " has "
              + v.size()
              + " tensors, but there are "
              + inputs.size()
              + " inputs");
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Type type = inputs.get(i).node().type();
      out.add(
          v == null ? ones(what, name, type) : buffer(what, name + "[" + i + "]", type, v.get(i)));
    }
    return out;
  }

  /** Ones of {@code type}, which must have one element (PyTorch's implicit {@code v}). */
  private static Object ones(String what, String name, Type type) {
    int n = type.numel().size();
    if (n != 1) {
      throw new IllegalArgumentException(
          what
              + ": the "
              + name
              + " argument can be omitted only for one-element tensors, got "
              + Tensor.describe(type));
    }
    Object b = Buffers.allocate(type.dtype(), 1);
    Buffers.set(b, 0, 1);
    return b;
  }

  /** The buffer of {@code v}, which must have {@code type}'s shape; cast to its dtype. */
  private static Object buffer(String what, String name, Type type, Tensor v) {
    Node n = v.node();
    if (!n.type().dims().equals(type.dims())) {
      throw new IllegalArgumentException(
          what
              + ": "
              + name
              + " should be shaped like "
              + Tensor.describe(type)
              + ", got "
              + Tensor.describe(n.type()));
    }
    return Capture.valueOf(v.to(DType.of(type.dtype())).node());
  }

  private static Tensor result(Trace t, int k, Object buffer) {
    return Tensor.of(Node.data(t.func().result(k).type(), buffer));
  }

  /** One tensor per input (the traced function's leading params) from {@code outs[first]}. */
  private static List<Tensor> perInputResults(Trace t, Object[] outs, int first) {
    List<Tensor> out = new ArrayList<>();
    int n = t.func().params().size() - t.constants().size();
    for (int i = 0; i < n; i++) {
      out.add(Tensor.of(Node.data(t.func().params().get(i).type(), outs[first + i])));
    }
    return out;
  }
}
