package dev.gradc.ir.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.Func;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.ad.Autodiff;
import dev.gradc.ir.testing.RandomFuncs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ordering constraints of {@link Pipeline#PASSES}, one line each, each with a witness: a
 * function where the other order leaves work undone, that is, where the output is not a fixpoint of
 * the pipeline. Pairs of passes that no constraint orders do the same work in either order. The
 * verifier runs after every pass.
 */
class PipelineTest {
  /** {@code before} must run before {@code after}, because {@code why}. */
  record Constraint(String before, String after, String why, String witness) {}

  static final List<Constraint> CONSTRAINTS =
      List.of(
          new Constraint(
              "simplify",
              "cse",
              "folding and identities make different instructions equal",
              """
              func @w(%x: f64[3]) -> f64[3] {
                %0: f64[3] = mul %x, 1.0
                %1: f64[3] = exp %0
                %2: f64[3] = exp %x
                %3: f64[3] = add %1, %2
                ret %3
              }
              """),
          new Constraint(
              "simplify",
              "dce",
              "simplify leaves the values it rewrote away unused",
              """
              func @w(%x: f64[3]) -> f64[3] {
                %0: f64[3] = broadcast 2.0
                %1: f64[3] = mul %x, %0
                ret %1
              }
              """));

  private static int indexOf(List<Pass> passes, String name) {
    for (int i = 0; i < passes.size(); i++) {
      if (passes.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no pass " + name + " in " + passes);
  }

  /** The passes with two of them exchanged. */
  private static List<Pass> swapped(String a, String b) {
    List<Pass> out = new ArrayList<>(Pipeline.PASSES);
    int i = indexOf(out, a);
    int j = indexOf(out, b);
    out.set(i, Pipeline.PASSES.get(j));
    out.set(j, Pipeline.PASSES.get(i));
    return out;
  }

  private static Func run(List<Pass> passes, Func f) {
    Func cur = Verifier.verify(f);
    for (Pass p : passes) {
      cur = Verifier.verify(p.run(cur));
    }
    return cur;
  }

  @Test
  void constraints_holdInThePipeline() {
    for (Constraint c : CONSTRAINTS) {
      assertTrue(
          indexOf(Pipeline.PASSES, c.before()) < indexOf(Pipeline.PASSES, c.after()),
          c.before() + " must run before " + c.after() + ": " + c.why());
    }
  }

  @Test
  void constraints_otherOrderLeavesWorkUndone() {
    for (Constraint c : CONSTRAINTS) {
      Func w = Parser.parse(c.witness());
      String right = Printer.print(run(Pipeline.PASSES, w));
      String again = Printer.print(run(Pipeline.PASSES, Parser.parse(right)));
      assertEquals(right, again, "the pipeline is a fixpoint on the witness of " + c.why());
      Func wrong = run(swapped(c.before(), c.after()), w);
      String more = Printer.print(run(Pipeline.PASSES, wrong));
      assertNotEquals(
          Printer.print(wrong), more, c.after() + " before " + c.before() + " left no work");
      assertTrue(
          wrong.insts().size() > Parser.parse(right).insts().size(),
          c.why() + ":\n" + Printer.print(wrong));
    }
  }

  /**
   * Pairs that no constraint orders do the same work in either order: the same instruction count,
   * and nothing left for another round. (Which of two merged duplicates survives may differ.)
   */
  @Test
  void unconstrainedPairs_leaveNoWorkInEitherOrder() {
    List<Pass> ps = Pipeline.PASSES;
    for (int i = 0; i < ps.size(); i++) {
      for (int j = i + 1; j < ps.size(); j++) {
        String a = ps.get(i).name();
        String b = ps.get(j).name();
        if (CONSTRAINTS.stream().anyMatch(c -> c.before().equals(a) && c.after().equals(b))) {
          continue;
        }
        for (long seed = 0; seed < 100; seed++) {
          Func f = Autodiff.vjp(RandomFuncs.generate(seed));
          Func other = run(swapped(a, b), f);
          String why = a + " and " + b + " swapped on " + RandomFuncs.describe(seed, f);
          assertEquals(run(ps, f).insts().size(), other.insts().size(), why);
          assertEquals(other.insts().size(), run(ps, other).insts().size(), why);
        }
      }
    }
  }

  @Test
  void pipeline_isAFixpointAfterOneRound() {
    for (long seed = 0; seed < 300; seed++) {
      Func once = Pipeline.run(Autodiff.vjp(RandomFuncs.generate(seed)));
      Func twice = run(Pipeline.PASSES, once);
      assertEquals(
          Printer.print(once),
          Printer.print(twice),
          "a second round changed " + RandomFuncs.describe(seed, RandomFuncs.generate(seed)));
    }
  }
}
