package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.ir.DType;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The driver's code after a kernel's chunks for each reduction: combines column partials in chunk
 * order, divides means by their count, rounds to the result's dtype, and stores the result (a full
 * reduction's in a scalar). Inner and direct reductions are finished inside the kernel.
 */
final class ReductionFinish {
  private ReductionFinish() {}

  static void emit(
      DriverSlots d,
      LoopLayout l,
      Reduction r,
      Integer acc,
      Map<Access, Integer> arrays,
      int chunks) {
    GeneratorAdapter g = d.g;
    DType dt = r.inst.type().dtype();
    switch (r.mode) {
      case COLUMN -> {
        // out[j] = finish(parts[0 * n + j] op parts[1 * n + j] op ...), chunks in order
        int parts = arrays.get(r.out);
        int out = d.obtain(r.inst, dt);
        int n = g.newLocal(Type.INT_TYPE);
        d.pushExtent(l.sizes.get(l.rank() - 1));
        g.storeLocal(n);
        int j = g.newLocal(Type.INT_TYPE);
        int c = g.newLocal(Type.INT_TYPE);
        int sum = g.newLocal(Type.DOUBLE_TYPE);
        d.forRange(
            j,
            0,
            n,
            () -> {
              g.push(r.identity());
              g.storeLocal(sum);
              d.forRange(
                  c,
                  0,
                  chunks,
                  () ->
                      combineElement(
                          d,
                          r,
                          sum,
                          parts,
                          () -> {
                            g.loadLocal(c);
                            g.loadLocal(n);
                            g.visitInsn(Opcodes.IMUL);
                            g.loadLocal(j);
                            g.visitInsn(Opcodes.IADD);
                          }));
              g.loadLocal(out);
              g.loadLocal(j);
              g.loadLocal(sum);
              finishValue(d, r, dt);
              Jvm.storeElement(g, dt);
            });
      }
      case FULL -> {
        g.loadLocal(acc);
        finishValue(d, r, dt);
        // All dims reduced: the result has one element, so it lives in a scalar.
        d.defineScalar(r.inst);
      }
      case RMW -> {
        int scratch = arrays.get(r.out);
        int out = d.obtain(r.inst, dt);
        if (r.dividesByCount() || dt != DType.F64) {
          // out[i] = round(scratch[i] / count)
          int i = g.newLocal(Type.INT_TYPE);
          int n = g.newLocal(Type.INT_TYPE);
          d.pushExtent(Extent.product(r.inst.type().dims()));
          g.storeLocal(n);
          d.forRange(
              i,
              0,
              n,
              () -> {
                g.loadLocal(out);
                g.loadLocal(i);
                g.loadLocal(scratch);
                g.loadLocal(i);
                g.arrayLoad(Type.DOUBLE_TYPE);
                finishValue(d, r, dt);
                Jvm.storeElement(g, dt);
              });
        }
      }
      case INNER, DIRECT -> {}
    }
  }

  /**
   * {@code acc = combine(acc, parts[index])} in the driver, where {@code pushIndex} pushes the
   * index: partials are always combined in chunk order, so results do not depend on threads.
   */
  static void combineElement(DriverSlots d, Reduction r, int acc, int parts, Runnable pushIndex) {
    GeneratorAdapter g = d.g;
    g.loadLocal(acc);
    g.loadLocal(parts);
    pushIndex.run();
    g.arrayLoad(Type.DOUBLE_TYPE);
    d.ops.combine(r.combine());
    g.storeLocal(acc);
  }

  /** With a reduced double on the stack: divides a mean by its count, rounds to {@code dt}. */
  private static void finishValue(DriverSlots d, Reduction r, DType dt) {
    if (r.dividesByCount()) {
      d.pushExtent(r.count);
      d.g.visitInsn(Opcodes.I2D);
      d.g.visitInsn(Opcodes.DDIV);
    }
    Jvm.round(d.g, dt);
  }
}
