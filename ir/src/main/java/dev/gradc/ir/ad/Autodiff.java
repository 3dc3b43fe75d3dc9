package dev.gradc.ir.ad;

import dev.gradc.ir.Builder;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.LogSumExp;
import dev.gradc.ir.Op;
import dev.gradc.ir.Origin;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Reverse mode: turns a function into its vector-Jacobian product, an ordinary {@link Func} that
 * returns the function's results followed by one gradient per {@code param} (in declaration order).
 * The forward instructions come first, then the adjoint, built with the folding {@link Builder};
 * the result can be printed, optimized, compiled, or differentiated again.
 *
 * <p>Only active values get adjoints: those that depend on a {@code param} through differentiable
 * ops and that the result depends on. Adjoints that meet are summed. Rules are in {@link Rules};
 * {@code log(sum(exp(x)))} is differentiated as the {@code logsumexp(x)} the optimizer makes of it
 * ({@link LogSumExp}), so that value and gradient agree where {@code exp(x)} overflows.
 */
public final class Autodiff {
  private Autodiff() {}

  /**
   * The name of the extra input that carries the output gradient of a non-scalar result; a function
   * with several results gets {@code grad_output0}, {@code grad_output1}, ... (one per result).
   */
  public static final String GRAD_OUTPUT = "grad_output";

  /** The prefix of the inputs that carry the tangents of a jvp ({@code tangent_x}). */
  public static final String TANGENT = "tangent_";

  /** The vjp of a function with a scalar result, seeded with 1. */
  public static Func vjp(Func f) {
    return vjp(f, false);
  }

  /**
   * The vjp of {@code f}. With {@code withGradOutput}, each result {@code k} is seeded by a new
   * {@code input} parameter of its type after the function's own ({@link #gradOutputName}), and the
   * vjp returns every result, then one gradient per param; otherwise {@code f} must have one scalar
   * result, seeded with 1.
   */
  public static Func vjp(Func f, boolean withGradOutput) {
    int m = f.results().size();
    if (!withGradOutput && m != 1) {
      throw new GradcException(
          "grad can be implicitly created only for scalar outputs (the function returns "
              + m
              + " values)");
    }
    for (Value out : f.results()) {
      if (!withGradOutput && !out.type().isScalar()) {
        throw new GradcException("grad can be implicitly created only for scalar outputs");
      }
      if (!out.type().dtype().isFloat()) {
        throw new GradcException(
            "grad can be implicitly created only for real scalar outputs but got "
                + out.type().dtype().mnemonic());
      }
    }
    Builder b = new Builder(f.name() + ".vjp");
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
    Value[] seeds = new Value[m];
    for (int k = 0; k < m; k++) {
      Type t = f.result(k).type();
      seeds[k] = withGradOutput ? b.input(gradOutputName(f, k), t) : Builder.lit(1.0, t.dtype());
    }
    for (Inst inst : f.insts()) {
      b.at(f.origin(inst));
      map[inst.id()] = b.emitLike(inst, Builder.mapped(inst.operands(), map));
    }
    b.at((Origin) null);
    int firstAdjointId = b.params().size() + b.size();

    boolean[] active = activity(f, f.results());
    Value[] adj = new Value[f.valueCount()];
    for (int k = 0; k < m; k++) {
      Value out = f.result(k);
      if (!(out instanceof Lit) && active[out.id()]) {
        int id = out.id();
        adj[id] = adj[id] == null ? seeds[k] : b.add(adj[id], seeds[k]);
      }
    }
    List<Inst> insts = f.insts();
    for (int n = insts.size() - 1; n >= 0; n--) {
      Inst inst = insts.get(n);
      Value g = adj[inst.id()];
      if (g == null) {
        continue;
      }
      note(b, g, map[inst.id()], firstAdjointId);
      // What the rule emits is the backward of this instruction: attributed to its source.
      Origin fwd = f.origin(inst);
      String gradFn = Op.gradFn(inst);
      Origin backward =
          new Origin(
              fwd == null ? null : fwd.pos(),
              gradFn != null ? gradFn : inst.op().mnemonic() + " backward",
              inst.op().mnemonic(),
              -1);
      b.at(backward);
      int ruleStart = b.params().size() + b.size();
      Inst sumOfExp = inst.op() == Op.LOG ? LogSumExp.sumOfExp(inst.operand(0)) : null;
      if (sumOfExp != null) {
        // As Simplify rewrites the value to logsumexp, the gradient is logsumexp's: the softmax.
        Value x = LogSumExp.argument(sumOfExp);
        Value[] in = {map[x.id()]};
        Inst lse = b.emit(Op.LOGSUMEXP, null, in, sumOfExp.dims(), sumOfExp.keepdim());
        Value dx = Rules.vjp(b, lse, in, lse, g, new boolean[] {true})[0];
        markOutput(b, dx, backward, 0, ruleStart);
        adj[x.id()] = adj[x.id()] == null ? dx : b.add(adj[x.id()], dx);
        continue;
      }
      boolean[] needs = new boolean[inst.arity()];
      for (int k = 0; k < needs.length; k++) {
        Value v = inst.operand(k);
        needs[k] = !(v instanceof Lit) && active[v.id()];
      }
      Value[] in = Builder.mapped(inst.operands(), map);
      Value[] d = Rules.vjp(b, inst, in, map[inst.id()], g, needs);
      for (int k = 0; k < needs.length; k++) {
        if (!needs[k] || d[k] == null) {
          continue;
        }
        Value operand = inst.operand(k);
        if (!d[k].type().equals(operand.type())) {
          throw new IllegalStateException(
              "gradient rule of "
                  + inst.op().mnemonic()
                  + " gave "
                  + d[k].type()
                  + " for an operand of type "
                  + operand.type());
        }
        markOutput(b, d[k], backward, k, ruleStart);
        int id = operand.id();
        adj[id] = adj[id] == null ? d[k] : b.add(adj[id], d[k]);
      }
    }
    b.at((Origin) null);

    List<Value> results = new ArrayList<>();
    for (Value out : f.results()) {
      results.add(out instanceof Lit ? out : map[out.id()]);
    }
    for (Param p : f.gradParams()) {
      Value g = adj[p.id()];
      if (g == null) {
        g = b.full(0, p.type());
      }
      note(b, g, map[p.id()], firstAdjointId);
      results.add(g);
    }
    b.ret(results.toArray(new Value[0]));
    return b.build();
  }

