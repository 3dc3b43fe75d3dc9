package dev.gradc.codegen.lib.vector;

import jdk.incubator.vector.FloatVector;

/**
 * The vector shape the vector forms run with here: the JVM's preferred species (the hardware's
 * widest vectors, capped by {@code -XX:MaxVectorSize}). For the start-up log line and for tests.
 */
public final class Species {
  private Species() {}

  /** f32 lanes per vector. */
  public static int floatLanes() {
    return FloatVector.SPECIES_PREFERRED.length();
  }

  /** For example {@code "512-bit vectors (16 f32 lanes)"}. */
  public static String describe() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize()
        + "-bit vectors ("
        + floatLanes()
        + " f32 lanes)";
  }
}
