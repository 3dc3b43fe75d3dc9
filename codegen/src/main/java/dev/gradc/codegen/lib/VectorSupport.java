package dev.gradc.codegen.lib;

/**
 * Whether this JVM runs the Vector API forms of the library ({@code lib.vector}): only when the
 * incubator module {@code jdk.incubator.vector} is in the boot layer (the launcher passes {@code
 * --add-modules jdk.incubator.vector}) and {@code -Dgradc.vector=false} does not turn them off.
 * Every vector form gives the same bits as its scalar form, so the answer changes speed only.
 *
 * <p>A class that touches {@code jdk.incubator.vector} must not be loaded without the module: the
 * verifier of a class referring to {@code FloatVector} would fail to load it. So callers test
 * {@link #enabled} once (a generated class: in its static initializer, copying this method) and
 * only then link to a {@code lib.vector} class; nothing outside {@code lib.vector} refers to the
 * module's types. This class has no fields, so generated classes can copy it.
 */
public final class VectorSupport {
  private VectorSupport() {}

  /** True when the vector forms may run here. */
  public static boolean enabled() {
    if ("false".equals(System.getProperty("gradc.vector"))) {
      return false;
    }
    // The boot layer's own modules (its parent, the empty layer, has none): findModule would look
    // for an absent module through a stream, whose classes and lambdas a fresh JVM spins first.
    for (Module m : ModuleLayer.boot().modules()) {
      if ("jdk.incubator.vector".equals(m.getName())) {
        return true;
      }
    }
    return false;
  }
}
