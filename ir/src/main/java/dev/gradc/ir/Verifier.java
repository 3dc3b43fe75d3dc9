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
    // Messages are built only on failure: the verifier runs after every pass on large functions.
    List<Param> params = f.params();
    int np = params.size();
    Set<String> names = new HashSet<>();
    Set<String> symbols = new HashSet<>();
    for (int i = 0; i < np; i++) {
      Param p = params.get(i);
      if (p.id() != i) {
        throw fail(f, "parameter %" + p.name() + " has id " + p.id() + ", expected " + i);
      }
      if (!names.add(p.name())) {
        throw fail(f, "parameter %" + p.name() + " is declared twice");
      }
      if (p.requiresGrad() && !p.type().dtype().isFloat()) {
        throw fail(f, "parameter %" + p.name() + " requires grad but is " + p.type());
      }
      for (Dim d : p.type().dims()) {
        if (d.symbol() != null) {
          symbols.add(d.symbol());
        }
      }
    }
    List<Inst> insts = f.insts();
    for (int i = 0; i < insts.size(); i++) {
      Inst inst = insts.get(i);
      if (inst.id() != np + i) {
        throw fail(f, where(i, inst) + " has id " + inst.id() + ", expected " + (np + i));
      }
      for (int k = 0; k < inst.arity(); k++) {
        if (!definedBefore(f, inst.operand(k), inst.id())) {
          throw fail(f, where(i, inst) + ": operand " + k + " is not defined before it");
        }
      }
      Type t;
      try {
        t =
            Typing.infer(
                inst.op(),
                inst.operands().toArray(new Value[0]),
                inst.dims(),
                inst.keepdim(),
                inst.type());
      } catch (GradcException e) {
        throw new IllegalStateException(
            "verify @" + f.name() + ": " + where(i, inst) + ": " + e.getMessage(), e);
      }
      if (!t.equals(inst.type())) {
        throw fail(f, where(i, inst) + ": type " + inst.type() + ", inferred " + t);
      }
      checkLiterals(f, inst, i);
      for (Dim d : inst.type().dims()) {
        if (d.symbol() != null && !symbols.contains(d.symbol())) {
          throw fail(f, where(i, inst) + ": undeclared symbol " + d.symbol());
        }
      }
      for (Value fwd : f.adjointOf(inst)) {
        if (!definedBefore(f, fwd, f.valueCount())) {
          throw fail(f, where(i, inst) + ": adjoint of an unknown value");
        }
      }
    }
    if (f.results().isEmpty()) {
      throw fail(f, "no results");
    }
    for (Value r : f.results()) {
      if (!definedBefore(f, r, f.valueCount())) {
        throw fail(f, "result " + r + " is not a value of the function");
      }
    }
    return f;
  }

  /** How messages name the i-th instruction: {@code %3 (add)}. */
  private static String where(int i, Inst inst) {
    return "%" + i + " (" + inst.op().mnemonic() + ")";
  }

  private static boolean definedBefore(Func f, Value v, int limit) {
    if (v instanceof Lit) {
      return true;
    }
    int id = v.id();
    return id >= 0 && id < limit && id < f.valueCount() && f.value(id) == v;
  }

  private static void checkLiterals(Func f, Inst inst, int i) {
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
        if (want != null && v.type().dtype() != want) {
          throw fail(
              f,
              where(i, inst)
                  + ": literal "
                  + v
                  + " is "
                  + v.type().dtype().mnemonic()
                  + ", expected "
                  + want.mnemonic());
        }
      }
    }
  }

  private static IllegalStateException fail(Func f, String msg) {
    return new IllegalStateException("verify @" + f.name() + ": " + msg);
  }
}
