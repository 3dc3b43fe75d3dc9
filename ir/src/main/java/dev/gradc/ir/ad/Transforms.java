package dev.gradc.ir.ad;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Role;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code torch.func}'s transforms as rewrites of the IR, composed from {@link Autodiff} and {@link
 * Vmap}: {@link #grad}, {@link #jacrev} ({@code vmap} of the vjp over the basis cotangents), {@link
 * #jacfwd} ({@code vmap} of the jvp over the basis tangents) and {@link #hessian} ({@code
 * jacfwd(jacrev(f))}). Each keeps the parameters of the function it transforms (names, types, roles
 * and order), so transforms nest, and returns one ordinary function; {@code argnums} are indices of
 * parameters, whatever their role.
 */
public final class Transforms {
  private Transforms() {}

  /**
   * The gradient of {@code f}'s one scalar result with respect to each parameter of {@code
   * argnums}, in that order ({@code torch.func.grad}).
   */
  public static Func grad(Func f, int... argnums) {
    checkArgnums("grad", f, argnums);
    Func vjp = Autodiff.vjp(withRoles(f, argnums));
    // the vjp returns the value, then the gradients in parameter order
    int[] keep = new int[argnums.length];
    for (int j = 0; j < argnums.length; j++) {
      keep[j] = 1 + rankAmong(argnums, argnums[j]);
    }
    return select(vjp, f.name() + ".grad", keep);
  }

  /**
   * The Jacobians of {@code f} by reverse mode ({@code torch.func.jacrev}): for each result {@code
   * k}, then each parameter {@code j} of {@code argnums}, the block of shape {@code result.shape +
   * param.shape}, computed by one batched vjp over the basis cotangents of the result.
   */
  public static Func jacrev(Func f, int... argnums) {
    checkArgnums("jacrev", f, argnums);
    Builder b = new Builder(f.name() + ".jacrev");
    List<Value> args = copyParams(b, f);
    List<Value> out = new ArrayList<>();
    for (int k = 0; k < f.results().size(); k++) {
      Type y = f.result(k).type();
      Func one = select(withRoles(f, argnums), f.name(), new int[] {k});
      int[] grads = new int[argnums.length];
      for (int j = 0; j < argnums.length; j++) {
        grads[j] = 1 + rankAmong(argnums, argnums[j]);
      }
      if (y.isScalar()) {
        out.addAll(b.inline(select(Autodiff.vjp(one), f.name(), grads), args));
        continue;
      }
      Func pullback = select(Autodiff.vjp(one, true), f.name(), grads);
      int m = staticNumel("jacrev", "result " + k, y);
      List<Integer> inDims = new ArrayList<>(Collections.nCopies(f.params().size(), null));
      inDims.add(0);
      Func batched = Vmap.vmap(pullback, inDims, Collections.nCopies(argnums.length, 0), Dim.of(m));
      List<Value> in = new ArrayList<>(args);
      in.add(b.reshape(eye(b, m, y.dtype()), Vmap.withBatch(y, Dim.of(m)).dims()));
      List<Value> rows = b.inline(batched, in);
      for (int j = 0; j < argnums.length; j++) {
        out.add(b.reshape(rows.get(j), concat(y, f.params().get(argnums[j]).type())));
      }
    }
    b.ret(out.toArray(new Value[0]));
    return b.build();
  }

  /**
   * The Jacobians of {@code f} by forward mode ({@code torch.func.jacfwd}): for each result {@code
   * k}, then each parameter {@code j} of {@code argnums}, the block of shape {@code result.shape +
   * param.shape}, computed by one batched jvp over the basis tangents of the parameter.
   */
  public static Func jacfwd(Func f, int... argnums) {
    checkArgnums("jacfwd", f, argnums);
    Builder b = new Builder(f.name() + ".jacfwd");
    List<Value> args = copyParams(b, f);
    int m = f.results().size();
    Value[][] blocks = new Value[m][argnums.length];
    for (int j = 0; j < argnums.length; j++) {
      Param p = f.params().get(argnums[j]);
      int[] tangents = new int[m];
      for (int k = 0; k < m; k++) {
        tangents[k] = m + k;
      }
      // the jvp returns the results, then their tangents
      Func push = select(Autodiff.jvp(f, List.of(p)), f.name(), tangents);
      int size = staticNumel("jacfwd", "parameter " + p.name(), p.type());
      List<Integer> inDims = new ArrayList<>(Collections.nCopies(f.params().size(), null));
      inDims.add(0);
      Func batched = Vmap.vmap(push, inDims, Collections.nCopies(m, -1), Dim.of(size));
      List<Value> in = new ArrayList<>(args);
      in.add(
          b.reshape(eye(b, size, p.type().dtype()), Vmap.withBatch(p.type(), Dim.of(size)).dims()));
      List<Value> columns = b.inline(batched, in);
      for (int k = 0; k < m; k++) {
        blocks[k][j] = b.reshape(columns.get(k), concat(f.result(k).type(), p.type()));
      }
    }
    List<Value> out = new ArrayList<>();
    for (Value[] row : blocks) {
      Collections.addAll(out, row);
    }
    b.ret(out.toArray(new Value[0]));
    return b.build();
  }

