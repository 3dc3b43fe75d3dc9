package dev.gradc;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a function back into recorded nodes, one per instruction, so that what it computes is a
 * captured graph again: this is how {@code create_graph} makes gradients differentiable. A node
 * requires grad when one of its inputs does, and carries the PyTorch name of its op.
 */
final class Replay {
  private Replay() {}

  /** The nodes of {@code f}'s results, given one node per parameter. */
  static List<Node> translate(Func f, List<Node> params) {
    if (params.size() != f.params().size()) {
      throw new IllegalArgumentException(
          f.name() + " takes " + f.params().size() + " values, got " + params.size());
    }
    Node[] map = new Node[f.valueCount()];
    for (int i = 0; i < params.size(); i++) {
      map[i] = params.get(i);
    }
    for (Inst inst : f.insts()) {
      List<Node> ins = new ArrayList<>();
      Lit[] lits = new Lit[inst.arity()];
      boolean grad = false;
      for (int k = 0; k < inst.arity(); k++) {
        Value v = inst.operand(k);
        if (v instanceof Lit) {
          lits[k] = (Lit) v;
        } else {
          Node n = map[v.id()];
          ins.add(n);
          grad |= n.requiresGrad();
        }
      }
      String name = Op.gradFn(inst);
      grad &= name != null && inst.type().dtype().isFloat();
      map[inst.id()] =
          Node.op(
              inst.type(), recipe(inst, lits), ins.toArray(new Node[0]), grad ? name : null, false);
    }
    List<Node> out = new ArrayList<>();
    for (Value r : f.results()) {
      out.add(r instanceof Lit ? constant((Lit) r) : map[r.id()]);
    }
    return out;
  }

  /** Emits the same instruction on new operands; literal operands stay. */
  private static Recipe recipe(Inst inst, Lit[] lits) {
    return (b, in) -> {
      Value[] ops = new Value[lits.length];
      int k = 0;
      for (int j = 0; j < ops.length; j++) {
        ops[j] = lits[j] != null ? lits[j] : in[k++];
      }
      return b.emit(inst.op(), inst.type(), ops, inst.dims(), inst.keepdim());
    };
  }

  private static Node constant(Lit l) {
    Object buf = dev.gradc.runtime.Buffers.allocate(l.type().dtype(), 1);
    dev.gradc.runtime.Buffers.set(buf, 0, l.value());
    return Node.data(l.type(), buf);
  }
}
