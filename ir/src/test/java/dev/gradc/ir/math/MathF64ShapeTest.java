package dev.gradc.ir.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@link MathF64}'s shape: odd functions are odd bit for bit, the functions stay monotone across
 * the boundaries where their kernels change pieces or reductions, arguments the JDK's fdlibm treats
 * specially stay within an ulp of it, and the bytecode is what codegen can copy into a generated
 * class (locals, constants, {@code java.*} and MathF64's own methods; no fields of its own).
 */
class MathF64ShapeTest {
  @ParameterizedTest(name = "{0} is odd")
  @CsvSource({"erf", "tanh", "sin"})
  void oddFunctions_areOddBitForBit(String name) {
    DoubleUnaryOperator f = MathF64Test.function(name);
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) {
      double x = i % 2 == 0 ? rnd.nextDouble(-8, 8) : Math.scalb(rnd.nextDouble(), -i % 1000);
      assertEquals(-f.applyAsDouble(x), f.applyAsDouble(-x), name + " at " + x);
    }
  }

  @ParameterizedTest(name = "{0} is monotone near {1}")
  @CsvSource({
    "erf, 0.84375",
    "erf, 1.25",
    "erf, 1.75",
    "erf, 2.25",
    "erf, 2.875",
    "erf, 3.5",
    "erf, 4.5",
    "erf, 5.9375",
    "erfc, 0.25",
    "erfc, 0.84375",
    "erfc, 1.25",
    "erfc, 6",
    "erfc, 26.5",
    "erfc, -0.84375",
    "tanh, 0.75",
    "exp, 0.34657359027997264",
    "expm1, 0.6931471805599453",
    "expm1, -0.6931471805599453",
    "log, 1.4142135623730951",
    "log1p, 0.41421356237309515",
    "log1p, -0.2928932188134524",
    "sigmoid, 0",
    "sin, 0.7853981633974483",
    "cos, 0.7853981633974483"
  })
  void monotoneAcrossPieceBoundaries(String name, double edge) {
    DoubleUnaryOperator f = MathF64Test.function(name);
    boolean decreasing = name.equals("erfc") || name.equals("cos");
    double x = edge;
    for (int i = 0; i < 200; i++) {
      x = Math.nextDown(x);
    }
    double prev = f.applyAsDouble(x);
    for (int i = 0; i < 400; i++) {
      x = Math.nextUp(x);
      double y = f.applyAsDouble(x);
      assertTrue(decreasing ? y <= prev : y >= prev, name + " turns at " + x + " near " + edge);
      prev = y;
    }
  }

  @Test
  void expm1AndLog1p_nearFdlibmAtItsSpecialArguments() {
    double[] common = {
      0.0,
      -0.0,
      Double.MIN_VALUE,
      -Double.MIN_VALUE,
      1e-320,
      1e-17,
      -1e-17,
      1e-16,
      0.5,
      -0.5,
      -Double.MAX_VALUE,
      Double.MAX_VALUE,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.NaN
    };
    List<Double> log1p = new ArrayList<>();
    List<Double> expm1 = new ArrayList<>();
    for (double x : common) {
      log1p.add(x);
      expm1.add(x);
    }
    log1p.addAll(List.of(-1.0, -1.5, Math.nextUp(-1.0)));
    expm1.addAll(List.of(-37.0, -38.0, -40.0, -745.0, -746.0, 709.0, 709.78, 710.0));
    for (double x : log1p) {
      assertWithinAnUlp(StrictMath.log1p(x), MathF64.log1p(x), "log1p(" + x + ")");
    }
    for (double x : expm1) {
      assertWithinAnUlp(StrictMath.expm1(x), MathF64.expm1(x), "expm1(" + x + ")");
    }
  }

  /** Within an ulp when finite and non-zero; infinities, NaN and signed zeros exactly. */
  private static void assertWithinAnUlp(double expected, double actual, String what) {
    if (Double.isFinite(expected) && expected != 0) {
      assertEquals(expected, actual, Math.ulp(expected), what);
    } else {
      assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual), what);
    }
  }

  /**
   * What codegen copies must stand alone: no field but {@code java.*} ones (constants are inlined),
   * calls to {@code java.*} and to MathF64's own methods only, and methods small enough for C2
   * (estimated below 2,000 bytes each; C2 refuses methods over 8,000).
   */
  @Test
  void bytecode_copiesIntoGeneratedClasses() throws IOException {
    List<String> problems = new ArrayList<>();
    String self = "dev/gradc/ir/math/MathF64";
    try (InputStream in = MathF64.class.getResourceAsStream("MathF64.class")) {
      new ClassReader(in)
          .accept(
              new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(
                    int access, String name, String desc, String sig, String[] exceptions) {
                  int[] size = {0};
                  return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitFieldInsn(int op, String owner, String field, String d) {
                      size[0] += 3;
                      if (!owner.startsWith("java/")) {
                        problems.add(name + " reads field " + owner + "." + field);
                      }
                    }

                    @Override
                    public void visitMethodInsn(
                        int op, String owner, String method, String d, boolean itf) {
                      size[0] += 3;
                      if (!owner.startsWith("java/") && !owner.equals(self)) {
                        problems.add(name + " calls " + owner + "." + method);
                      }
                    }

                    @Override
                    public void visitTypeInsn(int op, String type) {
                      size[0] += 3;
                      if (!type.startsWith("java/") && !type.equals("[D")) {
                        problems.add(name + " uses type " + type);
                      }
                    }

                    @Override
                    public void visitInsn(int op) {
                      size[0] += 1;
                    }

                    @Override
                    public void visitVarInsn(int op, int var) {
                      size[0] += 2;
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                      size[0] += 3;
                    }

                    @Override
                    public void visitEnd() {
                      if (size[0] > 2000) {
                        problems.add(name + " is about " + size[0] + " bytes");
                      }
                    }
                  };
                }
              },
              0);
    }
    assertEquals(List.of(), problems);
  }
}
