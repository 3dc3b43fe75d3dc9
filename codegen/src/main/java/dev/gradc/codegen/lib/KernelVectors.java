package dev.gradc.codegen.lib;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Finds the vector form of a generated class's kernel: a public static method of the same name and
 * descriptor in the class's companion ({@link GemmCall#gemmCompanion}: a hidden class's class data,
 * a named class's {@code <name>$Vector}), used only where {@link VectorSupport#enabled} and the
 * companion's f64 vectors have 2, 4 or 8 lanes (so 16 partials fill whole vectors). Generated
 * classes copy this method and call it once per vector kernel at class initialization, keeping the
 * handle in a static final field; null means the class's scalar kernel runs. A companion that
 * should link and does not is logged once per JVM (logger {@code dev.gradc}, level WARNING).
 */
public final class KernelVectors {
  private KernelVectors() {}

  /** The handle of the vector kernel {@code name descriptor}, or null (see the class comment). */
  public static MethodHandle vectorKernel(
      MethodHandles.Lookup lookup, String name, String descriptor) {
    if (!VectorSupport.enabled()) {
      return null;
    }
    try {
      Class<?> self = lookup.lookupClass();
      Class<?> v = GemmCall.companion(lookup);
      int lanes = (int) lookup.findStatic(v, "lanes", MethodType.methodType(int.class)).invoke();
      if (lanes != 2 && lanes != 4 && lanes != 8) {
        return null;
      }
      return lookup.findStatic(
          v, name, MethodType.fromMethodDescriptorString(descriptor, self.getClassLoader()));
    } catch (Throwable e) {
      // no companion, no such kernel, or vectors the JVM cannot make: the scalar kernel runs
      fallbackOnce(lookup.lookupClass().getName() + "." + name, e);
      return null;
    }
  }

  /** The system property that marks the first fallback as logged. */
  public static final String LOGGED = "gradc.vector.fallbackLogged";

  /**
   * Logs the first fallback of this JVM. A system property marks it, not a field: generated classes
   * copy these methods, never fields.
   */
  public static void fallbackOnce(String kernel, Throwable cause) {
    if (System.getProperties().putIfAbsent(LOGGED, kernel) == null) {
      System.getLogger("dev.gradc")
          .log(
              System.Logger.Level.WARNING,
              "gradc: the vector form of "
                  + kernel
                  + " cannot be used, so its scalar form runs (the same bits, slower): "
                  + cause);
    }
  }
}
