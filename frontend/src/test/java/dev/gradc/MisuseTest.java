package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.GradcException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Misuse of the tensor API fails as in PyTorch 1.13 ({@code misuse.json}): with PyTorch's message
 * (shape errors may add which op and shapes), as a {@link GradcException} where PyTorch raises
 * RuntimeError, IndexError or ValueError for a bad argument, and as {@link IllegalStateException}
 * for {@code item()} of several elements. Errors that depend on data (a class index out of range)
 * surface when the value is computed.
 */
class MisuseTest {
  private static final JsonNode FIXTURE = Fixtures.load("misuse.json");

  static final Map<String, Executable> CASES = cases();

  private static Map<String, Executable> cases() {
    Map<String, Executable> m = new LinkedHashMap<>();
    m.put("add_shapes", () -> Tensor.ones(2, 3).add(Tensor.ones(4)));
    m.put("mul_shapes_3d", () -> Tensor.ones(2, 3, 4).mul(Tensor.ones(3, 5)));
    m.put("mm_shapes", () -> Tensor.ones(2, 3).matmul(Tensor.ones(4, 5)));
    m.put("matmul_0d", () -> Tensor.scalar(1.0).matmul(Tensor.ones(3)));
    m.put("matmul_dtypes", () -> Tensor.ones(2, 3).matmul(Tensor.ones(DType.F64, 3, 2)));
    m.put("reshape_size", () -> Tensor.ones(2, 3).reshape(4));
    m.put("reshape_two_inferred", () -> Tensor.ones(2, 3).reshape(-1, -1));
    m.put("sum_dim_range", () -> Tensor.ones(2, 3).sum(2));
    m.put("sum_dim_repeated", () -> Tensor.ones(2, 3).sum(new int[] {0, 0}, false));
    m.put("softmax_dim_range", () -> Tensor.ones(2, 3).softmax(-3));
    m.put("transpose_dim_range", () -> Tensor.ones(2, 3).transpose(0, 2));
    m.put("unsqueeze_dim_range", () -> Tensor.ones(2, 3).unsqueeze(4));
    m.put("permute_length", () -> Tensor.ones(2, 3).permute(0, 1, 2));
    m.put("permute_repeated", () -> Tensor.ones(2, 3).permute(0, 0));
    m.put("expand_size", () -> Tensor.ones(3).expand(2, 4));
    m.put("expand_fewer", () -> Tensor.ones(2, 3).expand(3));
    m.put("where_condition", () -> Tensor.where(Tensor.ones(3), Tensor.ones(3), Tensor.zeros(3)));
    m.put("mean_long", () -> Tensor.arange(3).mean());
    m.put("one_hot_range", () -> F.oneHot(Tensor.tensor(DType.I64, 0, 3), 3).toDoubleArray());
    m.put("one_hot_float", () -> F.oneHot(Tensor.tensor(0.0, 1.0), 3));
    m.put(
        "cross_entropy_batch", () -> F.crossEntropy(Tensor.ones(4, 3), Tensor.zeros(DType.I64, 5)));
    m.put("inplace_broadcast", () -> Tensor.ones(3).add_(Tensor.ones(2, 3)));
    m.put("item_many", () -> Tensor.ones(2).item());
    m.put("backward_long", () -> Tensor.ones(DType.I64, 2).sum().backward());
    m.put("amax_empty", () -> Tensor.zeros(0).amax());
    m.put("amin_empty_2d", () -> Tensor.zeros(3, 0).amin());
    m.put("amax_empty_dim", () -> Tensor.zeros(3, 0).amax(1));
    m.put("amin_empty_dims_negative", () -> Tensor.zeros(2, 0, 0).amin(new int[] {-1, 1}, false));
    m.put("set_grad_dtype", () -> leaf(3).setGrad(Tensor.zeros(DType.F32, 3)));
    m.put("set_grad_dtype_and_size", () -> leaf(3).setGrad(Tensor.zeros(DType.F32, 2)));
    m.put("set_grad_size", () -> leaf(3).setGrad(Tensor.zeros(DType.F64, 2)));
    m.put(
        "set_grad_self",
        () -> {
          Tensor x = leaf(3);
          x.setGrad(x);
        });
    m.put("var_long", () -> Tensor.arange(3).var());
    m.put("std_mean_long", () -> Tensor.arange(3).stdMean());
    m.put("var_mean_long", () -> Tensor.arange(3).varMean(0, true, false));
    m.put("nanmean_long", () -> Tensor.arange(3).nanmean());
    m.put("norm_long", () -> Tensor.arange(3).norm());
    m.put("vector_norm_long", () -> Linalg.vectorNorm(Tensor.arange(3)));
    m.put("matrix_norm_order", () -> Linalg.matrixNorm(Tensor.ones(2, 3), 3));
    m.put("matrix_norm_rank", () -> Linalg.matrixNorm(Tensor.ones(3)));
    m.put(
        "matrix_norm_same_dims",
        () -> Linalg.matrixNorm(Tensor.ones(2, 3), "fro", new int[] {1, 1}, false));
    m.put("matrix_norm_long", () -> Linalg.matrixNorm(Tensor.ones(2, 3).to(DType.I64)));
    m.put(
        "svdvals_nan",
        () ->
            Linalg.svdvals(Tensor.tensor(new double[][] {{1, Double.NaN}, {0, 1}}))
                .toDoubleArray());
    m.put("svdvals_rank", () -> Linalg.svdvals(Tensor.ones(3)));
    m.put("svdvals_long", () -> Linalg.svdvals(Tensor.ones(2, 3).to(DType.I64)));
    m.put("matrix_norm_2_empty", () -> Linalg.matrixNorm(Tensor.zeros(0, 3), 2));
    m.put(
        "matrix_norm_nuc_nan",
        () ->
            Linalg.matrixNorm(
                    Tensor.tensor(new double[][] {{1, Double.NaN}}),
                    "nuc",
                    new int[] {-2, -1},
                    false)
                .toDoubleArray());
    m.put("var_dim_range", () -> Tensor.ones(2, 3).var(2));
    m.put(
        "gather_range",
        () -> Tensor.ones(2, 3).gather(1, Tensor.tensor(DType.I64, new double[][] {{0, 3}})));
    m.put(
        "gather_negative",
        () -> Tensor.ones(2, 3).gather(1, Tensor.tensor(DType.I64, new double[][] {{-1}})));
    m.put("gather_float_index", () -> Tensor.ones(2, 3).gather(1, Tensor.ones(1, 1)));
    m.put("gather_rank", () -> Tensor.ones(2, 3).gather(1, Tensor.tensor(DType.I64, 0)));
    m.put("gather_size", () -> Tensor.ones(2, 3).gather(1, Tensor.zeros(DType.I64, 3, 2)));
    m.put(
        "index_select_range",
        () -> Tensor.ones(3, 2).indexSelect(0, Tensor.tensor(DType.I64, 0, 3)));
    m.put(
        "index_select_range_dim1",
        () -> Tensor.ones(2, 3).indexSelect(1, Tensor.tensor(DType.I64, 5)));
    m.put(
        "index_select_matrix",
        () -> Tensor.ones(2, 3).indexSelect(1, Tensor.zeros(DType.I64, 1, 1)));
    m.put("index_select_float", () -> Tensor.ones(2, 3).indexSelect(1, Tensor.tensor(0.0)));
    m.put(
        "take_along_dim_range",
        () -> Tensor.ones(2, 3).takeAlongDim(Tensor.tensor(DType.I64, new double[][] {{3}}), 1));
    m.put(
        "take_along_dim_rank",
        () -> Tensor.ones(2, 3).takeAlongDim(Tensor.tensor(DType.I64, 0), 1));
    m.put("take_along_dim_float", () -> Tensor.ones(2, 3).takeAlongDim(Tensor.ones(1, 1), 1));
    m.put(
        "scatter_add_range",
        () ->
            Tensor.ones(2, 3)
                .scatterAdd(
                    1, Tensor.tensor(DType.I64, new double[][] {{0, 3}}), Tensor.ones(1, 2)));
    m.put(
        "scatter_add_dtype",
        () ->
            Tensor.ones(2, 3)
                .scatterAdd(1, Tensor.zeros(DType.I64, 1, 1), Tensor.ones(DType.F64, 1, 1)));
    m.put(
        "scatter_add_size",
        () -> Tensor.ones(2, 3).scatterAdd(1, Tensor.zeros(DType.I64, 1, 2), Tensor.ones(1, 1)));
    m.put(
        "index_add_range",
        () -> Tensor.ones(2, 3).indexAdd(1, Tensor.tensor(DType.I64, 0, 3), Tensor.ones(2, 2)));
    m.put(
        "index_add_count",
        () -> Tensor.ones(2, 3).indexAdd(1, Tensor.tensor(DType.I64, 0, 1), Tensor.ones(2, 3)));
    m.put(
        "scatter_range",
        () ->
            Tensor.ones(2, 3)
                .scatter(1, Tensor.tensor(DType.I64, new double[][] {{3}}), Tensor.ones(1, 1)));
    m.put(
        "scatter_dtype",
        () ->
            Tensor.ones(2, 3)
                .scatter(1, Tensor.zeros(DType.I64, 1, 1), Tensor.ones(DType.F64, 1, 1)));
    m.put(
        "masked_fill_value_dim",
        () -> Tensor.ones(2, 3).maskedFill(Tensor.ones(DType.BOOL, 3), Tensor.ones(1)));
    m.put(
        "masked_fill_shape",
        () -> Tensor.ones(2, 3).maskedFill(Tensor.ones(DType.BOOL, 2, 2), 1.0));
    m.put("index_tensor_range", () -> Tensor.ones(2, 3).index(Tensor.tensor(DType.I64, 0, 2)));
    m.put(
        "index_tensor_negative_range", () -> Tensor.ones(2, 3).index(Tensor.tensor(DType.I64, -3)));
    m.put("index_tensor_float", () -> Tensor.ones(2, 3).index(Tensor.tensor(0.0)));
    m.put(
        "index_put_dtype",
        () ->
            Tensor.ones(2, 3)
                .indexPut(List.of(Tensor.tensor(DType.I64, 0)), Tensor.ones(DType.F64, 3)));
    m.put(
        "index_put_shape",
        () ->
            Tensor.ones(2, 3).indexPut(List.of(Tensor.tensor(DType.I64, 0, 1)), Tensor.ones(3, 3)));
    m.put(
        "index_put_range",
        () -> Tensor.ones(2, 3).indexPut(List.of(Tensor.tensor(DType.I64, 2)), Tensor.ones(3)));
    m.put(
        "index_put_negative_range",
        () -> Tensor.ones(2, 3).indexPut(List.of(Tensor.tensor(DType.I64, -3)), Tensor.ones(3)));
    m.put(
        "index_put_too_many",
        () ->
            Tensor.ones(3)
                .indexPut(
                    List.of(Tensor.tensor(DType.I64, 0), Tensor.tensor(DType.I64, 0)),
                    Tensor.scalar(1)));
    m.put(
        "index_put_float_index",
        () -> Tensor.ones(3).indexPut(List.of(Tensor.tensor(0.0)), Tensor.scalar(1)));
    m.put(
        "index_put_leaf",
        () ->
            Tensor.ones(3)
                .requiresGrad_()
                .indexPut_(List.of(Tensor.tensor(DType.I64, 0)), Tensor.scalar(1)));
    m.put(
        "setitem_view_of_leaf",
        () -> Tensor.ones(3).requiresGrad_().index("1:").copy_(Tensor.ones(2)));
    m.put(
        "index_add_dtype",
        () ->
            Tensor.ones(2, 3)
                .indexAdd(1, Tensor.tensor(DType.I64, 0), Tensor.ones(DType.F64, 2, 1)));
    m.put("topk_range", () -> Tensor.ones(2, 3).topk(4));
    m.put("topk_negative", () -> Tensor.ones(2, 3).topk(-1, 0));
    m.put("topk_bool", () -> Tensor.ones(DType.BOOL, 2, 3).topk(1));
    m.put("kthvalue_range", () -> Tensor.ones(2, 3).kthvalue(3, 0));
    m.put("kthvalue_zero", () -> Tensor.ones(2, 3).kthvalue(0));
    m.put("median_empty_dim", () -> Tensor.ones(0, 3).median(0));
    m.put("median_bool", () -> Tensor.ones(DType.BOOL, 3).median());
    m.put("sort_dim", () -> Tensor.ones(2, 3).sort(2));
    m.put("local_response_norm_dims", () -> F.localResponseNorm(Tensor.ones(2, 3), 2));
    m.put("local_response_norm_size", () -> F.localResponseNorm(Tensor.ones(1, 3, 2), 0));
    return m;
  }

