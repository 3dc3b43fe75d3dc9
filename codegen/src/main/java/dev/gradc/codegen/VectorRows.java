package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.codegen.LoopLayout.Mode;
import dev.gradc.codegen.LoopLayout.Reduction;
import dev.gradc.ir.DType;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Value;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The vector backend's form of rows kernels: {@link ScalarKernelEmitter}'s kernel, written into the
 * vector companion, whose rows loops of f64 products and sums run their inner loop in f64 vectors
 * of the JVM's preferred species ({@code w} of 2, 4 or 8 lanes). A row runs in logical blocks of
 * {@link dev.gradc.ir.SumOrder#BLOCK} elements, each as {@code 16 / w} vector steps, then its last
 * {@code n mod 16} elements one at a time as in the scalar kernel. Each lane computes what the
 * scalar kernel computes for its element, with the same operations in the same order: a row sum's
 * element {@code j} goes to partial {@code j mod 16} (the step at {@code j} adds its lanes to
 * partials {@code j mod 16} on), a column sum's to its row's partial vector, so the results have
 * the scalar kernel's bits on every vector width. The logistic loss's {@code x @ w} and {@code x^T
 * g} run this way.
 *
 * <p>A loop takes the vector form ({@link #unsupported} says why not) when it reads f64 data with
 * unit or zero inner stride (or row values and scalars), stores nothing, computes only {@code +},
 * {@code -} and {@code *} of f64 values, and reduces only by sums per row or per column. The other
 * rows loops of the kernel run as in the scalar kernel. Its flat loops, in row blocks, run each
 * pass that sums nothing in f64 vectors over the block's rows, a row per lane, and their sums and
 * other passes one row at a time ({@code ScalarKernelEmitter}'s {@code inVectors}).
 */
final class VectorRows {
  private VectorRows() {}

  private static final String PKG = "jdk/incubator/vector/";
  static final Type DV = Type.getObjectType(PKG + "DoubleVector");
  private static final Type VEC = Type.getObjectType(PKG + "Vector");
  static final Type SPECIES = Type.getObjectType(PKG + "VectorSpecies");

  private static final Method FROM_ARRAY =
      new Method("fromArray", DV, new Type[] {SPECIES, Jvm.DOUBLE_ARRAY, Type.INT_TYPE});
  private static final Method BROADCAST =
      new Method("broadcast", DV, new Type[] {SPECIES, Type.DOUBLE_TYPE});
  private static final Method INTO_ARRAY =
      new Method("intoArray", Type.VOID_TYPE, new Type[] {Jvm.DOUBLE_ARRAY, Type.INT_TYPE});

  /** Whether the vector backend writes kernel {@code k} in this form. */
  static boolean takes(Kernel k) {
    if (k.packed()) {
      return false;
    }
    for (LoopLayout l : k.loops) {
      if (l.rank() == 2 && unsupported(l) == null) {
        return true;
      }
    }
    return false;
  }

  /** Why rows loop {@code l} runs its inner loop one element at a time; null when in vectors. */
  static String unsupported(LoopLayout l) {
    if (l.rank() != 2) {
      return "not a rows loop of rank 2";
    }
    if (!l.guards.isEmpty()) {
      return "guarded reads";
    }
    if (!l.stores.isEmpty()) {
      return "stores";
    }
    for (Reduction r : l.reductions) {
      boolean sum = r.inst.op() == Op.SUM || r.inst.op() == Op.MEAN;
      if (!sum || !r.sumsInBlocks() || (r.mode != Mode.INNER && r.mode != Mode.COLUMN)) {
        return r.inst.op().mnemonic()
            + " ("
            + r.mode.name().toLowerCase(java.util.Locale.ROOT)
            + ")";
      }
    }
    for (Access a : l.reads.values()) {
      if (a.dtype != DType.F64) {
        return a.dtype + " data";
      }
      if (!a.stride(1).isZero() && !a.stride(1).equals(Extent.ONE)) {
        return "strided reads";
      }
    }
    for (Value v : l.scalars) {
      if (v.type().dtype() != DType.F64) {
        return v.type().dtype() + " scalars";
      }
    }
    for (Inst m : l.loop.members) {
      if (m.type().dtype() != DType.F64) {
        return m.type().dtype() + " " + m.op().mnemonic();
      }
      if (LoopPlan.isReduction(m) || l.plan.isCopyMember(m)) {
        continue;
      }
      if (!(m.op() == Op.ADD || m.op() == Op.SUB || m.op() == Op.MUL) || m.arity() != 2) {
        return m.op().mnemonic();
      }
      for (int k = 0; k < 2; k++) {
        Value o = m.operand(k);
        if (!(o instanceof Lit) && o.type().dtype() != DType.F64) {
          return o.type().dtype() + " " + m.op().mnemonic();
        }
      }
    }
    return null;
  }

  /** The plan's line for loop {@code l} of a kernel in this form. */
  static String shape(LoopLayout l) {
    if (l.rank() != 2) {
      return l.rank() == 1
          ? "in row blocks, passes that sum nothing in w f64 lanes, the rest scalar"
          : "scalar (rank " + l.rank() + ")";
    }
    String why = unsupported(l);
    if (why != null) {
      return "scalar (" + why + ")";
    }
    return "rows in w f64 lanes (2, 4 or 8), 16-element blocks, scalar tail";
  }

  // --- the instructions the emitter writes

  /** Pushes the f64 species of the companion {@code owner}. */
  static void species(GeneratorAdapter g, Type owner) {
    g.getStatic(owner, VectorKernelEmitter.F64_SPECIES, SPECIES);
  }

  /** With the species, an array and an index pushed: the vector from that index. */
  static void fromArray(GeneratorAdapter g) {
    g.invokeStatic(DV, FROM_ARRAY);
  }

  /** With the species and a double pushed: the vector of that value in every lane. */
  static void broadcast(GeneratorAdapter g) {
    g.invokeStatic(DV, BROADCAST);
  }

  /** With two vectors pushed: their lanewise {@code +}, {@code -} or {@code *}. */
  static void binary(GeneratorAdapter g, Op op) {
    String name =
        switch (op) {
          case ADD -> "add";
          case SUB -> "sub";
          case MUL -> "mul";
          default -> throw new IllegalArgumentException(op.toString());
        };
    g.invokeVirtual(DV, new Method(name, DV, new Type[] {VEC}));
  }

  /** With a vector, an array and an index pushed: stores the vector's lanes from that index. */
  static void intoArray(GeneratorAdapter g) {
    g.invokeVirtual(DV, INTO_ARRAY);
  }

  /** Pushes the species' lane count. */
  static void lanes(GeneratorAdapter g, Type owner) {
    species(g, owner);
    g.visitMethodInsn(Opcodes.INVOKEINTERFACE, SPECIES.getInternalName(), "length", "()I", true);
  }
}