  /** The jvp of {@code f} with a tangent for every parameter that requires grad. */
  public static Func jvp(Func f) {
    return jvp(f, f.gradParams());
  }

  /**
   * Forward mode: the Jacobian-vector product of {@code f}, an ordinary {@link Func} whose params
   * are {@code f}'s, then one {@code input} per parameter of {@code tangents} (of its type, named
   * by {@link #tangentName}), and which returns {@code f}'s results followed by one tangent per
   * result (its directional derivative along the given tangents; zeros where it does not depend on
   * them). Each instruction is followed by its tangent, built by {@link Rules#jvp} with the folding
   * {@link Builder}; only values between a tangent and a result get one.
   */
  public static Func jvp(Func f, List<Param> tangents) {
    Builder b = new Builder(f.name() + ".jvp");
    Value[] map = new Value[f.valueCount()];
    for (Param p : f.params()) {
      map[p.id()] = b.addParam(p.name(), p.type(), p.role());
    }
    boolean[] seeded = new boolean[f.valueCount()];
    Value[] tan = new Value[f.valueCount()];
    for (Param p : tangents) {
      if (f.param(p.name()) != p) {
        throw new IllegalArgumentException(p + " is not a parameter of " + f.name());
      }
      if (!p.type().dtype().isFloat()) {
        throw new GradcException(
            "only Tensors of floating point dtype can have tangents ("
                + p.name()
                + ": "
                + p.type()
                + ")");
      }
      if (seeded[p.id()]) {
        throw new GradcException("parameter " + p.name() + " is given a tangent twice");
      }
      seeded[p.id()] = true;
    }
    for (Param p : tangents) {
      tan[p.id()] = b.input(tangentName(f, p), p.type());
    }
    boolean[] active = activity(f, f.results(), seeded);
    for (Inst inst : f.insts()) {
      Value[] in = Builder.mapped(inst.operands(), map);
      b.at(f.origin(inst));
      map[inst.id()] = b.emitLike(inst, in);
      if (!active[inst.id()]) {
        continue;
      }
      Value[] t = new Value[inst.arity()];
      boolean any = false;
      for (int k = 0; k < t.length; k++) {
        Value v = inst.operand(k);
        t[k] = v instanceof Lit ? null : tan[v.id()];
        any |= t[k] != null;
      }
      if (!any) {
        continue;
      }
      Inst sumOfExp = inst.op() == Op.LOG ? LogSumExp.sumOfExp(inst.operand(0)) : null;
      Value dy;
      if (sumOfExp != null && tan[LogSumExp.argument(sumOfExp).id()] != null) {
        // As Simplify rewrites the value to logsumexp, the tangent is logsumexp's.
        Value x = LogSumExp.argument(sumOfExp);
        Value[] xin = {map[x.id()]};
        Inst lse = b.emit(Op.LOGSUMEXP, null, xin, sumOfExp.dims(), sumOfExp.keepdim());
        dy = Rules.jvp(b, lse, xin, lse, new Value[] {tan[x.id()]});
      } else {
        dy = Rules.jvp(b, inst, in, map[inst.id()], t);
      }
      if (dy != null && !dy.type().equals(inst.type())) {
        throw new IllegalStateException(
            "tangent rule of "
                + inst.op().mnemonic()
                + " gave "
                + dy.type()
                + " for a result of type "
                + inst.type());
      }
      tan[inst.id()] = dy;
    }
    b.at((Origin) null);
    List<Value> results = new ArrayList<>();
    for (Value out : f.results()) {
      results.add(out instanceof Lit ? out : map[out.id()]);
    }
    for (Value out : f.results()) {
      Value t = out instanceof Lit ? null : tan[out.id()];
      results.add(t != null ? t : b.full(0, out.type()));
    }
    b.ret(results.toArray(new Value[0]));
    return b.build();
  }

