package dev.gradc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Param;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Role;
import dev.gradc.ir.Value;
import java.util.Arrays;
import java.util.List;

/**
 * A function as a graph: Graphviz text, and a JSON form. Parameters are ellipses (params that
 * require grad in blue), instructions are boxes (adjoint instructions in orange), edges run from
 * each operand to its user, and each result points to a {@code ret} node.
 */
final class FuncGraph {
  private FuncGraph() {}

  /** A Graphviz quoted string; newlines become {@code \n} line breaks. */
  static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        default -> q.append(c);
      }
    }
    return q.append('"').toString();
  }

  /**
   * The Graphviz text of {@code f}; {@code resultLabels} names its results ({@code value}, {@code
   * grad w}), or is empty for {@code ret #i}.
   */
  static String dot(Func f, List<String> resultLabels) {
    StringBuilder s = new StringBuilder();
    s.append("digraph ").append(quote(f.name())).append(" {\n");
    s.append("  node [fontname=\"Helvetica\"];\n");
    for (Param p : f.params()) {
      s.append("  v").append(p.id()).append(" [shape=ellipse, label=");
      s.append(quote("%" + p.name() + ": " + p.type() + "\n" + p.role().keyword()));
      if (p.role() == Role.PARAM) {
        s.append(", style=filled, fillcolor=lightblue");
      }
      s.append("];\n");
    }
    for (Inst inst : f.insts()) {
      s.append("  v").append(inst.id()).append(" [shape=box, label=");
      s.append(quote(instruction(f, inst) + "\n" + inst.type()));
      List<Value> adj = f.adjointOf(inst);
      if (!adj.isEmpty()) {
        s.append(", style=filled, fillcolor=\"#ffd9b3\"");
      }
      s.append("];\n");
    }
    for (Inst inst : f.insts()) {
      for (Value v : inst.operands()) {
        if (v.id() >= 0) {
          s.append("  v").append(v.id()).append(" -> v").append(inst.id()).append(";\n");
        }
      }
    }
    for (int i = 0; i < f.results().size(); i++) {
      Value r = f.result(i);
      s.append("  ret").append(i).append(" [shape=plaintext, label=");
      String label =
          i < resultLabels.size()
              ? resultLabels.get(i)
              : f.results().size() == 1 ? "ret" : "ret #" + i;
      s.append(quote(label)).append("];\n");
      if (r.id() >= 0) {
        s.append("  v").append(r.id()).append(" -> ret").append(i).append(";\n");
      }
    }
    return s.append("}\n").toString();
  }

  /** {@code %4 = pow %3, 2.0, dims=[1]}: an instruction without its type. */
  static String instruction(Func f, Inst inst) {
    StringBuilder s = new StringBuilder();
    s.append(Printer.name(f, inst)).append(" = ").append(inst.op().mnemonic());
    for (int k = 0; k < inst.arity(); k++) {
      s.append(k == 0 ? " " : ", ").append(Printer.name(f, inst.operand(k)));
    }
    if (inst.op().hasDims() && inst.dimCount() > 0) {
      s.append(", dims=").append(Arrays.toString(inst.dims()));
    }
    if (inst.keepdim()) {
      s.append(", keepdim=true");
    }
    return s.toString();
  }

  /**
   * The function as JSON: name, params, instructions (with operands and adjoint notes), results.
   */
  static ObjectNode json(Func f) {
    ObjectNode o = Output.MAPPER.createObjectNode();
    o.put("name", f.name());
    ArrayNode params = o.putArray("params");
    for (Param p : f.params()) {
      ObjectNode j = params.addObject();
      j.put("name", p.name());
      j.put("role", p.role().keyword());
      j.put("type", p.type().toString());
    }
    ArrayNode insts = o.putArray("insts");
    for (Inst inst : f.insts()) {
      ObjectNode j = insts.addObject();
      j.put("value", Printer.name(f, inst));
      j.put("op", inst.op().mnemonic());
      j.put("type", inst.type().toString());
      ArrayNode ops = j.putArray("operands");
      for (Value v : inst.operands()) {
        ops.add(Printer.name(f, v));
      }
      if (inst.op().hasDims() && inst.dimCount() > 0) {
        ArrayNode dims = j.putArray("dims");
        for (int d : inst.dims()) {
          dims.add(d);
        }
      }
      if (inst.keepdim()) {
        j.put("keepdim", true);
      }
      List<Value> adj = f.adjointOf(inst);
      if (!adj.isEmpty()) {
        ArrayNode a = j.putArray("adjoint_of");
        for (Value v : adj) {
          a.add(Printer.name(f, v));
        }
      }
    }
    ArrayNode results = o.putArray("results");
    for (Value r : f.results()) {
      results.add(Printer.name(f, r));
    }
    o.put("text", Printer.print(f));
    return o;
  }
}
