package dev.gradc.codegen;

import dev.gradc.codegen.LoopLayout.Access;
import dev.gradc.ir.DType;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The static method of one {@link Kernel}, as a {@link KernelBackend} writes it and the driver
 * calls it: a method that runs iterations {@code [lo, hi)} of the kernel's outer loop (elements for
 * a flat kernel, rows otherwise).
 *
 * <p>Parameters, in order: the buffers, the scalars, the non-constant extents, a partials array
 * when there are several full reductions, then the chunk index, {@code lo} and {@code hi}.
 * Full-reduction partials go to {@code partials[chunk * fullCount + slot]}; column reductions
 * accumulate into their partial vector at {@code chunk * inner + j}. With one full reduction the
 * method returns its partial; otherwise it returns nothing.
 *
 * <p>A packed kernel, whose arguments would not fit a JVM signature, takes {@code (Object[] frame,
 * int chunk, int lo, int hi)} instead and always writes its partials into the frame. The frame is
 * what the parallel path builds anyway: the buffers, then a {@code double[]} of the scalars, an
 * {@code int[]} of the extents followed by the outer count and the chunk step, and the {@code
 * double[]} of partials.
 */
final class KernelSignature {
  final Kernel kernel;

  /** The method's name in the class. */
  final String name;

  final Method method;

  /** True when the vector backend also writes the kernel ({@link VectorKernelEmitter}). */
  final boolean vector;

  /**
   * The method the driver calls: {@link #method}, or for a vector kernel {@code v<name>}, which
   * calls the vector form when the class found it at initialization, else {@link #method}.
   */
  final Method entry;

  private KernelSignature(Kernel kernel, String name) {
    this.kernel = kernel;
    this.name = name;
    this.method = method(kernel, name);
    this.vector = VectorKernelEmitter.unsupported(kernel) == null;
    this.entry = vector ? new Method("v" + name, method.getDescriptor()) : method;
  }

  /**
   * Fills the argument indices of a kernel's unpacked signature: each buffer's, scalar's and
   * extent's; returns those of the partials array (-1 without), the chunk, {@code lo} and {@code
   * hi}.
   */
  static int[] argIndices(
      Kernel k,
      java.util.Map<Access, Integer> buffers,
      java.util.Map<dev.gradc.ir.Value, Integer> scalars,
      java.util.Map<Extent, Integer> ints) {
    int arg = 0;
    for (Access a : k.buffers) {
      buffers.put(a, arg++);
    }
    for (dev.gradc.ir.Value v : k.scalars) {
      scalars.put(v, arg++);
    }
    for (Extent e : k.intParams) {
      ints.put(e, arg++);
    }
    int partials = k.fullReductions.size() > 1 ? arg++ : -1;
    return new int[] {partials, arg, arg + 1, arg + 2};
  }

  /** The static field of the generated class holding the handle of the vector kernel, or null. */
  String vectorField() {
    return name + "Vector";
  }

  static KernelSignature of(Kernel k) {
    return new KernelSignature(k, "kernel" + k.firstLoop().index);
  }

  /**
   * The dtype of the array a buffer parameter holds: RMW reductions accumulate in f64, column
   * reductions into f64 partial vectors.
   */
  DType paramDtype(Access a) {
    return Kernel.isAccumulator(kernel.loopOf(a), a) ? DType.F64 : a.dtype;
  }

  /** True when the method returns its one full reduction's partial. */
  boolean returnsPartial() {
    return !kernel.packed() && kernel.fullReductions.size() == 1;
  }

  /** True when the method takes a partials array (several full reductions, not packed). */
  boolean takesPartials() {
    return !kernel.packed() && kernel.fullReductions.size() > 1;
  }

  /** The frame's index of the scalars array; the buffers come before it. */
  int frameScalars() {
    return kernel.buffers.size();
  }

  /** The frame's index of the extents array (then the outer count and the chunk step). */
  int frameInts() {
    return kernel.buffers.size() + 1;
  }

  /** The frame's index of the partials array. */
  int framePartials() {
    return kernel.buffers.size() + 2;
  }

  /** The frame's length: the buffers, the scalars, the extents and the partials. */
  int frameLength() {
    return kernel.buffers.size() + 3;
  }

  /**
   * Writes code that stores {@code frame[index]}, cast to {@code t}, in a new local, and returns
   * the local; the frame is argument {@code frameArg} of the method {@code g} writes.
   */
  static int unpack(GeneratorAdapter g, int frameArg, int index, Type t) {
    int local = g.newLocal(t);
    g.loadArg(frameArg);
    g.push(index);
    g.arrayLoad(Jvm.OBJECT);
    g.checkCast(t);
    g.storeLocal(local);
    return local;
  }

  private static Method method(Kernel k, String name) {
    if (k.packed()) {
      return new Method(
          name,
          Type.VOID_TYPE,
          new Type[] {Jvm.OBJECT_ARRAY, Type.INT_TYPE, Type.INT_TYPE, Type.INT_TYPE});
    }
    List<Type> params = new ArrayList<>();
    for (Access a : k.buffers) {
      params.add(Jvm.arrayType(Kernel.isAccumulator(k.loopOf(a), a) ? DType.F64 : a.dtype));
    }
    for (int i = 0; i < k.scalars.size(); i++) {
      params.add(Type.DOUBLE_TYPE);
    }
    for (int i = 0; i < k.intParams.size(); i++) {
      params.add(Type.INT_TYPE);
    }
    if (k.fullReductions.size() > 1) {
      params.add(Jvm.DOUBLE_ARRAY);
    }
    params.add(Type.INT_TYPE);
    params.add(Type.INT_TYPE);
    params.add(Type.INT_TYPE);
    Type ret = k.fullReductions.size() == 1 ? Type.DOUBLE_TYPE : Type.VOID_TYPE;
    return new Method(name, ret, params.toArray(new Type[0]));
  }
}
