package dev.gradc.frontend.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shrinks a failing program while it keeps failing: drops terms of the returned sum, statements and
 * declarations; replaces a right-hand side by one of the names it uses; shrinks static dims and
 * symbol sizes. Each step is kept only when {@code fails} still holds; the steps repeat until none
 * applies. Works on the program text, one statement per line.
 */
final class Reducer {
  private static final Pattern NAME = Pattern.compile("\\b([pxkv][0-9]+)\\b");
  private static final Pattern ALIAS = Pattern.compile("([v][0-9]+) = ([pxkv][0-9]+)");
  private static final Pattern NUMBER = Pattern.compile("\\b[0-9]+\\b");
  private static final Pattern DIMS = Pattern.compile("\\[([^\\]]*)\\]");

  private final Predicate<FuzzProgram> fails;
  private int tries;

  private Reducer(Predicate<FuzzProgram> fails) {
    this.fails = fails;
  }

  /** The smallest program found that still fails; at most {@code budget} candidates are tried. */
  static FuzzProgram reduce(FuzzProgram p, Predicate<FuzzProgram> fails, int budget) {
    Reducer r = new Reducer(fails);
    FuzzProgram best = p;
    boolean changed = true;
    while (changed && r.tries < budget) {
      changed = false;
      for (Step step :
          new Step[] {
            r::returnTerms, r::lines, r::rightHandSides, r::aliases, r::dims, r::symbols
          }) {
        FuzzProgram next = step.apply(best);
        if (next != null) {
          best = next;
          changed = true;
        }
      }
    }
    return best;
  }

  private interface Step {
    FuzzProgram apply(FuzzProgram p);
  }

  private boolean keeps(FuzzProgram candidate) {
    tries++;
    return fails.test(candidate);
  }

  private static List<String> lines(String s) {
    return new ArrayList<>(List.of(s.split("\n", -1)));
  }

  private static String join(List<String> lines) {
    return String.join("\n", lines);
  }

  /** Drops terms of {@code return a + b + c} one at a time. */
  private FuzzProgram returnTerms(FuzzProgram p) {
    List<String> ls = lines(p.source());
    int at = -1;
    for (int i = 0; i < ls.size(); i++) {
      if (ls.get(i).startsWith("return ")) {
        at = i;
      }
    }
    if (at < 0) {
      return null;
    }
    List<String> terms = topLevelTerms(ls.get(at).substring("return ".length()));
    boolean any = false;
    for (int k = terms.size() - 1; k >= 0 && terms.size() > 1; k--) {
      List<String> fewer = new ArrayList<>(terms);
      fewer.remove(k);
      ls.set(at, "return " + String.join(" + ", fewer));
      FuzzProgram c = p.withSource(join(ls));
      if (keeps(c)) {
        terms = fewer;
        p = c;
        any = true;
      }
    }
    return any ? p : null;
  }

