package dev.gradc.codegen.lib.vector;

import dev.gradc.codegen.lib.Gemm;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s products with the JDK's Vector API: the same tiles, the same epilogue hook and the
 * same bits (each element of C from {@code +0.0} through one fused multiply-add per product in
 * ascending order of the shared dim), faster. Loaded only where {@code jdk.incubator.vector} is
 * readable.
 *
 * <p>Blocking, as in BLIS and OpenBLAS: for each block of {@link #KC} products, B's columns of the
 * run are packed into slivers two vectors wide (zero-padded), A's rows in blocks of {@link #MC}
 * into slivers of 12 rows (6 with vectors narrower than 512 bits, which come with 16 registers),
 * and a micro-kernel keeps a 12 x 2-vector block of C in registers across the block: per product,
 * two vector loads of B, twelve broadcasts of A and 24 fused multiply-adds. A partial block at an
 * edge runs through a zero-padded scratch block. C's elements are loaded at the start of each block
 * of products and stored at its end: stored partial sums are the chain's own values, so the
 * blocking changes nothing. A block of C narrower than half a sliver (a classifier's 10 logits)
 * runs transposed, B's columns broadcast against A's rows in vectors, since {@code fma(b, a, c)}
 * equals {@code fma(a, b, c)}. Packing copies with vectors where the source is contiguous along the
 * sliver, and gathers across the sliver's rows where it is contiguous along the shared dim.
 *
 * <p>Species are read from the {@code SPECIES_PREFERRED} constants inside each method (never held
 * in fields), so the class has no fields and its methods can be copied into generated classes.
 *
 * <p>Its f32 and f64 methods are twins on purpose, line for line: Java has no generics over
 * primitive arrays, boxing or a shared method taking {@code double} per element would cost the
 * vectorized loop its speed, and {@code LibraryCopier} copies each method into a generated class by
 * name, so a method must stand alone. A change to one twin is made to the other in the same commit;
 * the bit-identity tests ({@code GemmBitsTest}, {@code ReduceTest}) run both.
 */
public final class GemmVector {
  private GemmVector() {}

  /** Products per block of the shared dim: a B sliver of 256 x 32 f32 is 32 KB, in L1. */
  static final int KC = 256;

  /** Rows of A per packed block: 96 x 256 f32 is 96 KB, in L2. */
  static final int MC = 96;

  /** Micro-kernel rows: 12 when 32 vector registers hold 24 accumulators, else 6. */
  static int rowsPerKernel(int vectorBits) {
    return vectorBits >= 512 ? 12 : 6;
  }

  /** Tiles {@code [from, to)} of C, as {@code Gemm.matmulF32} computes them, bit for bit. */
  public static void matmulF32(
      float[] a, float[] b, float[] c, int[] g, int from, int to, float[] bias, int act) {
    matmulF32(null, a, b, c, g, from, to, bias, act);
  }

  /**
   * Tiles {@code [from, to)} of C, packing into this thread's arrays of {@code scratch} (kept from
   * call to call: no allocation once they are large enough), or into new arrays when it is null.
   */
  public static void matmulF32(
      ThreadLocal<float[][]> scratch,
      float[] a,
      float[] b,
      float[] c,
      int[] g,
      int from,
      int to,
      float[] bias,
      int act) {
    int[] r = new int[7];
    for (int t = from; t < to; ) {
      t = Gemm.run(g, t, to, r);
      if (r[6] > 0 && r[4] > r[3]) {
        blockF32(scratch, a, b, c, g, r[0], r[1], r[2], r[3], r[4], r[5], r[6], bias, act);
      }
    }
  }

  /**
   * Array {@code i} (0 to 2) of this thread's in {@code scratch}, at least {@code length} long and
   * holding what the last product left there (packing writes every element it reads), or a new
   * array when {@code scratch} is null.
   */
  private static float[] scratchF32(ThreadLocal<float[][]> scratch, int i, int length) {
    if (scratch == null) {
      return new float[length];
    }
    float[][] s = scratch.get();
    if (s == null) {
      s = new float[3][];
      scratch.set(s);
    }
    if (s[i] == null || s[i].length < length) {
      s[i] = new float[length];
    }
    return s[i];
  }

  /** The full product, no epilogue. */
  public static void matmulF32(float[] a, float[] b, float[] c, int[] g) {
    matmulF32(a, b, c, g, 0, Gemm.tiles(g), null, 0);
  }

  /** Rows {@code [i0, i1)} and columns {@code [j0, j0 + w)} of one product. */
  private static void blockF32(
      ThreadLocal<float[][]> scratch,
      float[] a,
      float[] b,
      float[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      float[] bias,
      int act) {
    int m = g[3];
    int mr = rowsPerKernel(FloatVector.SPECIES_PREFERRED.vectorBitSize());
    int nr = 2 * FloatVector.SPECIES_PREFERRED.length();
    for (int i = i0; i < i1; i++) {
      java.util.Arrays.fill(c, cOff + i * m + j0, cOff + i * m + j0 + w, 0f);
    }
    if (2 * w <= nr && i1 - i0 >= nr) {
      narrowF32(scratch, a, b, c, g, aOff, bOff, cOff, i0, i1, j0, w, mr, nr);
    } else {
      wideF32(scratch, a, b, c, g, aOff, bOff, cOff, i0, i1, j0, w, mr, nr);
    }
    for (int i = i0; i < i1; i++) {
      epilogueF32(c, cOff + i * m + j0, w, j0, bias, act);
    }
  }

  /**
   * The block as slivers of {@code mr} rows by {@code nr} columns: A's rows broadcast, B's columns
   * in vectors.
   */
  private static void wideF32(
      ThreadLocal<float[][]> scratch,
      float[] a,
      float[] b,
      float[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      int mr,
      int nr) {
    int k = g[2];
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    int kBlocks = Math.max(1, (k + KC - 1) / KC);
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int wPadded = (w + nr - 1) / nr * nr;
    int mcMax = Math.min(MC, (i1 - i0 + mr - 1) / mr * mr);
    float[] bp = scratchF32(scratch, 0, Math.max(1, kcMax) * wPadded);
    float[] ap =
        scratchF32(scratch, 1, Math.max(1, kcMax) * mcMax + FloatVector.SPECIES_PREFERRED.length());
    float[] tmp = scratchF32(scratch, 2, mr * nr);
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      packF32(b, bOff + pc * g[6] + j0 * g[7], g[6], g[7], kc, w, nr, bp);
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = Math.min(MC, i1 - ic);
        packF32(a, aOff + ic * aRow + pc * aCol, aCol, aRow, kc, mc, mr, ap);
        for (int jr = 0; jr < w; jr += nr) {
          int nv = Math.min(nr, w - jr);
          for (int ir = 0; ir < mc; ir += mr) {
            int mv = Math.min(mr, mc - ir);
            int co = cOff + (ic + ir) * m + j0 + jr;
            if (mv == mr && nv == nr) {
              kernelF32(mr, kc, ap, ir * kc, bp, jr * kc, c, co, m);
            } else {
              for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                  tmp[r * nr + j] = r < mv && j < nv ? c[co + r * m + j] : 0f;
                }
              }
              kernelF32(mr, kc, ap, ir * kc, bp, jr * kc, tmp, 0, nr);
              for (int r = 0; r < mv; r++) {
                System.arraycopy(tmp, r * nr, c, co + r * m, nv);
              }
            }
          }
        }
      }
    }
  }

  /**
   * A block narrower than half a sliver (such as the 10 classes of a classifier's logits) computed
   * transposed, {@code C^T = B^T A^T}: slivers of {@code mr} columns broadcast from B against
   * {@code nr} rows of A in vectors, through a scratch tile. {@code fma(b, a, c)} is {@code fma(a,
   * b, c)}, so each element keeps its chain.
   */
  private static void narrowF32(
      ThreadLocal<float[][]> scratch,
      float[] a,
      float[] b,
      float[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      int mr,
      int nr) {
    int k = g[2];
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    int kBlocks = Math.max(1, (k + KC - 1) / KC);
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int wPadded = (w + mr - 1) / mr * mr;
    int mcMax = Math.min(MC, (i1 - i0 + nr - 1) / nr * nr);
    float[] bt =
        scratchF32(
            scratch, 0, Math.max(1, kcMax) * wPadded + FloatVector.SPECIES_PREFERRED.length());
    float[] at =
        scratchF32(scratch, 1, Math.max(1, kcMax) * mcMax + FloatVector.SPECIES_PREFERRED.length());
    float[] tmp = scratchF32(scratch, 2, mr * nr);
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      packF32(b, bOff + pc * g[6] + j0 * g[7], g[6], g[7], kc, w, mr, bt);
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = Math.min(MC, i1 - ic);
        packF32(a, aOff + ic * aRow + pc * aCol, aCol, aRow, kc, mc, nr, at);
        for (int ir = 0; ir < mc; ir += nr) {
          int nv = Math.min(nr, mc - ir);
          for (int jr = 0; jr < w; jr += mr) {
            int mv = Math.min(mr, w - jr);
            int co = cOff + (ic + ir) * m + j0 + jr;
            // tmp[r * nr + i] is C[ic + ir + i][j0 + jr + r].
            for (int r = 0; r < mr; r++) {
              for (int i = 0; i < nr; i++) {
                tmp[r * nr + i] = r < mv && i < nv ? c[co + i * m + r] : 0f;
              }
            }
            kernelF32(mr, kc, bt, jr * kc, at, ir * kc, tmp, 0, nr);
            for (int r = 0; r < mv; r++) {
              for (int i = 0; i < nv; i++) {
                c[co + i * m + r] = tmp[r * nr + i];
              }
            }
          }
        }
      }
    }
  }

  private static void kernelF32(
      int mr, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
    if (mr == 12) {
      kernel12F32(kc, ap, ao, bp, bo, c, co, ldc);
    } else {
      kernel6F32(kc, ap, ao, bp, bo, c, co, ldc);
    }
  }

  /**
   * Packs {@code x[off + p * pStep + q * qStep]} for {@code p < kc}, {@code q < len} as slivers of
   * {@code width} values of q per p ({@code out[q0 * kc + p * width + (q - q0)]}, {@code q0} a
   * multiple of {@code width}), zero beyond {@code len}: B's columns in slivers of the kernel's
   * width, or A's rows in slivers of its height.
   */
  private static void packF32(
      float[] x, int off, int pStep, int qStep, int kc, int len, int width, float[] out) {
    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
    int vl = s.length();
    // Gather offsets of a sliver's rows, clamped to its last row, for each vector of the sliver.
    int[] rows = new int[(width + vl - 1) / vl * vl];
    for (int q = 0; q < rows.length; q++) {
      rows[q] = Math.min(q, width - 1) * qStep;
    }
    for (int q0 = 0; q0 < len; q0 += width) {
      int base = q0 * kc;
      int qn = Math.min(width, len - q0);
      if (qStep == 1 && (width % vl == 0 || qn == width)) {
        // Contiguous along q (B's rows, A^T's columns): vector copies, masked at the edge (zeros
        // beyond len). Stores go in ascending order: lanes past the sliver's width land in the
        // next sliver's place before it is written (the buffer has a vector of slack after the
        // last), so a whole sliver reads unmasked up to the end of x.
        for (int p = 0; p < kc; p++) {
          int src = off + p * pStep + q0;
          int dst = base + p * width;
          for (int q = 0; q < width; q += vl) {
            if (q + vl <= qn || (qn == width && src + q + vl <= x.length)) {
              FloatVector.fromArray(s, x, src + q).intoArray(out, dst + q);
            } else {
              VectorMask<Float> in = s.indexInRange(q, qn);
              FloatVector.fromArray(s, x, src + q, in).intoArray(out, dst + q);
            }
          }
        }
      } else if (pStep == 1 && qn == width) {
        // Contiguous along p (A's rows), a whole sliver: gathers across its rows, stored in
        // ascending order, so lanes past the sliver's width (copies of its last row) are
        // overwritten by the next store; the buffer has a vector of slack after the last.
        int src = off + q0 * qStep;
        for (int p = 0; p < kc; p++) {
          int dst = base + p * width;
          for (int q = 0; q < width; q += vl) {
            FloatVector.fromArray(s, x, src + p, rows, q).intoArray(out, dst + q);
          }
        }
      } else if (pStep == 1) {
        // Contiguous along p (A's rows): read each row in order, write it with the sliver's stride.
        for (int q = 0; q < width; q++) {
          int dst = base + q;
          if (q < qn) {
            int src = off + (q0 + q) * qStep;
            for (int p = 0; p < kc; p++) {
              out[dst + p * width] = x[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              out[dst + p * width] = 0f;
            }
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = off + p * pStep + q0 * qStep;
          int dst = base + p * width;
          for (int q = 0; q < qn; q++) {
            out[dst + q] = x[src + q * qStep];
          }
          for (int q = qn; q < width; q++) {
            out[dst + q] = 0f;
          }
        }
      }
    }
  }

  /** {@code Gemm.epilogueF32}, vectorized: the same bits. */
  public static void epilogueF32(float[] c, int off, int len, int col, float[] bias, int act) {
    if (bias == null && act == 0) {
      return;
    }
    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
    for (int j = 0; j < len; j += s.length()) {
      VectorMask<Float> in = s.indexInRange(j, len);
      FloatVector v = FloatVector.fromArray(s, c, off + j, in);
      if (bias != null) {
        v = v.add(FloatVector.fromArray(s, bias, col + j, in));
      }
      if (act == 1) {
        v = v.blend(0f, v.compare(VectorOperators.LE, 0f));
      }
      v.intoArray(c, off + j, in);
    }
  }

  /**
   * C[12 x 2 vectors] at {@code co} (row stride {@code ldc}) += A sliver x B sliver, ascending p.
   */
  private static void kernel12F32(
      int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
    int w = s.length();
    FloatVector c00 = FloatVector.fromArray(s, c, co);
    FloatVector c01 = FloatVector.fromArray(s, c, co + w);
    FloatVector c10 = FloatVector.fromArray(s, c, co + ldc);
    FloatVector c11 = FloatVector.fromArray(s, c, co + ldc + w);
    FloatVector c20 = FloatVector.fromArray(s, c, co + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(s, c, co + 2 * ldc + w);
    FloatVector c30 = FloatVector.fromArray(s, c, co + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(s, c, co + 3 * ldc + w);
    FloatVector c40 = FloatVector.fromArray(s, c, co + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(s, c, co + 4 * ldc + w);
    FloatVector c50 = FloatVector.fromArray(s, c, co + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(s, c, co + 5 * ldc + w);
    FloatVector c60 = FloatVector.fromArray(s, c, co + 6 * ldc);
    FloatVector c61 = FloatVector.fromArray(s, c, co + 6 * ldc + w);
    FloatVector c70 = FloatVector.fromArray(s, c, co + 7 * ldc);
    FloatVector c71 = FloatVector.fromArray(s, c, co + 7 * ldc + w);
    FloatVector c80 = FloatVector.fromArray(s, c, co + 8 * ldc);
    FloatVector c81 = FloatVector.fromArray(s, c, co + 8 * ldc + w);
    FloatVector c90 = FloatVector.fromArray(s, c, co + 9 * ldc);
    FloatVector c91 = FloatVector.fromArray(s, c, co + 9 * ldc + w);
    FloatVector c100 = FloatVector.fromArray(s, c, co + 10 * ldc);
    FloatVector c101 = FloatVector.fromArray(s, c, co + 10 * ldc + w);
    FloatVector c110 = FloatVector.fromArray(s, c, co + 11 * ldc);
    FloatVector c111 = FloatVector.fromArray(s, c, co + 11 * ldc + w);
    for (int p = 0; p < kc; p++) {
      int bb = bo + p * 2 * w;
      int aa = ao + p * 12;
      FloatVector b0 = FloatVector.fromArray(s, bp, bb);
      FloatVector b1 = FloatVector.fromArray(s, bp, bb + w);
      FloatVector a0 = FloatVector.broadcast(s, ap[aa]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(s, ap[aa + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(s, ap[aa + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(s, ap[aa + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(s, ap[aa + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(s, ap[aa + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(s, ap[aa + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(s, ap[aa + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
      FloatVector a8 = FloatVector.broadcast(s, ap[aa + 8]);
      c80 = a8.fma(b0, c80);
      c81 = a8.fma(b1, c81);
      FloatVector a9 = FloatVector.broadcast(s, ap[aa + 9]);
      c90 = a9.fma(b0, c90);
      c91 = a9.fma(b1, c91);
      FloatVector a10 = FloatVector.broadcast(s, ap[aa + 10]);
      c100 = a10.fma(b0, c100);
      c101 = a10.fma(b1, c101);
      FloatVector a11 = FloatVector.broadcast(s, ap[aa + 11]);
      c110 = a11.fma(b0, c110);
      c111 = a11.fma(b1, c111);
    }
    c00.intoArray(c, co);
    c01.intoArray(c, co + w);
    c10.intoArray(c, co + ldc);
    c11.intoArray(c, co + ldc + w);
    c20.intoArray(c, co + 2 * ldc);
    c21.intoArray(c, co + 2 * ldc + w);
    c30.intoArray(c, co + 3 * ldc);
    c31.intoArray(c, co + 3 * ldc + w);
    c40.intoArray(c, co + 4 * ldc);
    c41.intoArray(c, co + 4 * ldc + w);
    c50.intoArray(c, co + 5 * ldc);
    c51.intoArray(c, co + 5 * ldc + w);
    c60.intoArray(c, co + 6 * ldc);
    c61.intoArray(c, co + 6 * ldc + w);
    c70.intoArray(c, co + 7 * ldc);
    c71.intoArray(c, co + 7 * ldc + w);
    c80.intoArray(c, co + 8 * ldc);
    c81.intoArray(c, co + 8 * ldc + w);
    c90.intoArray(c, co + 9 * ldc);
    c91.intoArray(c, co + 9 * ldc + w);
    c100.intoArray(c, co + 10 * ldc);
    c101.intoArray(c, co + 10 * ldc + w);
    c110.intoArray(c, co + 11 * ldc);
    c111.intoArray(c, co + 11 * ldc + w);
  }

  /**
   * C[6 x 2 vectors] at {@code co} (row stride {@code ldc}) += A sliver x B sliver, ascending p.
   */
  private static void kernel6F32(
      int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
    int w = s.length();
    FloatVector c00 = FloatVector.fromArray(s, c, co);
    FloatVector c01 = FloatVector.fromArray(s, c, co + w);
    FloatVector c10 = FloatVector.fromArray(s, c, co + ldc);
    FloatVector c11 = FloatVector.fromArray(s, c, co + ldc + w);
    FloatVector c20 = FloatVector.fromArray(s, c, co + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(s, c, co + 2 * ldc + w);
    FloatVector c30 = FloatVector.fromArray(s, c, co + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(s, c, co + 3 * ldc + w);
    FloatVector c40 = FloatVector.fromArray(s, c, co + 4 * ldc);
    FloatVector c41 = FloatVector.fromArray(s, c, co + 4 * ldc + w);
    FloatVector c50 = FloatVector.fromArray(s, c, co + 5 * ldc);
    FloatVector c51 = FloatVector.fromArray(s, c, co + 5 * ldc + w);
    for (int p = 0; p < kc; p++) {
      int bb = bo + p * 2 * w;
      int aa = ao + p * 6;
      FloatVector b0 = FloatVector.fromArray(s, bp, bb);
      FloatVector b1 = FloatVector.fromArray(s, bp, bb + w);
      FloatVector a0 = FloatVector.broadcast(s, ap[aa]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(s, ap[aa + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(s, ap[aa + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(s, ap[aa + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(s, ap[aa + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(s, ap[aa + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
    }
    c00.intoArray(c, co);
    c01.intoArray(c, co + w);
    c10.intoArray(c, co + ldc);
    c11.intoArray(c, co + ldc + w);
    c20.intoArray(c, co + 2 * ldc);
    c21.intoArray(c, co + 2 * ldc + w);
    c30.intoArray(c, co + 3 * ldc);
    c31.intoArray(c, co + 3 * ldc + w);
    c40.intoArray(c, co + 4 * ldc);
    c41.intoArray(c, co + 4 * ldc + w);
    c50.intoArray(c, co + 5 * ldc);
    c51.intoArray(c, co + 5 * ldc + w);
  }

  /** Tiles {@code [from, to)} of C, as {@code Gemm.matmulF64} computes them, bit for bit. */
  public static void matmulF64(
      double[] a, double[] b, double[] c, int[] g, int from, int to, double[] bias, int act) {
    matmulF64(null, a, b, c, g, from, to, bias, act);
  }

  /**
   * Tiles {@code [from, to)} of C, packing into this thread's arrays of {@code scratch} (kept from
   * call to call: no allocation once they are large enough), or into new arrays when it is null.
   */
  public static void matmulF64(
      ThreadLocal<double[][]> scratch,
      double[] a,
      double[] b,
      double[] c,
      int[] g,
      int from,
      int to,
      double[] bias,
      int act) {
    int[] r = new int[7];
    for (int t = from; t < to; ) {
      t = Gemm.run(g, t, to, r);
      if (r[6] > 0 && r[4] > r[3]) {
        blockF64(scratch, a, b, c, g, r[0], r[1], r[2], r[3], r[4], r[5], r[6], bias, act);
      }
    }
  }

  /**
   * Array {@code i} (0 to 2) of this thread's in {@code scratch}, at least {@code length} long and
   * holding what the last product left there (packing writes every element it reads), or a new
   * array when {@code scratch} is null.
   */
  private static double[] scratchF64(ThreadLocal<double[][]> scratch, int i, int length) {
    if (scratch == null) {
      return new double[length];
    }
    double[][] s = scratch.get();
    if (s == null) {
      s = new double[3][];
      scratch.set(s);
    }
    if (s[i] == null || s[i].length < length) {
      s[i] = new double[length];
    }
    return s[i];
  }

  /** The full product, no epilogue. */
  public static void matmulF64(double[] a, double[] b, double[] c, int[] g) {
    matmulF64(a, b, c, g, 0, Gemm.tiles(g), null, 0);
  }

  /** Rows {@code [i0, i1)} and columns {@code [j0, j0 + w)} of one product. */
  private static void blockF64(
      ThreadLocal<double[][]> scratch,
      double[] a,
      double[] b,
      double[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      double[] bias,
      int act) {
    int m = g[3];
    int mr = rowsPerKernel(DoubleVector.SPECIES_PREFERRED.vectorBitSize());
    int nr = 2 * DoubleVector.SPECIES_PREFERRED.length();
    for (int i = i0; i < i1; i++) {
      java.util.Arrays.fill(c, cOff + i * m + j0, cOff + i * m + j0 + w, 0.0);
    }
    if (2 * w <= nr && i1 - i0 >= nr) {
      narrowF64(scratch, a, b, c, g, aOff, bOff, cOff, i0, i1, j0, w, mr, nr);
    } else {
      wideF64(scratch, a, b, c, g, aOff, bOff, cOff, i0, i1, j0, w, mr, nr);
    }
    for (int i = i0; i < i1; i++) {
      epilogueF64(c, cOff + i * m + j0, w, j0, bias, act);
    }
  }

  /**
   * The block as slivers of {@code mr} rows by {@code nr} columns: A's rows broadcast, B's columns
   * in vectors.
   */
  private static void wideF64(
      ThreadLocal<double[][]> scratch,
      double[] a,
      double[] b,
      double[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      int mr,
      int nr) {
    int k = g[2];
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    int kBlocks = Math.max(1, (k + KC - 1) / KC);
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int wPadded = (w + nr - 1) / nr * nr;
    int mcMax = Math.min(MC, (i1 - i0 + mr - 1) / mr * mr);
    double[] bp = scratchF64(scratch, 0, Math.max(1, kcMax) * wPadded);
    double[] ap =
        scratchF64(
            scratch, 1, Math.max(1, kcMax) * mcMax + DoubleVector.SPECIES_PREFERRED.length());
    double[] tmp = scratchF64(scratch, 2, mr * nr);
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      packF64(b, bOff + pc * g[6] + j0 * g[7], g[6], g[7], kc, w, nr, bp);
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = Math.min(MC, i1 - ic);
        packF64(a, aOff + ic * aRow + pc * aCol, aCol, aRow, kc, mc, mr, ap);
        for (int jr = 0; jr < w; jr += nr) {
          int nv = Math.min(nr, w - jr);
          for (int ir = 0; ir < mc; ir += mr) {
            int mv = Math.min(mr, mc - ir);
            int co = cOff + (ic + ir) * m + j0 + jr;
            if (mv == mr && nv == nr) {
              kernelF64(mr, kc, ap, ir * kc, bp, jr * kc, c, co, m);
            } else {
              for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                  tmp[r * nr + j] = r < mv && j < nv ? c[co + r * m + j] : 0.0;
                }
              }
              kernelF64(mr, kc, ap, ir * kc, bp, jr * kc, tmp, 0, nr);
              for (int r = 0; r < mv; r++) {
                System.arraycopy(tmp, r * nr, c, co + r * m, nv);
              }
            }
          }
        }
      }
    }
  }

  /**
   * A block narrower than half a sliver (such as the 10 classes of a classifier's logits) computed
   * transposed, {@code C^T = B^T A^T}: slivers of {@code mr} columns broadcast from B against
   * {@code nr} rows of A in vectors, through a scratch tile. {@code fma(b, a, c)} is {@code fma(a,
   * b, c)}, so each element keeps its chain.
   */
  private static void narrowF64(
      ThreadLocal<double[][]> scratch,
      double[] a,
      double[] b,
      double[] c,
      int[] g,
      int aOff,
      int bOff,
      int cOff,
      int i0,
      int i1,
      int j0,
      int w,
      int mr,
      int nr) {
    int k = g[2];
    int m = g[3];
    int aRow = g[4];
    int aCol = g[5];
    int kBlocks = Math.max(1, (k + KC - 1) / KC);
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int wPadded = (w + mr - 1) / mr * mr;
    int mcMax = Math.min(MC, (i1 - i0 + nr - 1) / nr * nr);
    double[] bt =
        scratchF64(
            scratch, 0, Math.max(1, kcMax) * wPadded + DoubleVector.SPECIES_PREFERRED.length());
    double[] at =
        scratchF64(
            scratch, 1, Math.max(1, kcMax) * mcMax + DoubleVector.SPECIES_PREFERRED.length());
    double[] tmp = scratchF64(scratch, 2, mr * nr);
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      packF64(b, bOff + pc * g[6] + j0 * g[7], g[6], g[7], kc, w, mr, bt);
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = Math.min(MC, i1 - ic);
        packF64(a, aOff + ic * aRow + pc * aCol, aCol, aRow, kc, mc, nr, at);
        for (int ir = 0; ir < mc; ir += nr) {
          int nv = Math.min(nr, mc - ir);
          for (int jr = 0; jr < w; jr += mr) {
            int mv = Math.min(mr, w - jr);
            int co = cOff + (ic + ir) * m + j0 + jr;
            // tmp[r * nr + i] is C[ic + ir + i][j0 + jr + r].
            for (int r = 0; r < mr; r++) {
              for (int i = 0; i < nr; i++) {
                tmp[r * nr + i] = r < mv && i < nv ? c[co + i * m + r] : 0.0;
              }
            }
            kernelF64(mr, kc, bt, jr * kc, at, ir * kc, tmp, 0, nr);
            for (int r = 0; r < mv; r++) {
              for (int i = 0; i < nv; i++) {
                c[co + i * m + r] = tmp[r * nr + i];
              }
            }
          }
        }
      }
    }
  }

  private static void kernelF64(
      int mr, int kc, double[] ap, int ao, double[] bp, int bo, double[] c, int co, int ldc) {
    if (mr == 12) {
      kernel12F64(kc, ap, ao, bp, bo, c, co, ldc);
    } else {
      kernel6F64(kc, ap, ao, bp, bo, c, co, ldc);
    }
  }

  /**
   * Packs {@code x[off + p * pStep + q * qStep]} for {@code p < kc}, {@code q < len} as slivers of
   * {@code width} values of q per p ({@code out[q0 * kc + p * width + (q - q0)]}, {@code q0} a
   * multiple of {@code width}), zero beyond {@code len}: B's columns in slivers of the kernel's
   * width, or A's rows in slivers of its height.
   */
  private static void packF64(
      double[] x, int off, int pStep, int qStep, int kc, int len, int width, double[] out) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int vl = s.length();
    // Gather offsets of a sliver's rows, clamped to its last row, for each vector of the sliver.
    int[] rows = new int[(width + vl - 1) / vl * vl];
    for (int q = 0; q < rows.length; q++) {
      rows[q] = Math.min(q, width - 1) * qStep;
    }
    for (int q0 = 0; q0 < len; q0 += width) {
      int base = q0 * kc;
      int qn = Math.min(width, len - q0);
      if (qStep == 1 && (width % vl == 0 || qn == width)) {
        // Contiguous along q (B's rows, A^T's columns): vector copies, masked at the edge (zeros
        // beyond len). Stores go in ascending order: lanes past the sliver's width land in the
        // next sliver's place before it is written (the buffer has a vector of slack after the
        // last), so a whole sliver reads unmasked up to the end of x.
        for (int p = 0; p < kc; p++) {
          int src = off + p * pStep + q0;
          int dst = base + p * width;
          for (int q = 0; q < width; q += vl) {
            if (q + vl <= qn || (qn == width && src + q + vl <= x.length)) {
              DoubleVector.fromArray(s, x, src + q).intoArray(out, dst + q);
            } else {
              VectorMask<Double> in = s.indexInRange(q, qn);
              DoubleVector.fromArray(s, x, src + q, in).intoArray(out, dst + q);
            }
          }
        }
      } else if (pStep == 1 && qn == width) {
        // Contiguous along p (A's rows), a whole sliver: gathers across its rows, stored in
        // ascending order, so lanes past the sliver's width (copies of its last row) are
        // overwritten by the next store; the buffer has a vector of slack after the last.
        int src = off + q0 * qStep;
        for (int p = 0; p < kc; p++) {
          int dst = base + p * width;
          for (int q = 0; q < width; q += vl) {
            DoubleVector.fromArray(s, x, src + p, rows, q).intoArray(out, dst + q);
          }
        }
      } else if (pStep == 1) {
        // Contiguous along p (A's rows): read each row in order, write it with the sliver's stride.
        for (int q = 0; q < width; q++) {
          int dst = base + q;
          if (q < qn) {
            int src = off + (q0 + q) * qStep;
            for (int p = 0; p < kc; p++) {
              out[dst + p * width] = x[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              out[dst + p * width] = 0.0;
            }
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = off + p * pStep + q0 * qStep;
          int dst = base + p * width;
          for (int q = 0; q < qn; q++) {
            out[dst + q] = x[src + q * qStep];
          }
          for (int q = qn; q < width; q++) {
            out[dst + q] = 0.0;
          }
        }
      }
    }
  }

  /** {@code Gemm.epilogueF64}, vectorized: the same bits. */
  public static void epilogueF64(double[] c, int off, int len, int col, double[] bias, int act) {
    if (bias == null && act == 0) {
      return;
    }
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    for (int j = 0; j < len; j += s.length()) {
      VectorMask<Double> in = s.indexInRange(j, len);
      DoubleVector v = DoubleVector.fromArray(s, c, off + j, in);
      if (bias != null) {
        v = v.add(DoubleVector.fromArray(s, bias, col + j, in));
      }
      if (act == 1) {
        v = v.blend(0.0, v.compare(VectorOperators.LE, 0.0));
      }
      v.intoArray(c, off + j, in);
    }
  }

  /**
   * C[12 x 2 vectors] at {@code co} (row stride {@code ldc}) += A sliver x B sliver, ascending p.
   */
  private static void kernel12F64(
      int kc, double[] ap, int ao, double[] bp, int bo, double[] c, int co, int ldc) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int w = s.length();
    DoubleVector c00 = DoubleVector.fromArray(s, c, co);
    DoubleVector c01 = DoubleVector.fromArray(s, c, co + w);
    DoubleVector c10 = DoubleVector.fromArray(s, c, co + ldc);
    DoubleVector c11 = DoubleVector.fromArray(s, c, co + ldc + w);
    DoubleVector c20 = DoubleVector.fromArray(s, c, co + 2 * ldc);
    DoubleVector c21 = DoubleVector.fromArray(s, c, co + 2 * ldc + w);
    DoubleVector c30 = DoubleVector.fromArray(s, c, co + 3 * ldc);
    DoubleVector c31 = DoubleVector.fromArray(s, c, co + 3 * ldc + w);
    DoubleVector c40 = DoubleVector.fromArray(s, c, co + 4 * ldc);
    DoubleVector c41 = DoubleVector.fromArray(s, c, co + 4 * ldc + w);
    DoubleVector c50 = DoubleVector.fromArray(s, c, co + 5 * ldc);
    DoubleVector c51 = DoubleVector.fromArray(s, c, co + 5 * ldc + w);
    DoubleVector c60 = DoubleVector.fromArray(s, c, co + 6 * ldc);
    DoubleVector c61 = DoubleVector.fromArray(s, c, co + 6 * ldc + w);
    DoubleVector c70 = DoubleVector.fromArray(s, c, co + 7 * ldc);
    DoubleVector c71 = DoubleVector.fromArray(s, c, co + 7 * ldc + w);
    DoubleVector c80 = DoubleVector.fromArray(s, c, co + 8 * ldc);
    DoubleVector c81 = DoubleVector.fromArray(s, c, co + 8 * ldc + w);
    DoubleVector c90 = DoubleVector.fromArray(s, c, co + 9 * ldc);
    DoubleVector c91 = DoubleVector.fromArray(s, c, co + 9 * ldc + w);
    DoubleVector c100 = DoubleVector.fromArray(s, c, co + 10 * ldc);
    DoubleVector c101 = DoubleVector.fromArray(s, c, co + 10 * ldc + w);
    DoubleVector c110 = DoubleVector.fromArray(s, c, co + 11 * ldc);
    DoubleVector c111 = DoubleVector.fromArray(s, c, co + 11 * ldc + w);
    for (int p = 0; p < kc; p++) {
      int bb = bo + p * 2 * w;
      int aa = ao + p * 12;
      DoubleVector b0 = DoubleVector.fromArray(s, bp, bb);
      DoubleVector b1 = DoubleVector.fromArray(s, bp, bb + w);
      DoubleVector a0 = DoubleVector.broadcast(s, ap[aa]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(s, ap[aa + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(s, ap[aa + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(s, ap[aa + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(s, ap[aa + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(s, ap[aa + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(s, ap[aa + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(s, ap[aa + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(s, ap[aa + 8]);
      c80 = a8.fma(b0, c80);
      c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(s, ap[aa + 9]);
      c90 = a9.fma(b0, c90);
      c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(s, ap[aa + 10]);
      c100 = a10.fma(b0, c100);
      c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(s, ap[aa + 11]);
      c110 = a11.fma(b0, c110);
      c111 = a11.fma(b1, c111);
    }
    c00.intoArray(c, co);
    c01.intoArray(c, co + w);
    c10.intoArray(c, co + ldc);
    c11.intoArray(c, co + ldc + w);
    c20.intoArray(c, co + 2 * ldc);
    c21.intoArray(c, co + 2 * ldc + w);
    c30.intoArray(c, co + 3 * ldc);
    c31.intoArray(c, co + 3 * ldc + w);
    c40.intoArray(c, co + 4 * ldc);
    c41.intoArray(c, co + 4 * ldc + w);
    c50.intoArray(c, co + 5 * ldc);
    c51.intoArray(c, co + 5 * ldc + w);
    c60.intoArray(c, co + 6 * ldc);
    c61.intoArray(c, co + 6 * ldc + w);
    c70.intoArray(c, co + 7 * ldc);
    c71.intoArray(c, co + 7 * ldc + w);
    c80.intoArray(c, co + 8 * ldc);
    c81.intoArray(c, co + 8 * ldc + w);
    c90.intoArray(c, co + 9 * ldc);
    c91.intoArray(c, co + 9 * ldc + w);
    c100.intoArray(c, co + 10 * ldc);
    c101.intoArray(c, co + 10 * ldc + w);
    c110.intoArray(c, co + 11 * ldc);
    c111.intoArray(c, co + 11 * ldc + w);
  }

  /**
   * C[6 x 2 vectors] at {@code co} (row stride {@code ldc}) += A sliver x B sliver, ascending p.
   */
  private static void kernel6F64(
      int kc, double[] ap, int ao, double[] bp, int bo, double[] c, int co, int ldc) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int w = s.length();
    DoubleVector c00 = DoubleVector.fromArray(s, c, co);
    DoubleVector c01 = DoubleVector.fromArray(s, c, co + w);
    DoubleVector c10 = DoubleVector.fromArray(s, c, co + ldc);
    DoubleVector c11 = DoubleVector.fromArray(s, c, co + ldc + w);
    DoubleVector c20 = DoubleVector.fromArray(s, c, co + 2 * ldc);
    DoubleVector c21 = DoubleVector.fromArray(s, c, co + 2 * ldc + w);
    DoubleVector c30 = DoubleVector.fromArray(s, c, co + 3 * ldc);
    DoubleVector c31 = DoubleVector.fromArray(s, c, co + 3 * ldc + w);
    DoubleVector c40 = DoubleVector.fromArray(s, c, co + 4 * ldc);
    DoubleVector c41 = DoubleVector.fromArray(s, c, co + 4 * ldc + w);
    DoubleVector c50 = DoubleVector.fromArray(s, c, co + 5 * ldc);
    DoubleVector c51 = DoubleVector.fromArray(s, c, co + 5 * ldc + w);
    for (int p = 0; p < kc; p++) {
      int bb = bo + p * 2 * w;
      int aa = ao + p * 6;
      DoubleVector b0 = DoubleVector.fromArray(s, bp, bb);
      DoubleVector b1 = DoubleVector.fromArray(s, bp, bb + w);
      DoubleVector a0 = DoubleVector.broadcast(s, ap[aa]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(s, ap[aa + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(s, ap[aa + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(s, ap[aa + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(s, ap[aa + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(s, ap[aa + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
    }
    c00.intoArray(c, co);
    c01.intoArray(c, co + w);
    c10.intoArray(c, co + ldc);
    c11.intoArray(c, co + ldc + w);
    c20.intoArray(c, co + 2 * ldc);
    c21.intoArray(c, co + 2 * ldc + w);
    c30.intoArray(c, co + 3 * ldc);
    c31.intoArray(c, co + 3 * ldc + w);
    c40.intoArray(c, co + 4 * ldc);
    c41.intoArray(c, co + 4 * ldc + w);
    c50.intoArray(c, co + 5 * ldc);
    c51.intoArray(c, co + 5 * ldc + w);
  }

  /** {@code Gemm.gemvF64}, vectorized across rows: the same chains, the same bits. */
  public static void gemvF64(
      double[] a,
      int aOff,
      int aRow,
      int aCol,
      double[] x,
      int xOff,
      int xStep,
      double[] y,
      int yOff,
      int from,
      int to,
      int k,
      boolean accumulate) {
    VectorSpecies<Double> s = DoubleVector.SPECIES_PREFERRED;
    int w = s.length();
    if (!accumulate) {
      java.util.Arrays.fill(y, yOff + from, yOff + to, 0.0);
    }
    // Lane l of a vector is row i + l; rows are loaded directly when contiguous (aRow == 1), else
    // gathered with the row stride.
    int[] rows = new int[w];
    for (int l = 0; l < w; l++) {
      rows[l] = l * aRow;
    }
    int i = from;
    for (; i + 4 * w <= to; i += 4 * w) {
      DoubleVector s0 = DoubleVector.fromArray(s, y, yOff + i);
      DoubleVector s1 = DoubleVector.fromArray(s, y, yOff + i + w);
      DoubleVector s2 = DoubleVector.fromArray(s, y, yOff + i + 2 * w);
      DoubleVector s3 = DoubleVector.fromArray(s, y, yOff + i + 3 * w);
      int ai = aOff + i * aRow;
      int block = w * aRow;
      for (int p = 0; p < k; p++) {
        DoubleVector xp = DoubleVector.broadcast(s, x[xOff + p * xStep]);
        int ap = ai + p * aCol;
        if (aRow == 1) {
          s0 = DoubleVector.fromArray(s, a, ap).fma(xp, s0);
          s1 = DoubleVector.fromArray(s, a, ap + w).fma(xp, s1);
          s2 = DoubleVector.fromArray(s, a, ap + 2 * w).fma(xp, s2);
          s3 = DoubleVector.fromArray(s, a, ap + 3 * w).fma(xp, s3);
        } else {
          s0 = DoubleVector.fromArray(s, a, ap, rows, 0).fma(xp, s0);
          s1 = DoubleVector.fromArray(s, a, ap + block, rows, 0).fma(xp, s1);
          s2 = DoubleVector.fromArray(s, a, ap + 2 * block, rows, 0).fma(xp, s2);
          s3 = DoubleVector.fromArray(s, a, ap + 3 * block, rows, 0).fma(xp, s3);
        }
      }
      s0.intoArray(y, yOff + i);
      s1.intoArray(y, yOff + i + w);
      s2.intoArray(y, yOff + i + 2 * w);
      s3.intoArray(y, yOff + i + 3 * w);
    }
    for (; i < to; i += w) {
      VectorMask<Double> in = s.indexInRange(i, to);
      DoubleVector acc = DoubleVector.fromArray(s, y, yOff + i, in);
      int ai = aOff + i * aRow;
      for (int p = 0; p < k; p++) {
        DoubleVector xp = DoubleVector.broadcast(s, x[xOff + p * xStep]);
        int ap = ai + p * aCol;
        DoubleVector ar =
            aRow == 1
                ? DoubleVector.fromArray(s, a, ap, in)
                : DoubleVector.fromArray(s, a, ap, rows, 0, in);
        acc = ar.fma(xp, acc);
      }
      acc.intoArray(y, yOff + i, in);
    }
  }

  /** {@code Gemm.gemvF32}, vectorized across rows: the same chains, the same bits. */
  public static void gemvF32(
      float[] a,
      int aOff,
      int aRow,
      int aCol,
      float[] x,
      int xOff,
      int xStep,
      float[] y,
      int yOff,
      int from,
      int to,
      int k,
      boolean accumulate) {
    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
    int w = s.length();
    if (!accumulate) {
      java.util.Arrays.fill(y, yOff + from, yOff + to, 0f);
    }
    // Lane l of a vector is row i + l; rows are loaded directly when contiguous (aRow == 1), else
    // gathered with the row stride.
    int[] rows = new int[w];
    for (int l = 0; l < w; l++) {
      rows[l] = l * aRow;
    }
    int i = from;
    for (; i + 4 * w <= to; i += 4 * w) {
      FloatVector s0 = FloatVector.fromArray(s, y, yOff + i);
      FloatVector s1 = FloatVector.fromArray(s, y, yOff + i + w);
      FloatVector s2 = FloatVector.fromArray(s, y, yOff + i + 2 * w);
      FloatVector s3 = FloatVector.fromArray(s, y, yOff + i + 3 * w);
      int ai = aOff + i * aRow;
      int block = w * aRow;
      for (int p = 0; p < k; p++) {
        FloatVector xp = FloatVector.broadcast(s, x[xOff + p * xStep]);
        int ap = ai + p * aCol;
        if (aRow == 1) {
          s0 = FloatVector.fromArray(s, a, ap).fma(xp, s0);
          s1 = FloatVector.fromArray(s, a, ap + w).fma(xp, s1);
          s2 = FloatVector.fromArray(s, a, ap + 2 * w).fma(xp, s2);
          s3 = FloatVector.fromArray(s, a, ap + 3 * w).fma(xp, s3);
        } else {
          s0 = FloatVector.fromArray(s, a, ap, rows, 0).fma(xp, s0);
          s1 = FloatVector.fromArray(s, a, ap + block, rows, 0).fma(xp, s1);
          s2 = FloatVector.fromArray(s, a, ap + 2 * block, rows, 0).fma(xp, s2);
          s3 = FloatVector.fromArray(s, a, ap + 3 * block, rows, 0).fma(xp, s3);
        }
      }
      s0.intoArray(y, yOff + i);
      s1.intoArray(y, yOff + i + w);
      s2.intoArray(y, yOff + i + 2 * w);
      s3.intoArray(y, yOff + i + 3 * w);
    }
    for (; i < to; i += w) {
      VectorMask<Float> in = s.indexInRange(i, to);
      FloatVector acc = FloatVector.fromArray(s, y, yOff + i, in);
      int ai = aOff + i * aRow;
      for (int p = 0; p < k; p++) {
        FloatVector xp = FloatVector.broadcast(s, x[xOff + p * xStep]);
        int ap = ai + p * aCol;
        FloatVector ar =
            aRow == 1
                ? FloatVector.fromArray(s, a, ap, in)
                : FloatVector.fromArray(s, a, ap, rows, 0, in);
        acc = ar.fma(xp, acc);
      }
      acc.intoArray(y, yOff + i, in);
    }
  }
}
