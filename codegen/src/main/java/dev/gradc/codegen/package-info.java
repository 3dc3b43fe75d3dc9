/**
 * Compilation of IR functions to JVM bytecode: one class per function with a static method per
 * kernel, depending on {@code java.base} only. Read it from {@link dev.gradc.codegen.Compiler}
 * downwards: each stage is one class whose comment starts with its input and output types.
 *
 * <h2>Glossary</h2>
 *
 * One name per concept; the printed plan ({@code gradc inspect --stage kernels}) uses the same.
 *
 * <dl>
 *   <dt>stage
 *   <dd>One pass of the compiler, in the order {@link dev.gradc.codegen.Compiler} lists them:
 *       optimize, lower, plan loops, lay out kernels, emit class, load. Each returns an immutable
 *       value that prints and is checked.
 *   <dt>step
 *   <dd>What the generated driver method runs, in order: a loop or a library call ({@link
 *       dev.gradc.codegen.LoopPlan.Step}), numbered from 0.
 *   <dt>loop
 *   <dd>The computation of some values over one iteration domain: its members computed per element,
 *       its reductions accumulated ({@link dev.gradc.codegen.LoopPlan.Loop}); its concrete shape,
 *       strides and reduction modes are its {@link dev.gradc.codegen.LoopLayout}. A loop of rank 1
 *       is <em>flat</em>; a higher rank is <em>rows</em>: an outer loop over rows and an inner loop
 *       over the last dim.
 *   <dt>member
 *   <dd>An instruction a loop computes.
 *   <dt>kernel
 *   <dd>One generated method: one loop, or consecutive loops over the same outer rows fused into
 *       one pass ({@link dev.gradc.codegen.Kernel}). Named {@code kernelN} after its first loop.
 *   <dt>library call
 *   <dd>A step that calls copied plain Java ({@code matmul}, {@code one_hot}, {@code slice}, {@code
 *       slice_backward} of one element or along a symbolic dim) instead of a kernel.
 *   <dt>home
 *   <dd>Where a value lives at run time: an argument, a scalar in the driver, an element of a loop
 *       (in a local, and stored when read elsewhere), a buffer, or a strided view of another
 *       value's buffer ({@link dev.gradc.codegen.LoopPlan.Home}).
 *   <dt>row value
 *   <dd>A value a fused kernel produces one element per row and only its later loops read: kept in
 *       a local for the row, never stored (the plan's {@code keeps}).
 *   <dt>chunk
 *   <dd>A fixed range of a kernel's outer iterations; chunks run on the pool in any order and their
 *       partial results combine in chunk order, so results do not depend on the thread count.
 *   <dt>frame mode
 *   <dd>A driver too large for one method keeps its state in frame arrays and runs its steps from
 *       <em>segment</em> methods, each under the JIT's 8,000-byte limit ({@link
 *       dev.gradc.codegen.DriverEmitter}).
 *   <dt>packed
 *   <dd>A kernel whose arguments would not fit a method signature takes them in one frame array
 *       ({@code Kernel.packed()}), as chunks run on the pool do anyway.
 * </dl>
 */
package dev.gradc.codegen;
