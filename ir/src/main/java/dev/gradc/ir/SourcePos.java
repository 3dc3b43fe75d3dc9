package dev.gradc.ir;

/** A position in a source file, 1-based; printed as {@code FILE:LINE:COL}. */
public record SourcePos(String file, int line, int column) {
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
