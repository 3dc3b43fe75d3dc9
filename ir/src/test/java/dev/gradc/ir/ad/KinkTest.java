package dev.gradc.ir.ad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.Verifier;
import dev.gradc.ir.opt.Pipeline;
import dev.gradc.ir.testing.Fixtures;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Subgradients at kinks and ties, exactly as PyTorch 1.13 defines them: {@code relu'(0) = 0},
 * {@code abs'(0) = 0}, {@code clamp} passes the gradient at its bounds, {@code amax}/{@code amin}
 * ties share it evenly, {@code maximum}/{@code minimum} ties split it in half. The expected values
 * come from {@code tools/pytorch/ir_fixtures.py}; each case here builds the same function.
 */
class KinkTest {
  private static final DType F = DType.F64;

  /** The function of a fixture case, from its f64 parameters. */
  interface Body {
    Value build(Builder b, Param[] p);
  }

  private static final Map<String, Body> BODIES =
      Map.ofEntries(
          Map.entry("relu", (b, p) -> b.sum(b.unary(Op.RELU, p[0]))),
          Map.entry("abs", (b, p) -> b.sum(b.abs(p[0]))),
          Map.entry("sign", (b, p) -> b.sum(b.mul(b.unary(Op.SIGN, p[0]), 3.0))),
          Map.entry(
              "clamp_literal_bounds",
              (b, p) -> b.sum(b.clamp(p[0], Builder.lit(-1, F), Builder.lit(1, F)))),
          Map.entry("clamp_tensor_bounds", (b, p) -> b.sum(b.clamp(p[0], p[1], p[2]))),
          Map.entry("clamp_min_above_max", (b, p) -> b.sum(b.clamp(p[0], p[1], p[2]))),
          Map.entry("amax_all_ties", (b, p) -> b.reduce(Op.AMAX, p[0], new int[0], false)),
          Map.entry(
              "amax_dim_ties",
              (b, p) -> b.sum(b.square(b.reduce(Op.AMAX, p[0], new int[] {1}, false)))),
          Map.entry(
              "amin_keepdim_ties", (b, p) -> b.sum(b.reduce(Op.AMIN, p[0], new int[] {0}, true))),
          Map.entry("maximum_ties", (b, p) -> b.sum(b.maximum(p[0], p[1]))),
          Map.entry("minimum_ties", (b, p) -> b.sum(b.minimum(p[0], p[1]))),
          Map.entry("maximum_broadcast_ties", (b, p) -> b.sum(b.maximum(p[0], p[1]))),
          Map.entry("pow_zero_base", (b, p) -> b.sum(b.pow(p[0], p[1]))),
          Map.entry("pow_literal_zero_base", (b, p) -> b.sum(b.pow(p[0], Builder.lit(2, F)))),
          Map.entry("softplus_threshold", (b, p) -> b.sum(b.unary(Op.SOFTPLUS, p[0]))),
          Map.entry("l1_loss_equal", (b, p) -> b.l1Loss(p[0], p[1])),
          Map.entry("huber_loss_at_delta", (b, p) -> b.huberLoss(p[0], p[1], 1.0)),
          Map.entry("mse_loss_equal", (b, p) -> b.mseLoss(p[0], p[1])),
          Map.entry("bce_with_logits_zero", (b, p) -> b.binaryCrossEntropyWithLogits(p[0], p[1])));

  @TestFactory
  Stream<DynamicTest> pytorchKinks() {
    JsonNode cases = Fixtures.read("pytorch/kinks.json").get("cases");
    List<DynamicTest> tests = new ArrayList<>();
    for (Iterator<String> it = cases.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      tests.add(DynamicTest.dynamicTest(name, () -> check(name, cases.get(name))));
    }
    assertEquals(BODIES.keySet().size(), tests.size(), "every fixture case has a function");
    return tests.stream();
  }

  private static void check(String name, JsonNode c) {
    List<NdArray> args = new ArrayList<>();
    for (JsonNode in : c.get("inputs")) {
      args.add(Fixtures.array(in, F));
    }
    Builder b = new Builder(name);
    Param[] ps = new Param[args.size()];
    for (int i = 0; i < ps.length; i++) {
      ps[i] = b.param("x" + i, Type.of(F, args.get(i).shape()));
    }
    Body body = BODIES.get(name);
    if (body == null) {
      throw new AssertionError("no function for fixture case " + name);
    }
    b.ret(body.build(b, ps));
    Func f = Verifier.verify(b.build());
    Func vjp = Verifier.verify(Autodiff.vjp(f));
    Func opt = Pipeline.run(vjp, (pass, out) -> Verifier.verify(out));
    for (Func g : List.of(vjp, opt)) {
      List<NdArray> r = Interpreter.run(g, args);
      // The value is a sum: PyTorch adds in index order, gradc in SumOrder's blocks, so the last
      // bit may differ (softplus_threshold's 60.000000005 is 1 ulp, 7e-15, away).
      double want = c.get("value").asDouble();
      assertEquals(
          want, r.get(0).item(), 1e-15 * Math.max(1, Math.abs(want)), name + " value\n" + g);
      for (int i = 0; i < ps.length; i++) {
        double[] expected = Fixtures.array(c.get("grads").get(i), F).toDoubleArray();
        assertArrayEquals(
            expected, r.get(i + 1).toDoubleArray(), 1e-15, name + " gradient " + i + "\n" + g);
      }
    }
  }
}
