package dev.gradc.func;

import dev.gradc.Gradc;
import dev.gradc.Tensor;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.ad.Vmap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code torch.func}: transforms of functions of tensors, with its argument conventions ({@code
 * argnums} default 0; {@code in_dims} one per argument, null for an unbatched one, or one for all;
 * {@code out_dims} default 0). Each transform returns an {@link Fn} that composes with the others:
 *
 * <pre>
 * Fn perSample = vmap(grad(Fn.of(a -&gt; loss(a[0], a[1], a[2])), 0), null, 0, 0);
 * Tensor grads = perSample.call(w, xs, ys);           // one gradient per example, [B, ...w.shape]
 * Tensor h = hessian(Fn.of(a -&gt; a[0].pow(4).sum())).call(x);   // jacfwd(jacrev(f))
 * </pre>
 */
public final class Transforms {
  private Transforms() {}

  /** {@code torch.func.grad(f, argnums)}: the gradient of {@code f}'s scalar result. */
  public static Fn grad(Fn f, int... argnums) {
    int[] a = argnums(argnums);
    return rewritten(f, g -> dev.gradc.ir.ad.Transforms.grad(g, a));
  }

  /** {@link #grad(Fn, int...)} of a Java function. */
  public static Fn grad(Gradc.Traceable f, int... argnums) {
    return grad(Fn.of(f), argnums);
  }

  /**
   * {@code torch.func.jacrev(f, argnums)}: the Jacobian by reverse mode, one block {@code
   * result.shape + argument.shape} per result and argument of {@code argnums} (result-major).
   */
  public static Fn jacrev(Fn f, int... argnums) {
    int[] a = argnums(argnums);
    return rewritten(f, g -> dev.gradc.ir.ad.Transforms.jacrev(g, a));
  }

  /** {@link #jacrev(Fn, int...)} of a Java function. */
  public static Fn jacrev(Gradc.Traceable f, int... argnums) {
    return jacrev(Fn.of(f), argnums);
  }

  /** {@code torch.func.jacfwd(f, argnums)}: the Jacobian by forward mode, as {@link #jacrev}. */
  public static Fn jacfwd(Fn f, int... argnums) {
    int[] a = argnums(argnums);
    return rewritten(f, g -> dev.gradc.ir.ad.Transforms.jacfwd(g, a));
  }

  /** {@link #jacfwd(Fn, int...)} of a Java function. */
  public static Fn jacfwd(Gradc.Traceable f, int... argnums) {
    return jacfwd(Fn.of(f), argnums);
  }

  /**
   * {@code torch.func.hessian(f, argnums)}: {@code jacfwd(jacrev(f))} of a scalar function, block
   * {@code [i][j]} of the arguments {@code argnums[i]} and {@code argnums[j]} in row-major order.
   */
  public static Fn hessian(Fn f, int... argnums) {
    int[] a = argnums(argnums);
    return rewritten(f, g -> dev.gradc.ir.ad.Transforms.hessian(g, a));
  }

  /** {@link #hessian(Fn, int...)} of a Java function. */
  public static Fn hessian(Gradc.Traceable f, int... argnums) {
    return hessian(Fn.of(f), argnums);
  }

  /**
   * {@code torch.func.vmap(f, in_dims)}: {@code f} mapped over dim {@code inDims[i]} of each
   * argument (null: the argument is shared by every element; no dims: 0 for every argument; one
   * dim: that dim for every argument), the batch dim first in every result.
   */
  public static Fn vmap(Fn f, Integer... inDims) {
    return vmap(f, inDims.length == 0 ? null : Arrays.asList(inDims), List.of(0));
  }

  /** {@link #vmap(Fn, Integer...)} of a Java function. */
  public static Fn vmap(Gradc.Traceable f, Integer... inDims) {
    return vmap(Fn.of(f), inDims);
  }

  /**
   * {@code torch.func.vmap(f, in_dims, out_dims)}: as {@link #vmap(Fn, Integer...)}, with the batch
   * dim of result {@code k} at {@code outDims[k]} (one entry: the same for every result).
   */
  public static Fn vmap(Fn f, List<Integer> inDims, List<Integer> outDims) {
    return new Fn(types -> batched(f, types, inDims, outDims));
  }

