package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradc.ir.GradcException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * int64 matrix products through the Java API against PyTorch: the {@code int64_dot}, {@code
 * int64_matmul}, {@code int64_matvec}, {@code int64_vecmat} and {@code int64_matmul_batched}
 * fixtures of the language ({@code tools/fixtures/generate.py}), written here as Tensor calls. Each
 * result is i64 and equals PyTorch's wrapping int64 result exactly (values beyond 2^53, products
 * that overflow).
 */
class Int64MatmulTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

  /** The fixture's value, and the Java API's result on its inputs. */
  private static void check(String name, Function<Map<String, Tensor>, Tensor> program)
      throws IOException {
    JsonNode fx = new ObjectMapper().readTree(FIXTURES.resolve(name + ".json").toFile());
    Map<String, Tensor> in = new HashMap<>();
    for (JsonNode t : fx.get("inputs")) {
      in.put(t.get("name").asText(), exact(longs(t.get("data")), Fixtures.shape(t)));
    }
    Tensor r = program.apply(in);
    assertEquals(DType.I64, r.dtype(), name);
    assertArrayEquals(Fixtures.shape(fx.get("value")), r.shape(), name);
    assertArrayEquals(longs(fx.get("value").get("data")), r.toLongArray(), name + " (PyTorch)");
  }

  private static long[] longs(JsonNode data) {
    long[] out = new long[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i).asLong();
    }
    return out;
  }

  /**
   * An i64 tensor of exactly {@code v}: the high and low 32 bits are doubles without rounding, and
   * {@code hi * 2^32 + lo} in wrapping int64 arithmetic is {@code v}.
   */
  private static Tensor exact(long[] v, long[] shape) {
    double[] hi = new double[v.length];
    double[] lo = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      hi[i] = v[i] >> 32;
      lo[i] = v[i] & 0xffffffffL;
    }
    Tensor two32 = Tensor.scalar(DType.I64, 4294967296.0);
    return Tensor.tensor(DType.I64, hi).mul(two32).add(Tensor.tensor(DType.I64, lo)).reshape(shape);
  }

  private static Tensor i64(int v) {
    return Tensor.scalar(DType.I64, v);
  }

  @Test
  void dot_exactBeyondTwoToThe53() throws IOException {
    check(
        "int64_dot",
        t -> t.get("x").matmul(t.get("y")).add(t.get("u").matmul(t.get("v")).mul(i64(2))));
  }

  @Test
  void mm_wrapsAsPyTorch() throws IOException {
    check(
        "int64_matmul",
        t -> {
          Tensor ab = t.get("a").matmul(t.get("b"));
          return ab.mul(i64(3)).add(t.get("a").matmul(t.get("b"))).sub(i64(1));
        });
  }

  @Test
  void mv_wrapsAsPyTorch() throws IOException {
    check(
        "int64_matvec",
        t -> {
          Tensor av = t.get("a").matmul(t.get("v"));
          return av.add(t.get("w").matmul(av.unsqueeze(1))).add(t.get("a").matmul(t.get("v")));
        });
  }

  @Test
  void vm_wrapsAsPyTorch() throws IOException {
    check(
        "int64_vecmat",
        t ->
            t.get("x")
                .matmul(t.get("b"))
                .sub(t.get("x").unsqueeze(0).matmul(t.get("b")).squeeze(0)));
  }

  @Test
  void batched_wrapsAsPyTorch() throws IOException {
    check(
        "int64_matmul_batched",
        t -> {
          Tensor a = t.get("a");
          return a.matmul(t.get("b"))
              .add(a.matmul(t.get("c")))
              .add(a.transpose(1, 2).transpose(1, 2).matmul(t.get("b")));
        });
  }

  @Test
  void boolProduct_isRefused() {
    Tensor b = Tensor.ones(DType.BOOL, 3);
    assertThrows(GradcException.class, () -> b.matmul(b).toLongArray());
  }
}
