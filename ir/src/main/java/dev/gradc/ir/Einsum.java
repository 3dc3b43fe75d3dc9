package dev.gradc.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.einsum(equation, *operands)} as a composition of IR ops: each operand's repeated
 * subscripts become a diagonal ({@link LinearAlgebra#diagonal}), subscripts that appear in one
 * operand only and not in the output are summed at once, the operands are contracted pairwise from
 * the left as batched matrix products ({@code [batch, left, k] @ [batch, k, right]}) or, where a
 * size is not known, as a broadcast product and a sum, and the result is permuted into the output's
 * order. An ellipsis ({@code ...}) stands for the dims the letters leave, broadcast across the
 * operands right-aligned; a dim of size 1 broadcasts against its label's size. Messages are PyTorch
 * 1.13's, in its order.
 */
public final class Einsum {
  private Einsum() {}

  /**
   * The parsed equation: each operand's subscripts, and the output's, an ellipsis spelled out as
   * one label per dim it covers (labels that are not letters, {@link #ELLIPSIS} and up, the last
   * dims of the broadcast ellipsis right-aligned); where each operand's ellipsis starts (-1: none);
   * whether a label is summed.
   */
  public record Equation(
      List<String> inputs, String output, boolean sums, List<Integer> ellipsisStarts) {}

  /** The label of the first dim an ellipsis covers; the next ones follow. */
  private static final char ELLIPSIS = '\u0100';

  /**
   * Parses {@code equation} for operands of ranks {@code ranks}, with PyTorch 1.13's messages and
   * in its order: the subscripts of the operands, their count, each operand's count of subscripts
   * against its rank, then the output.
   */
  public static Equation parse(String equation, int[] ranks) {
    int count = ranks.length;
    int arrow = equation.indexOf("->");
    String lhs = arrow < 0 ? equation : equation.substring(0, arrow);
    List<String> raw = new ArrayList<>();
    List<Integer> ellipsisAt = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int ell = -1;
    for (int i = 0; i < lhs.length(); i++) {
      char c = lhs.charAt(i);
      int op = raw.size();
      if (c == ',') {
        raw.add(cur.toString());
        ellipsisAt.add(ell);
        cur.setLength(0);
        ell = -1;
        if (raw.size() >= count) {
          throw new GradcException(
              "einsum(): fewer operands were provided than specified in the equation");
        }
      } else if (c == ' ') {
        // spaces are allowed between subscripts
      } else if (c == '.') {
        if (ell >= 0) {
          throw new GradcException(
              "einsum(): found '.' for operand " + op + " for which an ellipsis was already found");
        }
        if (!isEllipsis(lhs, i)) {
          throw new GradcException(
              "einsum(): found '.' for operand " + op + " that is not part of any ellipsis");
        }
        ell = cur.length();
        i += 2;
      } else if (!isLetter(c)) {
        throw invalid(i);
      } else {
        cur.append(c);
      }
    }
    raw.add(cur.toString());
    ellipsisAt.add(ell);
    if (raw.size() < count) {
      throw new GradcException(
          "einsum(): more operands were provided than specified in the equation");
    }
    // the ellipsis covers the dims the letters leave; the broadcast ellipsis has the most of them
    int ellDims = 0;
    for (int k = 0; k < count; k++) {
      int labels = raw.get(k).length();
      boolean hasEll = ellipsisAt.get(k) >= 0;
      if (hasEll ? labels > ranks[k] : labels != ranks[k]) {
        throw new GradcException(
            "einsum(): the number of subscripts in the equation ("
                + labels
                + (hasEll ? ") is more than" : ") does not match")
                + " the number of dimensions ("
                + ranks[k]
                + ") for operand "
                + k
                + (hasEll ? "" : " and no ellipsis was given"));
      }
      if (hasEll) {
        ellDims = Math.max(ellDims, ranks[k] - labels);
      }
    }
    List<String> inputs = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    Map<Character, Integer> seen = new LinkedHashMap<>();
    for (int k = 0; k < count; k++) {
      String subs = raw.get(k);
      int at = ellipsisAt.get(k);
      if (at >= 0) {
        subs =
            subs.substring(0, at)
                + ellipsis(ellDims, ranks[k] - subs.length())
                + subs.substring(at);
      }
      inputs.add(subs);
      starts.add(at);
      for (int ci = 0; ci < subs.length(); ci++) {
        seen.merge(subs.charAt(ci), 1, Integer::sum);
      }
    }
    String all = ellipsis(ellDims, ellDims);
    String output;
    if (arrow < 0) {
      // the ellipsis, then the letters that appear once, in order (upper case first)
      StringBuilder out = new StringBuilder(all);
      seen.entrySet().stream()
          .filter(e -> e.getValue() == 1 && isLetter(e.getKey()))
          .map(Map.Entry::getKey)
          .sorted()
          .forEach(out::append);
      output = out.toString();
    } else {
      output = parseOutput(equation, arrow, seen, all);
    }
    boolean sums = false;
    for (char c : seen.keySet()) {
      sums |= output.indexOf(c) < 0;
    }
    return new Equation(inputs, output, sums, starts);
  }

  /** The explicit output after {@code ->}, its ellipsis spelled out as {@code all}. */
  private static String parseOutput(
      String equation, int arrow, Map<Character, Integer> seen, String all) {
    StringBuilder out = new StringBuilder();
    boolean ell = false;
    for (int i = arrow + 2; i < equation.length(); i++) {
      char c = equation.charAt(i);
      if (c == ' ') {
        continue;
      }
      if (c == '.') {
        if (ell) {
          throw new GradcException(
              "einsum(): found '.' for output but an ellipsis (...) was already found");
        }
        if (!isEllipsis(equation, i)) {
          throw new GradcException(
              "einsum(): found '.' for output that is not part of any ellipsis (...)");
        }
        ell = true;
        out.append(all);
        i += 2;
        continue;
      }
      if (!isLetter(c)) {
        throw invalid(i);
      }
      if (out.indexOf(String.valueOf(c)) >= 0) {
        throw new GradcException(
            "einsum(): output subscript " + c + " appears more than once in the output");
      }
      if (!seen.containsKey(c)) {
        throw new GradcException(
            "einsum(): output subscript "
                + c
                + " does not appear in the equation for any input operand");
      }
      out.append(c);
    }
    return out.toString();
  }

  /** Whether the {@code '.'} at {@code i} starts {@code "..."} (PyTorch's test). */
  private static boolean isEllipsis(String s, int i) {
    return i + 2 < s.length() && s.charAt(i + 1) == '.' && s.charAt(i + 2) == '.';
  }

  /** The labels of the last {@code n} of {@code ellDims} ellipsis dims. */
  private static String ellipsis(int ellDims, int n) {
    StringBuilder s = new StringBuilder();
    for (int p = ellDims - n; p < ellDims; p++) {
      s.append((char) (ELLIPSIS + p));
    }
    return s.toString();
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static GradcException invalid(int i) {
    return new GradcException(
        "einsum(): invalid subscript given at index "
            + i
            + " in the equation string, subscripts must be in [a-zA-Z]");
  }

  /**
   * PyTorch 1.13's {@code grad_fn} of the result: one operand {@code SumBackward1} when a subscript
   * is summed, else {@code PermuteBackward0}; more operands {@code ViewBackward0} when a subscript
   * is summed (a contraction), else {@code MulBackward0}.
   */
  public static String gradFn(Equation eq) {
    if (eq.inputs().size() == 1) {
      return eq.sums() ? "SumBackward1" : "PermuteBackward0";
    }
    return eq.sums() ? "ViewBackward0" : "MulBackward0";
  }

  /** One operand on its way: its value and the subscript of each of its dims. */
  private record Term(Value v, String subs) {}

  /** {@code torch.einsum(equation, operands)}. */
  public static Value einsum(Builder b, String equation, List<Value> operands) {
    int[] ranks = operands.stream().mapToInt(x -> x.type().rank()).toArray();
    Equation eq = parse(equation, ranks);
    Map<Character, Dim> sizes = sizes(eq, operands);
    List<Term> terms = new ArrayList<>();
    for (int k = 0; k < operands.size(); k++) {
      Term t = broadcast(b, new Term(operands.get(k), eq.inputs().get(k)), sizes);
      terms.add(diagonals(b, t));
    }
    // sum each subscript where no other term and not the output needs it, then contract pairwise
    for (int k = 0; k < terms.size(); k++) {
      terms.set(k, sumUnneeded(b, terms.get(k), needed(eq.output(), terms, k)));
    }
    Term acc = terms.get(0);
    for (int k = 1; k < terms.size(); k++) {
      String after = needed(eq.output(), terms.subList(k + 1, terms.size()), -1);
      acc = contract(b, acc, terms.get(k), after);
    }
    acc = sumUnneeded(b, acc, eq.output());
    int[] order = new int[eq.output().length()];
    for (int i = 0; i < order.length; i++) {
      order[i] = acc.subs().indexOf(eq.output().charAt(i));
    }
    return b.permute(acc.v(), order);
  }

  /**
   * The size of each label, sizes of 1 broadcasting, with PyTorch's messages: a repeated subscript
   * of one operand must have one size; a subscript or an ellipsis dim of size other than 1 must
   * match the size seen before, unless that was 1.
   */
  private static Map<Character, Dim> sizes(Equation eq, List<Value> operands) {
    Map<Character, Dim> sizes = new LinkedHashMap<>();
    for (int k = 0; k < operands.size(); k++) {
      Value x = operands.get(k);
      String subs = eq.inputs().get(k);
      int start = eq.ellipsisStarts().get(k);
      for (int i = 0; i < subs.length(); i++) {
        char c = subs.charAt(i);
        Dim d = x.type().dim(i);
        int first = subs.indexOf(c);
        if (first < i) {
          Dim e = x.type().dim(first);
          if (!e.equals(d)) {
            throw new GradcException(
                "einsum(): subscript "
                    + c
                    + " is repeated for operand "
                    + k
                    + " but the sizes don't match, "
                    + d
                    + " != "
                    + e);
          }
          continue;
        }
        Dim prev = sizes.get(c);
        if (prev == null || isOne(prev)) {
          sizes.put(c, d);
        } else if (!isOne(d) && !prev.equals(d)) {
          throw new GradcException(
              isLetter(c)
                  ? "einsum(): subscript "
                      + c
                      + " has size "
                      + d
                      + " for operand "
                      + k
                      + " which does not broadcast with previously seen size "
                      + prev
                  : "einsum(): dimension "
                      + (i - start)
                      + " covered by ellipsis in operand "
                      + k
                      + "has size "
                      + d
                      + " which does not broadcast with previously seen ellipsis with size "
                      + prev
                      + " for the respective dimension");
        }
      }
    }
    return sizes;
  }

  private static boolean isOne(Dim d) {
    return d.equals(Dim.of(1));
  }

  /**
   * The term without its dims of size 1 whose label has another size: the operand is constant along
   * them, as if it did not have the label (it broadcasts).
   */
  private static Term broadcast(Builder b, Term t, Map<Character, Dim> sizes) {
    StringBuilder kept = new StringBuilder();
    List<Dim> shape = new ArrayList<>();
    for (int i = 0; i < t.subs().length(); i++) {
      char c = t.subs().charAt(i);
      Dim d = t.v().type().dim(i);
      if (!isOne(d) || isOne(sizes.get(c))) {
        kept.append(c);
        shape.add(d);
      }
    }
    if (kept.length() == t.subs().length()) {
      return t;
    }
    return new Term(b.reshape(t.v(), shape), kept.toString());
  }

  /** The output's subscripts and those of every term but {@code skip}. */
  private static String needed(String output, List<Term> terms, int skip) {
    StringBuilder s = new StringBuilder(output);
    for (int k = 0; k < terms.size(); k++) {
      if (k != skip) {
        s.append(terms.get(k).subs());
      }
    }
    return s.toString();
  }

  /** A term's repeated subscripts taken as diagonals ({@code ii -> i}), the diagonal last. */
  private static Term diagonals(Builder b, Term t) {
    String subs = t.subs();
    Value v = t.v();
    for (int i = 0; i < subs.length(); i++) {
      int j = subs.indexOf(subs.charAt(i), i + 1);
      if (j >= 0) {
        v = LinearAlgebra.diagonal(b, v, 0, i, j);
        subs =
            subs.substring(0, i)
                + subs.substring(i + 1, j)
                + subs.substring(j + 1)
                + subs.charAt(i);
        i = -1;
      }
    }
    return new Term(v, subs);
  }

  /** The term summed over its subscripts that {@code needed} does not hold. */
  private static Term sumUnneeded(Builder b, Term t, String needed) {
    List<Integer> dims = new ArrayList<>();
    StringBuilder kept = new StringBuilder();
    for (int i = 0; i < t.subs().length(); i++) {
      char c = t.subs().charAt(i);
      if (needed.indexOf(c) < 0) {
        dims.add(i);
      } else {
        kept.append(c);
      }
    }
    if (dims.isEmpty()) {
      return t;
    }
    int[] ds = dims.stream().mapToInt(Integer::intValue).toArray();
    return new Term(b.reduce(Op.SUM, t.v(), ds, false), kept.toString());
  }

  /**
   * The product of two terms summed over their shared subscripts that {@code after} does not hold:
   * subscripts of both that stay are batch dims, those of one are its rows or columns.
   */
  private static Term contract(Builder b, Term x, Term y, String after) {
    StringBuilder batch = new StringBuilder();
    StringBuilder shared = new StringBuilder();
    StringBuilder left = new StringBuilder();
    StringBuilder right = new StringBuilder();
    for (int ci = 0; ci < x.subs().length(); ci++) {
      char c = x.subs().charAt(ci);
      boolean inY = y.subs().indexOf(c) >= 0;
      (inY ? (after.indexOf(c) >= 0 ? batch : shared) : left).append(c);
    }
    for (int ci = 0; ci < y.subs().length(); ci++) {
      char c = y.subs().charAt(ci);
      if (x.subs().indexOf(c) < 0) {
        right.append(c);
      }
    }
    String out = batch.toString() + left + right;
    Value xs = arrange(b, x, batch + left.toString() + shared);
    Value ys = arrange(b, y, batch + shared.toString() + right);
    List<Dim> bd = dims(x, y, batch.toString());
    List<Dim> ld = dims(x, y, left.toString());
    List<Dim> kd = dims(x, y, shared.toString());
    List<Dim> rd = dims(x, y, right.toString());
    Dim bn = Type.product(bd);
    Dim ln = Type.product(ld);
    Dim kn = Type.product(kd);
    Dim rn = Type.product(rd);
    if (bn == null || ln == null || kn == null || rn == null || shared.length() == 0) {
      // a broadcast product summed over the shared subscripts
      String all = batch.toString() + left + right + shared;
      Value p =
          b.mul(
              spread(b, xs, batch + left.toString() + shared, all, x, y),
              spread(b, ys, batch + shared.toString() + right, all, x, y));
      int[] ds = new int[shared.length()];
      for (int i = 0; i < ds.length; i++) {
        ds[i] = out.length() + i;
      }
      return new Term(ds.length == 0 ? p : b.reduce(Op.SUM, p, ds, false), out);
    }
    Value xm = b.reshape(xs, List.of(bn, ln, kn));
    Value ym = b.reshape(ys, List.of(bn, kn, rn));
    List<Dim> shape = new ArrayList<>(bd);
    shape.addAll(ld);
    shape.addAll(rd);
    return new Term(b.reshape(b.matmul(xm, ym), shape), out);
  }

  /** The term's value with its dims in the order of {@code subs}. */
  private static Value arrange(Builder b, Term t, String subs) {
    int[] order = new int[subs.length()];
    for (int i = 0; i < order.length; i++) {
      order[i] = t.subs().indexOf(subs.charAt(i));
    }
    return b.permute(t.v(), order);
  }

  /** A value whose dims follow {@code subs}, with dims of size 1 for the rest of {@code all}. */
  private static Value spread(Builder b, Value v, String subs, String all, Term x, Term y) {
    List<Dim> shape = new ArrayList<>();
    StringBuilder ordered = new StringBuilder();
    for (int ci = 0; ci < all.length(); ci++) {
      char c = all.charAt(ci);
      if (subs.indexOf(c) >= 0) {
        ordered.append(c);
        shape.add(dims(x, y, String.valueOf(c)).get(0));
      } else {
        shape.add(Dim.of(1));
      }
    }
    Value arranged = b.permute(v, orderOf(subs, ordered.toString()));
    return b.reshape(arranged, shape);
  }

  private static int[] orderOf(String from, String to) {
    int[] order = new int[to.length()];
    for (int i = 0; i < order.length; i++) {
      order[i] = from.indexOf(to.charAt(i));
    }
    return order;
  }

  /** The sizes of {@code subs} in {@code x} or {@code y}. */
  private static List<Dim> dims(Term x, Term y, String subs) {
    List<Dim> out = new ArrayList<>();
    for (int ci = 0; ci < subs.length(); ci++) {
      char c = subs.charAt(ci);
      int i = x.subs().indexOf(c);
      out.add(i >= 0 ? x.v().type().dim(i) : y.v().type().dim(y.subs().indexOf(c)));
    }
    return out;
  }
}
