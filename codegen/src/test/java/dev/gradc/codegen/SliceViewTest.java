package dev.gradc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Interpreter;
import dev.gradc.ir.NdArray;
import dev.gradc.ir.Param;
import dev.gradc.ir.Parser;
import dev.gradc.ir.SumOrder;
import dev.gradc.ir.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * Slices are strided views that loops read in place, from an offset: the plan has no library call
 * for them, and the compiled function gives the interpreter's bits for every thread count.
 */
class SliceViewTest {
  /** Chunks run as 2 or 7 tasks here; the bits do not depend on how many threads run them. */
  static final ExecutorService pool = ForkJoinPool.commonPool();

  static Func parse(String text) {
    return Verifier.verify(Parser.parse("slice", text));
  }

  /** Arguments for {@code f} with symbols bound to {@code n}, drawn from [-2, 2). */
  static List<NdArray> args(Func f, int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<NdArray> out = new ArrayList<>();
    for (Param p : f.params()) {
      List<Dim> dims = p.type().dims();
      int[] shape = new int[dims.size()];
      int size = 1;
      for (int d = 0; d < shape.length; d++) {
        shape[d] = dims.get(d).isStatic() ? dims.get(d).size() : n * dims.get(d).factor();
        size *= shape[d];
      }
      boolean f32 = p.type().dtype() == DType.F32;
      double[] v = new double[size];
      for (int i = 0; i < size; i++) {
        double x = rnd.nextDouble(-2, 2);
        v[i] = f32 ? (float) x : x;
      }
      out.add(NdArray.of(p.type().dtype(), shape, v));
    }
    return out;
  }

  /** The interpreter's bits, on one thread and on 2 and 7 tasks. */
  static void assertSameBits(Func f, List<NdArray> args) {
    assertSameBits(f, args, true);
  }

  /**
   * The same bits on one thread and on 2 and 7 tasks; the interpreter's bits when {@code exact},
   * else its values up to rounding: a full sum over rows whose length does not divide {@link
   * SumOrder#CHUNK} is chunked by rows, not in the interpreter's flat chunks (as for any view that
   * keeps a loop from collapsing; see {@link SumOrder}).
   */
  static void assertSameBits(Func f, List<NdArray> args, boolean exact) {
    Loaded k = Loaded.of(f);
    List<NdArray> want = exact ? Interpreter.run(f, args) : k.run(args);
    List<List<NdArray>> runs = new ArrayList<>();
    runs.add(k.run(args));
    runs.add(k.run(args, pool, 2));
    runs.add(k.run(args, pool, 7));
    for (List<NdArray> got : runs) {
      for (int i = 0; i < want.size(); i++) {
        assertArrayEquals(want.get(i).shape(), got.get(i).shape(), "shape of result " + i);
        double[] w = want.get(i).toDoubleArray();
        double[] g = got.get(i).toDoubleArray();
        for (int e = 0; e < w.length; e++) {
          assertEquals(
              Double.doubleToLongBits(w[e]),
              Double.doubleToLongBits(g[e]),
              "result "
                  + i
                  + " element "
                  + e
                  + ": "
                  + w[e]
                  + " vs "
                  + g[e]
                  + "\n"
                  + k.compiled.plan());
        }
      }
    }
    if (!exact) {
      CompilerTest.assertMatches(f, k, args, 1e-13);
    }
  }

  /** The plan has no library call for a slice or a slice_backward. */
  static void assertNoSliceCall(Func f) {
    String plan = Compiler.plan(f).text();
    assertTrue(!plan.contains("= slice"), plan);
  }

  private static void check(String text) {
    check(text, 1200);
  }

  private static void check(String text, int large) {
    checkAt(text, 1, 5, large);
  }

  /** No slice call, and the interpreter's bits with the symbols bound to each of {@code ns}. */
  static void checkAt(String text, int... ns) {
    Func f = parse(text);
    assertNoSliceCall(f);
    for (int n : ns) {
      assertSameBits(f, args(f, n, n));
    }
  }

  @Test
  void totalVariationAlongRows() {
    for (String dt : new String[] {"f64", "f32"}) {
      check(
          ("""
        func @tv(%x: T[N, 37]) -> (T[N, 37], T) {
          %0: T[N, 36] = slice %x, dims=[1, 1, 1]
          %1: T[N, 36] = slice %x, dims=[1, 0, 1]
          %2: T[N, 36] = sub %0, %1
          %3: T[N, 36] = abs %2
          %4: T[N] = sum %3, dims=[1]
          %5: T = sum %4
          %6: T[N, 37] = exp %x
          ret %6, %5
        }
        """)
              .replace("T", dt));
    }
  }

  @Test
  void totalVariationAlongColumnsIsOneFlatLoop() {
    // x[1:] - x[:-1]: contiguous from an offset, a flat loop whose full sum has the
    // interpreter's order
    check(
        """
        func @tv(%x: f64[4, N]) -> (f64) {
          %0: f64[4, N] = mul %x, %x
          %1: f64[3, N] = slice %0, dims=[0, 1, 1]
          %2: f64[3, N] = slice %0, dims=[0, 0, 1]
          %3: f64[3, N] = sub %1, %2
          %4: f64[3, N] = abs %3
          %5: f64 = sum %4
          ret %5
        }
        """,
        30000);
  }

