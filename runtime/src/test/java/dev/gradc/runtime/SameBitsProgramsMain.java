package dev.gradc.runtime;

import dev.gradc.codegen.lib.VectorSupport;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Op;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Prints, for 1, 2 and 7 threads, one line {@code threads digest}, then {@code vector true} when
 * the library's Vector API forms ran ({@code false} otherwise): a digest of the values and
 * gradients of reduction-heavy programs (full, per-row and per-column sums, softmax, matrix-vector
 * and matrix products; f64 and f32) compiled by {@link Kernels#compile}, at lengths on and around
 * the boundaries where the work splits: the inner loops' unrolling (4), the logical sum block (16),
 * the chunk of a split loop (2^15 elements), the GEMM's tiles (12 rows, 512 columns) and gemv's row
 * blocks (256). {@code SameBitsProgramsTest} runs it in JVMs with and without the vector module and
 * with 128-, 256- and 512-bit vectors.
 */
public final class SameBitsProgramsMain {
  private SameBitsProgramsMain() {}

  static final int CHUNK = 1 << 15;

  public static void main(String[] args) throws NoSuchAlgorithmException {
    List<Case> cases = cases();
    for (int threads : new int[] {1, 2, 7}) {
      Executor.setThreads(threads);
      System.out.println(threads + " " + digest(cases));
    }
    // Whether the products ran in their Vector API forms.
    System.out.println("vector " + VectorSupport.enabled());
  }

  /** A compiled vjp and the shapes of its arguments to run it at. */
  record Case(CompiledFunction f, List<int[][]> shapes) {}

  static List<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (DType dt : new DType[] {DType.F64, DType.F32}) {
      List<int[][]> flat = new ArrayList<>();
      for (int n :
          new int[] {1, 3, 4, 5, 15, 16, 17, 33, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17}) {
        flat.add(new int[][] {{n}, {n}});
      }
      out.add(new Case(Kernels.compile(sums(dt)), flat));
      List<int[][]> rows = new ArrayList<>();
      for (int c : new int[] {1, 3, 4, 5, 16, 17, 33}) {
        for (int r : new int[] {1, 7, CHUNK / c - 1, CHUNK / c + 1, 2 * CHUNK / c + 3}) {
          rows.add(new int[][] {{r, c}, {r, c}});
        }
      }
      out.add(new Case(Kernels.compile(rows(dt)), rows));
      List<int[][]> gemv = new ArrayList<>();
      for (int[] s :
          new int[][] {{1, 1}, {255, 32}, {256, 32}, {257, 7}, {5000, 32}, {CHUNK + 3, 4}}) {
        gemv.add(new int[][] {{s[0], s[1]}, {s[0]}, {s[1]}});
      }
      out.add(new Case(Kernels.compile(logistic(dt)), gemv));
      List<int[][]> mm = new ArrayList<>();
      for (int[] s :
          new int[][] {{1, 1, 1}, {13, 37, 33}, {97, 70, 513}, {64, 64, 64}, {25, 200, 40}}) {
        mm.add(new int[][] {{s[0], s[1]}, {s[1], s[2]}, {s[2]}});
      }
      out.add(new Case(Kernels.compile(layer(dt)), mm));
    }
    return out;
  }

  private static Type type(DType dt, String... dims) {
    List<Dim> ds = new ArrayList<>();
    for (String d : dims) {
      ds.add(Dim.sym(d));
    }
    return new Type(dt, ds);
  }

  /** {@code sum(w * x) + mean(tanh(w)) + sum(w ** 2) / N}: full sums. */
  static Func sums(DType dt) {
    Builder b = new Builder("sums_" + dt);
    Value w = b.param("w", type(dt, "N"));
    Value x = b.input("x", type(dt, "N"));
    Value s = b.add(b.sum(b.mul(w, x)), b.mean(b.unary(Op.TANH, w)));
    b.ret(b.add(s, b.mean(b.square(w))));
    return Autodiff.vjp(b.build());
  }

  /** {@code mean(log_softmax(w, 1) * y) + sum(sum(w, 0) ** 2)}: row and column sums. */
  static Func rows(DType dt) {
    Builder b = new Builder("rows_" + dt);
    Value w = b.param("w", type(dt, "R", "C"));
    Value y = b.input("y", type(dt, "R", "C"));
    Value rowPart = b.mean(b.mul(b.logSoftmax(w, 1), y));
    Value cols = b.sum(w, new int[] {0}, false);
    b.ret(b.add(rowPart, b.sum(b.square(cols))));
    return Autodiff.vjp(b.build());
  }

  /** {@code mean(softplus(-y * (x @ w)))}: the benchmark's logistic regression. */
  static Func logistic(DType dt) {
    Builder b = new Builder("logistic_" + dt);
    Value x = b.input("x", type(dt, "N", "K"));
    Value y = b.input("y", type(dt, "N"));
    Value w = b.param("w", type(dt, "K"));
    b.ret(b.mean(b.unary(Op.SOFTPLUS, b.mul(b.neg(y), b.matmul(x, w)))));
    return Autodiff.vjp(b.build());
  }

  /** {@code mean(relu(x @ w + bias) ** 2)} with every operand a parameter: GEMM both ways. */
  static Func layer(DType dt) {
    Builder b = new Builder("layer_" + dt);
    Value x = b.param("x", type(dt, "N", "K"));
    Value w = b.param("w", type(dt, "K", "M"));
    Value bias = b.param("bias", type(dt, "M"));
    Value h = b.unary(Op.RELU, b.add(b.matmul(x, w), bias));
    b.ret(b.mean(b.square(h)));
    return Autodiff.vjp(b.build());
  }

  /** The digest of every case's results at every shape, on fixed arguments. */
  static String digest(List<Case> cases) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (Case c : cases) {
      List<Dtyped> params = params(c.f.func());
      for (int[][] shapes : c.shapes) {
        SplittableRandom rnd = new SplittableRandom(shapes.length * 31L + shapes[0][0]);
        Object[] args = new Object[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
          int len = 1;
          for (int d : shapes[i]) {
            len *= d;
          }
          args[i] = random(rnd, len, params.get(i).dt);
        }
        for (Object r : c.f.call(args, shapes, null)) {
          update(md, r);
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private record Dtyped(DType dt) {}

  private static List<Dtyped> params(Func f) {
    List<Dtyped> out = new ArrayList<>();
    for (Value p : f.params()) {
      out.add(new Dtyped(p.type().dtype()));
    }
    return out;
  }

  private static Object random(SplittableRandom rnd, int len, DType dt) {
    if (dt == DType.F32) {
      float[] a = new float[len];
      for (int i = 0; i < len; i++) {
        a[i] = (float) rnd.nextDouble(-2, 2);
      }
      return a;
    }
    double[] a = new double[len];
    for (int i = 0; i < len; i++) {
      a[i] = rnd.nextDouble(-2, 2);
    }
    return a;
  }

  private static void update(MessageDigest md, Object r) {
    if (r instanceof float[] f) {
      ByteBuffer bb = ByteBuffer.allocate(4 * f.length);
      for (float v : f) {
        bb.putFloat(v);
      }
      md.update(bb.array());
    } else {
      double[] d = (double[]) r;
      ByteBuffer bb = ByteBuffer.allocate(8 * d.length);
      for (double v : d) {
        bb.putDouble(v);
      }
      md.update(bb.array());
    }
  }
}
