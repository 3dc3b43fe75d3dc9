package dev.gradc.ir.opt;

import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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

  private record Key(Op op, Type type, List<Value> operands, List<Integer> dims, boolean keepdim) {}

  @Override
  public Func run(Func f) {
    Rewrite r = new Rewrite(f);
    Map<Key, Value> seen = new HashMap<>();
    for (Inst inst : f.insts()) {
      Value[] in = r.operands(inst);
      Key k =
          new Key(
              inst.op(),
              inst.type(),
              Arrays.asList(in),
              Arrays.stream(inst.dims()).boxed().toList(),
              inst.keepdim());
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
