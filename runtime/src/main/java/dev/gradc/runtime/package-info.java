/**
 * Running compiled kernels: loading them as hidden classes, the kernel cache keyed by a function's
 * structure, buffers, the chunked parallel executor, and per-thread grad mode.
 */
package dev.gradc.runtime;
