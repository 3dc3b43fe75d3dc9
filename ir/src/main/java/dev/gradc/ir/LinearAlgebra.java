package dev.gradc.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's linear-algebra helpers ({@code outer}, {@code kron}, {@code addmm}, {@code baddbmm},
 * {@code tril}, {@code triu}, {@code diagonal}, {@code diag_embed}, {@code diag}, {@code trace}) as
 * compositions of IR ops, shared by the Java API and the {@code .grad} builtins, with PyTorch's
 * messages.
 *
 * <p>A diagonal is a strided slice: the two dims moved last and flattened, the elements {@code i *
 * (n + 1) + offset} are the diagonal of an {@code m x n} matrix; {@code diag_embed} is its adjoint
 * (the slice's backward writes the vector into zeros), so each is the other's gradient. The masks
 * of {@code tril} and {@code triu} compare index vectors ({@link Indices#iota}).
 */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  /** {@code torch.outer(x, y)}: {@code x[:, None] * y[None, :]} of two vectors. */
  public static Value outer(Builder b, Value x, Value y) {
    vector("outer", "self", x);
    vector("outer", "vec2", y);
    return b.mul(b.unsqueeze(x, 1), b.unsqueeze(y, 0));
  }

  /**
   * {@code torch.kron(input, other)}: the Kronecker product as PyTorch composes it, both operands
   * taken to one rank with leading dims of size 1, {@code input} reshaped to {@code [a0, 1, a1, 1,
   * ...]} and {@code other} to {@code [1, b0, 1, b1, ...]}, multiplied with broadcasting and the
   * product reshaped to {@code [a0 * b0, a1 * b1, ...]}: one loop, each element {@code input[i / b]
   * * other[i % b]}.
   */
  public static Value kron(Builder b, Value x, Value y) {
    int rx = x.type().rank();
    int ry = y.type().rank();
    int r = Math.max(rx, ry);
    List<Dim> xs = new ArrayList<>();
    List<Dim> ys = new ArrayList<>();
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < r; i++) {
      Dim a = i < r - rx ? Dim.of(1) : x.type().dim(i - (r - rx));
      Dim c = i < r - ry ? Dim.of(1) : y.type().dim(i - (r - ry));
      Dim n = Type.product(List.of(a, c));
      if (n == null) {
        throw new GradcException(
            "kron: dim "
                + i
                + " of the result would be "
                + a
                + " * "
                + c
                + ", a product of two symbolic sizes; give one of them a fixed size");
      }
      xs.add(a);
      xs.add(Dim.of(1));
      ys.add(Dim.of(1));
      ys.add(c);
      out.add(n);
    }
    return b.reshape(b.mul(b.reshape(x, xs), b.reshape(y, ys)), out);
  }

  private static void vector(String fn, String name, Value x) {
    if (x.type().rank() != 1) {
      throw new GradcException(
          fn + ": Expected 1-D argument " + name + ", but got " + x.type().rank() + "-D");
    }
  }

  /**
   * {@code torch.dot(x, y)} and {@code torch.vdot(x, y)} (the same on real tensors): the sum of the
   * products of two vectors of one dtype.
   */
  public static Value dot(Builder b, String fn, Value x, Value y) {
    int rx = x.type().rank();
    int ry = y.type().rank();
    if (rx != 1 || ry != 1) {
      throw new GradcException("1D tensors expected, but got " + rx + "D and " + ry + "D tensors");
    }
    if (x.type().dtype() != y.type().dtype()) {
      throw new GradcException(
          fn
              + " : expected both vectors to have same dtype, but found "
              + x.type().dtype().scalarTypeName()
              + " and "
              + y.type().dtype().scalarTypeName());
    }
    Dim n = x.type().dim(0);
    Dim m = y.type().dim(0);
    if (!n.equals(m)) {
      throw new GradcException(
          "inconsistent tensor size, expected tensor ["
              + n
              + "] and src ["
              + m
              + "] to have the same number of elements, but got "
              + n
              + " and "
              + m
              + " elements respectively");
    }
    return b.matmul(x, y);
  }

  /**
   * {@code torch.addmm(input, mat1, mat2, beta=1, alpha=1)} and {@code torch.baddbmm} ({@code
   * batched}): {@code beta * input + alpha * (mat1 @ mat2)}, {@code input} broadcast to the
   * product's shape; with {@code beta = 0} the input is not read, so its NaN and infinities do not
   * propagate (PyTorch's rule).
   */
  public static Value addmm(
      Builder b, Value input, Value m1, Value m2, double beta, double alpha, boolean batched) {
    int rank = batched ? 3 : 2;
    String fn = batched ? "batch" : "mat";
    if (m1.type().rank() != rank) {
      throw new GradcException(
          batched
              ? "batch1 must be a 3D tensor"
              : "mat1 must be a matrix, got " + m1.type().rank() + "-D tensor");
    }
    if (m2.type().rank() != rank) {
      throw new GradcException(
          batched
              ? "batch2 must be a 3D tensor"
              : "mat2 must be a matrix, got " + m2.type().rank() + "-D tensor");
    }
    List<Dim> a = m1.type().dims();
    List<Dim> c = m2.type().dims();
    if (batched) {
      if (!a.get(0).equals(c.get(0)) || !a.get(2).equals(c.get(1))) {
        throw new GradcException(
            "Expected size for first two dimensions of batch2 tensor to be: ["
                + a.get(0)
                + ", "
                + a.get(2)
                + "] but got: ["
                + c.get(0)
                + ", "
                + c.get(1)
                + "].");
      }
    } else if (!a.get(1).equals(c.get(0))) {
      throw new GradcException(
          fn
              + "1 and "
              + fn
              + "2 shapes cannot be multiplied ("
              + a.get(0)
              + "x"
              + a.get(1)
              + " and "
              + c.get(0)
              + "x"
              + c.get(1)
              + ")");
    }
    DType di = input.type().dtype();
    DType d1 = m1.type().dtype();
    DType d2 = m2.type().dtype();
    if (batched && (di != d1 || d1 != d2)) {
      throw new GradcException(
          "expected scalar type "
              + (di != d1 ? di : d1).scalarTypeName()
              + " but found "
              + (di != d1 ? d1 : d2).scalarTypeName());
    }
    if (d1 != d2 || di != d2) {
      throw new GradcException((d1 != d2 ? "mat1" : "self") + " and mat2 must have the same dtype");
    }
    Value product = b.matmul(m1, m2);
    List<Dim> shape = product.type().dims();
    try {
      Typing.checkBroadcastTo(input.type().dims(), shape);
    } catch (GradcException e) {
      throw new GradcException(
          "the input of "
              + (batched ? "baddbmm" : "addmm")
              + " of shape "
              + input.type().shapeString()
              + " does not broadcast to the product's shape "
              + product.type().shapeString());
    }
    Value scaled = alpha == 1 ? product : b.mul(product, alpha);
    if (beta == 0) {
      return scaled;
    }
    Value in = beta == 1 ? input : b.mul(input, beta);
    return b.add(b.broadcastTo(in, shape), scaled);
  }

  /**
   * {@code torch.tril(x, diagonal)} ({@code lower}) or {@code torch.triu}: the elements of the last
   * two dims on and below (above) the {@code diagonal}-th diagonal, zeros elsewhere.
   */
  public static Value triangle(Builder b, Value x, int diagonal, boolean lower) {
    int r = x.type().rank();
    if (r < 2) {
      // PyTorch indexes dim -2 first
      Builder.normalizeDim(-2, r);
    }
    int m = staticSize(x, r - 2, lower ? "tril" : "triu");
    int n = staticSize(x, r - 1, lower ? "tril" : "triu");
    Value rows = b.reshape(Indices.iota(b, m), List.of(Dim.of(m), Dim.of(1)));
    Value cols = b.reshape(Indices.iota(b, n), List.of(Dim.of(1), Dim.of(n)));
    Value offset = b.sub(cols, rows); // j - i
    Value keep = b.binary(lower ? Op.LE : Op.GE, offset, Builder.lit(diagonal, DType.I64));
    return b.where(keep, x, Builder.lit(0, x.type().dtype()));
  }

  private static int staticSize(Value x, int dim, String fn) {
    Dim d = x.type().dim(dim);
    if (!d.isStatic()) {
      throw new GradcException(
          fn + ": the size of dim " + dim + " must be known when compiling, got " + d);
    }
    return d.size();
  }

  /**
   * {@code torch.diagonal(x, offset, dim1, dim2)}: the elements {@code [i, i + offset]} of dims
   * {@code dim1} and {@code dim2}, as a last dim after the others.
   */
  public static Value diagonal(Builder b, Value x, int offset, int dim1, int dim2) {
    int r = x.type().rank();
    int d1 = Builder.normalizeDim(dim1, r);
    int d2 = Builder.normalizeDim(dim2, r);
    checkDistinct(d1, d2, dim1, dim2);
    int m = staticSize(x, d1, "diagonal");
    int n = staticSize(x, d2, "diagonal");
    int[] order = new int[r];
    List<Dim> flat = new ArrayList<>();
    int k = 0;
    for (int i = 0; i < r; i++) {
      if (i != d1 && i != d2) {
        order[k++] = i;
        flat.add(x.type().dim(i));
      }
    }
    order[k] = d1;
    order[k + 1] = d2;
    flat.add(Dim.of(m * n));
    Value rows = b.reshape(b.permute(x, order), flat);
    int length = Math.max(0, offset >= 0 ? Math.min(m, n - offset) : Math.min(m + offset, n));
    int start = length == 0 ? 0 : offset >= 0 ? offset : -offset * n;
    return b.slice(rows, r - 2, start, n + 1, length);
  }

  private static void checkDistinct(int d1, int d2, int dim1, int dim2) {
    if (d1 == d2) {
      throw new GradcException("diagonal dimensions cannot be identical " + dim1 + ", " + dim2);
    }
  }

  /**
   * {@code torch.diag_embed(x, offset, dim1, dim2)}: the last dim of {@code x} written on the
   * {@code offset}-th diagonal of dims {@code dim1} and {@code dim2} of the result (one dim more),
   * zeros elsewhere.
   */
  public static Value diagEmbed(Builder b, Value x, int offset, int dim1, int dim2) {
    int r = x.type().rank() + 1;
    int d1 = Builder.normalizeDim(dim1, r);
    int d2 = Builder.normalizeDim(dim2, r);
    checkDistinct(d1, d2, dim1, dim2);
    int n = staticSize(x, r - 2, "diag_embed");
    int size = n + Math.abs(offset);
    List<Dim> flat = new ArrayList<>(x.type().dims());
    flat.set(r - 2, Dim.of(size * size));
    int start = offset >= 0 ? offset : -offset * size;
    Value embedded = b.sliceBackward(x, flat, r - 2, start, size + 1);
    List<Dim> square = new ArrayList<>(x.type().dims().subList(0, r - 2));
    square.add(Dim.of(size));
    square.add(Dim.of(size));
    Value matrices = b.reshape(embedded, square);
    // output dim p reads axis order[p] of [others..., rows, cols]
    int[] order = new int[r];
    int k = 0;
    for (int p = 0; p < r; p++) {
      order[p] = p == d1 ? r - 2 : p == d2 ? r - 1 : k++;
    }
    return b.permute(matrices, order);
  }

  /**
   * {@code torch.diag(x, diagonal)}: the matrix with the vector {@code x} on its {@code
   * diagonal}-th diagonal, or the {@code diagonal}-th diagonal of the matrix {@code x}.
   */
  public static Value diag(Builder b, Value x, int diagonal) {
    return switch (x.type().rank()) {
      case 1 -> diagEmbed(b, x, diagonal, 0, 1);
      case 2 -> diagonal(b, x, diagonal, 0, 1);
      default -> throw new GradcException("matrix or a vector expected");
    };
  }

  /**
   * {@code torch.trace(x)}: the sum of the main diagonal of a matrix (integers sum into i64), with
   * PyTorch's gradient.
   */
  public static Value trace(Builder b, Value x) {
    if (x.type().rank() != 2) {
      throw new GradcException(
          "trace: expected a matrix, but got tensor with dim " + x.type().rank());
    }
    if (x.type().dtype() == DType.BOOL) {
      throw new GradcException("\"trace\" not implemented for 'Bool'");
    }
    Value sum = b.sum(diagonal(b, x, 0, 0, 1));
    int m = x.type().dim(0).size();
    int n = x.type().dim(1).size();
    if (m <= n || n == 0 || !x.type().dtype().isFloat()) {
      return sum;
    }
    // PyTorch's trace_backward writes the gradient at every (n + 1)-th element of the flattened
    // matrix, so a tall matrix's gradient reaches elements below the diagonal too: a zero-valued
    // term with slope 1 at those elements (0 at infinities, whose difference would be NaN).
    Value flat = b.reshape(x, List.of(Dim.of(m * n)));
    int count = (m * n + n) / (n + 1);
    Value below = b.slice(flat, 0, n * (n + 1), n + 1, count - n);
    Value finite = b.binary(Op.LT, b.abs(below), Builder.lit(Double.POSITIVE_INFINITY, DType.F64));
    Value kept = b.where(finite, below, Builder.lit(0, x.type().dtype()));
    return b.add(sum, b.sum(b.sub(kept, b.detach(kept))));
  }
}
