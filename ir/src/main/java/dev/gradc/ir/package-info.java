/**
 * The IR: typed straight-line SSA functions over tensors.
 *
 * <p>A {@link dev.gradc.ir.Func} has named parameters ({@code param}s require grad, {@code input}s
 * do not), instructions in definition order, and results. Types ({@link dev.gradc.ir.Type}) are a
 * dtype and dims, constant or symbolic ({@code f64[N, 3]}); symbols are bound per call. Ops ({@link
 * dev.gradc.ir.Op}) have PyTorch's names and semantics, with broadcasting made explicit by the
 * {@link dev.gradc.ir.Builder}, which also promotes dtypes and folds constants as it goes.
 *
 * <p>Every function prints ({@link dev.gradc.ir.Printer}) to text that parses back ({@link
 * dev.gradc.ir.Parser}) to the same text, satisfies the invariants of {@link
 * dev.gradc.ir.Verifier}, and evaluates in the reference {@link dev.gradc.ir.Interpreter}, the
 * oracle for compiled code. Reverse mode lives in {@code dev.gradc.ir.ad}, optimization passes in
 * {@code dev.gradc.ir.opt}. Nothing here recurses over the graph: functions of any depth work.
 */
package dev.gradc.ir;
