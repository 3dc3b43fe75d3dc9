package dev.gradc.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A function's structure as a value for hashing: parameter names, roles and types, every
 * instruction's op, type, operands and attributes, and the results; not the function's name nor
 * printer annotations. Two functions with equal keys compute the same thing, so they can share one
 * compilation. Building a key is one pass over the function with no text formatting, cheap enough
 * to run on every step of a training loop.
 */
// Ordinals are stable within one JVM, which is all a cache key needs.
@SuppressWarnings("EnumOrdinal")
public final class StructuralKey {
  private final long[] code;
  private final List<String> names;
  private final int hash;

  private StructuralKey(long[] code, List<String> names) {
    this.code = code;
    this.names = names;
    this.hash = 31 * Arrays.hashCode(code) + names.hashCode();
  }

  public static StructuralKey of(Func f) {
    return of(f, 0);
  }

  /** The key of {@code f} with an extra tag that distinguishes what is derived from it. */
  public static StructuralKey of(Func f, long tag) {
    Encoder e = new Encoder();
    e.add(tag);
    e.add(f.params().size());
    for (Param p : f.params()) {
      e.names.add(p.name());
      e.add(p.role().ordinal());
      e.type(p.type());
    }
    e.add(f.insts().size());
    for (Inst inst : f.insts()) {
      e.add(inst.op().ordinal());
      e.type(inst.type());
      e.add(inst.arity());
      for (int k = 0; k < inst.arity(); k++) {
        e.operand(inst.operand(k));
      }
      e.add(inst.dimCount());
      for (int k = 0; k < inst.dimCount(); k++) {
        e.add(inst.dim(k));
      }
      e.add(inst.keepdim() ? 1 : 0);
    }
    e.add(f.results().size());
    for (Value r : f.results()) {
      e.operand(r);
    }
    return new StructuralKey(Arrays.copyOf(e.code, e.size), List.copyOf(e.names));
  }

  private static final class Encoder {
    long[] code = new long[64];
    int size;
    final List<String> names = new ArrayList<>();
    final Map<String, Integer> symbols = new HashMap<>();

    void add(long v) {
      if (size == code.length) {
        code = Arrays.copyOf(code, size * 2);
      }
      code[size++] = v;
    }

    void type(Type t) {
      add(t.dtype().ordinal());
      add(t.rank());
      for (Dim d : t.dims()) {
        add(d.factor());
        if (d.symbol() == null) {
          add(-1);
        } else {
          Integer s = symbols.get(d.symbol());
          if (s == null) {
            s = symbols.size();
            symbols.put(d.symbol(), s);
            names.add(d.symbol());
          }
          add(s);
        }
      }
    }

    void operand(Value v) {
      if (v instanceof Lit l) {
        add(-1 - l.type().dtype().ordinal());
        add(Double.doubleToLongBits(l.value()));
      } else {
        add(v.id());
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StructuralKey k
        && k.hash == hash
        && Arrays.equals(k.code, code)
        && k.names.equals(names);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
