package dev.gradc;

import dev.gradc.ir.SourcePos;
import java.security.CodeSource;
import java.util.Objects;

/**
 * PyTorch's anomaly mode, per thread: while on, each recorded op keeps the user's call site (the
 * first stack frame outside gradc and the JDK), and, with {@code checkNan}, values are computed on
 * the reference interpreter checking each one ({@code Interpreter.runDetectingAnomalies}). Off, an
 * op costs one thread-local read (none until some thread turns it on) and kernels are the usual
 * compiled ones.
 */
final class AnomalyMode {
  private AnomalyMode() {}

  /** The mode of a thread: off (null), or on with or without checks. */
  record State(boolean checkNan) {}

  private static final ThreadLocal<State> STATE = new ThreadLocal<>();

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static final CodeSource OWN = codeSource(AnomalyMode.class);

  /**
   * Whether any thread of this JVM ever turned anomaly mode on: until then it is off everywhere and
   * recording an op or running backward need not read the thread-local.
   */
  private static volatile boolean everOn;

  static State get() {
    return everOn ? STATE.get() : null;
  }

  static void set(State s) {
    if (s != null) {
      everOn = true;
    }
    STATE.set(s);
  }

  /** True when values are computed with checks: anomaly mode is on with {@code checkNan}. */
  static boolean checks() {
    State s = get();
    return s != null && s.checkNan();
  }

  /** The call site of the op being recorded when anomaly mode is on, else null. */
  static SourcePos callSite() {
    if (get() == null) {
      return null;
    }
    return WALKER.walk(
        frames ->
            frames
                .filter(f -> !isLibrary(f.getDeclaringClass()))
                .findFirst()
                .map(
                    f ->
                        new SourcePos(
                            f.getFileName() != null ? f.getFileName() : f.getClassName(),
                            Math.max(f.getLineNumber(), 0),
                            0))
                .orElse(null));
  }

  /** gradc's own classes and the JDK's: frames between an op and the code that called it. */
  private static boolean isLibrary(Class<?> c) {
    String n = c.getName();
    return n.startsWith("java.")
        || n.startsWith("jdk.")
        || n.startsWith("sun.")
        || n.startsWith("dev.gradc.ir.")
        || n.startsWith("dev.gradc.runtime.")
        || n.startsWith("dev.gradc.codegen.")
        || Objects.equals(codeSource(c), OWN);
  }

  private static CodeSource codeSource(Class<?> c) {
    return c.getProtectionDomain().getCodeSource();
  }
}
