package dev.gradc.codegen.lib;

import dev.gradc.codegen.lib.vector.GemmVector;
import dev.gradc.codegen.lib.vector.ReduceVector;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Prints a digest of the library's results on fixed inputs: products, matrix-vector products and
 * sums of every length around the block boundaries, computed by the vector forms when {@link
 * VectorSupport#enabled} and by the scalar forms otherwise. {@code SameBitsTest} runs it in JVMs
 * with and without the vector module and with vectors of 128, 256 and 512 bits, standing in for
 * NEON, AVX2 and AVX-512 machines: one digest means the same bits everywhere. A second line says
 * which form ran: the f32 lanes of the preferred vector species, or 0 for the scalar forms.
 */
public final class SameBitsMain {
  private SameBitsMain() {}

  public static void main(String[] args) throws NoSuchAlgorithmException {
    boolean vector = VectorSupport.enabled();
    System.out.println(digest(vector));
    // Which form ran: the f32 lanes of the preferred species, or none.
    System.out.println(vector ? Vector.floatLanes() : 0);
  }

  /** The digest, from the vector forms or the scalar ones. */
  static String digest(boolean vector) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    SplittableRandom rnd = new SplittableRandom(42);
    int[][] shapes = {
      {1, 1, 1},
      {13, 37, 33},
      {50, 300, 70},
      {97, 5, 513},
      {12, 256, 32},
      {100, 40, 10},
      {70, 300, 3}
    };
    for (int[] s : shapes) {
      int n = s[0];
      int k = s[1];
      int m = s[2];
      int[] g = {0, n, k, m, k, 1, m, 1};
      float[] a = GemmTest.randomF32(rnd, n * k);
      float[] b = GemmTest.randomF32(rnd, k * m);
      float[] c = new float[n * m];
      double[] a64 = GemmTest.randomF64(rnd, n * k);
      double[] b64 = GemmTest.randomF64(rnd, k * m);
      double[] c64 = new double[n * m];
      double[] y64 = new double[n];
      float[] y = new float[n];
      if (vector) {
        Vector.products(a, b, c, a64, b64, c64, y, y64, g);
      } else {
        Gemm.matmulF32(a, b, c, g);
        Gemm.matmulF64(a64, b64, c64, g);
        Gemm.gemvF32(a, 0, k, 1, b, 0, m, y, 0, 0, n, k, false);
        Gemm.gemvF64(a64, 0, k, 1, b64, 0, m, y64, 0, 0, n, k, false);
      }
      for (float v : c) {
        md.update(ByteBuffer.allocate(4).putFloat(v).array());
      }
      for (double v : c64) {
        md.update(ByteBuffer.allocate(8).putDouble(v).array());
      }
      for (float v : y) {
        md.update(ByteBuffer.allocate(4).putFloat(v).array());
      }
      for (double v : y64) {
        md.update(ByteBuffer.allocate(8).putDouble(v).array());
      }
    }
    double[] x = GemmTest.randomF64(rnd, 1000);
    float[] x32 = GemmTest.randomF32(rnd, 1000);
    for (int n = 0; n < 300; n += 1 + n / 20) {
      double[] sums =
          vector
              ? Vector.sums(x, x32, n)
              : new double[] {
                Reduce.sumF64(x, 3, 3 + n),
                Reduce.sumF32(x32, 5, 5 + n),
                Reduce.dotF64(x, 1, x, 2, n),
                Reduce.dotF32(x32, 1, x32, 2, n)
              };
      for (double v : sums) {
        md.update(ByteBuffer.allocate(8).putDouble(v).array());
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The vector forms, in a class of their own: loaded only when the module is present. */
  private static final class Vector {
    static void products(
        float[] a,
        float[] b,
        float[] c,
        double[] a64,
        double[] b64,
        double[] c64,
        float[] y,
        double[] y64,
        int[] g) {
      int n = g[1];
      int k = g[2];
      int m = g[3];
      GemmVector.matmulF32(a, b, c, g);
      GemmVector.matmulF64(a64, b64, c64, g);
      GemmVector.gemvF32(a, 0, k, 1, b, 0, m, y, 0, 0, n, k, false);
      GemmVector.gemvF64(a64, 0, k, 1, b64, 0, m, y64, 0, 0, n, k, false);
    }

    static int floatLanes() {
      return dev.gradc.codegen.lib.vector.Species.floatLanes();
    }

    static double[] sums(double[] x, float[] x32, int n) {
      return new double[] {
        ReduceVector.sumF64(x, 3, 3 + n),
        ReduceVector.sumF32(x32, 5, 5 + n),
        ReduceVector.dotF64(x, 1, x, 2, n),
        ReduceVector.dotF32(x32, 1, x32, 2, n)
      };
    }
  }
}
