package dev.gradc.codegen.lib.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Compares {@link MathVector} with {@code MathF64} in the JVM's preferred species, for {@link
 * MathVectorTest}'s forked JVMs (run with {@code -XX:MaxVectorSize=16}, {@code 32}, {@code 64}):
 * prints the mismatches, one per line (none when all agree), then {@code lanes N}, the f64 lanes of
 * the species.
 */
public final class MathVectorMain {
  private MathVectorMain() {}

  public static void main(String[] args) {
    for (String name : MathVectorCases.NAMES) {
      String d =
          MathVectorCases.mismatches(
              name, DoubleVector.SPECIES_PREFERRED, MathVectorCases.arguments(name, 7));
      if (!d.isEmpty()) {
        System.out.println(d);
      }
      String f =
          MathVectorCases.mismatchesF32(
              name, FloatVector.SPECIES_PREFERRED, MathVectorCases.argumentsF32(name, 8));
      if (!f.isEmpty()) {
        System.out.println(f);
      }
    }
    System.out.println("lanes " + DoubleVector.SPECIES_PREFERRED.length());
  }
}