  /** An f64 leaf that requires grad. */
  private static Tensor leaf(long n) {
    return Tensor.zeros(DType.F64, n).requiresGrad_();
  }

  @TestFactory
  Stream<DynamicTest> misuse_failsWithPyTorchsMessage() {
    List<DynamicTest> tests = new ArrayList<>();
    FIXTURE
        .fieldNames()
        .forEachRemaining(
            name -> tests.add(DynamicTest.dynamicTest(name, () -> check(name, FIXTURE.get(name)))));
    assertEquals(
        CASES.keySet(),
        new java.util.HashSet<>(tests.stream().map(DynamicTest::getDisplayName).toList()),
        "cases in misuse.json and in this test");
    return tests.stream();
  }

  private static void check(String name, JsonNode expected) {
    Executable misuse = CASES.get(name);
    assertNotNull(misuse, "no Java spelling for " + name);
    Class<? extends RuntimeException> type =
        name.equals("item_many") ? IllegalStateException.class : GradcException.class;
    RuntimeException e = assertThrows(type, misuse, raisedBy(expected));
    String message = expected.get("message").asText();
    assertTrue(
        e.getMessage().startsWith(message),
        "expected PyTorch's message\n  " + message + "\ngot\n  " + e.getMessage());
  }

  private static String raisedBy(JsonNode expected) {
    return "PyTorch raises " + expected.get("type").asText();
  }
}
