package dev.gradc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradc.ir.GradcException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Views share storage with their base, as PyTorch's: each scenario of {@code views.json} (written
 * by PyTorch 1.13, {@code tools/api/generate.py}) runs here line by line and prints what PyTorch
 * printed: values after in-place updates of the base or of the view, grad_fn names ({@code
 * CopySlices}, {@code AsStridedBackward0}), version counters, gradients and error messages.
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class ViewsTest {
  private static final JsonNode VIEWS = Fixtures.load("views.json");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "base_update_seen_by_reshape",
        "transpose_after_sgd_step",
        "write_through_transpose",
        "write_through_view_of_view",
        "view_of_leaf_in_place",
        "transpose_of_leaf_in_place",
        "view_of_leaf_in_place_no_grad",
        "write_through_view_of_non_leaf",
        "base_update_then_view_backward",
        "saved_view_modified_through_base",
        "saved_base_modified_through_view",
        "expanded_view_in_place",
        "detached_view_follows_base",
        "squeeze_view_zero_and_fill",
        "view_copy_from_grad",
        "write_through_slice",
        "select_of_leaf_in_place",
        "write_through_select_of_non_leaf",
        "base_update_seen_by_narrow",
        "index_grad_fn_names",
        "index_out_of_bounds",
        "select_out_of_range",
        "narrow_past_the_end",
        "negative_step",
        "too_many_indices",
        "split_output_in_place",
        "unbind_writes_base_without_grad",
        "join_grad_fn_names",
        "cat_errors"
      })
  void scenario_printsWhatPyTorchPrints(String name) {
    Printed.assertPrints(VIEWS, name, scenario(name));
  }

  private static String name(Tensor t) {
    return t.gradFn() == null ? "None" : t.gradFn().name();
  }

  private static String bool(boolean b) {
    return b ? "True" : "False";
  }

  private static Consumer<Printed> scenario(String name) {
    return switch (name) {
      case "base_update_seen_by_reshape" ->
          p -> {
            Tensor a = Tensor.tensor(1, 2, 3);
            Tensor v = a.reshape(3, 1);
            a.mul_(2);
            p.p(v);
            p.p(a.version(), v.version());
          };
      case "transpose_after_sgd_step" ->
          p -> {
            Tensor w = Tensor.tensor(DType.F64, new double[][] {{1, 2}, {3, 4}}).requiresGrad_();
            Tensor wt = w.T();
            w.mul(w).sum().backward();
            try (NoGrad g = Autograd.noGrad()) {
              w.sub_(w.grad().mul(0.1));
            }
            p.p(wt);
            p.p(name(wt), w.version(), wt.version());
            wt.mul(wt).sum().backward();
            p.p(w.grad());
          };
      case "write_through_transpose" ->
          p -> {
            Tensor a = Tensor.tensor(new double[][] {{1, 2}, {3, 4}});
            Tensor t = a.t();
            t.add_(Tensor.tensor(10, 20));
            p.p(a);
            p.p(t);
            p.p(a.version(), t.version());
          };
      case "write_through_view_of_view" ->
          p -> {
            Tensor y = Tensor.ones(2, 3);
            Tensor t = y.reshape(3, 2).t().unsqueeze(0);
            t.mul_(Tensor.tensor(new double[][][] {{{1, 2, 3}, {4, 5, 6}}}));
            p.p(y);
            Tensor q = y.permute(1, 0);
            y.add_(1);
            p.p(q);
            p.p(t);
          };
      case "view_of_leaf_in_place" ->
          p -> Tensor.tensor(1, 2, 3).requiresGrad_().view(3, 1).mul_(2);
      case "transpose_of_leaf_in_place" ->
          p -> Tensor.tensor(new double[][] {{1, 2}, {3, 4}}).requiresGrad_().T().add_(1);
      case "view_of_leaf_in_place_no_grad" ->
          p -> {
            Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
            try (NoGrad g = Autograd.noGrad()) {
              x.view(3, 1).mul_(2);
            }
            p.p(x);
            p.p(bool(x.isLeaf()), x.version());
          };
      case "write_through_view_of_non_leaf" ->
          p -> {
            Tensor x = Tensor.tensor(DType.F64, 1, 2, 3).requiresGrad_();
            Tensor y = x.mul(1);
            Tensor v = y.view(3, 1);
            v.mul_(Tensor.tensor(DType.F64, new double[][] {{2}, {3}, {4}}));
            p.p(y);
            p.p(v);
            p.p(name(y), name(v), y.version());
            y.mul(y).sum().backward();
            p.p(x.grad());
          };
      case "base_update_then_view_backward" ->
          p -> {
            Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
            Tensor y = x.mul(1);
            Tensor v = y.view(3, 1);
            y.mul_(2);
            p.p(v);
            p.p(name(y), name(v));
            v.mul(v).sum().backward();
            p.p(x.grad());
          };
      case "saved_view_modified_through_base" ->
          p -> {
            Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
            Tensor y = x.mul(1);
            Tensor v = y.unsqueeze(0);
            Tensor z = v.mul(v);
            y.add_(1);
            z.sum().backward();
          };
      case "saved_base_modified_through_view" ->
          p -> {
            Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
            Tensor y = x.mul(1);
            Tensor z = y.mul(y);
            y.view(3, 1).add_(1);
            z.sum().backward();
          };
      case "expanded_view_in_place" -> p -> Tensor.ones(3).expand(2, 3).mul_(2);
      case "detached_view_follows_base" ->
          p -> {
            Tensor x = Tensor.tensor(1, 2, 3).requiresGrad_();
            Tensor y = x.mul(2);
            Tensor d = y.view(3, 1).detach();
            try (NoGrad g = Autograd.noGrad()) {
              y.add_(1);
            }
            p.p(d);
            d.mul_(10);
            p.p(y);
            p.p(name(y), bool(d.requiresGrad()));
          };
      case "squeeze_view_zero_and_fill" ->
          p -> {
            Tensor a = Tensor.tensor(new double[][] {{1}, {2}, {3}});
            Tensor s = a.squeeze(1);
            s.zero_();
            p.p(a);
            a.view(3).fill_(7);
            p.p(s);
            p.p(a.version(), s.version());
          };
      case "write_through_slice" ->
          p -> {
            Tensor x = Tensor.zeros(3, 4);
            Tensor v = x.index("1:, ::2");
            v.fill_(1.0);
            p.p(x);
            p.p(v);
            x.mul_(3);
            p.p(v);
            p.p(x.version(), v.version());
          };
      case "select_of_leaf_in_place" -> p -> Tensor.zeros(3, 4).requiresGrad_().index("1").mul_(2);
      case "write_through_select_of_non_leaf" ->
          p -> {
            Tensor x =
                Tensor.tensor(DType.F64, new double[][] {{1, 2}, {3, 4}, {5, 6}}).requiresGrad_();
            Tensor y = x.mul(1);
            Tensor r = y.index("1");
            r.mul_(Tensor.tensor(DType.F64, 3, 5));
            p.p(y);
            p.p(r);
            p.p(name(y), name(r));
            y.mul(y).sum().backward();
            p.p(x.grad());
          };
      case "base_update_seen_by_narrow" ->
          p -> {
            Tensor a = Tensor.tensor(1, 2, 3, 4).requiresGrad_();
            Tensor n = a.narrow(0, 1, 2);
            try (NoGrad g = Autograd.noGrad()) {
              a.add_(10);
            }
            p.p(n);
            p.p(name(n));
            n.mul(n).sum().backward();
            p.p(a.grad());
          };
      case "index_grad_fn_names" ->
          p -> {
            Tensor y = Tensor.zeros(3, 4).requiresGrad_();
            p.p(
                name(y.index("1:, None")),
                name(y.index("None, 1")),
                name(y.index("...")),
                name(y.index(":, 1")),
                name(y.narrow(1, 0, 2)));
            p.p("torch.Size(" + Arrays.toString(y.index("None, 1:, ..., -1").shape()) + ")");
          };
      case "index_out_of_bounds" -> p -> Tensor.zeros(3, 4).index(":, -5");
      case "select_out_of_range" -> p -> Tensor.zeros(3, 4).select(0, 5);
      case "narrow_past_the_end" -> p -> Tensor.zeros(3, 4).narrow(0, 1, 5);
      case "negative_step" -> p -> Tensor.zeros(3).index("::-1");
      case "split_output_in_place" ->
          p -> Tensor.zeros(3, 4).requiresGrad_().split(2, 1).get(1).mul_(2);
      case "unbind_writes_base_without_grad" ->
          p -> {
            Tensor x = Tensor.zeros(2, 3);
            List<Tensor> rows = x.unbind(0);
            rows.get(1).add_(Tensor.tensor(1, 2, 3));
            p.p(x);
            List<Tensor> parts = x.chunk(2, 1);
            x.mul_(2);
            p.p(parts.get(0));
            p.p(parts.get(1));
            p.p(Tensor.cat(parts, 1).flip(0).roll(1, 1));
          };
      case "join_grad_fn_names" ->
          p -> {
            Tensor x = Tensor.zeros(2, 3).requiresGrad_();
            p.p(
                name(Tensor.cat(List.of(x, x))),
                name(x.flip(0)),
                name(x.roll(1)),
                name(x.split(2, 1).get(0)),
                name(x.split(new long[] {1, 2}, 1).get(0)),
                name(x.chunk(2, 0).get(1)),
                name(x.unbind(1).get(0)));
          };
      case "cat_errors" ->
          p -> {
            List<Runnable> fs =
                List.of(
                    () -> Tensor.cat(List.of()),
                    () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 2))),
                    () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3))),
                    () -> Tensor.cat(List.of(Tensor.zeros(), Tensor.zeros())),
                    () -> Tensor.zeros(3, 4).split(new long[] {1, 2}, 1),
                    () -> Tensor.zeros(3).chunk(0, 0),
                    () -> Tensor.zeros(3, 4).flip(0, -2),
                    () -> Tensor.zeros(3, 4).roll(new long[] {1, 2}, new int[] {0}));
            for (Runnable f : fs) {
              try {
                f.run();
              } catch (GradcException e) {
                p.p("error: " + e.getMessage());
              }
            }
          };
      case "too_many_indices" -> p -> Tensor.zeros(3, 4).index("0, 1, 2");
      case "view_copy_from_grad" ->
          p -> {
            Tensor x = Tensor.tensor(1, 2).requiresGrad_();
            Tensor b = Tensor.zeros(2, 2);
            b.t().copy_(x.view(2, 1).mul(Tensor.tensor(new double[][] {{1, 3}})));
            p.p(b);
            p.p(name(b));
            b.sum().backward();
            p.p(x.grad());
          };
      default -> throw new IllegalArgumentException(name);
    };
  }
}
