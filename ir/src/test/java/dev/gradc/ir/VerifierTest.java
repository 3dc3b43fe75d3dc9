package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One test per invariant in {@link Verifier}'s class comment, each violated on purpose through the
 * package-private constructors that the builder would never misuse.
 */
class VerifierTest {
  private static final Type V3 = Type.of(DType.F64, 3);
  private static final int[] NO_DIMS = {};

  private static String violation(Func f) {
    return assertThrows(IllegalStateException.class, () -> Verifier.verify(f)).getMessage();
  }

  private static Func func(List<Param> params, List<Inst> insts, List<Value> results) {
    return new Func("f", params, insts, results, Map.of());
  }

  private static Inst inst(int id, Op op, Type type, Value... operands) {
    return new Inst(id, op, type, operands, NO_DIMS, false);
  }

  @Test
  void valid_functionPasses() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst neg = inst(1, Op.NEG, V3, x);
    Func f = func(List.of(x), List.of(neg), List.of(neg));
    assertSame(f, Verifier.verify(f));
  }

  @Test
  void invariant1_parameterIdsInOrder() {
    Param x = new Param("x", V3, Role.PARAM, 1);
    assertEquals(
        "verify @f: parameter %x has id 1, expected 0",
        violation(func(List.of(x), List.of(), List.of(x))));
  }

  @Test
  void invariant1_parameterNamesDistinct() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Param y = new Param("x", V3, Role.INPUT, 1);
    assertEquals(
        "verify @f: parameter %x is declared twice",
        violation(func(List.of(x, y), List.of(), List.of(x))));
  }

  @Test
  void invariant1_gradParametersAreFloat() {
    Param i = new Param("i", Type.of(DType.I64, 3), Role.PARAM, 0);
    assertEquals(
        "verify @f: parameter %i requires grad but is i64[3]",
        violation(func(List.of(i), List.of(), List.of(i))));
  }

  @Test
  void invariant2_instructionIdsDense() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst neg = inst(2, Op.NEG, V3, x);
    assertEquals(
        "verify @f: %0 (neg) has id 2, expected 1",
        violation(func(List.of(x), List.of(neg), List.of(x))));
  }

  @Test
  void invariant3_operandsDefinedBefore() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst later = inst(2, Op.NEG, V3, x);
    Inst early = inst(1, Op.EXP, V3, later);
    assertEquals(
        "verify @f: %0 (exp): operand 0 is not defined before it",
        violation(func(List.of(x), List.of(early, later), List.of(later))));
  }

  @Test
  void invariant3_operandsBelongToTheFunction() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Param stranger = new Param("x", V3, Role.PARAM, 0);
    Inst neg = inst(1, Op.NEG, V3, stranger);
    assertEquals(
        "verify @f: %0 (neg): operand 0 is not defined before it",
        violation(func(List.of(x), List.of(neg), List.of(neg))));
  }

  @Test
  void invariant4_arity() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst add = inst(1, Op.ADD, V3, x);
    assertEquals(
        "verify @f: %0 (add): add takes 2 operands, got 1",
        violation(func(List.of(x), List.of(add), List.of(add))));
  }

  @Test
  void invariant4_resultTypeIsInferred() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst sum = inst(1, Op.SUM, V3, x);
    assertEquals(
        "verify @f: %0 (sum): sum produces f64, but the result is declared as f64[3]",
        violation(func(List.of(x), List.of(sum), List.of(sum))));
  }

  @Test
  void invariant4_attributesAreChecked() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst sum = new Inst(1, Op.SUM, Type.scalar(DType.F64), new Value[] {x}, new int[] {1}, false);
    assertEquals(
        "verify @f: %0 (sum): Dimension out of range (expected to be in range of [-1, 0], but got"
            + " 1) in sum",
        violation(func(List.of(x), List.of(sum), List.of(sum))));
  }

  @Test
  void invariant5_literalHasTheOpsDtype() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst add = inst(1, Op.ADD, V3, x, new Lit(1, DType.F32));
    assertEquals(
        "verify @f: %0 (add): literal 1.0 is f32, expected f64",
        violation(func(List.of(x), List.of(add), List.of(add))));
  }

  @Test
  void invariant5_whereConditionLiteralIsBool() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Inst where = inst(1, Op.WHERE, V3, new Lit(1, DType.F64), x, x);
    assertEquals(
        "verify @f: %0 (where): literal 1.0 is f64, expected bool",
        violation(func(List.of(x), List.of(where), List.of(where))));
  }

  @Test
  void invariant6_symbolsAreDeclared() {
    Param x = new Param("x", Type.scalar(DType.F64), Role.PARAM, 0);
    Type m = new Type(DType.F64, List.of(Dim.sym("M")));
    Inst b = inst(1, Op.BROADCAST, m, x);
    assertEquals(
        "verify @f: %0 (broadcast): undeclared symbol M",
        violation(func(List.of(x), List.of(b), List.of(x))));
  }

  @Test
  void invariant7_atLeastOneResult() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    assertEquals("verify @f: no results", violation(func(List.of(x), List.of(), List.of())));
  }

  @Test
  void invariant7_resultsAreValuesOfTheFunction() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Param stranger = new Param("y", V3, Role.PARAM, 0);
    assertEquals(
        "verify @f: result %y is not a value of the function",
        violation(func(List.of(x), List.of(), List.of(stranger))));
  }

  @Test
  void invariant8_adjointAnnotationsNameValuesOfTheFunction() {
    Param x = new Param("x", V3, Role.PARAM, 0);
    Param stranger = new Param("x", V3, Role.PARAM, 0);
    Inst neg = inst(1, Op.NEG, V3, x);
    Func f = new Func("f", List.of(x), List.of(neg), List.of(neg), Map.of(neg, List.of(stranger)));
    assertEquals("verify @f: %0 (neg): adjoint of an unknown value", violation(f));
  }
}
