package dev.gradc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * One thread updating a tensor in place under no-grad while other threads read the same tensor
 * (record ops on it, run backward through it, print it), as Hogwild-style training does: no update
 * is lost, the writer reads back what it wrote, readers see whole versions, and gradients that
 * several threads accumulate into one leaf all arrive.
 *
 * <p>Races show only under some interleavings, so each check runs many writes against busy readers.
 * The seeded schedules run in the build (seeds 1 to 12); a long run is one command:
 *
 * <pre>
 * mvn -B -ntp -pl frontend -am test -Dtest=InPlaceWritersTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dgradc.inplace.count=2000 -Dgradc.inplace.seed=1000
 * </pre>
 */
@SuppressWarnings("try") // no-grad scopes are used for their effect
class InPlaceWritersTest {
  static final long FIRST = Long.getLong("gradc.inplace.seed", 1);
  static final int COUNT = Integer.getInteger("gradc.inplace.count", 12);

  /**
   * Two threads reading {@code w} and running backward through {@code sum(w * x)} until stopped.
   */
  private static final class BackwardReaders {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    BackwardReaders(Tensor w) {
      Tensor x = Tensor.tensor(DType.F64, 1, 2, 3, 4);
      for (int k = 0; k < 2; k++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    while (!stop.get()) {
                      for (int i = 0; i < 100; i++) {
                        w.requiresGrad(); // reads of the tensor between the recorded graphs
                      }
                      w.mul(x).sum().backward();
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                });
        t.start();
        threads.add(t);
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      if (!errors.isEmpty()) {
        throw new AssertionError("a reader failed", errors.get(0));
      }
    }
  }