  /** The operands of the top-level {@code +} of an expression. */
  private static List<String> topLevelTerms(String e) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      } else if (depth == 0 && e.startsWith(" + ", i)) {
        out.add(e.substring(start, i));
        start = i + 3;
      }
    }
    out.add(e.substring(start));
    return out;
  }

  /** Drops one line at a time (a 'with' line together with its block), from the end. */
  private FuzzProgram lines(FuzzProgram p) {
    boolean any = false;
    List<String> ls = lines(p.source());
    for (int i = ls.size() - 1; i >= 1; i--) {
      String l = ls.get(i);
      if (l.isBlank() || l.startsWith("return ") || l.startsWith("#")) {
        continue;
      }
      List<String> fewer = new ArrayList<>(ls);
      int end = i + 1;
      if (l.startsWith("with ")) {
        while (end < fewer.size() && fewer.get(end).startsWith("    ")) {
          end++;
        }
      }
      fewer.subList(i, end).clear();
      // a block left empty goes too
      if (l.startsWith("    ")
          && i - 1 >= 0
          && fewer.get(i - 1).startsWith("with ")
          && (i >= fewer.size() || !fewer.get(i).startsWith("    "))) {
        fewer.remove(i - 1);
      }
      FuzzProgram c = p.withSource(join(fewer));
      if (keeps(c)) {
        ls = fewer;
        p = c;
        any = true;
        i = Math.min(i, ls.size());
      }
    }
    return any ? p : null;
  }

  /** Replaces the right-hand side of an assignment by one of the names it reads. */
  private FuzzProgram rightHandSides(FuzzProgram p) {
    boolean any = false;
    List<String> ls = lines(p.source());
    for (int i = 0; i < ls.size(); i++) {
      String l = ls.get(i);
      int eq = l.indexOf(" = ");
      if (eq < 0 || l.startsWith("return ")) {
        continue;
      }
      String rhs = l.substring(eq + 3);
      Set<String> names = new LinkedHashSet<>();
      Matcher m = NAME.matcher(rhs);
      while (m.find()) {
        names.add(m.group(1));
      }
      for (String n : names) {
        if (rhs.equals(n)) {
          continue;
        }
        List<String> c = new ArrayList<>(ls);
        c.set(i, l.substring(0, eq + 3) + n);
        FuzzProgram cp = p.withSource(join(c));
        if (keeps(cp)) {
          ls = c;
          p = cp;
          any = true;
          break;
        }
      }
    }
    return any ? p : null;
  }

  /** Removes {@code a = b} and reads {@code b} where {@code a} was read. */
  private FuzzProgram aliases(FuzzProgram p) {
    boolean any = false;
    List<String> ls = lines(p.source());
    for (int i = ls.size() - 1; i >= 0; i--) {
      Matcher m = ALIAS.matcher(ls.get(i));
      if (!m.matches()) {
        continue;
      }
      List<String> c = new ArrayList<>(ls);
      c.remove(i);
      for (int k = i; k < c.size(); k++) {
        c.set(k, c.get(k).replaceAll("\\b" + m.group(1) + "\\b", m.group(2)));
      }
      FuzzProgram cp = p.withSource(join(c));
      if (keeps(cp)) {
        ls = c;
        p = cp;
        any = true;
      }
    }
    return any ? p : null;
  }

  /** Replaces every occurrence of one static size in the declarations by a smaller one. */
  private FuzzProgram dims(FuzzProgram p) {
    Set<Integer> sizes = new LinkedHashSet<>();
    for (String l : lines(p.source())) {
      if (isDeclaration(l)) {
        Matcher m = DIMS.matcher(l);
        if (m.find()) {
          Matcher n = NUMBER.matcher(m.group(1));
          while (n.find()) {
            if (Integer.parseInt(n.group()) > 1) {
              sizes.add(Integer.parseInt(n.group()));
            }
          }
        }
      }
    }
    boolean any = false;
    for (int size : sizes) {
      for (int smaller = 1; smaller < size; smaller++) {
        FuzzProgram c = p.withSource(replaceSize(p.source(), size, smaller));
        if (keeps(c)) {
          p = c;
          any = true;
          break;
        }
      }
    }
    return any ? p : null;
  }

  private static boolean isDeclaration(String l) {
    return l.startsWith("param ") || l.startsWith("input ");
  }

  private static String replaceSize(String src, int from, int to) {
    List<String> out = new ArrayList<>();
    for (String l : lines(src)) {
      if (isDeclaration(l)) {
        Matcher m = DIMS.matcher(l);
        if (m.find()) {
          String dims = m.group(1).replaceAll("\\b" + from + "\\b", Integer.toString(to));
          l = l.substring(0, m.start(1)) + dims + l.substring(m.end(1));
        }
      }
      out.add(l);
    }
    return join(out);
  }

  /** Binds symbols to smaller sizes. */
  private FuzzProgram symbols(FuzzProgram p) {
    boolean any = false;
    for (String s : p.symbols().keySet()) {
      for (int smaller = 1; smaller < p.symbols().get(s); smaller++) {
        Map<String, Integer> m = new LinkedHashMap<>(p.symbols());
        m.put(s, smaller);
        FuzzProgram c = p.withSymbols(m);
        if (keeps(c)) {
          p = c;
          any = true;
          break;
        }
      }
    }
    return any ? p : null;
  }
}
