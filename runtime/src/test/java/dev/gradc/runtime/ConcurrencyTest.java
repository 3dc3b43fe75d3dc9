package dev.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.ad.Autodiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Sixteen threads at once: running one compiled kernel, compiling different functions, and asking
 * the kernel cache for the same and for different functions. Results equal one thread's bit for
 * bit, and each distinct function is compiled exactly once.
 */
class ConcurrencyTest {
  static final int THREADS = 16;

  /** {@code sum(tanh(w * x + k) * x) / N} and its gradient, distinct for every {@code k}. */
  static Func loss(int k) {
    Builder b = new Builder("loss" + k);
    Type t = new Type(DType.F64, List.of(Dim.sym("N")));
    Value w = b.param("w", t);
    Value x = b.input("x", t);
    Value h = b.unary(dev.gradc.ir.Op.TANH, b.add(b.mul(w, x), Builder.lit(k, DType.F64)));
    b.ret(b.mean(b.mul(h, x)));
    return Autodiff.vjp(b.build());
  }

  static Object[] args(int n, int seed) {
    double[] w = new double[n];
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = Math.sin(i * 0.37 + seed);
      x[i] = Math.cos(i * 0.11 - seed);
    }
    return new Object[] {w, x};
  }

  /** Runs {@code task(t)} on {@code THREADS} threads released together; returns the results. */
  static <T> List<T> together(java.util.function.IntFunction<T> task) throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        Callable<T> c =
            () -> {
              start.await();
              return task.apply(id);
            };
        fs.add(pool.submit(c));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void sixteenThreads_runningOneKernel_matchOneThread() throws Exception {
    CompiledFunction k = Kernels.compile(loss(0));
    int n = 300_007; // several chunks, so calls also share the executor's pool
    Object[] a = args(n, 1);
    int[][] shapes = {{n}, {n}};
    Object[] one = k.call(a, shapes, null);
    List<Object[]> many = together(t -> k.call(a, shapes, null));
    for (Object[] r : many) {
      assertEquals(((double[]) one[0])[0], ((double[]) r[0])[0], 0);
      assertArrayEquals((double[]) one[1], (double[]) r[1], 0);
    }
  }

  @Test
  void sixteenThreads_compilingDifferentFunctions_matchOneThread() throws Exception {
    int n = 40_000;
    List<double[]> expected = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Object[] r = Kernels.interpret(loss(1000 + t)).call(args(n, t), new int[][] {{n}, {n}}, null);
      expected.add(new double[] {((double[]) r[0])[0], ((double[]) r[1])[n / 2]});
    }
    KernelCache cache = new KernelCache(CompiledKernel::compile);
    List<double[]> got =
        together(
            t -> {
              Object[] r = cache.get(loss(1000 + t)).call(args(n, t), new int[][] {{n}, {n}}, null);
              return new double[] {((double[]) r[0])[0], ((double[]) r[1])[n / 2]};
            });
    for (int t = 0; t < THREADS; t++) {
      assertArrayEquals(expected.get(t), got.get(t), 1e-12, "thread " + t);
    }
    assertEquals(THREADS, cache.compilations());
  }

  @Test
  void kernelCache_underContention_compilesEachFunctionOnce() throws Exception {
    Map<String, AtomicInteger> perFunction = new ConcurrentHashMap<>();
    KernelCache cache =
        new KernelCache(
            f -> {
              perFunction.computeIfAbsent(f.name(), s -> new AtomicInteger()).incrementAndGet();
              return new InterpretedFunction(f);
            });
    int distinct = 8;
    // each thread asks for every function, starting at a different one, three times
    List<List<CompiledFunction>> seen =
        together(
            t -> {
              List<CompiledFunction> mine = new ArrayList<>();
              for (int rep = 0; rep < 3; rep++) {
                for (int i = 0; i < distinct; i++) {
                  mine.add(cache.get(plain((t + i) % distinct)));
                }
              }
              return mine;
            });
    assertEquals(distinct, cache.compilations(), perFunction.toString());
    assertEquals(THREADS * 3L * distinct - distinct, cache.hits());
    // every thread got the one compilation of each function
    for (int t = 0; t < THREADS; t++) {
      List<CompiledFunction> mine = seen.get(t);
      for (int i = 0; i < mine.size(); i++) {
        assertSame(seen.get(0).get((t + i) % distinct), mine.get(i), "thread " + t);
      }
    }
    for (AtomicInteger c : perFunction.values()) {
      assertEquals(1, c.get(), perFunction.toString());
    }
  }

  /**
   * Threads released together ask for one new function, round after round. A thread that looked the
   * function up just before another finished compiling it must not compile it again.
   */
  @Test
  void kernelCache_threadsAskingForANewFunctionTogether_compileItOnce() throws Exception {
    int rounds = 20_000;
    int threads = 8;
    List<Func> fs = new ArrayList<>();
    for (int k = 0; k < rounds; k++) {
      fs.add(plain(k));
    }
    AtomicInteger compiled = new AtomicInteger();
    KernelCache cache =
        new KernelCache(
            f -> {
              compiled.incrementAndGet();
              return new InterpretedFunction(f);
            },
            rounds);
    CyclicBarrier step = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs2 = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs2.add(
            pool.submit(
                () -> {
                  for (Func f : fs) {
                    step.await();
                    cache.get(f);
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs2) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(rounds, compiled.get(), "compilations of " + rounds + " distinct functions");
    assertEquals(rounds, cache.compilations());
    assertEquals((long) rounds * (threads - 1), cache.hits());
  }

  /**
   * A thread waiting for another's compilation of the same function gets its failure, wrapped as a
   * {@code CompletableFuture.join} wraps it; the compiling thread gets it as thrown.
   */
  @Test
  void kernelCache_aFailedCompilation_reachesTheThreadsWaitingForIt() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger compiled = new AtomicInteger();
    KernelCache cache =
        new KernelCache(
            f -> {
              compiled.incrementAndGet();
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              throw new IllegalStateException("no kernel for " + f.name());
            },
            4);
    Func f = plain(7);
    Throwable[] seen = new Throwable[2];
    Thread compiling = caller(cache, f, seen, 0);
    entered.await();
    Thread waiting = caller(cache, f, seen, 1);
    while (waiting.getState() != Thread.State.WAITING) {
      Thread.sleep(1);
    }
    release.countDown();
    compiling.join();
    waiting.join();
    assertEquals(1, compiled.get(), "one compilation, which the second thread waited for");
    assertEquals(IllegalStateException.class, seen[0].getClass());
    assertEquals("no kernel for f7", seen[0].getMessage());
    CompletionException wrapped =
        assertThrows(
            CompletionException.class,
            () -> {
              throw seen[1];
            });
    assertSame(seen[0], wrapped.getCause());
  }

  /**
   * A started thread asking {@code cache} for {@code f}, keeping what it throws in {@code seen}.
   */
  private static Thread caller(KernelCache cache, Func f, Throwable[] seen, int slot) {
    Thread t =
        new Thread(
            () -> {
              try {
                cache.get(f);
              } catch (RuntimeException e) {
                seen[slot] = e;
              }
            });
    t.start();
    return t;
  }

  private static Func plain(int k) {
    Builder b = new Builder("f" + k);
    Value x = b.param("x", Type.of(DType.F64, 4));
    b.ret(b.sum(b.mul(x, Builder.lit(k + 2, DType.F64))));
    return b.build();
  }
}
