package dev.gradc.frontend.lang;

import dev.gradc.ir.SourcePos;
import java.util.Collection;

/**
 * Compiler-style diagnostics: {@code FILE:LINE:COL: error: MESSAGE}, the source line, and a caret
 * under the column; and the "did you mean" suggestion for misspelled names.
 */
public final class Diagnostics {
  private Diagnostics() {}

  /**
   * The three-line diagnostic for {@code message} at {@code pos} in {@code source}, ending with a
   * newline. A position past the last line shows an empty source line.
   */
  public static String render(String source, SourcePos pos, String message) {
    String line = sourceLine(source, pos.line());
    StringBuilder caret = new StringBuilder();
    for (int i = 0; i < pos.column() - 1; i++) {
      // Keep tabs so that the caret lines up however the terminal expands them.
      caret.append(i < line.length() && line.charAt(i) == '\t' ? '\t' : ' ');
    }
    caret.append('^');
    return pos + ": error: " + message + "\n" + line + "\n" + caret + "\n";
  }

  /** Line {@code n} (1-based) of {@code source} without its line break; empty past the end. */
  static String sourceLine(String source, int n) {
    int start = 0;
    for (int i = 1; i < n; i++) {
      int nl = source.indexOf('\n', start);
      if (nl < 0) {
        return "";
      }
      start = nl + 1;
    }
    int end = source.indexOf('\n', start);
    String line = source.substring(start, end < 0 ? source.length() : end);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /**
   * {@code "; did you mean 'x'?"} for the candidate closest to {@code name} in edit distance, or
   * the empty string when none is close (more than a third of the name's length away). The command
   * line uses it for misspelled input names.
   */
  public static String suggestion(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(name, c);
      if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
        best = c;
        bestDistance = d;
      }
    }
    int limit = Math.max(1, Math.max(name.length(), 3) / 3);
    return best != null && bestDistance <= limit && !best.equals(name)
        ? "; did you mean '" + best + "'?"
        : "";
  }

  /** Edit distance with insertions, deletions, substitutions and adjacent transpositions. */
  static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[][] d = new int[n + 1][m + 1];
    for (int i = 0; i <= n; i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= m; j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= n; i++) {
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[n][m];
  }
}
