package dev.gradc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@link ScalarMath#erf}: its error against high-precision values from mpmath (committed by {@code
 * tools/erf/fit.py}), its special values and symmetry, and the shape of its bytecode, which codegen
 * copies into generated classes.
 */
class ErfTest {
  /** The largest error measured on the reference values, as stated in erf's Javadoc. */
  static final double MAX_ULP = 0.69;

  record Ref(double x, BigDecimal erf) {}

  static List<Ref> reference() throws IOException {
    List<Ref> out = new ArrayList<>();
    try (InputStream in = ErfTest.class.getResourceAsStream("/erf/reference.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.startsWith("#")) {
          String[] xy = line.split(" ", -1);
          out.add(new Ref(Double.parseDouble(xy[0]), new BigDecimal(xy[1])));
        }
      }
    }
    return out;
  }

  /** The error of {@code got} in ulps of the exact value. */
  static double ulps(double got, BigDecimal exact) {
    double ulp = Math.ulp(exact.doubleValue());
    return new BigDecimal(got)
        .subtract(exact)
        .abs()
        .divide(new BigDecimal(ulp), MathContext.DECIMAL64)
        .doubleValue();
  }

  @Test
  void erf_matchesReferenceValuesWithinTheStatedError() throws IOException {
    List<Ref> refs = reference();
    assertTrue(refs.size() > 3000, "reference values: " + refs.size());
    double worst = 0;
    double at = 0;
    for (Ref ref : refs) {
      double e = ulps(ScalarMath.erf(ref.x()), ref.erf());
      if (e > worst) {
        worst = e;
        at = ref.x();
      }
    }
    assertTrue(worst <= MAX_ULP, "max error " + worst + " ulp at x = " + at);
    assertTrue(worst > MAX_ULP - 0.1, "the stated error is stale: now " + worst + " ulp");
  }

  @Test
  void erf_specialValues() {
    assertTrue(Double.isNaN(ScalarMath.erf(Double.NaN)));
    assertEquals(1.0, ScalarMath.erf(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, ScalarMath.erf(Double.NEGATIVE_INFINITY));
    assertEquals(1.0, ScalarMath.erf(6.0));
    assertEquals(1.0, ScalarMath.erf(5.95));
    assertEquals(Math.nextDown(1.0), ScalarMath.erf(5.9));
    assertEquals(0, Double.compare(-0.0, ScalarMath.erf(-0.0)), "erf(-0) is -0");
    assertEquals(0, Double.compare(0.0, ScalarMath.erf(0.0)));
    assertEquals(Double.MIN_VALUE, ScalarMath.erf(Double.MIN_VALUE));
  }

  @Test
  void erf_isOdd() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) {
      double x = rng.nextDouble(-7, 7);
      assertEquals(-ScalarMath.erf(x), ScalarMath.erf(-x), "at " + x);
    }
  }

  @Test
  void erf_isMonotoneAcrossPieceBoundaries() {
    for (double edge : new double[] {0.84375, 1.25, 2.25, 3.5, 6.0}) {
      double x = edge;
      for (int i = 0; i < 200; i++) {
        x = Math.nextDown(x);
      }
      double prev = ScalarMath.erf(x);
      for (int i = 0; i < 400; i++) {
        x = Math.nextUp(x);
        double y = ScalarMath.erf(x);
        assertTrue(y >= prev, "erf decreases at " + x + " near " + edge);
        prev = y;
      }
    }
  }

  /**
   * What codegen copies must stand alone: locals, literals, arithmetic, branches and static calls
   * to {@code java.lang.Math} only, in a method small enough for C2 to compile.
   */
  @Test
  void erf_bytecodeUsesOnlyLocalsLiteralsAndMath() throws IOException {
    List<String> problems = new ArrayList<>();
    int[] size = {0};
    try (InputStream in = ScalarMath.class.getResourceAsStream("ScalarMath.class")) {
      new ClassReader(in)
          .accept(
              new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(
                    int access, String name, String desc, String sig, String[] exceptions) {
                  if (!name.equals("erf")) {
                    return null;
                  }
                  return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitFieldInsn(int op, String owner, String field, String d) {
                      problems.add("field " + owner + "." + field);
                    }

                    @Override
                    public void visitMethodInsn(
                        int op, String owner, String method, String d, boolean itf) {
                      size[0] += 3;
                      if (op != Opcodes.INVOKESTATIC || !owner.equals("java/lang/Math")) {
                        problems.add("call " + owner + "." + method);
                      }
                    }

                    @Override
                    public void visitTypeInsn(int op, String type) {
                      problems.add("type instruction " + op + " " + type);
                    }

                    @Override
                    public void visitIntInsn(int op, int operand) {
                      if (op == Opcodes.NEWARRAY) {
                        problems.add("new array");
                      }
                    }

                    // Sizes as javac encodes them, to estimate the method's length.
                    @Override
                    public void visitInsn(int op) {
                      size[0] += 1;
                    }

                    @Override
                    public void visitVarInsn(int op, int var) {
                      size[0] += var <= 3 ? 1 : 2;
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                      size[0] += 3;
                    }

                    @Override
                    public void visitJumpInsn(int op, Label label) {
                      size[0] += 3;
                    }
                  };
                }
              },
              0);
    }
    assertEquals(List.of(), problems);
    assertTrue(size[0] > 0 && size[0] < 700, "erf's bytecode is about " + size[0] + " bytes");
  }
}
