package dev.gradc.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table: columns padded to their widest cell, separated by two spaces. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] rightAligned;

  /** {@code rightAligned[i]} aligns column {@code i} to the right (numbers). */
  Table(boolean... rightAligned) {
    this.rightAligned = rightAligned.clone();
  }

  Table row(String... cells) {
    if (cells.length != rightAligned.length) {
      throw new IllegalArgumentException(
          "a row of " + cells.length + " cells in a table of " + rightAligned.length + " columns");
    }
    rows.add(cells.clone());
    return this;
  }

  @Override
  public String toString() {
    int[] width = new int[rightAligned.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder s = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String pad = " ".repeat(width[i] - r[i].length());
        line.append(i == 0 ? "" : "  ").append(rightAligned[i] ? pad + r[i] : r[i] + pad);
      }
      s.append(line.toString().stripTrailing()).append('\n');
    }
    return s.toString();
  }

  /** An error for the table: {@code 0}, or two significant digits ({@code 3.1e-11}). */
  static String error(double e) {
    if (e == 0) {
      return "0";
    }
    if (Double.isNaN(e) || Double.isInfinite(e)) {
      return Double.isNaN(e) ? "nan" : "inf";
    }
    return String.format(Locale.ROOT, "%.1e", e);
  }
}
