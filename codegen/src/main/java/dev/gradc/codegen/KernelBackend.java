package dev.gradc.codegen;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Type;

/**
 * Writes the method of one kernel, with the parameters and results {@link KernelSignature} states,
 * into the class being emitted. Everything around it (the driver, chunks, threads, reduction
 * finish) is the same whichever backend writes the loops: {@link ScalarKernelEmitter} writes every
 * kernel into the class; {@link VectorKernelEmitter} writes the kernels it takes again, with the
 * same descriptors, into the class's vector companion, and the class calls those where the vector
 * module is readable (see {@link ClassEmitter}).
 */
interface KernelBackend {
  /**
   * Writes {@code sig}'s method into {@code cv}, a class named {@code owner} whose library routines
   * {@code lib} copies in.
   */
  void emit(ClassVisitor cv, Type owner, LibraryCopier lib, KernelSignature sig);
}
