package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.codegen.LoopPlan.Home;
import dev.gradc.codegen.LoopPlan.Loop;
import dev.gradc.codegen.LoopPlan.ResultKind;
import dev.gradc.codegen.LoopPlan.Step;
import dev.gradc.codegen.LoopPlan.Where;
import dev.gradc.ir.Func;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Each rule in {@link PlanVerifier}'s header catches a plan that breaks it. The plans are made by
 * {@link FusionPlanner} and then broken by hand; every plan the planner makes for the kernel files
 * and the random functions passes (see {@code Loaded.verify}).
 */
class PlanVerifierTest {
  /** {@code x * sum(x)}: the product needs the finished sum, so it is in a second loop. */
  static final Func NEEDS_SUM =
      Parser.parse(
          """
          func @f(%x: f64[8], %y: f64[8]) -> (f64[8], f64) {
            %0: f64[8] = exp %x
            %1: f64 = sum %0
            %2: f64[8] = broadcast %1
            %3: f64[8] = mul %0, %2
            %4: f64[8] = add %3, %y
            %5: f64[8] = reshape %0
            ret %4, %1
          }
          """);

  static LoopPlan plan() {
    return FusionPlanner.plan(NEEDS_SUM);
  }

  static List<Home> homes(LoopPlan p) {
    List<Home> hs = new ArrayList<>();
    for (Value v : p.func.params()) {
      hs.add(p.home(v));
    }
    for (Value v : p.func.insts()) {
      hs.add(p.home(v));
    }
    return hs;
  }

  /** {@code p} with the home of value {@code id} changed. */
  static LoopPlan withHome(LoopPlan p, int id, UnaryOperator<Home> change) {
    List<Home> hs = homes(p);
    hs.set(id, change.apply(hs.get(id)));
    return new LoopPlan(p.func, hs, p.steps, p.resultKinds);
  }

  static Home copy(Home h, Where where, int loop, boolean stored, int output) {
    return new Home(
        where,
        h.readyAt(),
        loop,
        stored,
        h.base(),
        h.strides(),
        h.offset(),
        h.copy(),
        output,
        h.guard());
  }

  static void assertBreaks(String rule, LoopPlan broken) {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> PlanVerifier.verify(broken));
    assertTrue(e.getMessage().contains("\n  " + rule + ": "), e.getMessage());
  }

  /** The id of the value printed as {@code name}. */
  static int id(String name) {
    List<Value> values = new ArrayList<>(NEEDS_SUM.params());
    values.addAll(NEEDS_SUM.insts());
    for (Value v : values) {
      if (Printer.name(NEEDS_SUM, v).equals(name)) {
        return v.id();
      }
    }
    throw new IllegalArgumentException(name);
  }

  @Test
  void plannersPlan_passesAndPrints() {
    LoopPlan p = plan();
    assertSame(p, PlanVerifier.verify(p));
    assertEquals(
        """
        loop plan @f: 2 loops, 0 library calls
        loop 0 over [8]: %0 %1
        loop 1 over [8]: %3 %4
        %x: arg
        %y: arg
        %0: element of loop 0, stored
        %1: scalar, ready after step 0
        %2: bcast_scalar of %1
        %3: element of loop 1
        %4: element of loop 1, stored, output 0
        %5: view of %0 strides [1]
        results: %4 (direct), %1 (fill)
        """,
        p.text());
  }

  @Test
  void homes_aParameterThatIsAnElement() {
    assertBreaks("homes", withHome(plan(), id("%x"), h -> copy(h, Where.ELEMENT, 0, false, -1)));
  }

  @Test
  void steps_misnumbered() {
    LoopPlan p = plan();
    List<Step> steps = new ArrayList<>(p.steps);
    Loop l = p.loop(1);
    steps.set(1, new Loop(5, l.domain, l.members));
    assertBreaks("steps", new LoopPlan(p.func, homes(p), steps, p.resultKinds));
  }

  @Test
  void loops_membersOutOfDefinitionOrder() {
    LoopPlan p = plan();
    List<Step> steps = new ArrayList<>(p.steps);
    Loop l = p.loop(1);
    steps.set(1, new Loop(1, l.domain, List.of(l.members.get(1), l.members.get(0))));
    assertBreaks("loops", new LoopPlan(p.func, homes(p), steps, p.resultKinds));
  }

  @Test
  void membership_anElementOfALoopThatDoesNotListIt() {
    int v = id("%3");
    assertBreaks("membership", withHome(plan(), v, h -> copy(h, Where.ELEMENT, 0, false, -1)));
  }

  @Test
  void dependencies_aValueThatNeedsTheSumInTheSumsLoop() {
    LoopPlan p = plan();
    List<Step> steps = new ArrayList<>();
    Loop first = p.loop(0);
    List<dev.gradc.ir.Inst> members = new ArrayList<>(first.members);
    members.addAll(p.loop(1).members);
    steps.add(new Loop(0, first.domain, members));
    List<Home> hs = homes(p);
    for (String n : List.of("%3", "%4")) {
      Home h = hs.get(id(n));
      hs.set(id(n), copy(h, Where.ELEMENT, 0, h.stored(), h.output()));
    }
    assertBreaks("dependencies", new LoopPlan(p.func, hs, steps, p.resultKinds));
  }

  @Test
  void dependencies_anElementReadFromAnotherLoopUnstored() {
    int v = id("%0");
    assertBreaks("dependencies", withHome(plan(), v, h -> copy(h, Where.ELEMENT, 0, false, -1)));
  }

  @Test
  void views_ofAScalar() {
    Value sum = NEEDS_SUM.insts().get(1);
    assertBreaks(
        "views",
        withHome(
            plan(),
            id("%5"),
            h -> new Home(Where.VIEW, -1, -1, false, sum, h.strides(), h.offset(), -1, -1, null)));
  }

  @Test
  void results_aDirectResultWithoutItsOutput() {
    int v = id("%4");
    assertBreaks("results", withHome(plan(), v, h -> copy(h, Where.ELEMENT, 1, true, -1)));
  }

  @Test
  void results_aFilledResultThatIsABuffer() {
    LoopPlan p = plan();
    List<ResultKind> kinds = List.of(ResultKind.FILL, ResultKind.FILL);
    assertBreaks("results", new LoopPlan(p.func, homes(p), p.steps, kinds));
  }
}