  /**
   * Issue 11, item 7, as reported: a reader running backward made the writer lose updates (530 of 4
   * million). At this length it seldom loses one; the next test makes the same race likely.
   */
  @Test
  void noGradAdds_loseNoUpdate_whileAnotherThreadRunsBackward() throws Exception {
    Tensor w = Tensor.tensor(DType.F64, 0, 0, 0, 0).requiresGrad_();
    BackwardReaders readers = new BackwardReaders(w);
    double expected = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      try (NoGrad g = Autograd.noGrad()) {
        w.add_(1e-3);
      }
      expected += 1e-3;
    }
    readers.stop();
    double[] got = w.detach().toDoubleArray();
    assertArrayEquals(
        new double[] {expected, expected, expected, expected},
        got,
        0,
        "updates lost: " + Math.round((expected - got[0]) / 1e-3) + " of " + n);
  }

  /**
   * The same race made likely: cheap writes (most are {@code zero_}, which runs no kernel), each
   * read back at once. A reader that re-derived the tensor's node from an old version and published
   * it over the writer's made the writer read an old buffer, or add to it.
   */
  @Test
  void everyWrite_readsBack_whileReadersRunBackward() throws Exception {
    Tensor w = Tensor.tensor(DType.F64, 0, 0, 0, 0).requiresGrad_();
    BackwardReaders readers = new BackwardReaders(w);
    Map<Object, Integer> written = new IdentityHashMap<>();
    long end = System.nanoTime() + 3_000_000_000L;
    String failure = null;
    for (int i = 0; i < 2_000_000 && failure == null && System.nanoTime() < end; i++) {
      if (i % 10 == 9) {
        try (NoGrad g = Autograd.noGrad()) {
          w.add_(1e-3);
        }
        double v = ((double[]) w.node().dataOrNull())[0];
        if (v != 1e-3) {
          failure = "write " + i + ": 0 + 1e-3 read back as " + v;
        }
      } else {
        try (NoGrad g = Autograd.noGrad()) {
          w.zero_();
        }
        Integer before = written.put(w.node().dataOrNull(), i); // zero_ makes a new buffer
        if (before != null) {
          failure = "write " + i + " read back the buffer of write " + before;
        }
      }
      if (written.size() > 100_000) {
        written.clear();
      }
    }
    readers.stop();
    if (failure != null) {
      fail(failure);
    }
  }

  /** PyTorch's AccumulateGrad holds a lock: gradients from concurrent backward calls all arrive. */
  @Test
  void concurrentBackward_accumulatesEveryGradient() throws Exception {
    Tensor w = Tensor.tensor(DType.F64, 0.5, -1, 2).requiresGrad_();
    Tensor x = Tensor.tensor(DType.F64, 1, 2, 3);
    int threads = 4;
    int steps = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    List<Throwable> errs = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < steps; i++) {
                    w.mul(x).sum().backward();
                  }
                } catch (Throwable e) {
                  errs.add(e);
                }
              });
      th.start();
      ts.add(th);
    }
    start.countDown();
    for (Thread th : ts) {
      th.join();
    }
    assertEquals(List.of(), errs);
    double n = threads * steps;
    assertArrayEquals(new double[] {n, 2 * n, 3 * n}, w.grad().toDoubleArray(), 0);
  }

  /**
   * Seeded schedules: one writer per tensor applies random in-place ops under no-grad and reads
   * back each result against a private replica that received the same ops; readers meanwhile run
   * backward through the tensors, take snapshots and check that each snapshot is one whole version
   * (its {@code amax} is the maximum of its elements), and print them. At the end every tensor
   * equals its replica and every gradient equals the sum of what the readers' backward calls sent.
   */
  @Test
  void seededSchedules_writersMatchTheirReplicas_readersSeeWholeVersions() throws Exception {
    List<String> failures = new ArrayList<>();
    for (long seed = FIRST; seed < FIRST + COUNT && failures.size() < 3; seed++) {
      String f = schedule(seed);
      if (f != null) {
        failures.add(
            "seed "
                + seed
                + ": "
                + f
                + "\n  rerun: -Dtest=InPlaceWritersTest -Dgradc.inplace.seed="
                + seed
                + " -Dgradc.inplace.count=1");
      }
    }
    System.out.println(
        "in-place writers, seeds "
            + FIRST
            + " to "
            + (FIRST + COUNT - 1)
            + ": "
            + failures.size()
            + " failing");
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }

  private static final double[] SCALARS = {0.5, 1.5, -0.25, 2, 1e-3};

  /** One in-place op, applied alike to the shared tensor and to the writer's replica. */
  private record Write(String name, Consumer<Tensor> op) {}

  private static Write write(SplittableRandom r, Tensor operand) {
    double s = SCALARS[r.nextInt(SCALARS.length)];
    return switch (r.nextInt(9)) {
      case 0 -> new Write("add_(" + s + ")", t -> t.add_(s));
      case 1 -> new Write("sub_(" + s + ")", t -> t.sub_(s));
      case 2 -> new Write("mul_(" + s + ")", t -> t.mul_(s));
      case 3 -> new Write("div_(" + s + ")", t -> t.div_(s));
      case 4 -> new Write("add_(tensor)", t -> t.add_(operand));
      case 5 -> new Write("mul_(tensor)", t -> t.mul_(operand));
      case 6 -> new Write("copy_(tensor)", t -> t.copy_(operand));
      case 7 -> new Write("fill_(" + s + ")", t -> t.fill_(s));
      default -> new Write("zero_()", Tensor::zero_);
    };
  }

  /** Runs the schedule of one seed; returns what went wrong, or null. */
  static String schedule(long seed) throws InterruptedException {
    SplittableRandom r = new SplittableRandom(seed);
    int tensors = 1 + r.nextInt(3);
    List<Tensor> shared = new ArrayList<>();
    List<Tensor> replicas = new ArrayList<>();
    List<Tensor> operands = new ArrayList<>();
    List<Tensor> weights = new ArrayList<>();
    List<AtomicInteger> backwards = new ArrayList<>();
    for (int k = 0; k < tensors; k++) {
      DType dt = r.nextBoolean() ? DType.F32 : DType.F64;
      long[] shape = r.nextBoolean() ? new long[] {4} : new long[] {2, 3};
      int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      double[] init = new double[n];
      double[] operand = new double[n];
      double[] weight = new double[n];
      for (int i = 0; i < n; i++) {
        init[i] = r.nextInt(-8, 9) / 4.0;
        operand[i] = r.nextInt(1, 9) / 4.0; // nonzero, so that values stay finite
        weight[i] = r.nextInt(-3, 4); // small integers: accumulated gradients stay exact
      }
      Tensor t = Tensor.tensor(dt, init).reshape(shape).detach();
      shared.add(r.nextInt(4) > 0 ? t.requiresGrad_() : t);
      replicas.add(Tensor.tensor(dt, init).reshape(shape).detach());
      operands.add(Tensor.tensor(dt, operand).reshape(shape));
      weights.add(Tensor.tensor(dt, weight).reshape(shape));
      backwards.add(new AtomicInteger());
    }
    List<List<Write>> plans = new ArrayList<>();
    for (int k = 0; k < tensors; k++) {
      List<Write> plan = new ArrayList<>();
      int writes = 100 + r.nextInt(200);
      for (int i = 0; i < writes; i++) {
        plan.add(write(r, operands.get(k)));
      }
      plans.add(plan);
    }

    List<String> problems = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    for (int k = 0; k < tensors; k++) {
      int kk = k;
      writers.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  Tensor t = shared.get(kk);
                  Tensor replica = replicas.get(kk);
                  List<Write> plan = plans.get(kk);
                  for (int i = 0; i < plan.size() && problems.isEmpty(); i++) {
                    try (NoGrad g = Autograd.noGrad()) {
                      plan.get(i).op().accept(t);
                      plan.get(i).op().accept(replica);
                    }
                    double[] got = t.detach().toDoubleArray();
                    double[] want = replica.toDoubleArray();
                    if (!Arrays.equals(got, want)) {
                      problems.add(
                          "tensor "
                              + kk
                              + ", write "
                              + i
                              + " "
                              + plan.get(i).name()
                              + ": read back "
                              + Arrays.toString(got)
                              + ", replica "
                              + Arrays.toString(want));
                    }
                  }
                } catch (Throwable e) {
                  problems.add("writer " + kk + ": " + e);
                }
              }));
    }
    int readerCount = 1 + r.nextInt(3);
    long readerSeed = r.nextLong();
    List<Thread> readerThreads = new ArrayList<>();
    for (int q = 0; q < readerCount; q++) {
      SplittableRandom rr = new SplittableRandom(readerSeed + q);
      readerThreads.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  while (!stop.get() && problems.isEmpty()) {
                    int k = rr.nextInt(tensors);
                    read(rr.nextInt(3), shared.get(k), weights.get(k), backwards.get(k), problems);
                  }
                } catch (Throwable e) {
                  problems.add("reader: " + e);
                }
              }));
    }
    writers.forEach(Thread::start);
    readerThreads.forEach(Thread::start);
    start.countDown();
    for (Thread t : writers) {
      t.join();
    }
    stop.set(true);
    for (Thread t : readerThreads) {
      t.join();
    }
    if (!problems.isEmpty()) {
      return problems.get(0);
    }
    for (int k = 0; k < tensors; k++) {
      double[] got = shared.get(k).detach().toDoubleArray();
      double[] want = replicas.get(k).toDoubleArray();
      if (!Arrays.equals(got, want)) {
        return "tensor "
            + k
            + " ends as "
            + Arrays.toString(got)
            + ", its replica as "
            + Arrays.toString(want);
      }
      Tensor grad = shared.get(k).grad();
      int calls = backwards.get(k).get();
      if (calls > 0) {
        double[] w = weights.get(k).toDoubleArray();
        double[] sent = new double[w.length];
        for (int i = 0; i < w.length; i++) {
          sent[i] = w[i] * calls;
        }
        if (grad == null || !Arrays.equals(grad.toDoubleArray(), sent)) {
          return "tensor "
              + k
              + ": "
              + calls
              + " backward calls sent "
              + Arrays.toString(sent)
              + ", grad is "
              + (grad == null ? "None" : Arrays.toString(grad.toDoubleArray()));
        }
      }
    }
    return null;
  }

  /** One read of a tensor another thread is writing. */
  private static void read(
      int kind, Tensor t, Tensor weight, AtomicInteger backwards, List<String> problems) {
    switch (kind) {
      case 0 -> {
        if (t.requiresGrad()) {
          t.mul(weight).sum().backward();
          backwards.incrementAndGet();
        }
      }
      case 1 -> {
        Tensor snapshot = t.mul(1.0); // detach() would share the storage and see later writes
        double[] v = snapshot.toDoubleArray();
        double max = Arrays.stream(v).max().orElseThrow();
        double amax = snapshot.amax().item();
        if (amax != max) {
          problems.add("a snapshot of " + Arrays.toString(v) + " has amax " + amax);
        }
      }
      default -> {
        String s = t.toString();
        if (!s.startsWith("tensor(")) {
          problems.add("printed as " + s);
        }
      }
    }
  }
}
