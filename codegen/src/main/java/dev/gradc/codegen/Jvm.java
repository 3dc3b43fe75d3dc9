package dev.gradc.codegen;

import dev.gradc.ir.DType;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * How each dtype lives in the JVM: buffers are {@code double[]}, {@code float[]}, {@code long[]}
 * and {@code boolean[]}; inside kernels every element is a {@code double}, rounded back to its
 * dtype after each op exactly as the reference interpreter rounds, except that the elementwise
 * loops keep i64 elements as {@code long}s ({@link #valueType}), for exact integer arithmetic.
 */
final class Jvm {
  private Jvm() {}

  static final Type DOUBLE_ARRAY = Type.getType(double[].class);
  static final Type INT_ARRAY = Type.getType(int[].class);
  static final Type OBJECT = Type.getType(Object.class);
  static final Type OBJECT_ARRAY = Type.getType(Object[].class);
  static final Type MATH = Type.getType(Math.class);

  /** Starts writing method {@code m} into {@code cv}; the caller ends it. */
  static GeneratorAdapter method(ClassVisitor cv, int access, Method m) {
    GeneratorAdapter g =
        new GeneratorAdapter(
            access, m, cv.visitMethod(access, m.getName(), m.getDescriptor(), null, null));
    g.visitCode();
    return g;
  }

  static Type arrayType(DType d) {
    return switch (d) {
      case F64 -> DOUBLE_ARRAY;
      case F32 -> Type.getType(float[].class);
      case I64 -> Type.getType(long[].class);
      case BOOL -> Type.getType(boolean[].class);
    };
  }

  static Type elementType(DType d) {
    return arrayType(d).getElementType();
  }

  /** With array and index on the stack, loads the element as a double. */
  static void loadElement(GeneratorAdapter g, DType d) {
    switch (d) {
      case F64 -> g.visitInsn(Opcodes.DALOAD);
      case F32 -> {
        g.visitInsn(Opcodes.FALOAD);
        g.visitInsn(Opcodes.F2D);
      }
      case I64 -> {
        g.visitInsn(Opcodes.LALOAD);
        g.visitInsn(Opcodes.L2D);
      }
      case BOOL -> {
        g.visitInsn(Opcodes.BALOAD);
        g.visitInsn(Opcodes.I2D);
      }
    }
  }

  /**
   * With array, index and a double (already rounded to {@code d}) on the stack, stores it. Bools
   * are stored as {@code v != 0}.
   */
  static void storeElement(GeneratorAdapter g, DType d) {
    switch (d) {
      case F64 -> g.visitInsn(Opcodes.DASTORE);
      case F32 -> {
        g.visitInsn(Opcodes.D2F);
        g.visitInsn(Opcodes.FASTORE);
      }
      case I64 -> {
        g.visitInsn(Opcodes.D2L);
        g.visitInsn(Opcodes.LASTORE);
      }
      case BOOL -> {
        g.visitInsn(Opcodes.D2I);
        g.visitInsn(Opcodes.BASTORE);
      }
    }
  }

  /** The JVM type of an element of {@code d} in an elementwise loop: long for i64, else double. */
  static Type valueType(DType d) {
    return d == DType.I64 ? Type.LONG_TYPE : Type.DOUBLE_TYPE;
  }

  /** With array and index on the stack, loads the element as a {@link #valueType}. */
  static void loadValue(GeneratorAdapter g, DType d) {
    if (d == DType.I64) {
      g.visitInsn(Opcodes.LALOAD);
    } else {
      loadElement(g, d);
    }
  }

  /** With array, index and a {@link #valueType} (already rounded) on the stack, stores it. */
  static void storeValue(GeneratorAdapter g, DType d) {
    if (d == DType.I64) {
      g.visitInsn(Opcodes.LASTORE);
    } else {
      storeElement(g, d);
    }
  }

  /** Converts a {@link #valueType} of {@code d} on the stack to a double. */
  static void toDouble(GeneratorAdapter g, DType d) {
    if (d == DType.I64) {
      g.visitInsn(Opcodes.L2D);
    }
  }

  /** Converts a double holding a value of {@code d} on the stack to its {@link #valueType}. */
  static void fromDouble(GeneratorAdapter g, DType d) {
    if (d == DType.I64) {
      g.visitInsn(Opcodes.D2L);
    }
  }

  private static final Type DOUBLE = Type.getType(Double.class);

  /** A long on the stack as the double with the same bits (how an i64 scalar slot holds it). */
  static void longToBits(GeneratorAdapter g) {
    g.invokeStatic(DOUBLE, new Method("longBitsToDouble", "(J)D"));
  }

  /** The inverse of {@link #longToBits}. */
  static void bitsToLong(GeneratorAdapter g) {
    g.invokeStatic(DOUBLE, new Method("doubleToRawLongBits", "(D)J"));
  }

  /** Rounds the double on the stack to a value representable in {@code d}, as DType.round. */
  static void round(GeneratorAdapter g, DType d) {
    switch (d) {
      case F64 -> {}
      case F32 -> {
        g.visitInsn(Opcodes.D2F);
        g.visitInsn(Opcodes.F2D);
      }
      case I64 -> {
        g.visitInsn(Opcodes.D2L);
        g.visitInsn(Opcodes.L2D);
      }
      case BOOL -> {
        g.push(0.0);
        g.visitInsn(Opcodes.DCMPL);
        // 0 for zero, 1 or -1 otherwise (NaN counts as true, as v != 0 does)
        g.visitInsn(Opcodes.DUP);
        g.visitInsn(Opcodes.IMUL);
        g.visitInsn(Opcodes.I2D);
      }
    }
  }

  /** Allocates an array of {@code d} whose length is on the stack. */
  static void newArray(GeneratorAdapter g, DType d) {
    g.newArray(elementType(d));
  }

  /** {@code while (i < to) { body; i++; }} over int locals {@code i} and {@code toLocal}. */
  static void whileBelow(GeneratorAdapter g, int i, int toLocal, Runnable body) {
    whileBelow(g, i, toLocal, body, () -> g.iinc(i, 1));
  }

  /**
   * {@code while (i < to) { body; i += step; }} over int locals {@code i}, {@code to}, {@code
   * step}.
   */
  static void whileBelow(GeneratorAdapter g, int i, int toLocal, int stepLocal, Runnable body) {
    whileBelow(
        g,
        i,
        toLocal,
        body,
        () -> {
          g.loadLocal(i);
          g.loadLocal(stepLocal);
          g.visitInsn(Opcodes.IADD);
          g.storeLocal(i);
        });
  }

  private static void whileBelow(
      GeneratorAdapter g, int i, int toLocal, Runnable body, Runnable step) {
    org.objectweb.asm.Label head = new org.objectweb.asm.Label();
    org.objectweb.asm.Label end = new org.objectweb.asm.Label();
    g.mark(head);
    g.loadLocal(i);
    g.loadLocal(toLocal);
    g.ifICmp(GeneratorAdapter.GE, end);
    body.run();
    step.run();
    g.goTo(head);
    g.mark(end);
  }

  /**
   * With a count on the stack, leaves it rounded up to a multiple of the int in local {@code w}.
   */
  static void roundUp(GeneratorAdapter g, int w) {
    ceilDiv(g, w);
    g.loadLocal(w);
    g.visitInsn(Opcodes.IMUL);
  }

  /** With a count on the stack, leaves how many pieces of the int in local {@code w} cover it. */
  static void ceilDiv(GeneratorAdapter g, int w) {
    g.loadLocal(w);
    g.visitInsn(Opcodes.IADD);
    g.push(1);
    g.visitInsn(Opcodes.ISUB);
    g.loadLocal(w);
    g.visitInsn(Opcodes.IDIV);
  }
}
