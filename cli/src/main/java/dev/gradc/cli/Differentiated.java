package dev.gradc.cli;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Param;
import dev.gradc.ir.Value;
import dev.gradc.runtime.Buffers;
import dev.gradc.runtime.Signatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What {@code check} and {@code bench} run for a program: the vjp of a scalar loss; for a program
 * with a non-scalar result or several results, the vjp seeded by one cotangent per result (standard
 * normals, as {@code gradc compile}'s {@code vjp} entry point takes them), whose gradients are
 * those of {@link #scalar}, the sum of each result times its cotangent; for a program with a result
 * that is not a float, its values alone.
 */
final class Differentiated {
  private final Func func;
  private final int results;
  private final Func scalar;
  private final Object[] buffers;
  private final int[][] shapes;

  private Differentiated(Func func, int results, Func scalar, Object[] buffers, int[][] shapes) {
    this.func = func;
    this.results = results;
    this.scalar = scalar;
    this.buffers = buffers;
    this.shapes = shapes;
  }

  /**
   * The function run: its first {@link #results} results are the program's, the rest the gradients
   * of {@code func().gradParams()}.
   */
  Func func() {
    return func;
  }

  /** How many results the program returns. */
  int results() {
    return results;
  }

  /**
   * The scalar function whose finite differences the gradients are checked against: the loss, or
   * {@code sum(r0 * c0) + sum(r1 * c1) + ...} with the cotangents as inputs after the program's
   * params; null without gradients.
   */
  Func scalar() {
    return scalar;
  }

  /** The arguments of {@link #func} (those given, then the cotangents); shared, not copied. */
  Object[] buffers() {
    return buffers;
  }

  /** The shapes of {@link #buffers}. */
  int[][] shapes() {
    return shapes;
  }

  /** The seed of the cotangents, split from {@code --seed} so they do not repeat the inputs. */
  private static final long COTANGENT_SEED = 0x636f74L;

  static Differentiated of(ProgramFile pf, Arguments args, long seed) {
    Object[] buffers = args.buffers();
    int[][] shapes = args.shapes();
    if (pf.isLoss()) {
      Func vjp = pf.vjp();
      return new Differentiated(vjp, 1, pf.func(), buffers, shapes);
    }
    Func f = pf.func();
    int m = f.results().size();
    for (Value r : f.results()) {
      if (!r.type().dtype().isFloat()) {
        return new Differentiated(f, m, null, buffers, shapes);
      }
    }
    Func vjp = pf.gradFunc();
    int[][] resultShapes = Signatures.resultShapes(f, shapes);
    SplittableRandom random = new SplittableRandom(seed ^ COTANGENT_SEED);
    Object[] allBuffers = Arrays.copyOf(buffers, buffers.length + m);
    int[][] allShapes = Arrays.copyOf(shapes, shapes.length + m);
    for (int k = 0; k < m; k++) {
      int n = 1;
      for (int d : resultShapes[k]) {
        n *= d;
      }
      Object c = Buffers.allocate(f.result(k).type().dtype(), n);
      for (int i = 0; i < n; i++) {
        Buffers.set(c, i, random.nextGaussian());
      }
      allBuffers[buffers.length + k] = c;
      allShapes[shapes.length + k] = resultShapes[k];
    }
    return new Differentiated(vjp, m, pairing(f, vjp), allBuffers, allShapes);
  }

  /**
   * {@code sum(r0 * c0) + sum(r1 * c1) + ...}: the scalar whose gradient is the vjp of {@code f}
   * with cotangents {@code c}, taking the params of {@code vjp} (those of {@code f}, then the
   * cotangents).
   */
  private static Func pairing(Func f, Func vjp) {
    Builder b = new Builder(f.name() + ".pairing");
    List<Value> args = new ArrayList<>();
    for (Param p : vjp.params()) {
      args.add(b.addParam(p.name(), p.type(), p.role()));
    }
    List<Value> results = b.inline(f, args.subList(0, f.params().size()));
    Value total = null;
    for (int k = 0; k < results.size(); k++) {
      Value term = b.sum(b.mul(results.get(k), args.get(f.params().size() + k)));
      total = total == null ? term : b.add(total, term);
    }
    if (total == null) {
      throw new GradcException("the program returns no values");
    }
    b.ret(total);
    return b.build();
  }

  /** Whether the program is differentiated (it has float results only). */
  boolean hasGradients() {
    return scalar != null;
  }
}
