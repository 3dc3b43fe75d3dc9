package dev.gradc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Everyday PyTorch snippets ported line by line: each scenario of {@code ports.json} (written by
 * PyTorch 1.13, {@code tools/api/ports.py}) runs here as the same calls of the Java API and prints
 * what PyTorch printed -- losses, grad_fn names, indices, gradients and updated weights. The
 * in-place SGD step on a weight whose transpose was taken earlier is {@code ViewsTest}'s {@code
 * transpose_after_sgd_step}.
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class PortsTest {
  private static final JsonNode PORTS = Fixtures.load("ports.json");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "total_variation",
        "triplet_hardest_negative",
        "attention_causal_mask",
        "gradient_clipping",
        "vae_loss",
        "batch_norm_mlp_step"
      })
  void snippet_printsWhatPyTorchPrints(String name) {
    Printed.assertPrints(PORTS, name, snippet(name));
  }

  /** ports.py's {@code data}: sin(0.37 i + shift) in row-major order, in the given shape. */
  private static Tensor data(DType dtype, double shift, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return Tensor.arange(DType.F64, 0, (double) n, 1)
        .mul(0.37)
        .add(shift)
        .sin()
        .to(dtype)
        .reshape(shape);
  }

  private static Tensor data(double shift, long... shape) {
    return data(DType.F64, shift, shape);
  }

  private static String name(Tensor t) {
    return t.gradFn() == null ? "None" : t.gradFn().name();
  }

  private static Consumer<Printed> snippet(String name) {
    return switch (name) {
      case "total_variation" ->
          p -> {
            Tensor x = data(0, 1, 2, 4, 5).requiresGrad_();
            Tensor dh = x.index(":, :, 1:, :").sub(x.index(":, :, :-1, :"));
            Tensor dw = x.index("..., 1:").sub(x.index("..., :-1"));
            Tensor tv = dh.abs().sum().add(dw.pow(2).sum());
            p.p(tv);
            p.p(name(dh), name(dw));
            tv.backward();
            p.p(x.grad());
          };
      case "triplet_hardest_negative" ->
          p -> {
            Tensor emb = data(0.5, 6, 3).requiresGrad_();
            Tensor labels = Tensor.tensor(DType.I64, 0, 1, 0, 2, 1, 2);
            Tensor d = emb.unsqueeze(1).sub(emb.unsqueeze(0)).pow(2).sum(-1);
            Tensor same = labels.unsqueeze(0).eq(labels.unsqueeze(1));
            ValuesIndices hardestPos = Tensor.where(same, d, Tensor.zerosLike(d)).max(1);
            ValuesIndices hardestNeg = Tensor.where(same, d.add(1e6), d).min(1);
            p.p(hardestPos.indices(), hardestNeg.indices());
            Tensor loss = F.relu(hardestPos.values().sub(hardestNeg.values()).add(0.2)).mean();
            p.p(loss);
            loss.backward();
            p.p(emb.grad());
          };
      case "attention_causal_mask" ->
          p -> {
            Tensor q = data(DType.F32, 0, 2, 4, 3).requiresGrad_();
            Tensor k = data(DType.F32, 1, 2, 4, 3).requiresGrad_();
            Tensor v = data(DType.F32, 2, 2, 4, 3).requiresGrad_();
            long t = q.shape()[1];
            Tensor future = Tensor.arange(t).unsqueeze(0).gt(Tensor.arange(t).unsqueeze(1));
            Tensor scores = q.matmul(k.transpose(-2, -1)).div(Math.pow(3, 0.5));
            scores = Tensor.where(future, Tensor.scalar(Double.NEGATIVE_INFINITY), scores);
            Tensor attn = scores.softmax(-1);
            Tensor out = attn.matmul(v);
            p.p(attn);
            Tensor loss = out.pow(2).mean();
            p.p(loss);
            loss.backward();
            p.p(q.grad());
            p.p(k.grad());
            p.p(v.grad());
          };
      case "gradient_clipping" ->
          p -> {
            Tensor w1 = data(0.1, 3, 4).requiresGrad_();
            Tensor b1 = Tensor.zeros(DType.F64, 4).requiresGrad_();
            Tensor w2 = data(0.7, 4, 1).requiresGrad_();
            Tensor x = data(2.0, 5, 3);
            Tensor y = data(3.0, 5, 1);
            Tensor loss = F.mseLoss(x.matmul(w1).add(b1).tanh().matmul(w2), y);
            loss.backward();
            Tensor total = Autograd.clipGradNorm_(List.of(w1, b1, w2), 0.5);
            p.p(total);
            p.p(w1.grad());
            p.p(b1.grad());
            Autograd.clipGradValue_(List.of(w1, b1, w2), 0.05);
            p.p(w2.grad());
            try (NoGrad g = Autograd.noGrad()) {
              for (Tensor w : List.of(w1, b1, w2)) {
                w.sub_(w.grad().mul(0.1));
                w.setGrad(null);
              }
            }
            p.p(w1);
            p.p(F.mseLoss(x.matmul(w1).add(b1).tanh().matmul(w2), y));
          };
      case "vae_loss" ->
          p -> {
            Tensor x = data(0.3, 4, 6).abs();
            Tensor mu = data(1.1, 4, 2).requiresGrad_();
            Tensor logvar = data(2.3, 4, 2).mul(0.5).requiresGrad_();
            Tensor eps = data(4.0, 4, 2);
            Tensor dec = data(5.0, 2, 6).requiresGrad_();
            Tensor z = mu.add(eps.mul(logvar.mul(0.5).exp()));
            Tensor recon = z.matmul(dec).sigmoid();
            Tensor bce = F.binaryCrossEntropy(recon, x, LossOptions.defaults().reduction("sum"));
            Tensor kld = logvar.add(1).sub(mu.pow(2)).sub(logvar.exp()).sum().mul(-0.5);
            Tensor loss = bce.add(kld);
            p.p(bce, kld);
            p.p(loss);
            loss.backward();
            p.p(mu.grad());
            p.p(logvar.grad());
            p.p(dec.grad());
            Tensor var = logvar.exp().detach();
            p.p(
                F.gaussianNllLoss(mu, eps, var),
                F.gaussianNllLoss(
                    mu, eps, var, LossOptions.defaults().full(true).reduction("sum")));
          };
      case "batch_norm_mlp_step" ->
          p -> {
            Tensor x = data(0.2, 6, 3);
            Tensor y = data(1.3, 6, 1);
            Tensor w1 = data(2.1, 3, 4).requiresGrad_();
            Tensor gamma = Tensor.ones(DType.F64, 4).requiresGrad_();
            Tensor beta = Tensor.zeros(DType.F64, 4).requiresGrad_();
            Tensor w2 = data(3.7, 4, 1).requiresGrad_();
            Tensor runningMean = Tensor.zeros(DType.F64, 4);
            Tensor runningVar = Tensor.ones(DType.F64, 4);
            Tensor h = null;
            for (int step = 0; step < 2; step++) {
              h = F.batchNorm(x.matmul(w1), runningMean, runningVar, gamma, beta, true, 0.1, 1e-5);
              Tensor loss = F.mseLoss(h.relu().matmul(w2), y);
              p.p(step, loss);
              loss.backward();
              try (NoGrad g = Autograd.noGrad()) {
                for (Tensor w : List.of(w1, gamma, beta, w2)) {
                  w.sub_(w.grad().mul(0.5));
                  w.setGrad(null);
                }
              }
            }
            p.p(name(h));
            p.p(runningMean);
            p.p(runningVar);
            p.p(gamma);
            h = F.batchNorm(x.matmul(w1), runningMean, runningVar, gamma, beta, false, 0.1, 1e-5);
            p.p(F.mseLoss(h.relu().matmul(w2), y));
          };
      default -> throw new IllegalArgumentException(name);
    };
  }
}