  /**
   * The Hessian of {@code f}'s one scalar result, forward over reverse ({@code torch.func.hessian},
   * {@code jacfwd(jacrev(f))}): block {@code [i][j]} for parameters {@code argnums[i]} and {@code
   * argnums[j]}, in row-major order.
   */
  public static Func hessian(Func f, int... argnums) {
    if (f.results().size() != 1 || !f.result(0).type().isScalar()) {
      throw new GradcException("hessian: the function must return one scalar");
    }
    return jacfwd(jacrev(f, argnums), argnums);
  }

  /** The identity matrix of size {@code n}: one-hot rows of {@code 0..n-1}, a running sum of 1s. */
  private static Value eye(Builder b, int n, DType dtype) {
    Value ones = b.full(1, Type.of(DType.I64, n));
    Value index = b.sub(b.scan(Op.CUMSUM, ones, 0, false), Builder.lit(1, DType.I64));
    return b.cast(b.oneHot(index, n), dtype);
  }

  /** {@code f} with the parameters of {@code argnums} as {@code param}s, the others as inputs. */
  public static Func withRoles(Func f, int... argnums) {
    Builder b = new Builder(f.name());
    List<Value> args = new ArrayList<>();
    for (int i = 0; i < f.params().size(); i++) {
      Param p = f.params().get(i);
      boolean differentiated = rankAmong(argnums, i) >= 0;
      args.add(b.addParam(p.name(), p.type(), differentiated ? Role.PARAM : Role.INPUT));
    }
    b.ret(b.inline(f, args).toArray(new Value[0]));
    return b.build();
  }

  /** {@code f} returning only its results {@code keep}, in that order. */
  private static Func select(Func f, String name, int[] keep) {
    Builder b = new Builder(name);
    List<Value> outs = b.inline(f, copyParams(b, f));
    Value[] kept = new Value[keep.length];
    for (int i = 0; i < keep.length; i++) {
      kept[i] = outs.get(keep[i]);
    }
    b.ret(kept);
    return b.build();
  }

  private static List<Value> copyParams(Builder b, Func f) {
    List<Value> args = new ArrayList<>();
    for (Param p : f.params()) {
      args.add(b.addParam(p.name(), p.type(), p.role()));
    }
    return args;
  }

  /** How many of the sorted distinct {@code argnums} are below {@code i}; -1 if absent. */
  private static int rankAmong(int[] argnums, int i) {
    int below = 0;
    boolean found = false;
    for (int a : argnums) {
      found |= a == i;
      below += a < i ? 1 : 0;
    }
    return found ? below : -1;
  }

  private static void checkArgnums(String what, Func f, int[] argnums) {
    if (argnums.length == 0) {
      throw new GradcException(what + ": argnums must be non-empty");
    }
    int n = f.params().size();
    for (int i = 0; i < argnums.length; i++) {
      int a = argnums[i];
      if (a < 0 || a >= n) {
        throw new GradcException(
            what
                + ": Got argnums="
                + a
                + ", but only "
                + n
                + " positional inputs (expected an index in [0, "
                + (n - 1)
                + "])");
      }
      for (int j = 0; j < i; j++) {
        if (argnums[j] == a) {
          throw new GradcException(what + ": argnums must be unique, got " + a + " twice");
        }
      }
      DType d = f.params().get(a).type().dtype();
      if (!d.isFloat()) {
        throw new GradcException(
            what
                + ": input "
                + a
                + " is "
                + d.mnemonic()
                + "; only floating point inputs can be differentiated");
      }
    }
  }

  private static int staticNumel(String what, String name, Type t) {
    if (!t.isStatic()) {
      throw new GradcException(what + ": " + name + " needs static dims, got " + t);
    }
    return t.staticNumel();
  }

  private static List<Dim> concat(Type a, Type b) {
    List<Dim> dims = new ArrayList<>(a.dims());
    dims.addAll(b.dims());
    return dims;
  }
}
