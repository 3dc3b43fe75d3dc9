package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A transformer block's loss ported line by line from PyTorch ({@code
 * tools/api/port_transformer.py} writes {@code port_transformer.json}): layer_norm, attention
 * through einsum with a causal tril mask, softmax, gelu, cross_entropy with label_smoothing and an
 * ignored target. Every printed line equals PyTorch's, and every gradient matches PyTorch's.
 */
class TransformerPortTest {
  private static final JsonNode FIXTURE = Fixtures.load("port_transformer.json");

  @Test
  void transformerBlock_printsAndGradientsMatchPyTorch() {
    JsonNode shape = FIXTURE.get("shape");
    int b = shape.get("B").asInt();
    int t = shape.get("T").asInt();
    int d = shape.get("D").asInt();
    int heads = shape.get("H").asInt();
    int dh = d / heads;
    Map<String, Tensor> p = new LinkedHashMap<>();
    FIXTURE.get("params").properties().forEach(e -> p.put(e.getKey(), leaf(e.getValue())));
    Tensor targets = Fixtures.tensor(FIXTURE.get("targets"));
    List<String> out = new ArrayList<>();

    // h = F.layer_norm(x, (D,), ln1_w, ln1_b)
    Tensor x = p.get("x");
    Tensor h = F.layerNorm(x, new long[] {d}, p.get("ln1_w"), p.get("ln1_b"), 1e-5);
    // q = (h @ wq).reshape(B, T, H, DH).transpose(1, 2), and k, v alike
    Tensor q = h.matmul(p.get("wq")).reshape(b, t, heads, dh).transpose(1, 2);
    Tensor k = h.matmul(p.get("wk")).reshape(b, t, heads, dh).transpose(1, 2);
    Tensor v = h.matmul(p.get("wv")).reshape(b, t, heads, dh).transpose(1, 2);
    // att = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(DH)
    Tensor att = Tensor.einsum("bhqd,bhkd->bhqk", q, k).div(Math.sqrt(dh));
    // causal = torch.tril(torch.ones(T, T)); att = att - 1e9 * (1 - causal)
    Tensor causal = Tensor.ones(DType.F64, t, t).tril();
    att = att.sub(causal.rsub(1).mul(1e9));
    Tensor w = att.softmax(-1);
    out.add(w.select(0, 0).select(0, 0).select(0, 1).toString());
    // o = torch.einsum("bhqk,bhkd->bhqd", w, v).transpose(1, 2).reshape(B, T, D)
    Tensor o = Tensor.einsum("bhqk,bhkd->bhqd", w, v).transpose(1, 2).reshape(b, t, d);
    x = x.add(o.matmul(p.get("wo")));
    out.add(x.select(0, 1).select(0, 2).toString());
    Tensor h2 = F.layerNorm(x, new long[] {d}, p.get("ln2_w"), p.get("ln2_b"), 1e-5);
    x = x.add(F.gelu(h2.matmul(p.get("w1")).add(p.get("b1"))).matmul(p.get("w2")));
    Tensor logits = x.reshape((long) b * t, d);
    Tensor loss = F.crossEntropy(logits, targets, LossOptions.defaults().labelSmoothing(0.1));
    out.add(loss.toString());
    loss.backward();
    for (String name : List.of("ln1_w", "wq", "wo", "b1")) {
      out.add(p.get(name).grad().square().sum().toString());
    }
    out.add(p.get("ln2_b").grad().toString());

    List<String> expected = new ArrayList<>();
    FIXTURE.get("printed").forEach(l -> expected.add(l.asText()));
    assertEquals(String.join("\n", expected), String.join("\n", out));
    FIXTURE
        .get("grads")
        .properties()
        .forEach(
            e ->
                Tensors.assertClose(
                    Fixtures.data(e.getValue()),
                    p.get(e.getKey()).grad().toDoubleArray(),
                    1e-10,
                    "gradient of " + e.getKey()));
  }

  private static Tensor leaf(JsonNode t) {
    return Fixtures.tensor(t).requiresGrad_();
  }
}
