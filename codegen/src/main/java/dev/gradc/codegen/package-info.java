/**
 * Compilation of IR functions to JVM bytecode: fusion planning (which values each loop computes,
 * reads, writes and reduces), loop lowering, and ASM emission of one class per function with a
 * static method per kernel. Generated classes depend on {@code java.base} only.
 */
package dev.gradc.codegen;
