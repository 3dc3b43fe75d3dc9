package dev.gradc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.DType;
import org.junit.jupiter.api.Test;

class JsonValuesTest {
  static Data data(String json, DType dtype) {
    JsonNode n = JsonValues.parse(json, "test");
    return JsonValues.toData(n, JsonValues.shapeOf(n), dtype, "v", "test");
  }

  @Test
  void nestedLists_areRowMajor() {
    Data d = data("[[1, 2, 3], [4, 5, 6]]", DType.F64);
    assertArrayEquals(new int[] {2, 3}, d.shape());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, (double[]) d.buffer(), 0.0);
  }

  @Test
  void f32_roundsToFloat() {
    Data d = data("[0.1, 1e-50]", DType.F32);
    assertArrayEquals(new float[] {0.1f, 0f}, (float[]) d.buffer(), 0f);
  }

  @Test
  void i64_isExactBeyondDoublePrecision() {
    Data d = data("[9007199254740993, -3]", DType.I64);
    assertArrayEquals(new long[] {9007199254740993L, -3}, (long[]) d.buffer());
  }

  @Test
  void nonFiniteTokens_asPythonWritesThem() {
    Data d = data("[NaN, Infinity, -Infinity]", DType.F64);
    double[] v = (double[]) d.buffer();
    assertEquals(Double.NaN, v[0], 0.0);
    assertEquals(Double.POSITIVE_INFINITY, v[1], 0.0);
    assertEquals(Double.NEGATIVE_INFINITY, v[2], 0.0);
  }

  @Test
  void ragged_namesTheElement() {
    UserError e =
        assertThrows(UserError.class, () -> data("[[[1, 2], [3, 4]], [[5, 6], [7]]]", DType.F64));
    assertEquals(
        "test: error: ragged list: v[1][1] should be a list of 2 (as the first element at that"
            + " depth is), got a list of 1\n",
        e.diagnostic());
  }

  @Test
  void syntaxErrors_havePositions() {
    UserError e =
        assertThrows(UserError.class, () -> JsonValues.parse("{\n  \"a\": [1 2]\n}", "f.json"));
    // Line 2, column 11: the '2' where a comma should be.
    assertEquals("f.json:2:11: error: invalid JSON: ", e.diagnostic().substring(0, 34));
  }
}
