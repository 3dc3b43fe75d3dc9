package dev.gradc.ir.ad;

import dev.gradc.ir.Inst;
import dev.gradc.ir.Op;

/** Which ops {@link FiniteDifferenceTest} checks, for the frontend's {@code OpCoverageTest}. */
public final class FiniteDifferenceCoverage {
  private FiniteDifferenceCoverage() {}

  /** True when some finite-difference case of {@code op} contains the op. */
  public static boolean covers(Op op) {
    return FiniteDifferenceTest.cases(op).stream()
        .anyMatch(k -> k.f().insts().stream().map(Inst::op).anyMatch(o -> o == op));
  }
}
