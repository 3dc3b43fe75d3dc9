package dev.gradc.ir;

/**
 * A position in a source file, 1-based; printed as {@code FILE:LINE:COL}. Column 0 stands for a
 * position known to the line only (a Java call site), printed {@code FILE:LINE}.
 */
public record SourcePos(String file, int line, int column) {
  @Override
  public String toString() {
    return column == 0 ? file + ":" + line : file + ":" + line + ":" + column;
  }
}
