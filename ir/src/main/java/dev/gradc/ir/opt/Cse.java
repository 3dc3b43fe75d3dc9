package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Common subexpression elimination: an instruction with the same op, type, operands and attributes
 * as an earlier one is replaced by it. All ops are pure, so this is always valid.
 */
public final class Cse implements Pass {
  @Override
  public String name() {
    return "cse";
  }

  /**
   * What makes two instructions the same. Equality and hash are written out rather than a record's
   * generic ones, whose first use spins method handles (milliseconds on the first compile).
   */
  private static final class Key {
    private final Op op;
    private final Type type;
    private final Value[] operands;
    private final int[] dims;
    private final boolean keepdim;
    private final int hash;

    Key(Op op, Type type, Value[] operands, int[] dims, boolean keepdim) {
      this.op = op;
      this.type = type;
      this.operands = operands;
      this.dims = dims;
      this.keepdim = keepdim;
      this.hash =
          (((op.hashCode() * 31 + type.hashCode()) * 31 + Arrays.hashCode(operands)) * 31
                      + Arrays.hashCode(dims))
                  * 31
              + Boolean.hashCode(keepdim);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && k.op == op
          && k.keepdim == keepdim
          && k.type.equals(type)
          && Arrays.equals(k.operands, operands)
          && Arrays.equals(k.dims, dims);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  @Override
  public Func run(Func f) {
    Rewrite r = new Rewrite(f);
    Map<Key, Value> seen = new HashMap<>();
    for (Inst inst : f.insts()) {
      Value[] in = r.operands(inst);
      Key k = new Key(inst.op(), inst.type(), in, inst.dims(), inst.keepdim());
      Value prev = seen.get(k);
      if (prev == null) {
        prev = r.b.emitLike(inst, in);
        seen.put(k, prev);
      }
      r.set(inst, prev);
    }
    return r.finish();
  }
}
