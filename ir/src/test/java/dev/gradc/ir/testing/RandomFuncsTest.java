package dev.gradc.ir.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Parser;
import dev.gradc.ir.Printer;
import dev.gradc.ir.Verifier;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The generator's promises: valid functions that cover the IR, with finite values. */
class RandomFuncsTest {
  static final int SEEDS = 600;

  @Test
  void generated_coverEveryOpAndForm() {
    Set<Op> ops = EnumSet.noneOf(Op.class);
    Set<String> forms = new TreeSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      Func f = RandomFuncs.generate(seed);
      forms.add("result " + f.result(0).type().dtype().mnemonic());
      forms.add(f.gradParams().isEmpty() ? "no params" : "params");
      for (Inst i : f.insts()) {
        ops.add(i.op());
        if (i.op() == Op.MATMUL) {
          forms.add("matmul " + i.operand(0).type().rank() + "x" + i.operand(1).type().rank());
        }
        if (i.op().kind() == Op.Kind.REDUCTION) {
          forms.add("reduce keepdim=" + i.keepdim() + " all=" + (i.dimCount() == 0));
        }
        if (!i.type().isStatic()) {
          forms.add("symbolic");
        }
      }
    }
    assertEquals(EnumSet.allOf(Op.class), ops, "ops never generated");
    for (String form :
        List.of(
            "result f32",
            "result f64",
            "params",
            "no params",
            "symbolic",
            "matmul 1x1",
            "matmul 1x2",
            "matmul 2x1",
            "matmul 2x2",
            "matmul 3x3",
            "matmul 1x3",
            "matmul 3x1",
            "matmul 2x3",
            "matmul 3x2",
            "reduce keepdim=true all=false",
            "reduce keepdim=false all=false",
            "reduce keepdim=true all=true",
            "reduce keepdim=false all=true")) {
      assertTrue(forms.contains(form), form + " never generated; got " + forms);
    }
  }

  @Test
  void generated_verifyRoundTripAndStayFinite() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Func f = RandomFuncs.generate(seed);
      String why = RandomFuncs.describe(seed, f);
      Verifier.verify(f);
      String text = Printer.print(f);
      assertEquals(text, Printer.print(Parser.parse(text)), why);
      assertTrue(f.result(0).type().isScalar() && f.result(0).type().dtype().isFloat(), why);
      NdArray r = Interpreter.run(f, RandomFuncs.inputs(f, seed)).get(0);
      assertTrue(Double.isFinite(r.item()), "value " + r + " of " + why);
    }
  }

  @Test
  void generate_isDeterministic() {
    for (long seed = 0; seed < 20; seed++) {
      Func f = RandomFuncs.generate(seed);
      assertEquals(Printer.print(f), Printer.print(RandomFuncs.generate(seed)));
      assertEquals(RandomFuncs.inputs(f, seed).toString(), RandomFuncs.inputs(f, seed).toString());
    }
  }

  @Test
  void smooth_hasNoKinksAndOnlyF64() {
    Set<Op> kinks =
        EnumSet.of(Op.ABS, Op.SIGN, Op.RELU, Op.MAXIMUM, Op.MINIMUM, Op.CLAMP, Op.AMAX, Op.AMIN);
    for (long seed = 0; seed < 100; seed++) {
      Func f = RandomFuncs.generate(seed, RandomFuncs.Options.SMOOTH_F64);
      for (Inst i : f.insts()) {
        assertTrue(
            !kinks.contains(i.op()) && !i.op().isComparison(), RandomFuncs.describe(seed, f));
        assertTrue(i.type().dtype() != DType.F32, RandomFuncs.describe(seed, f));
      }
    }
  }
}