  /**
   * The name of the input that carries the tangent of parameter {@code p} in the jvp of {@code f}:
   * {@code tangent_<name>}, with a numeric suffix added when a param already has that name.
   */
  public static String tangentName(Func f, Param p) {
    String base = TANGENT + p.name();
    String n = base;
    for (int i = 1; f.param(n) != null; i++) {
      n = base + "_" + i;
    }
    return n;
  }

  /**
   * Marks {@code d}, when the rule emitted it, as output {@code k} of the backward function: the
   * value PyTorch's anomaly mode checks ("returned nan values in its 0th output").
   */
  private static void markOutput(Builder b, Value d, Origin backward, int k, int ruleStart) {
    if (d instanceof Inst && d.id() >= ruleStart) {
      b.setOrigin(d, backward.asOutput(k));
    }
  }

  private static void note(Builder b, Value adj, Value forward, int firstAdjointId) {
    if (adj instanceof Inst && adj.id() >= firstAdjointId) {
      b.noteAdjoint(adj, forward);
    }
  }

  /**
   * The name of the input that seeds result {@code k} of {@code f} in its vjp: {@code grad_output}
   * for a function with one result, else {@code grad_output0}, {@code grad_output1}, ...; with a
   * numeric suffix added when a param already has that name.
   */
  public static String gradOutputName(Func f, int k) {
    String base = f.results().size() == 1 ? GRAD_OUTPUT : GRAD_OUTPUT + k;
    String n = base;
    for (int i = 1; f.param(n) != null; i++) {
      n = base + "_" + i;
    }
    return n;
  }

  /**
   * Which values get adjoints: those on a path from a {@code param} to {@code out} through ops with
   * a nonzero gradient. Indexed by id.
   */
  public static boolean[] activity(Func f, Value out) {
    return activity(f, List.of(out));
  }

  /** Which values get adjoints when every value of {@code outs} is seeded. Indexed by id. */
  public static boolean[] activity(Func f, List<Value> outs) {
    boolean[] seeded = new boolean[f.valueCount()];
    for (Param p : f.params()) {
      seeded[p.id()] = p.requiresGrad();
    }
    return activity(f, outs, seeded);
  }

  /**
   * Which values lie between a {@code seeded} value (indexed by id) and a value of {@code outs}
   * through ops with a nonzero gradient. Indexed by id.
   */
  private static boolean[] activity(Func f, List<Value> outs, boolean[] seeded) {
    boolean[] fwd = seeded.clone();
    for (Inst inst : f.insts()) {
      if (!inst.op().isDifferentiable() || !inst.type().dtype().isFloat()) {
        continue;
      }
      for (int k = 0; k < inst.arity(); k++) {
        Value v = inst.operand(k);
        if (!(v instanceof Lit) && fwd[v.id()]) {
          fwd[inst.id()] = true;
          break;
        }
      }
    }
    boolean[] bwd = new boolean[f.valueCount()];
    for (Value out : outs) {
      if (!(out instanceof Lit)) {
        bwd[out.id()] = true;
      }
    }
    List<Inst> insts = f.insts();
    for (int n = insts.size() - 1; n >= 0; n--) {
      Inst inst = insts.get(n);
      if (!bwd[inst.id()]) {
        continue;
      }
      for (int k = 0; k < inst.arity(); k++) {
        Value v = inst.operand(k);
        if (!(v instanceof Lit)) {
          bwd[v.id()] = true;
        }
      }
    }
    boolean[] active = new boolean[f.valueCount()];
    for (int i = 0; i < active.length; i++) {
      active[i] = fwd[i] && bwd[i];
    }
    return active;
  }
}
