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
 * handle in a static final field; null means the class's scalar kernel runs.
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
      return null;
    }
  }
}
