package dev.gradc.ir.opt;

import dev.gradc.ir.Func;

/** One optimization pass: a function in, an equivalent function out. */
public interface Pass {
  /** The short name used in pipeline listings and golden file names. */
  String name();

  Func run(Func f);
}
