package dev.gradc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * PyTorch's functions through the Java API against PyTorch 1.13 ({@code functions.json}, written by
 * {@code tools/api/functions.py}): in f64 and f32, on ordinary values with the functions' kinks and
 * on NaN, infinities, signed zeros and extreme magnitudes, the value, the {@code grad_fn} name and
 * the gradients of {@code sum(y * c)}; on ordinary values also the second derivative (the gradient
 * of {@code sum(g * w)} through the first gradient {@code g} taken with {@code createGraph}), where
 * PyTorch has one.
 */
class FunctionsFixtureTest {
  private static final Tensor PUT_AT = Tensor.tensor(DType.I64, 1, 4, 1);
  private static final Tensor COLS = Tensor.tensor(DType.I64, 0, -1, 2, 2);
  private static final Tensor ROWS = Tensor.tensor(DType.I64, 1, 0);
  private static final Tensor COLS_2D = Tensor.tensor(DType.I64, 0, -3).reshape(2, 1);

  private static final JsonNode FIXTURE = Fixtures.load("functions.json");

  /** The Java spelling of each function of the fixture, by the case name before {@code __}. */
  static final Map<String, Function<Tensor, Tensor>> FUNCTIONS = functions();

  private static Map<String, Function<Tensor, Tensor>> functions() {
    Map<String, Function<Tensor, Tensor>> m = new LinkedHashMap<>();
    m.put("gelu", F::gelu);
    m.put("gelu_tanh", x -> F.gelu(x, "tanh"));
    m.put("silu", F::silu);
    m.put("mish", F::mish);
    m.put("leaky_relu", F::leakyRelu);
    m.put("leaky_relu_slope", x -> F.leakyRelu(x, 0.2));
    m.put("elu", F::elu);
    m.put("elu_alpha", x -> F.elu(x, 0.5));
    m.put("selu", F::selu);
    m.put("celu", F::celu);
    m.put("celu_alpha", x -> F.celu(x, 2.0));
    m.put("logsigmoid", F::logsigmoid);
    m.put("softsign", F::softsign);
    m.put("hardtanh", F::hardtanh);
    m.put("hardtanh_bounds", x -> F.hardtanh(x, -2.5, 3.0));
    m.put("relu6", F::relu6);
    m.put("hardsigmoid", F::hardsigmoid);
    m.put("hardswish", F::hardswish);
    m.put("softmin", x -> F.softmin(x.reshape(2, -1), 1));
    m.put("threshold", x -> F.threshold(x, 1.0, -2.0));
    m.put("relu_", x -> x.mul(1.0).relu_());
    m.put("sigmoid_", x -> x.mul(1.0).sigmoid_());
    m.put("tanh_", x -> x.mul(1.0).tanh_());
    m.put("exp_", x -> x.mul(1.0).exp_());
    m.put("leaky_relu_", x -> F.leakyRelu_(x.mul(1.0), 0.2));
    m.put("elu_", x -> F.elu_(x.mul(1.0), 0.5));
    m.put("hardtanh_", x -> F.hardtanh_(x.mul(1.0), -2.5, 3.0));
    m.put("threshold_", x -> F.threshold_(x.mul(1.0), 1.0, -2.0));
    m.put("index_columns", x -> x.reshape(2, -1).index(":", COLS));
    m.put("index_apart", x -> x.reshape(2, 1, -1).index(ROWS, ":", COLS_2D));
    m.put("index_after_int", x -> x.reshape(2, 1, -1).index(1, ":", COLS));
    m.put("flatten", x -> x.reshape(2, 1, -1).flatten());
    m.put("flatten_from", x -> x.reshape(2, 1, -1).flatten(1));
    m.put("flatten_range", x -> x.reshape(1, 2, -1).flatten(0, 1));
    m.put("sum_to_size", x -> x.reshape(2, -1).sumToSize(1, x.numel() / 2));
    m.put("sum_to_size_columns", x -> x.reshape(-1, 2).sumToSize(x.numel() / 2, 1));
    m.put("sum_to_size_leading", x -> x.reshape(2, 1, -1).sumToSize(x.numel() / 2));
    m.put("negative", Tensor::negative);
    m.put("clip", x -> x.clip(-1.0, 2.0));
    m.put("full_like", x -> Tensor.fullLike(x, 2.5).mul(x));
    m.put("linspace", x -> x.mul(Tensor.linspace(x.dtype(), -3.0, 7.0, x.numel())));
    m.put("linspace_uneven", x -> Tensor.linspace(x.dtype(), 0.1, -2.3, x.numel()).sub(x));
    m.put("var", Tensor::var);
    m.put("var_dim", x -> x.reshape(2, -1).var(1));
    m.put("var_biased_keepdim", x -> x.reshape(2, -1).var(0, false, true));
    m.put("var_correction", x -> x.reshape(2, -1).var(new int[] {0, 1}, 3, false));
    m.put("var_rows", x -> x.reshape(-1, 2).var(-1));
    m.put("var_single", x -> x.reshape(-1, 2).narrow(1, 0, 1).var(1));
    m.put("std", Tensor::std);
    m.put("std_dim", x -> x.reshape(2, -1).std(1));
    m.put("std_biased_keepdim", x -> x.reshape(2, -1).std(0, false, true));
    m.put("std_correction", x -> x.reshape(2, -1).std(new int[] {0, 1}, 3, false));
    m.put("std_rows", x -> x.reshape(-1, 2).std(-1));
    m.put("std_single", x -> x.reshape(-1, 2).narrow(1, 0, 1).std(1));
    m.put("var_mean_var", x -> x.reshape(2, -1).varMean(1, true, false).var());
    m.put("var_mean_mean", x -> x.reshape(2, -1).varMean(1, true, true).mean());
    m.put("std_mean_std", x -> x.reshape(-1, 2).stdMean(new int[] {1}, 0, false).std());
    m.put("std_mean_mean", x -> x.stdMean().mean());
    m.put("nansum", x -> x.reshape(2, -1).nansum(1));
    m.put("nansum_all", Tensor::nansum);
    m.put("nanmean", x -> x.reshape(2, -1).nanmean(new int[] {1}, true));
    m.put("nanmean_all", Tensor::nanmean);
    m.put("index_put", x -> x.mul(x).indexPut(List.of(PUT_AT), x.slice(0, 5, 8).pow(2)));
    m.put(
        "index_put_accumulate_",
        x -> x.mul(x).indexPut_(List.of(PUT_AT), x.slice(0, 5, 8).pow(2), true));
    m.put(
        "setitem_slice",
        x -> {
          Tensor y = x.mul(x);
          y.slice(0, 1, 4).copy_(x.slice(0, 8, 11).pow(2));
          return y;
        });
    m.put("clone", Tensor::clone);
    m.put(
        "setitem_columns",
        x -> {
          Tensor y = x.reshape(2, -1).mul(2);
          y.indexPut_(List.of(":", COLS), x.slice(0, 0, 4).pow(2));
          return y;
        });
    m.put(
        "setitem_after_int",
        x -> {
          Tensor y = x.reshape(2, 1, -1).mul(2);
          y.indexPut_(List.of(1, ":", COLS), x.slice(0, 2, 6).mul(3));
          return y;
        });
    m.put(
        "setitem_apart",
        x -> {
          Tensor y = x.reshape(2, 1, -1).mul(2);
          y.indexPut_(List.of(ROWS, ":", COLS_2D), x.slice(0, 0, 2).pow(2).reshape(2, 1, 1));
          return y;
        });
    m.put("prod", Tensor::prod);
    m.put("prod_dim", x -> x.reshape(2, -1).prod(1));
    m.put("prod_rows", x -> x.reshape(-1, 2).prod(-1));
    m.put("prod_keepdim", x -> x.reshape(2, -1).prod(0, true));
    m.put("prod_dtype", x -> x.reshape(2, -1).prod(1, false, DType.F64));
    m.put("cumsum", x -> x.cumsum(0));
    m.put("cumsum_rows", x -> x.reshape(2, -1).cumsum(1));
    m.put("cumsum_dtype", x -> x.reshape(-1, 2).cumsum(0, DType.F64));
    m.put("cumprod", x -> x.reshape(2, -1).cumprod(1));
    m.put("cumprod_pairs", x -> x.reshape(-1, 2).cumprod(1));
    m.put("cumprod_columns", x -> x.reshape(2, -1).cumprod(0));
    m.put("logcumsumexp", x -> x.reshape(2, -1).logcumsumexp(1));
    m.put("logcumsumexp_columns", x -> x.reshape(-1, 2).logcumsumexp(0));
    m.put("cummax", x -> x.reshape(2, -1).cummax(1).values());
    m.put("cummin", x -> x.reshape(-1, 2).cummin(0).values());
    m.put(
        "cummax_indices",
        x -> x.reshape(2, -1).cummax(1).indices().to(x.dtype()).mul(x.reshape(2, -1)));
    m.put("sort", x -> x.reshape(2, -1).sort(1).values());
    m.put("sort_descending_columns", x -> x.reshape(-1, 2).sort(0, true).values());
    m.put(
        "sort_indices",
        x -> x.reshape(2, -1).sort(1, true).indices().to(x.dtype()).mul(x.reshape(2, -1)));
    m.put("argsort", x -> x.reshape(-1, 2).argsort(0).to(x.dtype()).mul(x.reshape(-1, 2)));
    m.put("msort", x -> x.reshape(-1, 2).msort());
    m.put("median", Tensor::median);
    m.put("median_pairs", x -> x.reshape(-1, 2).select(1, 1).median());
    m.put("topk", x -> x.reshape(-1, 2).topk(3, 0).values());
    m.put("topk_smallest", x -> x.reshape(-1, 2).topk(2, 0, false, true).values());
    m.put(
        "topk_indices",
        x ->
            x.reshape(-1, 2)
                .topk(4, 0)
                .indices()
                .to(x.dtype())
                .mul(x.slice(0, 0, 8, 1).reshape(4, 2)));
    m.put("kthvalue", x -> x.reshape(-1, 2).kthvalue(3, 0).values());
    m.put("kthvalue_keepdim", x -> x.reshape(-1, 2).kthvalue(5, 0, true).values());
    m.put("median_dim", x -> x.reshape(-1, 2).median(0).values());
    m.put("median_dim_keepdim", x -> x.reshape(-1, 2).median(0, true).values());
    m.put("norm", Tensor::norm);
    m.put("norm_p1", x -> x.reshape(2, -1).norm(1, 1));
    m.put("norm_inf", x -> x.reshape(2, -1).norm(Double.POSITIVE_INFINITY, new int[] {1}, true));
    m.put("vector_norm", Linalg::vectorNorm);
    m.put("vector_norm_rows", x -> Linalg.vectorNorm(x.reshape(-1, 2), 2, new int[] {1}, false));
    m.put("vector_norm_ord0", x -> Linalg.vectorNorm(x.reshape(2, -1), 0, new int[] {1}, false));
    m.put(
        "vector_norm_neg_inf",
        x -> Linalg.vectorNorm(x.reshape(2, -1), Double.NEGATIVE_INFINITY, new int[] {1}, false));
    m.put("vector_norm_p3", x -> Linalg.vectorNorm(x.reshape(2, -1), 3, new int[] {1}, false));
    m.put("matrix_norm", x -> Linalg.matrixNorm(x.reshape(2, -1)));
    m.put("matrix_norm_1", x -> Linalg.matrixNorm(x.reshape(2, -1), 1));
    m.put("matrix_norm_inf", x -> Linalg.matrixNorm(x.reshape(-1, 2), Double.POSITIVE_INFINITY));
    m.put(
        "matrix_norm_neg1_dims",
        x -> Linalg.matrixNorm(x.reshape(2, 1, -1), -1, new int[] {2, 0}, true));
    m.put(
        "matrix_norm_neg_inf_dims",
        x ->
            Linalg.matrixNorm(
                x.reshape(2, 1, -1), Double.NEGATIVE_INFINITY, new int[] {0, 2}, false));
    m.put("svdvals", x -> Linalg.svdvals(x.reshape(2, -1)));
    m.put("svdvals_tall", x -> Linalg.svdvals(x.reshape(-1, 2)));
    m.put("matrix_norm_2", x -> Linalg.matrixNorm(x.reshape(2, -1), 2));
    m.put(
        "matrix_norm_neg2_dims",
        x -> Linalg.matrixNorm(x.reshape(2, 1, -1), -2, new int[] {2, 0}, true));
    m.put(
        "matrix_norm_nuc",
        x -> Linalg.matrixNorm(x.reshape(-1, 2), "nuc", new int[] {-2, -1}, false));
    m.put(
        "matrix_norm_nuc_dims",
        x -> Linalg.matrixNorm(x.reshape(2, 1, -1), "nuc", new int[] {0, 2}, false));
    m.put("vector_norm_p05", x -> Linalg.vectorNorm(x.reshape(2, -1), 0.5, new int[] {1}, false));
    m.put("vector_norm_pneg1", x -> Linalg.vectorNorm(x.reshape(-1, 2), -1, new int[] {1}, true));
    m.put("outer", x -> x.outer(x.slice(0, 0, 3).mul(2)));
    m.put("dot", x -> x.dot(x.flip(0)));
    m.put("vdot", x -> x.flip(0).vdot(x));
    m.put("mm", x -> x.reshape(2, -1).mm(x.reshape(-1, 2)));
    m.put("mv", x -> x.reshape(2, -1).mv(x.reshape(2, -1).select(0, 1)));
    m.put("bmm", x -> x.reshape(2, 1, -1).bmm(x.reshape(2, -1, 1)));
    m.put("addmm", x -> x.slice(0, 0, 2).addmm(x.reshape(2, -1), x.reshape(-1, 2)));
    m.put(
        "addmm_scaled",
        x -> x.slice(0, 0, 2).unsqueeze(1).addmm(x.reshape(2, -1), x.reshape(-1, 2), 0.5, -2));
    m.put(
        "addmm_beta0",
        x -> x.slice(0, 0, 4).reshape(2, 2).addmm(x.reshape(2, -1), x.reshape(-1, 2), 0, 1));
    m.put(
        "baddbmm",
        x ->
            x.slice(0, 0, 2)
                .reshape(2, 1, 1)
                .baddbmm(x.reshape(2, 1, -1), x.reshape(2, -1, 1), 1, 1.5));
    m.put("tril", x -> x.reshape(2, -1).tril());
    m.put("tril_offset", x -> x.reshape(2, -1).tril(2));
    m.put("triu", x -> x.reshape(2, -1).triu());
    m.put("triu_negative", x -> x.reshape(-1, 2).triu(-1));
    m.put("diag_vector", Tensor::diag);
    m.put("diag_vector_offset", x -> x.slice(0, 0, 5).diag(-2));
    m.put("diag_matrix", x -> x.reshape(2, -1).diag(1));
    m.put("diagonal", x -> x.reshape(2, -1).diagonal());
    m.put("diagonal_offset", x -> x.reshape(-1, 2).diagonal(-1, 0, 1));
    m.put("diagonal_dims", x -> x.reshape(2, 1, -1).diagonal(0, 2, 0));
    m.put("diag_embed", x -> x.reshape(2, -1).diagEmbed());
    m.put("diag_embed_dims", x -> x.reshape(2, -1).diagEmbed(1, 0, 2));
    m.put("trace", x -> x.reshape(2, -1).trace());
    m.put("trace_tall", x -> x.roll(2).reshape(-1, 2).trace());
    m.put("layer_norm", x -> F.layerNorm(x.reshape(2, -1), new long[] {x.numel() / 2}));
    m.put(
        "layer_norm_affine",
        x -> {
          Tensor r = x.reshape(2, -1);
          return F.layerNorm(r, new long[] {x.numel() / 2}, r.select(0, 0), r.select(0, 1), 1e-3);
        });
    m.put(
        "layer_norm_two_dims",
        x -> F.layerNorm(x.reshape(1, 2, -1), new long[] {2, x.numel() / 2}));
    m.put("layer_norm_rows", x -> F.layerNorm(x.reshape(-1, 2), new long[] {2}));
    m.put("normalize", x -> F.normalize(x.reshape(2, -1)));
    m.put("normalize_rows", x -> F.normalize(x.reshape(-1, 2)));
    m.put("normalize_p1_dim0", x -> F.normalize(x.reshape(2, -1), 1, 0));
    m.put("normalize_p3_eps", x -> F.normalize(x.reshape(-1, 2), 3, 1, 0.5));
    m.put("cosine_similarity", x -> F.cosineSimilarity(x.reshape(-1, 2), x.reshape(-1, 2).flip(0)));
    m.put(
        "cosine_similarity_dim0",
        x -> F.cosineSimilarity(x.reshape(2, -1), x.reshape(2, -1).roll(1, 1), 0, 1e-3));
    m.put(
        "cosine_similarity_broadcast",
        x -> F.cosineSimilarity(x.reshape(-1, 2), x.slice(0, 0, 2), -1, 1e-8));
    m.put("pairwise_distance", x -> F.pairwiseDistance(x.reshape(-1, 2), x.reshape(-1, 2).flip(0)));
    m.put(
        "pairwise_distance_p1_keepdim",
        x -> F.pairwiseDistance(x.reshape(2, -1), x.reshape(2, -1).flip(1), 1, 1e-6, true));
    m.put(
        "pairwise_distance_p3",
        x -> F.pairwiseDistance(x.reshape(-1, 2), x.slice(0, 0, 2), 3, 0, false));
    m.put("cdist", x -> Tensor.cdist(x.reshape(-1, 2), x.reshape(-1, 2).slice(0, 0, 3)));
    m.put("cdist_p1", x -> Tensor.cdist(x.reshape(-1, 2), x.reshape(-1, 2).flip(0), 1));
    m.put(
        "cdist_inf",
        x ->
            Tensor.cdist(
                x.reshape(-1, 2), x.reshape(-1, 2).slice(0, 1, 4), Double.POSITIVE_INFINITY));
    m.put(
        "cdist_p3_batched",
        x -> Tensor.cdist(x.reshape(2, -1, 1), x.reshape(2, -1, 1).slice(1, 0, 2), 3));
    m.put(
        "einsum_ellipsis_matmul",
        x ->
            Tensor.einsum(
                "...ij,...jk->...ik", x.reshape(2, -1, 1), x.slice(0, 0, 2).reshape(1, 1, 2)));
    m.put("einsum_ellipsis_sum", x -> Tensor.einsum("i...->...", x.reshape(2, -1)));
    m.put(
        "einsum_ellipsis_implicit",
        x -> Tensor.einsum("...i,i", x.reshape(-1, 2), x.slice(0, 0, 2)));
    m.put(
        "einsum_ellipsis_dot",
        x -> Tensor.einsum("...i,...i->...", x.reshape(-1, 2), x.slice(0, 0, 2).mul(2)));
    m.put("einsum_ellipsis_transpose", x -> Tensor.einsum("...ij->...ji", x.reshape(2, 1, -1)));
    m.put("einsum_size_one", x -> Tensor.einsum("i,i->i", x, x.slice(0, 0, 1)));
    m.put("pdist", x -> Tensor.pdist(x.reshape(-1, 2)));
    m.put(
        "pdist_repeated_rows",
        x -> Tensor.pdist(Tensor.cat(List.of(x.reshape(-1, 2), x.reshape(-1, 2).slice(0, 0, 2)))));
    m.put("pdist_p1", x -> Tensor.pdist(x.reshape(-1, 2), 1));
    m.put("pdist_inf", x -> Tensor.pdist(x.reshape(-1, 2), Double.POSITIVE_INFINITY));
    m.put("pdist_p3", x -> Tensor.pdist(x.reshape(-1, 2), 3));
    m.put("pdist_p0", x -> Tensor.pdist(x.reshape(-1, 2), 0));
    m.put("kron", x -> x.reshape(2, -1).kron(x.slice(0, 0, 2).reshape(2, 1)));
    m.put("kron_vector", x -> x.slice(0, 0, 4).kron(x));
    m.put("kron_ranks", x -> x.reshape(-1, 2).kron(x.slice(0, 0, 3).reshape(1, 3, 1)));
    m.put("local_response_norm", x -> F.localResponseNorm(x.reshape(1, -1, 2), 3));
    m.put(
        "local_response_norm_even",
        x -> F.localResponseNorm(x.reshape(2, -1, 1), 4, 0.5, 1.5, 2.0));
    m.put(
        "local_response_norm_wide",
        x -> F.localResponseNorm(x.reshape(1, 2, 1, -1), 5, 1.0, 0.5, 0.5));
    m.put("glu", F::glu);
    m.put("glu_dim0", x -> F.glu(x.reshape(2, -1), 0));
    m.put("glu_rows", x -> F.glu(x.reshape(-1, 2), 1));
    m.put("group_norm", x -> F.groupNorm(x.reshape(1, 2, -1), 1));
    m.put(
        "group_norm_affine",
        x -> F.groupNorm(x.reshape(1, 2, -1), 2, x.slice(0, 0, 2), x.slice(0, 2, 4), 1e-3));
    m.put("instance_norm", x -> F.instanceNorm(x.reshape(1, 2, -1)));
    m.put(
        "instance_norm_affine",
        x -> F.instanceNorm(x.reshape(2, 1, -1), x.slice(0, 0, 1), x.slice(0, 1, 2), 1e-3));
    m.put(
        "batch_norm",
        x ->
            F.batchNorm(
                x.reshape(-1, 2),
                x.slice(0, 0, 2).detach(),
                x.slice(0, 2, 4).detach().abs().add(0.5)));
    m.put(
        "batch_norm_train",
        x -> F.batchNorm(x.reshape(-1, 2), null, null, null, null, true, 0.1, 1e-5));
    m.put(
        "batch_norm_train_affine",
        x ->
            F.batchNorm(
                x.reshape(-1, 1, 2),
                null,
                null,
                x.slice(0, 0, 1),
                x.slice(0, 1, 2),
                true,
                0.1,
                1e-3));
    return m;
  }

