package dev.gradc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable function in SSA form: named parameters, instructions in definition order, and
 * results. Every value is defined once, before its uses; {@link Verifier} checks this and the other
 * invariants. Values are numbered densely: parameters {@code 0..p-1}, then instructions.
 *
 * <p>Example printed form:
 *
 * <pre>
 * func @loss(%a: f64[4], %b: f64[4], input %y: f64[4]) -&gt; f64 {
 *   %0: f64[4] = mul %a, %b
 *   %1: f64[4] = sub %0, %y
 *   %2: f64[4] = pow %1, 2.0
 *   %3: f64 = mean %2
 *   ret %3
 * }
 * </pre>
 *
 * <p>Reverse mode records, as a printer annotation, which forward values each adjoint instruction
 * belongs to ({@link #adjointOf}); it does not change what the function computes. Likewise the
 * {@link #origin} of each instruction (its source position, and the forward op an adjoint
 * differentiates) is a side table beside the instructions.
 */
public final class Func {
  private final String name;
  private final List<Param> params;
  private final List<Inst> insts;
  private final List<Value> results;
  private final Map<Inst, List<Value>> adjointOf;
  private final Map<Inst, Origin> origins;

  Func(
      String name,
      List<Param> params,
      List<Inst> insts,
      List<Value> results,
      Map<Inst, List<Value>> adjointOf) {
    this(name, params, insts, results, adjointOf, Map.of());
  }

  Func(
      String name,
      List<Param> params,
      List<Inst> insts,
      List<Value> results,
      Map<Inst, List<Value>> adjointOf,
      Map<Inst, Origin> origins) {
    this.name = name;
    this.params = List.copyOf(params);
    this.insts = List.copyOf(insts);
    this.results = List.copyOf(results);
    Map<Inst, List<Value>> notes = new IdentityHashMap<>();
    adjointOf.forEach((k, v) -> notes.put(k, List.copyOf(v)));
    this.adjointOf = Collections.unmodifiableMap(notes);
    this.origins =
        origins.isEmpty() ? Map.of() : Collections.unmodifiableMap(new IdentityHashMap<>(origins));
  }

  public String name() {
    return name;
  }

  public List<Param> params() {
    return params;
  }

  public List<Inst> insts() {
    return insts;
  }

  public List<Value> results() {
    return results;
  }

  public Value result(int i) {
    return results.get(i);
  }

  /** The number of ids: parameters plus instructions. */
  public int valueCount() {
    return params.size() + insts.size();
  }

  /** The value with a dense id. */
  public Value value(int id) {
    return id < params.size() ? params.get(id) : insts.get(id - params.size());
  }

  /** The parameter with this name, or null. */
  public Param param(String pname) {
    for (Param p : params) {
      if (p.name().equals(pname)) {
        return p;
      }
    }
    return null;
  }

  /** The parameters that require grad, in declaration order. */
  public List<Param> gradParams() {
    List<Param> out = new ArrayList<>();
    for (Param p : params) {
      if (p.requiresGrad()) {
        out.add(p);
      }
    }
    return out;
  }

  /** The forward values an adjoint instruction belongs to (empty when it is not an adjoint). */
  public List<Value> adjointOf(Inst inst) {
    return adjointOf.getOrDefault(inst, List.of());
  }

  /**
   * Where an instruction's value came from ({@link Origin}), or null when nothing recorded it. A
   * side table: passes carry it through {@link Builder#at}, and it takes no part in equality or
   * caching.
   */
  public Origin origin(Value v) {
    return v instanceof Inst ? origins.get(v) : null;
  }

  /** The source position that created {@code v}, or null. */
  public SourcePos position(Value v) {
    Origin o = origin(v);
    return o == null ? null : o.pos();
  }

  Map<Inst, List<Value>> adjointNotes() {
    return adjointOf;
  }

  /** The number of uses of each value, indexed by id (results count as uses). */
  public int[] useCounts() {
    int[] uses = new int[valueCount()];
    for (Inst i : insts) {
      for (int k = 0; k < i.arity(); k++) {
        int id = i.operand(k).id();
        if (id >= 0) {
          uses[id]++;
        }
      }
    }
    for (Value r : results) {
      if (r.id() >= 0) {
        uses[r.id()]++;
      }
    }
    return uses;
  }

  @Override
  public String toString() {
    return Printer.print(this);
  }
}
