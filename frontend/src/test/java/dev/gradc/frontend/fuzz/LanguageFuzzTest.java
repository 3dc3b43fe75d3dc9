package dev.gradc.frontend.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gradc.frontend.fuzz.DifferentialCheck.Failure;
import dev.gradc.frontend.fuzz.DifferentialCheck.Stats;
import dev.gradc.ir.Op;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing of the whole pipeline from {@code .grad} text: seeded random programs
 * ({@link ProgramGenerator}) each checked by {@link DifferentialCheck} (compiled against the
 * interpreter, gradients against finite differences). A failure is reduced ({@link Reducer}) and
 * reported with its seed, the program, the reduced program and the command that reruns it.
 *
 * <p>The build runs seeds 1 to 2,000. A long run is one command, for example:
 *
 * <pre>
 * mvn -B -ntp -pl frontend -am test -Dtest=LanguageFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dgradc.fuzz.count=200000 -Dgradc.fuzz.seed=1000000
 * </pre>
 *
 * ({@code gradc.fuzz.threads} sets the worker count, 2 by default.)
 */
class LanguageFuzzTest {
  static final long FIRST = Long.getLong("gradc.fuzz.seed", 1);
  static final int COUNT = Integer.getInteger("gradc.fuzz.count", 2000);
  static final int THREADS = Integer.getInteger("gradc.fuzz.threads", 2);
  static final int MAX_FAILURES = 3;

  @Test
  void generatedPrograms_compiledMatchesInterpreter_gradientsMatchFiniteDifferences()
      throws Exception {
    AtomicLong next = new AtomicLong(FIRST);
    List<String> failures = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Stats>> parts = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      parts.add(
          pool.submit(
              () -> {
                Stats stats = new Stats();
                for (long seed = next.getAndIncrement();
                    seed < FIRST + COUNT;
                    seed = next.getAndIncrement()) {
                  synchronized (failures) {
                    if (failures.size() >= MAX_FAILURES) {
                      break;
                    }
                  }
                  String report = run(seed, stats);
                  if (report != null) {
                    synchronized (failures) {
                      failures.add(report);
                    }
                  }
                }
                return stats;
              }));
    }
    Stats total = new Stats();
    try {
      for (Future<Stats> f : parts) {
        total.add(f.get());
      }
    } finally {
      pool.shutdown();
    }
    System.out.println("language fuzzing, seeds from " + FIRST + ": " + total);
    if (!failures.isEmpty()) {
      fail(failures.size() + " failing programs\n\n" + String.join("\n\n", failures));
    }
    if (COUNT >= 1000) {
      assertEquals(EnumSet.allOf(Op.class), total.ops, "ops that no generated program exercised");
    }
  }

  /** Checks the program of one seed; returns the failure report, or null. */
  static String run(long seed, Stats stats) {
    FuzzProgram p = ProgramGenerator.generate(seed);
    try {
      DifferentialCheck.check(p, stats);
      return null;
    } catch (Failure f) {
      FuzzProgram reduced = Reducer.reduce(p, c -> DifferentialCheck.failsAlike(c, f), 3000);
      return "seed "
          + seed
          + ": "
          + f.getMessage()
          + "\n--- program (symbols "
          + p.symbols()
          + ")\n"
          + p.source()
          + "--- reduced (symbols "
          + reduced.symbols()
          + ")\n"
          + reduced.source()
          + "--- rerun: -Dtest=LanguageFuzzTest -Dgradc.fuzz.seed="
          + seed
          + " -Dgradc.fuzz.count=1";
    }
  }
}