  private static Function<Tensor, Tensor> function(JsonNode c) {
    return Fixtures.spelling(FUNCTIONS, c);
  }

  private static double tolerance(JsonNode t) {
    return Fixtures.elementwiseTolerance(t);
  }

  @TestFactory
  Stream<DynamicTest> valueGradFnAndGradients_matchPyTorch() {
    return Fixtures.perCase(
        FIXTURE.get("cases"),
        c ->
            Fixtures.assertValueGradFnAndGrads(
                c, xs -> function(c).apply(xs[0]), FunctionsFixtureTest::tolerance));
  }

  @TestFactory
  Stream<DynamicTest> secondDerivative_matchesPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("cases")) {
      JsonNode second = c.get("second");
      if (second == null || second.isNull()) {
        continue;
      }
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> {
                Tensor x = Fixtures.inputs(c)[0];
                Tensor y = function(c).apply(x);
                Tensor s = y.mul(Fixtures.tensor(c.get("cotangent"))).sum();
                Tensor g = Autograd.grad(List.of(s), List.of(x), null, true, true, false).get(0);
                Tensor w = Fixtures.tensor(c.get("weight"));
                JsonNode expected = second.get(0);
                Tensor gg =
                    g.requiresGrad()
                        ? Autograd.grad(
                                List.of(g.mul(w).sum()), List.of(x), null, false, false, true)
                            .get(0)
                        : null;
                double[] actual =
                    gg == null ? new double[Fixtures.data(expected).length] : gg.toDoubleArray();
                Tensors.assertClose(
                    Fixtures.data(expected), actual, tolerance(expected), "second derivative");
              }));
    }
    return tests.stream();
  }
}