  private static Fn.Staged batched(
      Fn f, List<Type> types, List<Integer> inDims, List<Integer> outDims) {
    int n = types.size();
    List<Integer> dims =
        inDims == null
            ? Collections.nCopies(n, 0)
            : inDims.size() == 1 && n != 1 ? Collections.nCopies(n, inDims.get(0)) : inDims;
    if (dims.size() != n) {
      throw new IllegalArgumentException(
          "vmap: in_dims has " + dims.size() + " entries, but the function got " + n + " inputs");
    }
    List<Type> inner = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    int size = -1;
    for (int i = 0; i < n; i++) {
      Type t = types.get(i);
      Integer d = dims.get(i);
      if (d == null) {
        inner.add(t);
        at.add(null);
        continue;
      }
      int r = t.rank();
      if (d < -r || d >= r) {
        throw new IllegalArgumentException(
            "vmap: in_dims["
                + i
                + "]="
                + d
                + " is out of bounds for an input of "
                + r
                + " dims (expected a dim in ["
                + (-r)
                + ", "
                + (r - 1)
                + "])");
      }
      int nd = d < 0 ? d + r : d;
      int s = t.dim(nd).size();
      if (size >= 0 && s != size) {
        throw new IllegalArgumentException(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                + size
                + " and "
                + s
                + " (input "
                + i
                + ")");
      }
      size = s;
      List<Dim> rest = new ArrayList<>(t.dims());
      rest.remove(nd);
      inner.add(t.withDims(rest));
      at.add(nd);
    }
    if (size < 0) {
      throw new IllegalArgumentException(
          "vmap: at least one input must be batched (in_dims is null for every input)");
    }
    Fn.Staged s = f.staged(inner);
    Func g = s.func();
    List<Integer> all = new ArrayList<>(at);
    all.addAll(Collections.nCopies(g.params().size() - n, null));
    int m = g.results().size();
    List<Integer> out =
        outDims.size() == 1 && m != 1 ? Collections.nCopies(m, outDims.get(0)) : outDims;
    return new Fn.Staged(s.traced(), Vmap.vmap(g, all, out, Dim.of(size)));
  }

  /** {@code (outputs, tangents)} of {@link #jvp}. */
  public record JvpResult(List<Tensor> outputs, List<Tensor> tangents) {}

  /** {@code (outputs, vjp_fn)} of {@link #vjp}. */
  public record VjpResult(List<Tensor> outputs, Pullback pullback) {}

  /** The {@code vjp_fn} of {@link #vjp}: one cotangent per result to one gradient per primal. */
  @FunctionalInterface
  public interface Pullback {
    /** The gradients (null for a primal that is not floating point). */
    List<Tensor> apply(Tensor... cotangents);
  }

  /**
   * {@code torch.func.jvp(f, primals, tangents)}: the results of {@code f} at {@code primals} and
   * their derivatives along {@code tangents} (one per primal, of its dtype and shape).
   */
  public static JvpResult jvp(Fn f, List<Tensor> primals, List<Tensor> tangents) {
    if (tangents.size() != primals.size()) {
      throw new IllegalArgumentException(
          "jvp: Expected primals and tangents to have the same length, got "
              + primals.size()
              + " and "
              + tangents.size());
    }
    Fn.Staged s = f.staged(Fn.types(primals));
    Func g = s.func();
    List<Param> params = g.params().subList(0, primals.size());
    Func push = Autodiff.jvp(g, params);
    List<Tensor> r = s.traced().run(push, primals, tangents);
    int m = g.results().size();
    return new JvpResult(r.subList(0, m), r.subList(m, 2 * m));
  }

  /**
   * {@code torch.func.vjp(f, *primals)}: the results of {@code f} at {@code primals}, and the
   * function that maps one cotangent per result to the gradient with respect to each floating-point
   * primal.
   */
  public static VjpResult vjp(Fn f, Tensor... primals) {
    List<Tensor> in = List.of(primals);
    Fn.Staged s = f.staged(Fn.types(in));
    Func g = s.func();
    List<Integer> floats = new ArrayList<>();
    for (int i = 0; i < primals.length; i++) {
      if (g.params().get(i).type().dtype().isFloat()) {
        floats.add(i);
      }
    }
    int[] argnums = floats.stream().mapToInt(Integer::intValue).toArray();
    Func pull = Autodiff.vjp(dev.gradc.ir.ad.Transforms.withRoles(g, argnums), true);
    List<Tensor> outputs = s.traced().run(g, in, List.of());
    int m = g.results().size();
    Pullback pullback =
        cotangents -> {
          List<Tensor> r = s.traced().run(pull, in, List.of(cotangents));
          List<Tensor> grads = new ArrayList<>(Collections.nCopies(primals.length, null));
          for (int j = 0; j < argnums.length; j++) {
            grads.set(argnums[j], r.get(m + j));
          }
          return grads;
        };
    return new VjpResult(outputs, pullback);
  }

  /** {@code f} with its IR rewritten by {@code transform}, which keeps the params. */
  private static Fn rewritten(Fn f, UnaryOperator<Func> transform) {
    return new Fn(
        types -> {
          Fn.Staged s = f.staged(types);
          return new Fn.Staged(s.traced(), transform.apply(s.func()));
        });
  }

  private static int[] argnums(int[] argnums) {
    return argnums.length == 0 ? new int[] {0} : argnums.clone();
  }
}