  @Test
  void everyOtherElementTimesAnother() {
    for (String dt : new String[] {"f64", "f32"}) {
      check(
          ("""
        func @f(%x: T[N, 8], %y: T[N, 4]) -> (T[N, 4], T[N, 4]) {
          %0: T[N, 4] = slice %x, dims=[1, 0, 2]
          %1: T[N, 4] = mul %0, %y
          %2: T[N, 4] = slice %x, dims=[1, 7, -2]
          ret %1, %2
        }
        """)
              .replace("T", dt));
    }
  }

  @Test
  void offsetsAtTheStartAndEndAndEmpty() {
    check(
        """
        func @f(%x: f64[N, 6]) -> (f64[N, 1], f64[N, 1], f64[N, 0], f64[N, 6], f64[N]) {
          %0: f64[N, 1] = slice %x, dims=[1, 0, 1]
          %1: f64[N, 1] = slice %x, dims=[1, 5, 1]
          %2: f64[N, 0] = slice %x, dims=[1, 6, 1]
          %3: f64[N, 6] = slice %x, dims=[1, 5, -1]
          %4: f64[N, 1] = add %0, %1
          %5: f64[N] = sum %4, dims=[1]
          ret %0, %1, %2, %3, %5
        }
        """);
  }

  @Test
  void slicesOfSlicesTransposesAndBroadcasts() {
    check(
        """
        func @f(%x: f64[6, N], %v: f64[7]) -> (f64[2, N, 2], f64[N, 3], f64[4, 3]) {
          %0: f64[N, 6] = transpose %x, dims=[0, 1]
          %1: f64[N, 3] = slice %0, dims=[1, 1, 2]
          %2: f64[N, 3] = exp %1
          %3: f64[4, 7] = broadcast %v
          %4: f64[4, 3] = slice %3, dims=[1, 6, -3]
          %5: f64[4, 3] = neg %4
          %6: f64[3, N] = slice %x, dims=[0, 5, -2]
          %7: f64[2, N] = slice %6, dims=[0, 1, 1]
          %8: f64[N, 2] = transpose %7, dims=[0, 1]
          %9: f64[2, N, 2] = broadcast %8
          %10: f64[2, N, 2] = add %9, 1.0
          ret %10, %2, %5
        }
        """,
        5);
  }

  @Test
  void symbolicOffset() {
    // x[1:] of an [3, N] array starts N elements in
    check(
        """
        func @f(%x: f64[3, N], %y: f64[2, N]) -> (f64[2, N]) {
          %0: f64[2, N] = slice %x, dims=[0, 1, 1]
          %1: f64[2, N] = mul %0, %y
          ret %1
        }
        """);
  }

  @Test
  void offsetsOfTwoExtentsAndLibraryReadersAreCopied() {
    // 8*N + 1 is not one extent: the library copies; matmul and gather read slices copied
    Func f =
        parse(
            """
            func @f(%x: f64[3, N, 4], %w: f64[4, 5], input %i: i64[2, 4]) -> \
            (f64[2, N, 3], f64[1, N, 5], f64[2, 3]) {
              %0: f64[2, N, 4] = slice %x, dims=[0, 1, 1]
              %1: f64[2, N, 3] = slice %0, dims=[2, 1, 1]
              %2: f64[1, N, 4] = slice %x, dims=[0, 2, 1]
              %3: f64[1, N, 3] = slice %2, dims=[2, 1, 1]
              %4: f64[3, 5] = slice %w, dims=[0, 1, 1]
              %5: f64[1, N, 5] = matmul %3, %4
              %6: f64[2, 5] = slice %w, dims=[0, 2, 1]
              %7: f64[2, 3] = slice %6, dims=[1, 1, 1]
              %8: i64[2, 3] = slice %i, dims=[1, 1, 1]
              %9: f64[2, 3] = gather %7, %8, dims=[1]
              ret %1, %5, %9
            }
            """);
    for (int n : new int[] {1, 4}) {
      List<NdArray> a = args(f, n, 9);
      a.set(2, NdArray.ofLongs(new int[] {2, 4}, 9, 0, 1, 2, 9, 2, 1, 0));
      assertSameBits(f, a);
    }
  }

  @Test
  void totalVariationFullSum() {
    Func f =
        parse(
            """
            func @tv(%x: f64[N, 37]) -> (f64) {
              %0: f64[N, 36] = slice %x, dims=[1, 1, 1]
              %1: f64[N, 36] = slice %x, dims=[1, 0, 1]
              %2: f64[N, 36] = sub %0, %1
              %3: f64[N, 36] = abs %2
              %4: f64 = sum %3
              ret %4
            }
            """);
    assertNoSliceCall(f);
    for (int n : new int[] {1, 5, 910}) {
      assertSameBits(f, args(f, n, n)); // one chunk: the interpreter's order
    }
    assertSameBits(f, args(f, 5000, 1), false);
  }

  @Test
  void totalVariationAllocatesNoCopies() {
    Func f =
        parse(
            """
            func @tv(%x: f64[512, 512]) -> (f64) {
              %0: f64[512, 511] = slice %x, dims=[1, 1, 1]
              %1: f64[512, 511] = slice %x, dims=[1, 0, 1]
              %2: f64[512, 511] = sub %0, %1
              %3: f64[512, 511] = abs %2
              %4: f64 = sum %3
              ret %4
            }
            """);
    List<NdArray> a = args(f, 1, 3);
    long bytes = Loaded.of(f).allocatedBytesPerCall(a, 3);
    // each slice copied would be 2 MiB
    assertTrue(bytes < 64 * 1024, bytes + " bytes per call");
    assertSameBits(f, a, false);
  }
}
