package dev.gradc.ir;

import java.util.List;

/**
 * Prints a function as IR text. Parameters keep their names; instructions are numbered {@code %0,
 * %1, ...} in order; literals print inline. An adjoint instruction is followed by a {@code ; adj}
 * comment naming the forward values it belongs to. {@link Parser} reads the same text back.
 */
public final class Printer {
  private Printer() {}

  public static String print(Func f) {
    StringBuilder s = new StringBuilder();
    int np = f.params().size();
    s.append("func @").append(f.name()).append('(');
    for (int i = 0; i < np; i++) {
      Param p = f.params().get(i);
      s.append(i == 0 ? "" : ", ");
      if (p.role() == Role.INPUT) {
        s.append("input ");
      }
      s.append('%').append(p.name()).append(": ").append(p.type());
    }
    s.append(") -> ");
    List<Value> rs = f.results();
    if (rs.size() == 1) {
      s.append(rs.get(0).type());
    } else {
      s.append('(');
      for (int i = 0; i < rs.size(); i++) {
        s.append(i == 0 ? "" : ", ").append(rs.get(i).type());
      }
      s.append(')');
    }
    s.append(" {\n");
    for (Inst inst : f.insts()) {
      s.append("  ");
      appendInstruction(s, f, inst);
      List<Value> adj = f.adjointOf(inst);
      if (!adj.isEmpty()) {
        s.append("  ; adj ");
        for (int k = 0; k < adj.size(); k++) {
          s.append(k == 0 ? "" : ", ").append(name(f, adj.get(k)));
        }
      }
      s.append('\n');
    }
    s.append("  ret");
    for (int i = 0; i < rs.size(); i++) {
      s.append(i == 0 ? " " : ", ").append(name(f, rs.get(i)));
    }
    s.append("\n}\n");
    return s.toString();
  }

  /**
   * One instruction of {@code f} as its line prints, without the comment: {@code %3: f64 = mean
   * %2}.
   */
  public static String instruction(Func f, Inst inst) {
    StringBuilder s = new StringBuilder();
    appendInstruction(s, f, inst);
    return s.toString();
  }

  private static void appendInstruction(StringBuilder s, Func f, Inst inst) {
    s.append(name(f, inst)).append(": ").append(inst.type()).append(" = ");
    s.append(inst.op().mnemonic());
    for (int k = 0; k < inst.arity(); k++) {
      s.append(k == 0 ? " " : ", ").append(name(f, inst.operand(k)));
    }
    appendAttrs(s, inst);
  }

  /** The attributes of an instruction as printed after its operands. */
  static void appendAttrs(StringBuilder s, Inst inst) {
    if (inst.op().hasDims() && inst.dimCount() > 0) {
      s.append(", dims=[");
      for (int k = 0; k < inst.dimCount(); k++) {
        s.append(k == 0 ? "" : ", ").append(inst.dim(k));
      }
      s.append(']');
    }
    if (inst.keepdim()) {
      s.append(", keepdim=true");
    }
  }

  /** The printed name of a value of {@code f}: {@code %w}, {@code %3} or a literal. */
  public static String name(Func f, Value v) {
    if (v instanceof Lit) {
      return v.toString();
    }
    if (v instanceof Param) {
      return "%" + ((Param) v).name();
    }
    return "%" + (v.id() - f.params().size());
  }
}
