package dev.gradc.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the invariants of a {@link Func}; tests run it after every pass. A violation is a bug in
 * whatever produced the function, reported as an {@link IllegalStateException} naming the
 * instruction.
 *
 * <ol>
 *   <li>Parameters have ids {@code 0..p-1} in order and distinct names; those that require grad
 *       have a floating-point dtype.
 *   <li>Instruction ids are dense: the i-th instruction has id {@code p + i}.
 *   <li>SSA: every operand is a literal, a parameter of this function, or an instruction of this
 *       function defined earlier. (Hence no cycles.)
 *   <li>Each instruction has its op's arity, and its result type is the type {@link Typing} infers
 *       from its operands and attributes.
 *   <li>A literal operand has the dtype its op computes in: that of the op's other data operands,
 *       or bool for a {@code where} condition.
 *   <li>Every symbol in an instruction's type is declared by a parameter's type.
 *   <li>There is at least one result; each is a literal or a value of this function.
 *   <li>Adjoint annotations name values of this function.
 * </ol>
 */
public final class Verifier {
  private Verifier() {}

  public static Func verify(Func f) {
    List<Param> params = f.params();
    int np = params.size();
    Set<String> names = new HashSet<>();
    Set<String> symbols = new HashSet<>();
    for (int i = 0; i < np; i++) {
      Param p = params.get(i);
      check(p.id() == i, f, "parameter %" + p.name() + " has id " + p.id() + ", expected " + i);
      check(names.add(p.name()), f, "parameter %" + p.name() + " is declared twice");
      check(
          !p.requiresGrad() || p.type().dtype().isFloat(),
          f,
          "parameter %" + p.name() + " requires grad but is " + p.type());
      for (Dim d : p.type().dims()) {
        if (d.symbol() != null) {
          symbols.add(d.symbol());
        }
      }
    }
    List<Inst> insts = f.insts();
    for (int i = 0; i < insts.size(); i++) {
      Inst inst = insts.get(i);
      String where = "%" + i + " (" + inst.op().mnemonic() + ")";
      check(inst.id() == np + i, f, where + " has id " + inst.id() + ", expected " + (np + i));
      for (int k = 0; k < inst.arity(); k++) {
        Value v = inst.operand(k);
        check(
            definedBefore(f, v, inst.id()),
            f,
            where + ": operand " + k + " is not defined before it");
      }
      try {
        Type t =
            Typing.infer(
                inst.op(),
                inst.operands().toArray(new Value[0]),
                inst.dims(),
                inst.keepdim(),
                inst.type());
        check(t.equals(inst.type()), f, where + ": type " + inst.type() + ", inferred " + t);
      } catch (GradcException e) {
        throw new IllegalStateException(
            "verify @" + f.name() + ": " + where + ": " + e.getMessage(), e);
      }
      checkLiterals(f, inst, where);
      for (Dim d : inst.type().dims()) {
        check(
            d.symbol() == null || symbols.contains(d.symbol()),
            f,
            where + ": undeclared symbol " + d.symbol());
      }
      for (Value fwd : f.adjointOf(inst)) {
        check(definedBefore(f, fwd, f.valueCount()), f, where + ": adjoint of an unknown value");
      }
    }
    check(!f.results().isEmpty(), f, "no results");
    for (Value r : f.results()) {
      check(
          definedBefore(f, r, f.valueCount()),
          f,
          "result " + r + " is not a value of the function");
    }
    return f;
  }

  private static boolean definedBefore(Func f, Value v, int limit) {
    if (v instanceof Lit) {
      return true;
    }
    int id = v.id();
    return id >= 0 && id < limit && id < f.valueCount() && f.value(id) == v;
  }

  private static void checkLiterals(Func f, Inst inst, String where) {
    DType data = null;
    for (int k = 0; k < inst.arity(); k++) {
      Value v = inst.operand(k);
      if (!(v instanceof Lit) && !(inst.op() == Op.WHERE && k == 0)) {
        data = v.type().dtype();
        break;
      }
    }
    for (int k = 0; k < inst.arity(); k++) {
      Value v = inst.operand(k);
      if (v instanceof Lit) {
        DType want = inst.op() == Op.WHERE && k == 0 ? DType.BOOL : data;
        check(
            want == null || v.type().dtype() == want,
            f,
            where
                + ": literal "
                + v
                + " is "
                + v.type().dtype().mnemonic()
                + ", expected "
                + (want == null ? "" : want.mnemonic()));
      }
    }
  }

  private static void check(boolean ok, Func f, String msg) {
    if (!ok) {
      throw new IllegalStateException("verify @" + f.name() + ": " + msg);
    }
  }
}
