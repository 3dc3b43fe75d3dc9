"""Writes src/test/resources/mse_loss.fixture: PyTorch's value and gradients of
src/main/gradc/com/example/fit/mse_loss.grad at a start point, and the weights after the
gradient descent of com.example.fit.Fit.descend (plain steps w -= lr * grad) from there.

Run from examples/maven-project: /usr/bin/python3 src/test/python/write_fixture.py
Each line is a name followed by its values (Python's shortest round-trip reprs)."""
import torch

torch.manual_seed(7)
n = 16
x = torch.randn(n, 3, dtype=torch.float64)
true_w = torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64)
y = x @ true_w + 0.25 + 0.1 * torch.randn(n, dtype=torch.float64)
w0 = torch.zeros(3, dtype=torch.float64)
b0 = torch.zeros((), dtype=torch.float64)


def loss(x, y, w, b):
    pred = x @ w + b
    return torch.mean((pred - y) ** 2) + 0.01 * torch.sum(w ** 2)


w = w0.clone().requires_grad_(True)
b = b0.clone().requires_grad_(True)
value = loss(x, y, w, b)
value.backward()
lines = {
    "x": x.flatten().tolist(),
    "y": y.tolist(),
    "w0": w0.tolist(),
    "b0": [b0.item()],
    "value": [value.item()],
    "gradW": w.grad.tolist(),
    "gradB": [b.grad.item()],
}

lr, steps = 0.1, 50
w = w0.clone()
b = b0.clone()
for _ in range(steps):
    w.requires_grad_(True)
    b.requires_grad_(True)
    v = loss(x, y, w, b)
    gw, gb = torch.autograd.grad(v, [w, b])
    with torch.no_grad():
        w = w - lr * gw
        b = b - lr * gb
lines["lr"] = [lr]
lines["steps"] = [steps]
lines["wFinal"] = w.tolist()
lines["bFinal"] = [b.item()]
lines["valueFinal"] = [loss(x, y, w, b).item()]

with open("src/test/resources/mse_loss.fixture", "w") as f:
    f.write("# Written by src/test/python/write_fixture.py with PyTorch " + torch.__version__ + "\n")
    for k, v in lines.items():
        f.write(k + " " + " ".join(repr(float(e)) for e in v) + "\n")
