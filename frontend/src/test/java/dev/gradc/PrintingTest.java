package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.frontend.TensorFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code toString()} against {@code repr()} of PyTorch 1.13 for every tensor of the printing
 * fixture: scalars, 1-d to 4-d, integer-valued floats, mixed magnitudes in scientific notation,
 * negative zero, nan and inf, summarized large tensors, f32 and f64, i64 and bool, empty tensors,
 * and the {@code requires_grad} and {@code grad_fn} suffixes with their line wrapping.
 */
class PrintingTest {
  private static final JsonNode FIXTURE = Fixtures.load("printing.json");

  @TestFactory
  Stream<DynamicTest> toString_matchesPyTorchRepr() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("tensors")) {
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> assertEquals(c.get("repr").asText(), Fixtures.tensor(c).toString())));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> gradFnSuffix_matchesPyTorchRepr() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("grad_fn")) {
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> {
                Tensor t = Fixtures.tensor(c);
                String suffix = "grad_fn=<" + c.get("grad_fn").asText() + ">";
                int[] shape = new int[t.dim()];
                for (int i = 0; i < shape.length; i++) {
                  shape[i] = (int) t.size(i);
                }
                Object buf = t.dtype() == DType.F32 ? t.toFloatArray() : t.toDoubleArray();
                assertEquals(
                    c.get("repr").asText(),
                    TensorFormat.format(t.dtype().ir(), shape, buf, suffix));
              }));
    }
    return tests.stream();
  }
}
