package dev.gradc.frontend.lang;

import dev.gradc.ir.SourcePos;
import java.util.Collection;

/**
 * Compiler-style diagnostics: {@code FILE:LINE:COL: error: MESSAGE}, the source line, and a caret
 * under the column; and the "did you mean" suggestion for misspelled names.
 */
public final class Diagnostics {
  private Diagnostics() {}

  /** The most characters of a source line a diagnostic shows. */
  static final int MAX_SHOWN = 160;

  /**
   * The three-line diagnostic for {@code message} at {@code pos} in {@code source}, ending with a
   * newline. A position past the last line shows an empty source line.
   */
  public static String render(String source, SourcePos pos, String message) {
    String line = sourceLine(source, pos.line());
    int column = pos.column();
    if (line.length() > MAX_SHOWN) {
      // A window of the line around the column, so that a huge line prints a bounded diagnostic.
      int from = Math.max(0, Math.min(column - 1 - MAX_SHOWN / 2, line.length() - MAX_SHOWN));
      int to = Math.min(line.length(), from + MAX_SHOWN);
      String head = from > 0 ? "..." : "";
      line = head + line.substring(from, to) + (to < line.length() ? "..." : "");
      column = column - from + head.length();
    }
    StringBuilder caret = new StringBuilder();
    for (int i = 0; i < column - 1; i++) {
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
   * The longest name that gets a suggestion: the work of comparing names grows with the product of
   * their lengths, and a name this long is not a typo.
   */
  static final int MAX_SUGGESTED_LENGTH = 64;

  /**
   * {@code "; did you mean 'x'?"} for the candidate closest to {@code name} in edit distance, or
   * the empty string when none is close (more than a third of the name's length away) or the name
   * is longer than {@link #MAX_SUGGESTED_LENGTH}. The command line uses it for misspelled input
   * names.
   */
  public static String suggestion(String name, Collection<String> candidates) {
    if (name.length() > MAX_SUGGESTED_LENGTH) {
      return "";
    }
    int limit = Math.max(1, Math.max(name.length(), 3) / 3);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      // The distance is at least the difference in length: most candidates need no comparison.
      if (Math.abs(c.length() - name.length()) > limit) {
        continue;
      }
      int d = distance(name, c);
      if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
        best = c;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= limit && !best.equals(name)
        ? "; did you mean '" + best + "'?"
        : "";
  }

  /**
   * Edit distance with insertions, deletions, substitutions and adjacent transpositions, in three
   * rows of the table.
   */
  static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[] before = new int[m + 1];
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      cur[0] = i;
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, before[j - 2] + 1);
        }
        cur[j] = v;
      }
      int[] t = before;
      before = prev;
      prev = cur;
      cur = t;
    }
    return prev[m];
  }
}
