package dev.gradc.frontend.lang;

import dev.gradc.ir.SourcePos;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Compiler-style diagnostics: {@code FILE:LINE:COL: error: MESSAGE}, the source line, and a caret
 * under the column; the "did you mean" suggestion for misspelled names, and the nearest supported
 * function for a PyTorch function gradc does not support.
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

  /**
   * PyTorch 1.13's public function and method names, written by {@code tools/api/torch_names.py}.
   */
  private static final Set<String> PYTORCH = pytorchNames();

  /**
   * The supported function nearest in meaning to an unsupported PyTorch one, where the nearest in
   * spelling would be unrelated; other names get the nearest in spelling.
   */
  private static final Map<String, String> NEAREST =
      Map.ofEntries(
          Map.entry("gammaln", "lgamma"),
          Map.entry("mvlgamma", "lgamma"),
          Map.entry("psi", "digamma"),
          Map.entry("multigammaln", "lgamma"),
          Map.entry("erfcx", "erfc"),
          Map.entry("logit", "log"),
          Map.entry("sgn", "sign"),
          Map.entry("lerp", "add"),
          Map.entry("heaviside", "where"),
          Map.entry("det", "trace"),
          Map.entry("logdet", "trace"),
          Map.entry("slogdet", "trace"),
          Map.entry("cross", "outer"),
          Map.entry("cov", "var"),
          Map.entry("corrcoef", "cosine_similarity"),
          Map.entry("median", "mean"),
          Map.entry("nanmedian", "nanmean"),
          Map.entry("quantile", "mean"),
          Map.entry("log_ndtr", "logsigmoid"),
          Map.entry("ndtr", "erf"),
          Map.entry("ndtri", "erfinv"),
          Map.entry("expit", "sigmoid"),
          Map.entry("softmax2d", "softmax"),
          Map.entry("gumbel_softmax", "softmax"),
          Map.entry("dropout", "detach"));

  private static Set<String> pytorchNames() {
    Set<String> out = new HashSet<>();
    try (InputStream in = Diagnostics.class.getResourceAsStream("pytorch-names.txt");
        BufferedReader r =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * For one of PyTorch's functions or methods ({@code what}) that is none of {@code supported},
   * {@code "'x' is a PyTorch function gradc does not support; the nearest supported one is 'y'"}
   * ({@link #NEAREST} in meaning, else in spelling); null for other names, which are misspelled
   * (see {@link #suggestion}). {@code prefix} is the module or {@code "Tensor."} the name was
   * called through.
   */
  static String unsupported(String what, String prefix, String name, Collection<String> supported) {
    if (!PYTORCH.contains(name) || supported.isEmpty()) {
      return null;
    }
    String best = NEAREST.get(name);
    if (best == null || !supported.contains(best)) {
      best = null;
      int bestDistance = Integer.MAX_VALUE;
      for (String c : supported) {
        int d = distance(name, c);
        if (d < bestDistance || (d == bestDistance && c.compareTo(best) < 0)) {
          best = c;
          bestDistance = d;
        }
      }
    }
    return "'"
        + prefix
        + name
        + "' is a PyTorch "
        + what
        + " gradc does not support; the nearest supported one is '"
        + best
        + "'";
  }
}
