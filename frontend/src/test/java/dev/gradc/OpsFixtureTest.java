package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.GradcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op of the API against the values PyTorch 1.13 produced ({@code ops.json}): the value, the
 * {@code grad_fn} name, the gradients of {@code sum(y * cotangent)}, whether a second backward
 * through the graph fails, and which in-place modifications before backward fail PyTorch's version
 * check.
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class OpsFixtureTest {
  private static final JsonNode FIXTURE = Fixtures.load("ops.json");

  /** The Java spelling of each fixture case. */
  static final Map<String, Function<Tensor[], Tensor>> OPS = ops();

  private static Map<String, Function<Tensor[], Tensor>> ops() {
    Map<String, Function<Tensor[], Tensor>> m = new java.util.LinkedHashMap<>();
    m.put("add", x -> x[0].add(x[1]));
    m.put("add_bcast", x -> x[0].add(x[1]));
    m.put("add_bcast_col", x -> x[0].add(x[1]));
    m.put("add_scalar", x -> x[0].add(1.5));
    m.put("add_f32", x -> x[0].add(x[1]));
    m.put("add_mixed_dtype", x -> x[0].add(x[1]));
    m.put("add_0d", x -> x[0].add(x[1]));
    m.put("sub", x -> x[0].sub(x[1]));
    m.put("sub_scalar", x -> x[0].sub(2.0));
    m.put("mul", x -> x[0].mul(x[1]));
    m.put("mul_bcast", x -> x[0].mul(x[1]));
    m.put("mul_scalar", x -> x[0].mul(3.0));
    m.put("mul_self", x -> x[0].mul(x[0]));
    m.put("div", x -> x[0].div(x[1]));
    m.put("div_scalar", x -> x[0].div(4.0));
    m.put("pow_scalar", x -> x[0].pow(3));
    m.put("pow_half", x -> x[0].pow(0.5));
    m.put("pow_tensor", x -> x[0].pow(x[1]));
    m.put("maximum", x -> x[0].maximum(x[1]));
    m.put("minimum", x -> x[0].minimum(x[1]));
    m.put("maximum_ties", x -> x[0].maximum(x[1]));
    m.put("lt", x -> x[0].lt(x[1]));
    m.put("le_scalar", x -> x[0].le(0.0));
    m.put("gt", x -> x[0].gt(x[1]));
    m.put("ge_scalar", x -> x[0].ge(0.5));
    m.put("eq", x -> x[0].eq(x[1]));
    m.put("ne_scalar", x -> x[0].ne(3.0));
    m.put("where", x -> Tensor.where(x[0], x[1], x[2]));
    m.put("clamp", x -> x[0].clamp(-0.5, 0.5));
    m.put("clamp_min", x -> x[0].clamp(0.0, Double.POSITIVE_INFINITY));
    m.put("clamp_max", x -> x[0].clamp(Double.NEGATIVE_INFINITY, 0.0));
    m.put("clamp_tensor", x -> x[0].clamp(x[1], x[2]));
    m.put("neg", x -> x[0].neg());
    m.put("abs", x -> x[0].abs());
    m.put("sign", x -> x[0].sign());
    m.put("exp", x -> x[0].exp());
    m.put("expm1", x -> x[0].expm1());
    m.put("log", x -> x[0].log());
    m.put("log1p", x -> x[0].log1p());
    m.put("sqrt", x -> x[0].sqrt());
    m.put("rsqrt", x -> x[0].rsqrt());
    m.put("square", x -> x[0].square());
    m.put("reciprocal", x -> x[0].reciprocal());
    m.put("sin", x -> x[0].sin());
    m.put("cos", x -> x[0].cos());
    m.put("tan", x -> x[0].tan());
    m.put("tanh", x -> x[0].tanh());
    m.put("sigmoid", x -> x[0].sigmoid());
    m.put("relu", x -> x[0].relu());
    m.put("softplus", x -> F.softplus(x[0]));
    m.put("erf", x -> x[0].erf());
    m.put("to_f64", x -> x[0].to(DType.F64));
    m.put("to_f32", x -> x[0].to(DType.F32));
    m.put("sum", x -> x[0].sum());
    m.put("sum_dim", x -> x[0].sum(1));
    m.put("sum_dims_keepdim", x -> x[0].sum(new int[] {0, 2}, true));
    m.put("sum_neg_dim", x -> x[0].sum(-1));
    m.put("mean", x -> x[0].mean());
    m.put("mean_dim", x -> x[0].mean(0));
    m.put("mean_dim_keepdim", x -> x[0].mean(1, true));
    m.put("amax", x -> x[0].amax());
    m.put("amax_dim", x -> x[0].amax(1));
    m.put("amax_ties", x -> x[0].amax(1));
    m.put("amin", x -> x[0].amin());
    m.put("amin_dim_keepdim", x -> x[0].amin(0, true));
    m.put("logsumexp", x -> x[0].logsumexp(1));
    m.put("logsumexp_dims", x -> x[0].logsumexp(new int[] {0, 1}, false));
    m.put("softmax", x -> x[0].softmax(1));
    m.put("softmax_dim0", x -> x[0].softmax(0));
    m.put("log_softmax", x -> x[0].logSoftmax(-1));
    m.put("reshape", x -> x[0].reshape(3, 2));
    m.put("reshape_m1", x -> x[0].reshape(-1));
    m.put("transpose", x -> x[0].transpose(0, 2));
    m.put("T", x -> x[0].T());
    m.put("permute", x -> x[0].permute(2, 0, 1));
    m.put("unsqueeze", x -> x[0].unsqueeze(1));
    m.put("squeeze", x -> x[0].squeeze());
    m.put("squeeze_d", x -> x[0].squeeze(1));
    m.put("expand", x -> x[0].expand(4, 2, 3));
    for (String mm :
        List.of(
            "matmul_mm",
            "matmul_mv",
            "matmul_vm",
            "matmul_dot",
            "matmul_bmm",
            "matmul_bcast",
            "matmul_f32")) {
      m.put(mm, x -> x[0].matmul(x[1]));
    }
    m.put("mse_loss", x -> F.mseLoss(x[0], x[1]));
    m.put("l1_loss", x -> F.l1Loss(x[0], x[1]));
    m.put("huber_loss", x -> F.huberLoss(x[0], x[1]));
    m.put("bce_with_logits", x -> F.binaryCrossEntropyWithLogits(x[0], x[1]));
    m.put("cross_entropy", x -> F.crossEntropy(x[0], x[1]));
    m.put("cross_entropy_1d", x -> F.crossEntropy(x[0], x[1]));
    m.put("cross_entropy_probs", x -> F.crossEntropy(x[0], x[1]));
    m.put("one_hot", x -> F.oneHot(x[0], 4));
    m.put("detach", x -> x[0].detach());
    m.put("chain", x -> x[0].mul(x[1]).exp().add(x[1].sin()).sum(1).mean());
    m.put("max_dim", x -> x[0].max(1).values());
    m.put("max_dim_ties", x -> x[0].max(1).values());
    m.put("min_dim_keepdim", x -> x[0].min(0, true).values());
    m.put("max_dim_f32", x -> x[0].max(-1).values());
    m.put("max_dim_indices", x -> x[0].max(1).indices());
    m.put("min_dim_indices", x -> x[0].min(1, true).indices());
    m.put("argmax", x -> x[0].argmax());
    m.put("argmax_dim", x -> x[0].argmax(1));
    m.put("argmin_dim_keepdim", x -> x[0].argmin(0, true));
    m.put("argmin", x -> x[0].argmin());
    m.put("repeat", x -> x[0].repeat(2, 1, 3));
    m.put("repeat_f32", x -> x[0].repeat(2, 2));
    m.put("tile", x -> x[0].tile(2));
    m.put("stack", x -> Tensor.stack(List.of(x[0], x[1])));
    m.put("stack_dim", x -> Tensor.stack(List.of(x[0], x[1], x[2]), -1));
    m.put("stack_mixed_dtype", x -> Tensor.stack(List.of(x[0], x[1]), 1));
    m.put("slice_step", x -> x[0].slice(1, 1, 100, 2));
    m.put("narrow", x -> x[0].narrow(0, -2, 2));
    m.put("select", x -> x[0].select(1, -1));
    m.put("index_mixed", x -> x[0].index("1:, None, ..., ::2"));
    m.put("index_select_f32", x -> x[0].index("..., 0"));
    m.put("index_negative", x -> x[0].index("-1, -3:-1"));
    m.put("index_empty", x -> x[0].index("5:"));
    m.put("gather", x -> x[0].gather(1, x[1]));
    m.put("gather_f32_smaller", x -> x[0].gather(0, x[1]));
    m.put("index_select", x -> x[0].indexSelect(0, x[1]));
    m.put("index_select_f32_dim1", x -> x[0].indexSelect(-1, x[1]));
    m.put("take_along_dim", x -> x[0].takeAlongDim(x[1], 1));
    m.put("take_along_dim_flat", x -> x[0].takeAlongDim(x[1]));
    m.put("scatter_add", x -> x[0].scatterAdd(0, x[1], x[2]));
    m.put("scatter_add_larger_src_f32", x -> x[0].scatterAdd(1, x[1], x[2]));
    m.put("index_add", x -> x[0].indexAdd(0, x[1], x[2], 2.0));
    m.put("index_add_dim1", x -> x[0].indexAdd(1, x[1], x[2]));
    m.put("scatter", x -> x[0].scatter(1, x[1], x[2]));
    m.put("scatter_value_f32", x -> x[0].scatter(0, x[1], 2.5));
    m.put("masked_fill", x -> x[0].maskedFill(x[1], -1.0));
    m.put("masked_fill_tensor_f32", x -> x[0].maskedFill(x[1], x[2]));
    m.put("index_tensor", x -> x[0].index(x[1]));
    m.put("index_tensor_f32", x -> x[0].index(x[1]));
    m.put("index_put", x -> x[0].indexPut(List.of(x[1]), x[2]));
    m.put("index_put_accumulate_f32", x -> x[0].indexPut(List.of(x[1]), x[2], true));
    m.put("index_put_two_indices", x -> x[0].indexPut(List.of(x[1], x[2]), x[3]));
    m.put("index_put_mask_f32", x -> x[0].indexPut(List.of(x[1]), x[2], true));
    m.put("index_put_inplace", x -> x[0].mul(1.0).indexPut_(List.of(x[1]), x[2], true));
    m.put("setitem_tensor", x -> x[0].mul(1.0).indexPut_(x[1], x[2]));
    m.put("setitem_mask_f32", x -> x[0].mul(1.0).indexPut_(x[1], x[2]));
    m.put("setitem_slices", x -> throughIndex(x, "1:, ::2", Tensor::copy_));
    m.put("setitem_int", x -> throughIndex(x, "1", Tensor::copy_));
    m.put("setitem_add_int_f32", x -> throughIndex(x, "-1", Tensor::add_));
    m.put(
        "setitem_add_tensor",
        x -> {
          Tensor y = x[0].mul(1.0);
          return y.indexPut_(x[1], y.index(x[1]).add(x[2]));
        });
    m.put("cat", x -> Tensor.cat(List.of(x[0], x[1])));
    m.put("cat_dim_mixed_dtype", x -> Tensor.cat(List.of(x[0], x[1], x[2]), -1));
    m.put("flip", x -> x[0].flip(0, 2));
    m.put("roll", x -> x[0].roll(new long[] {1, -4}, new int[] {0, 1}));
    m.put("roll_flat", x -> x[0].roll(2));
    m.put("split_piece", x -> x[0].split(2, 1).get(1));
    m.put("split_sizes_piece", x -> x[0].split(new long[] {1, 3}, 1).get(1));
    m.put("chunk_piece", x -> x[0].chunk(3, 0).get(2));
    m.put("unbind_piece", x -> x[0].unbind(1).get(2));
    m.put("einsum_mm", x -> Tensor.einsum("ij,jk->ik", x[0], x[1]));
    m.put("einsum_bmm", x -> Tensor.einsum("bij,bjk->bik", x[0], x[1]));
    m.put("einsum_attention", x -> Tensor.einsum("bhqd,bhkd->bhqk", x[0], x[1]));
    m.put("einsum_diagonal", x -> Tensor.einsum("ii->i", x[0]));
    m.put("einsum_trace", x -> Tensor.einsum("ii", x[0]));
    m.put("einsum_dot", x -> Tensor.einsum("i,i->", x[0], x[1]));
    m.put("einsum_transpose", x -> Tensor.einsum("ij->ji", x[0]));
    m.put("einsum_outer", x -> Tensor.einsum("i,j->ij", x[0], x[1]));
    m.put("einsum_sum_rows", x -> Tensor.einsum("ij->i", x[0]));
    m.put("einsum_chain", x -> Tensor.einsum("ij,jk,kl->il", x[0], x[1], x[2]));
    m.put("count_nonzero", x -> x[0].relu().countNonzero());
    m.put("count_nonzero_dims", x -> x[0].relu().countNonzero(0, 2));
    m.put("all", x -> x[0].relu().all());
    m.put("all_dim_keepdim", x -> x[0].relu().all(1, true));
    m.put("any_dim", x -> x[0].relu().any(-1));
    m.put("any_empty", x -> x[0].slice(0, 0, 0).any());
    m.put("all_empty", x -> x[0].slice(0, 0, 0).all());
    return m;
  }

  private static Tensor[] inputs(JsonNode c) {
    return Fixtures.inputs(c);
  }

  private static double tolerance(JsonNode t) {
    return Fixtures.dtype(t) == DType.F32 ? 1e-5 : 1e-12;
  }

  @TestFactory
  Stream<DynamicTest> everyFixtureOpIsMapped() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("ops")) {
      String name = c.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name, () -> assertNotNull(OPS.get(name), name)));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> valueGradFnAndGradients_matchPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("ops")) {
      String name = c.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name, () -> checkValueAndGrads(c, OPS.get(name))));
    }
    return tests.stream();
  }

  private static void checkValueAndGrads(JsonNode c, Function<Tensor[], Tensor> op) {
    Tensor[] xs = inputs(c);
    Tensor y = op.apply(xs);
    JsonNode value = c.get("value");
    Fixtures.assertValue(value, y, tolerance(value));
    JsonNode gradFn = c.get("grad_fn");
    assertEquals(
        gradFn.isNull() ? null : gradFn.asText(), y.gradFn() == null ? null : y.gradFn().name());
    assertEquals(c.get("requires_grad").asBoolean(), y.requiresGrad(), "requires_grad");
    if (!y.requiresGrad()) {
      return;
    }
    y.mul(Fixtures.tensor(c.get("cotangent"))).sum().backward();
    Fixtures.assertGrads(c.get("grads"), xs, OpsFixtureTest::tolerance);
  }

  @TestFactory
  Stream<DynamicTest> secondBackward_failsWhereItFailsInPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("ops")) {
      if (!c.has("second_backward_fails")) {
        continue;
      }
      String name = c.get("name").asText();
      tests.add(
          DynamicTest.dynamicTest(
              name,
              () -> {
                Tensor s = OPS.get(name).apply(inputs(c)).sum();
                s.backward();
                if (c.get("second_backward_fails").asBoolean()) {
                  GradcException e = assertThrows(GradcException.class, s::backward);
                  assertTrue(
                      e.getMessage()
                          .startsWith("Trying to backward through the graph a second time"));
                } else {
                  s.backward();
                }
              }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> inPlaceModificationBeforeBackward_failsWhereItFailsInPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("ops")) {
      if (!c.has("input_modified_fails")) {
        continue;
      }
      String name = c.get("name").asText();
      Function<Tensor[], Tensor> op = OPS.get(name);
      JsonNode mods = c.get("input_modified_fails");
      for (int i = 0; i < mods.size(); i++) {
        if (mods.get(i).isNull()) {
          continue;
        }
        int k = i;
        boolean fails = mods.get(i).asBoolean();
        tests.add(
            DynamicTest.dynamicTest(
                name + " input " + i,
                () -> {
                  Tensor[] xs = inputs(c);
                  Tensor s = op.apply(xs).sum();
                  try (NoGrad g = Autograd.noGrad()) {
                    xs[k].add_(0.0);
                  }
                  checkVersion(s, fails);
                }));
      }
      if (c.has("output_modified_fails")) {
        boolean fails = c.get("output_modified_fails").asBoolean();
        tests.add(
            DynamicTest.dynamicTest(
                name + " output",
                () -> {
                  Tensor y = op.apply(inputs(c));
                  Tensor s = y.sum();
                  try (NoGrad g = Autograd.noGrad()) {
                    y.add_(0.0);
                  }
                  checkVersion(s, fails);
                }));
      }
    }
    return tests.stream();
  }

  private static void checkVersion(Tensor s, boolean fails) {
    if (fails) {
      GradcException e = assertThrows(GradcException.class, s::backward);
      assertTrue(
          e.getMessage()
              .startsWith(
                  "one of the variables needed for gradient computation has been modified by an"
                      + " inplace operation"),
          e.getMessage());
    } else {
      s.backward();
    }
  }

  /**
   * PyTorch's {@code y = x[0] * 1.0; y[index] OP= x[1]}: the in-place {@code op} on the view {@code
   * index} of a non-leaf copy, which becomes a CopySlices.
   */
  private static Tensor throughIndex(
      Tensor[] x, String index, java.util.function.BiConsumer<Tensor, Tensor> op) {
    Tensor y = x[0].mul(1.0);
    op.accept(y.index(index), x[1]);
    return y;
  }
}
