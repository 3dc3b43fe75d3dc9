/**
 * Running compiled kernels: loading them as hidden classes, the kernel cache keyed by a function's
 * structure, buffers and the chunked parallel executor. Grad mode is the frontend's (per thread,
 * {@code dev.gradc.Autograd}).
 */
package dev.gradc.runtime;
