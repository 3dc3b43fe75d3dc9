package dev.gradc.examples;

import dev.gradc.Autograd;
import dev.gradc.NoGrad;
import dev.gradc.Tensor;
import java.io.PrintStream;
import java.util.function.Function;

/**
 * PyTorch's autograd tutorial (the notebook in {@code shared/seed/autograd_tutorial.txt}), cell by
 * cell in Java. Each cell prints {@code In [N]:} and then what the notebook shows for it; the
 * warnings PyTorch prints for {@code .grad} of a non-leaf go to the {@code dev.gradc} logger.
 *
 * <p>Run: {@code java -cp examples/target/gradc-examples.jar dev.gradc.examples.Tutorial}
 */
public final class Tutorial {
  private final PrintStream out;

  private Tutorial(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs every cell, printing to {@code out}. */
  public static void run(PrintStream out) {
    new Tutorial(out).cells();
  }

  /** Python's {@code print}: arguments separated by a space, {@code None}, {@code True}. */
  private void print(Object... parts) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      Object p = parts[i];
      s.append(i == 0 ? "" : " ");
      s.append(p == null ? "None" : p instanceof Boolean ? ((Boolean) p ? "True" : "False") : p);
    }
    out.println(s);
  }

  private void cell(int n) {
    out.println("In [" + n + "]:");
  }

  @SuppressWarnings("try") // the no-grad scope is used for its effect, as Python's `with`
  private void cells() {
    // Example 1: c = sum(a + b)
    cell(2);
    Tensor a = Tensor.randn(2, 2).requiresGrad_();
    Tensor b = Tensor.randn(2, 2).requiresGrad_();
    Tensor c = a.add(b).sum();
    cell(3);
    c.backward();
    cell(4);
    print(a.grad());
    cell(5);
    print(b.grad());
    cell(6);
    c.grad(); // a non-leaf: null, with PyTorch's warning
    cell(7);
    print(a);
    cell(8);
    print(b);
    cell(9);
    print(c);

    // Example 2: b = a ** 2, c = b.mean()
    cell(10);
    a = Tensor.ones(2, 2).requiresGrad_();
    b = a.pow(2);
    c = b.mean();
    cell(11);
    c.backward();
    cell(12);
    print(a.grad());
    cell(13);
    b.grad();
    cell(14);
    c.grad();
    cell(15);
    print(a);
    cell(16);
    print(b);
    cell(17);
    print(c);

    // Example 3: z = (5 x1 + 3 x2) (2 x1 + x2)
    cell(18);
    Tensor x1 = Tensor.tensor(1).requiresGrad_();
    Tensor x2 = Tensor.tensor(2).requiresGrad_();
    cell(19);
    Tensor y1 = x1.mul(5).add(x2.mul(3));
    Tensor y2 = x1.mul(2).add(x2.mul(1));
    cell(20);
    Tensor z = y1.mul(y2);
    cell(21);
    print(x1);
    print(x2);
    print(y1);
    print(y2);
    print(z);
    cell(22);
    z.backward();
    cell(23);
    print(x1.grad());
    print(x2.grad());
    print(y1.grad());
    print(y2.grad());
    print(z.grad());
    cell(24);
    for (Tensor[] t : new Tensor[][] {{x1}, {x2}, {y1}, {y2}, {z}}) {
      if (t[0] != x1) {
        print("------------------");
      }
      print(t[0].grad());
      print(t[0].gradFn());
    }

    // Gradients accumulate: zero them between steps.
    cell(25);
    Tensor x = Tensor.rand(2, 2).requiresGrad_();
    for (int i = 0; i < 3; i++) {
      Tensor y = x.mul(2).mean();
      y.backward();
      print("Gradients at iteration " + (i + 1) + ":");
      print(x.grad() + "\n");
      x.grad().zero_();
    }

    cell(26);
    Tensor tensorOne = Tensor.tensor(new double[][] {{1, 2}, {3, 4}}).requiresGrad_();
    Tensor tensorTwo = Tensor.tensor(new double[][] {{5, 6}, {7, 8}}).requiresGrad_();
    Tensor finalTensor = tensorOne.add(tensorTwo.mul(2)).mean();
    print(finalTensor);
    print(finalTensor.requiresGrad());
    print(finalTensor.gradFn());
    print();
    print(tensorOne.requiresGrad());
    print(tensorOne.gradFn());

    cell(27);
    finalTensor.backward();
    print("tensor_one.grad = " + tensorOne.grad());
    print("tensor_two.grad = " + tensorTwo.grad());
    print("final_tensor.grad = " + pyStr(finalTensor.grad()));

    // Turning tracking off: no_grad, requires_grad_(False), detach().
    cell(28);
    Tensor tensor1 = Tensor.tensor(new double[][] {{1, 2, 3}, {4, 5, 6}});
    tensor1.requiresGrad_(true);

    cell(29);
    try (NoGrad g = Autograd.noGrad()) {
      Tensor newTensor = tensor1.mul(3);
      print("new_tensor = ", newTensor);
      print("requires_grad for tensor1 = ", tensor1.requiresGrad());
      print("requires_grad for new_tensor = ", newTensor.requiresGrad());
    }

    cell(30);
    tensor1.requiresGrad_(false);
    print(tensor1);

    cell(31);
    tensor1.requiresGrad_(true);
    print(tensor1);

    cell(32);
    Tensor newTensor = tensor1.detach();
    print(tensor1);
    print(newTensor);

    // Python's @torch.no_grad() decorator.
    cell(33);
    Function<Tensor, Tensor> multByThree =
        Autograd.noGrad(
            (Tensor t) -> {
              Tensor y = t.mul(3);
              print("new_tensor = ", y);
              print("requires_grad for tensor1 = ", t.requiresGrad());
              print("requires_grad for new_tensor = ", y.requiresGrad());
              return y;
            });
    Tensor unused = multByThree.apply(tensor1);
  }

  private static String pyStr(Object o) {
    return o == null ? "None" : o.toString();
  }
}
