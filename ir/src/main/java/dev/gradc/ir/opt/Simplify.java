package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.LogSumExp;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;

/**
 * Local rewrites, each an equivalence on values:
 *
 * <ul>
 *   <li>constant folding and identities, through the builder ({@code x * 1}, {@code neg(neg x)},
 *       broadcast and reshape chains, shape ops to the same shape);
 *   <li>an elementwise operand that is a broadcast literal becomes the inline literal, and a cast
 *       or detach of one is a broadcast literal;
 *   <li>the stable rewrite {@code log(sum(exp(x)))} to {@code logsumexp(x)} over the same dims.
 * </ul>
 */
public final class Simplify implements Pass {
  @Override
  public String name() {
    return "simplify";
  }

  @Override
  public Func run(Func f) {
    Rewrite r = new Rewrite(f);
    for (Inst inst : f.insts()) {
      Value v = rewrite(r, inst);
      if (!v.type().equals(inst.type())) {
        // A folded literal standing for a whole tensor is materialized again.
        if (!(v instanceof Lit) || !v.type().dtype().equals(inst.type().dtype())) {
          throw new IllegalStateException(
              "simplify changed the type of " + inst + " from " + inst.type() + " to " + v.type());
        }
        v = r.b.broadcastTo(v, inst.type().dims());
      }
      r.set(inst, v);
    }
    return r.finish();
  }

  private static Value rewrite(Rewrite r, Inst inst) {
    Value[] in = r.operands(inst);
    Op op = inst.op();
    if (op == Op.LOG) {
      Value lse = logSumExp(r, in[0]);
      if (lse != null) {
        return lse;
      }
    }
    if (op.kind() == Op.Kind.ELEMENTWISE && op != Op.CAST && op != Op.DETACH) {
      for (int k = 0; k < in.length; k++) {
        if (isBroadcastLiteral(in[k])) {
          in[k] = ((Inst) in[k]).operand(0);
        }
      }
      switch (in.length) {
        case 1 -> {
          return r.b.unary(op, in[0]);
        }
        case 2 -> {
          return r.b.binary(op, in[0], in[1]);
        }
        default -> {
          return op == Op.WHERE ? r.b.where(in[0], in[1], in[2]) : r.b.clamp(in[0], in[1], in[2]);
        }
      }
    }
    if (op == Op.DETACH && isBroadcastLiteral(in[0])) {
      return in[0];
    }
    if (op == Op.CAST && isBroadcastLiteral(in[0])) {
      Value c = r.b.cast(((Inst) in[0]).operand(0), inst.type().dtype());
      return r.b.broadcastTo(c, inst.type().dims());
    }
    switch (op) {
      case CAST -> {
        return r.b.cast(in[0], inst.type().dtype());
      }
      case RESHAPE, SQUEEZE, UNSQUEEZE -> {
        return r.b.reshape(in[0], inst.type().dims());
      }
      case BROADCAST -> {
        return r.b.broadcastTo(in[0], inst.type().dims());
      }
      case SUM_TO -> {
        return r.b.sumTo(in[0], inst.type().dims());
      }
      default -> {
        return r.b.emit(op, inst.type(), in, inst.dims(), inst.keepdim());
      }
    }
  }

  /** {@code sum(exp(x))} as {@code logsumexp(x)} when the log is taken of it, else null. */
  private static Value logSumExp(Rewrite r, Value v) {
    Inst sum = LogSumExp.sumOfExp(v);
    if (sum == null) {
      return null;
    }
    Value x = LogSumExp.argument(sum);
    return r.b.emit(Op.LOGSUMEXP, null, new Value[] {x}, sum.dims(), sum.keepdim());
  }

  static boolean isBroadcastLiteral(Value v) {
    return v instanceof Inst
        && ((Inst) v).op() == Op.BROADCAST
        && ((Inst) v).operand(0) instanceof Lit;
  }
}
