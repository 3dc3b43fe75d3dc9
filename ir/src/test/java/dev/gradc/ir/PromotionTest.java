package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.testing.Fixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The result dtypes of the builder's ops on mixed operands (tensors, zero-dim tensors and Python
 * scalars of every dtype) against PyTorch 1.13's, from {@code tools/pytorch/ir_fixtures.py}. Where
 * gradc deliberately differs, {@link #deviation} says what it does instead and why.
 */
class PromotionTest {

  @TestFactory
  Stream<DynamicTest> pytorchPromotion() {
    Map<String, String> torch = new HashMap<>();
    for (JsonNode c : Fixtures.read("pytorch/promotion.json").get("cases")) {
      List<String> operands = new ArrayList<>();
      c.get("operands").forEach(o -> operands.add(o.asText()));
      String r = c.get("result").asText();
      torch.put(c.get("op").asText() + " " + String.join(" ", operands), r);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(torch).entrySet()) {
      List<String> words = List.of(e.getKey().split(" ", -1));
      String op = words.get(0);
      List<String> operands = words.subList(1, words.size());
      String pt = e.getValue().startsWith("error") ? "error" : e.getValue();
      String dev = deviation(op, operands, torch);
      String expected = dev != null ? dev : pt;
      tests.add(
          DynamicTest.dynamicTest(
              e.getKey(),
              () ->
                  assertEquals(
                      expected, gradc(op, operands), e.getKey() + "; PyTorch: " + e.getValue())));
    }
    return tests.stream();
  }

  /** gradc's answer where it deliberately differs from PyTorch, else null. */
  private static String deviation(String op, List<String> operands, Map<String, String> torch) {
    boolean anyF64 = operands.stream().anyMatch(o -> o.endsWith(":f64"));
    boolean anyFloat = anyF64 || operands.stream().anyMatch(o -> o.endsWith(":f32"));
    switch (op) {
      case "maximum", "minimum" -> {
        // The IR takes a literal wherever a tensor goes; it promotes as add does.
        if (operands.stream().anyMatch(o -> o.startsWith("l:"))) {
          String add = torch.get("add " + String.join(" ", operands));
          return add.startsWith("error") ? "error" : add;
        }
        return null;
      }
      case "matmul" -> {
        // Operands of one dtype follow PyTorch (f32, f64, i64; bool refused); mixed operands
        // promote instead of failing (the Java API and the language refuse them first).
        if (operands.stream().map(o -> o.substring(o.indexOf(':'))).distinct().count() == 1) {
          return null;
        }
        return anyF64 ? "f64" : anyFloat ? "f32" : "i64";
      }
      case "mean", "softmax" -> {
        // Float-only reductions of integers compute in the default float dtype instead of
        // failing, as PyTorch's own logsumexp does.
        return anyFloat ? null : "f32";
      }
      default -> {
        return null;
      }
    }
  }

  /** The dtype of the op built with gradc's builder, or "error". */
  private static String gradc(String op, List<String> operands) {
    Builder b = new Builder("promote");
    List<Value> vs = new ArrayList<>();
    for (int i = 0; i < operands.size(); i++) {
      String[] kd = operands.get(i).split(":", -1);
      DType dt = DType.byMnemonic(kd[1]);
      switch (kd[0]) {
        case "t" -> vs.add(b.input("a" + i, Type.of(dt, 3)));
        case "z" -> vs.add(b.input("a" + i, Type.scalar(dt)));
        default -> vs.add(Builder.lit(dt == DType.F64 ? 2.5 : dt == DType.I64 ? 2 : 1, dt));
      }
    }
    try {
      return build(b, op, vs).type().dtype().mnemonic();
    } catch (GradcException e) {
      return "error";
    }
  }

  private static Value build(Builder b, String name, List<Value> v) {
    Op op = Op.byMnemonic(name);
    return switch (op.kind()) {
      case ELEMENTWISE ->
          op == Op.WHERE
              ? b.where(v.get(0), v.get(1), v.get(2))
              : op == Op.CLAMP
                  ? b.clamp(v.get(0), v.get(1), v.get(2))
                  : v.size() == 1 ? b.unary(op, v.get(0)) : b.binary(op, v.get(0), v.get(1));
      case REDUCTION -> b.reduce(op, v.get(0), new int[0], false);
      case NORMALIZE -> b.softmax(v.get(0), 0);
      case STRUCTURAL -> {
        if (op != Op.MATMUL) {
          throw new IllegalArgumentException(name);
        }
        yield b.matmul(v.get(0), v.get(1));
      }
    };
  }
}
