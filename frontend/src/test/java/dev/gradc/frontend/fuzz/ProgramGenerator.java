package dev.gradc.frontend.fuzz;

import dev.gradc.frontend.fuzz.FuzzProgram.Domain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A seeded generator of random {@code .grad} programs that mean the same in PyTorch: every op and
 * loss of the language in its function, method and {@code torch.}/{@code F.} forms, broadcasting,
 * reductions over random dims with and without keepdim, matmul in every rank combination, f32, f64
 * and mixed precision, {@code with no_grad:} blocks (rebinding names, params included), {@code
 * detach}, values used many times, repeated expressions, and symbolic dims.
 *
 * <p>Each value carries its shape, dtype, whether it requires grad, and a {@link Range} holding its
 * elements. Arguments of ops with a restricted domain ({@code log}, {@code sqrt}, division, ...)
 * are first made positive ({@code sigmoid(v) + 0.5}, {@code v * v + 0.5}, ...), and values that
 * could overflow are tamed ({@code tanh(v)}, {@code v * 0.01}), so inputs drawn from the declared
 * domains give finite values and gradients. The program is one line per statement; about a quarter
 * of the values are written inline into the next expression instead of being named.
 */
final class ProgramGenerator {
  /** The largest magnitude a value may reach before it is tamed. */
  private static final double LIMIT = 1e3;

  private static final int MAX_NUMEL = 192;
  private static final double[] FLOATS = {0.5, 2.0, 1.5, -0.5, 0.25, 3.0, -1.5, 0.75, -2.0, 0.1};

  /** One value of the program: a declaration, a variable, an inline expression or a number. */
  static final class V {
    final String text;
    final String dtype; // f32, f64, i64, bool; "float" or "int" for a Python number
    final List<String> dims;
    final Range range;
    final boolean grad;
    final boolean named;
    int uses;

    V(String text, String dtype, List<String> dims, Range range, boolean grad, boolean named) {
      this.text = text;
      this.dtype = dtype;
      this.dims = List.copyOf(dims);
      this.range = range;
      this.grad = grad;
      this.named = named;
    }

    boolean isNumber() {
      return dtype.equals("float") || dtype.equals("int");
    }

    boolean isFloatTensor() {
      return dtype.equals("f32") || dtype.equals("f64");
    }

    int rank() {
      return dims.size();
    }

    /** The text as an operand of an operator or the target of a method call. */
    String operand() {
      return named ? text : "(" + text + ")";
    }
  }

  private final SplittableRandom rnd;
  private final long seed;
  private final int statements;
  private final String precision; // f64, f32 or mixed
  private final Map<String, Integer> symbols = new LinkedHashMap<>();
  private final Map<String, Domain> domains = new LinkedHashMap<>();
  private final List<String> declarations = new ArrayList<>();
  private final StringBuilder body = new StringBuilder();
  private final List<V> pool = new ArrayList<>();
  private final List<V> params = new ArrayList<>();

  /** Right-hand sides of assigned values and the values, for repeating an expression. */
  private final List<String> history = new ArrayList<>();

  private final List<V> historyValues = new ArrayList<>();
  private int names;
  private boolean noGrad;

  private ProgramGenerator(long seed, int statements) {
    this.seed = seed;
    this.rnd = new SplittableRandom(seed);
    this.statements = statements;
    int p = rnd.nextInt(10);
    this.precision = p < 6 ? "f64" : p < 9 ? "f32" : "mixed";
  }

  /** A program of about {@code statements} statements, determined by {@code seed}. */
  static FuzzProgram generate(long seed, int statements) {
    return new ProgramGenerator(seed, statements).program();
  }

  /** The program of a seed: 3 to 12 statements, and one program in eight has 20 more. */
  static FuzzProgram generate(long seed) {
    long s = Math.floorMod(seed, 8_000_000L);
    return generate(seed, (int) (3 + s % 10 + (s % 8 == 5 ? 20 : 0)));
  }

  private FuzzProgram program() {
    if (rnd.nextInt(3) == 0) {
      symbols.put("N", 2 + rnd.nextInt(4));
      if (rnd.nextInt(3) == 0) {
        symbols.put("M", 2 + rnd.nextInt(3));
      }
    }
    int initial = 1 + rnd.nextInt(3);
    for (int i = 0; i < initial; i++) {
      declare(true, floatType(), randomShape(), Domain.uniform(-2, 2));
    }
    if (rnd.nextBoolean()) {
      declare(false, floatType(), randomShape(), Domain.uniform(-2, 2));
    }
    int n = 0;
    while (n < statements) {
      if (rnd.nextInt(12) == 0) {
        n += noGradBlock();
      } else {
        statement();
        n++;
      }
    }
    body.append("return ").append(returnExpression()).append('\n');
    StringBuilder src = new StringBuilder();
    src.append("# fuzz program, seed ").append(seed).append('\n');
    for (String d : declarations) {
      src.append(d).append('\n');
    }
    src.append(body);
    return new FuzzProgram(seed, src.toString(), symbols, domains);
  }

  // ---------------------------------------------------------------- choices

  private boolean chance(int percent) {
    return rnd.nextInt(100) < percent;
  }

  @SafeVarargs
  private <T> T oneOf(T... options) {
    return options[rnd.nextInt(options.length)];
  }

  private <T> void shuffle(List<T> l) {
    for (int i = l.size() - 1; i > 0; i--) {
      Collections.swap(l, i, rnd.nextInt(i + 1));
    }
  }

  private String floatType() {
    return precision.equals("mixed") ? oneOf("f32", "f64") : precision;
  }

  private String number() {
    double v = FLOATS[rnd.nextInt(FLOATS.length)];
    return chance(20) && v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static V literal(String text) {
    double v = Double.parseDouble(text);
    return new V(
        text, text.contains(".") ? "float" : "int", List.of(), Range.point(v), false, true);
  }

  private int size(String dim) {
    int star = dim.indexOf('*');
    if (star >= 0) {
      return Integer.parseInt(dim.substring(0, star)) * size(dim.substring(star + 1));
    }
    Integer s = symbols.get(dim);
    return s != null ? s : Integer.parseInt(dim);
  }

  /** True when a declaration can state these dims (a merged dim such as 3*N cannot). */
  private static boolean declarable(List<String> dims) {
    for (String d : dims) {
      if (d.contains("*")) {
        return false;
      }
    }
    return true;
  }

  private int numel(List<String> dims) {
    int n = 1;
    for (String d : dims) {
      n *= size(d);
    }
    return n;
  }

  private String randomDim() {
    if (!symbols.isEmpty() && chance(30)) {
      List<String> s = new ArrayList<>(symbols.keySet());
      return s.get(rnd.nextInt(s.size()));
    }
    return Integer.toString(chance(8) ? oneOf(7, 9, 16, 17) : 1 + rnd.nextInt(5));
  }

  private List<String> randomShape() {
    int rank = oneOf(0, 1, 1, 2, 2, 2, 3, 3);
    List<String> dims = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      dims.add(randomDim());
    }
    while (numel(dims) > MAX_NUMEL) {
      dims.remove(0);
    }
    return dims;
  }

  /** A shape that broadcasts with {@code dims}: leading dims dropped, some dims set to 1. */
  private List<String> broadcastable(List<String> dims) {
    List<String> out = new ArrayList<>(dims.subList(rnd.nextInt(dims.size() + 1) / 2, dims.size()));
    for (int i = 0; i < out.size(); i++) {
      if (chance(25) || out.get(i).contains("*")) {
        out.set(i, "1");
      }
    }
    if (chance(15) && out.size() == dims.size() && dims.size() < 4) {
      out.add(0, Integer.toString(2 + rnd.nextInt(2)));
      if (numel(broadcast(out, dims)) > MAX_NUMEL) {
        out.remove(0);
      }
    }
    return out;
  }

  /** The broadcast of two shapes, or null when they do not broadcast. */
  private static List<String> broadcast(List<String> a, List<String> b) {
    int n = Math.max(a.size(), b.size());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String x = i < n - a.size() ? "1" : a.get(i - (n - a.size()));
      String y = i < n - b.size() ? "1" : b.get(i - (n - b.size()));
      if (x.equals(y) || y.equals("1")) {
        out.add(x);
      } else if (x.equals("1")) {
        out.add(y);
      } else {
        return null;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- values

  private V declare(boolean param, String dtype, List<String> dims, Domain domain) {
    String prefix = param ? "p" : dtype.equals("i64") ? "k" : "x";
    String name = prefix + names++;
    String type = dims.isEmpty() ? dtype : dtype + "[" + String.join(", ", dims) + "]";
    declarations.add((param ? "param " : "input ") + name + ": " + type);
    domains.put(name, domain);
    V v = new V(name, dtype, dims, domain.range(), param, true);
    pool.add(v);
    if (param) {
      params.add(v);
    }
    return v;
  }

  /** Uses a value as an operand: inline expressions are used once. */
  private V use(V v) {
    v.uses++;
    if (!v.named) {
      pool.remove(v);
    }
    return v;
  }

  private List<V> candidates(Predicate<V> p) {
    List<V> out = new ArrayList<>();
    for (V v : pool) {
      if (p.test(v)) {
        out.add(v);
      }
    }
    return out;
  }

  /** A value from the pool, preferring recent and unused ones; null when none qualifies. */
  private V pick(Predicate<V> p) {
    List<V> c = candidates(p);
    if (c.isEmpty()) {
      return null;
    }
    List<V> unused = new ArrayList<>();
    for (V v : c) {
      if (v.uses == 0) {
        unused.add(v);
      }
    }
    List<V> from = !unused.isEmpty() && chance(60) ? unused : c;
    int k =
        from.size() - 1 - Math.min(from.size() - 1, (int) (-Math.log(rnd.nextDouble(1e-9, 1)) * 2));
    return use(from.get(k));
  }

  private V pickFloat() {
    V v = pick(V::isFloatTensor);
    return v != null ? v : use(declare(true, floatType(), randomShape(), Domain.uniform(-2, 2)));
  }

  /** A float tensor whose shape a new declaration can take. */
  private V pickDeclarable() {
    V v = pick(x -> x.isFloatTensor() && declarable(x.dims));
    return v != null ? v : use(declare(true, floatType(), randomShape(), Domain.uniform(-2, 2)));
  }

  /** A tensor or number to combine elementwise with {@code a}. */
  private V partner(V a, boolean allowNumber) {
    if (allowNumber && chance(30)) {
      return literal(number());
    }
    if (chance(60)) {
      V b =
          pick(
              v ->
                  v.isFloatTensor()
                      && v != a
                      && broadcast(a.dims, v.dims) != null
                      && broadcast(a.dims, v.dims).size() <= 4
                      && numel(broadcast(a.dims, v.dims)) <= MAX_NUMEL);
      if (b != null) {
        return b;
      }
    }
    return use(declare(chance(50), floatType(), broadcastable(a.dims), Domain.uniform(-2, 2)));
  }

  private V expr(String text, String dtype, List<String> dims, Range range, boolean grad) {
    return new V(text, dtype, dims, range, grad && !noGrad, false);
  }

  private static boolean anyGrad(V... vs) {
    for (V v : vs) {
      if (v.grad) {
        return true;
      }
    }
    return false;
  }

  /**
   * PyTorch's result dtype for an elementwise op: the highest category (bool, integer, float) wins;
   * within it a tensor with dims beats a zero-dim tensor, which beats a Python number; a float
   * number with integer tensors gives f32. Mirrors {@code Builder.promote}.
   */
  private static String promote(V... vs) {
    int bestCat = -1;
    int bestPrio = -1;
    String best = null;
    boolean allNumbers = true;
    for (V v : vs) {
      int cat = category(v.dtype);
      int prio = v.isNumber() ? 0 : v.rank() == 0 ? 1 : 2;
      String d = v.dtype.equals("float") ? "f64" : v.dtype.equals("int") ? "i64" : v.dtype;
      allNumbers &= v.isNumber();
      if (cat > bestCat || (cat == bestCat && prio > bestPrio)) {
        bestCat = cat;
        bestPrio = prio;
        best = d;
      } else if (cat == bestCat && prio == bestPrio && d.equals("f64")) {
        best = d;
      }
    }
    if (bestPrio == 0 && "f64".equals(best) && !allNumbers) {
      return "f32";
    }
    return best;
  }

  private static int category(String dtype) {
    return switch (dtype) {
      case "bool" -> 0;
      case "i64", "int" -> 1;
      default -> 2;
    };
  }

  /** {@code v} with every element within {@code [-bound, bound]}. */
  private V tame(V v, double bound) {
    if (v.range.mag() <= bound) {
      return v;
    }
    if (chance(50)) {
      return expr(
          oneOf("tanh(" + v.text + ")", v.operand() + ".tanh()"),
          v.dtype,
          v.dims,
          v.range.map(Math::tanh),
          v.grad);
    }
    int e = (int) Math.ceil(Math.log10(v.range.mag() / bound));
    return expr(
        v.operand() + " * 1e-" + e, v.dtype, v.dims, v.range.scale(Math.pow(10, -e)), v.grad);
  }

  /** {@code v} with every element at least {@code least} (at most 0.5). */
  private V positive(V v, double least) {
    if (v.range.lo() >= least) {
      return v;
    }
    V t = tame(v, 5);
    String x = t.operand();
    Range r = t.range;
    return switch (rnd.nextInt(5)) {
      case 0 ->
          expr(
              "(" + oneOf("sigmoid(" + t.text + ")", x + ".sigmoid()") + " + 0.5)",
              t.dtype,
              t.dims,
              r.map(ProgramGenerator::sigmoid).add(Range.point(0.5)),
              t.grad);
      case 1 ->
          expr(
              "(" + x + " * " + x + " + 0.5)",
              t.dtype,
              t.dims,
              r.square().add(Range.point(0.5)),
              t.grad);
      case 2 ->
          expr(
              "(softplus(" + t.text + ") + 0.5)",
              t.dtype,
              t.dims,
              r.map(ProgramGenerator::softplus).add(Range.point(0.5)),
              t.grad);
      case 3 ->
          expr(
              "exp(tanh(" + t.text + "))",
              t.dtype,
              t.dims,
              r.map(z -> Math.exp(Math.tanh(z))),
              t.grad);
      default ->
          expr(
              "(abs(" + t.text + ") + 0.5)",
              t.dtype,
              t.dims,
              r.abs().add(Range.point(0.5)),
              t.grad);
    };
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  static double softplus(double x) {
    return x > 20 ? x : Math.log1p(Math.exp(x));
  }

  // ---------------------------------------------------------------- statements

  private void statement() {
    int r = rnd.nextInt(100);
    V e;
    if (r < 20) {
      e = unary();
    } else if (r < 42) {
      e = binary();
    } else if (r < 54) {
      e = reduction();
    } else if (r < 62) {
      e = shapeOp();
    } else if (r < 64) {
      e = sharedView();
    } else if (r < 71) {
      e = matmul();
    } else if (r < 79) {
      e = select();
    } else if (r < 84) {
      e = loss();
    } else if (r < 88) {
      e = normalize();
    } else if (r < 92) {
      e = cast();
    } else if (r < 95) {
      e = detach();
    } else if (r < 97) {
      e = linalg();
    } else {
      e = repeat();
    }
    if (e != null) {
      assign(e);
    }
  }

  private void assign(V e) {
    if (!noGrad && chance(25) && e.named == false) {
      pool.add(e);
      return;
    }
    String name = "v" + names++;
    line(name + " = " + e.text);
    V v = new V(name, e.dtype, e.dims, e.range, e.grad, true);
    pool.add(v);
    history.add(e.text);
    historyValues.add(v);
  }

  private void line(String s) {
    body.append(noGrad ? "    " : "").append(s).append('\n');
  }

  /** A {@code with no_grad:} block of one to three statements; returns how many. */
  private int noGradBlock() {
    line(oneOf("with no_grad:", "with torch.no_grad():", "with no_grad():"));
    noGrad = true;
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      if (i == 0 && chance(40)) {
        rebind();
      } else {
        statement();
      }
    }
    noGrad = false;
    return n;
  }

  /** Rebinds a name (a param while another param stays visible) to a value computed from it. */
  private void rebind() {
    List<V> c =
        candidates(
            v -> v.named && v.isFloatTensor() && (!params.contains(v) || visibleParams() > 1));
    if (c.isEmpty()) {
      statement();
      return;
    }
    V old = c.get(rnd.nextInt(c.size()));
    // inline expressions written with the old binding would change meaning
    pool.removeIf(v -> !v.named && v.text.matches("(?s).*\\b" + old.text + "\\b.*"));
    V t = tame(old, 50);
    String text = t.operand() + " * " + oneOf("0.5", "2.0", "-1.0");
    Range r = t.range.mul(new Range(-1, 2));
    line(old.text + " = " + text);
    pool.remove(old);
    params.remove(old);
    history.clear();
    historyValues.clear();
    pool.add(new V(old.text, old.dtype, old.dims, r, false, true));
  }

  private int visibleParams() {
    int n = 0;
    for (V p : params) {
      n += pool.contains(p) ? 1 : 0;
    }
    return n;
  }

  /** A repeated expression (common subexpression), or a new unary value. */
  private V repeat() {
    if (history.isEmpty()) {
      return unary();
    }
    int k = rnd.nextInt(history.size());
    V src = historyValues.get(k);
    return expr(history.get(k), src.dtype, src.dims, src.range, src.grad);
  }

  // ---------------------------------------------------------------- elementwise

  private static final String[] UNARY = {
    "neg",
    "abs",
    "sign",
    "exp",
    "expm1",
    "log",
    "log1p",
    "sqrt",
    "rsqrt",
    "square",
    "reciprocal",
    "sin",
    "cos",
    "tan",
    "tanh",
    "sigmoid",
    "relu",
    "erf",
    "softplus",
    "erfc",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "asin",
    "acos",
    "atan",
    "log2",
    "log10",
    "floor",
    "ceil",
    "round",
    "trunc",
    "exp2",
    "frac",
    "sinc",
    "nan_to_num",
    "lgamma",
    "digamma",
    "polygamma",
    "erfinv"
  };

  /** Ops whose gradient is zero: the program's gradient does not flow through them. */
  private static final Set<String> ZERO_GRADIENT =
      Set.of("sign", "floor", "ceil", "round", "trunc");

  private V unary() {
    String op = oneOf(UNARY);
    V a = pickFloat();
    Range r;
    switch (op) {
      case "exp", "expm1" -> {
        a = tame(a, 4);
        r = op.equals("exp") ? a.range.map(Math::exp) : a.range.map(Math::expm1);
      }
      case "sinh", "cosh", "exp2" -> {
        a = tame(a, 4);
        r =
            switch (op) {
              case "sinh" -> a.range.map(Math::sinh);
              case "cosh" -> new Range(1, Math.cosh(a.range.mag()));
              default -> a.range.map(v -> Math.pow(2, v));
            };
      }
      case "log2", "log10" -> {
        a = positive(tame(a, LIMIT), 0.25);
        r = a.range.map(op.equals("log2") ? v -> Math.log(v) / Math.log(2) : Math::log10);
      }
      case "acosh" -> {
        V p = positive(tame(a, LIMIT), 0.25);
        a = expr("(" + p.text + " + 1)", p.dtype, p.dims, p.range.add(Range.point(1)), p.grad);
        r = new Range(0, Math.log(2 * a.range.hi()));
      }
      case "lgamma", "digamma", "polygamma" -> {
        // in [1.25, 9], away from the poles
        V p = positive(tame(a, 8), 0.25);
        a = expr("(" + p.text + " + 1)", p.dtype, p.dims, p.range.add(Range.point(1)), p.grad);
        double hi = a.range.hi();
        r =
            switch (op) {
              case "lgamma" -> new Range(-0.13, hi * Math.log(hi) + 1);
              case "digamma" -> new Range(-0.25, Math.log(hi) + 1);
              default -> new Range(-8, 8);
            };
      }
      case "erfinv", "atanh", "asin", "acos" -> {
        // strictly inside (-1, 1), where the gradients are finite
        a =
            expr(
                "(" + oneOf("tanh(" + a.text + ")", a.operand() + ".tanh()") + " * 0.9)",
                a.dtype,
                a.dims,
                a.range.map(Math::tanh).scale(0.9),
                a.grad);
        r = op.equals("atanh") || op.equals("erfinv") ? new Range(-1.5, 1.5) : new Range(-1.6, 3.2);
      }
      case "log", "sqrt", "rsqrt", "reciprocal" -> {
        a = positive(tame(a, LIMIT), 0.25);
        Range p = a.range;
        r =
            switch (op) {
              case "log" -> p.map(Math::log);
              case "sqrt" -> p.map(Math::sqrt);
              case "rsqrt" -> new Range(1 / Math.sqrt(p.hi()), 1 / Math.sqrt(p.lo()));
              default -> new Range(1 / p.hi(), 1 / p.lo());
            };
      }
      case "log1p" -> {
        a = a.range.lo() > -0.5 ? tame(a, LIMIT) : positive(a, 0.1);
        r = a.range.map(Math::log1p);
      }
      case "tan" -> {
        a = tame(a, 1.2);
        if (a.range.mag() > 1.2) {
          a = expr("tanh(" + a.text + ")", a.dtype, a.dims, a.range.map(Math::tanh), a.grad);
        }
        r = a.range.map(Math::tan);
      }
      case "square" -> {
        a = tame(a, 30);
        r = a.range.square();
      }
      case "neg" -> r = a.range.neg();
      case "abs" -> r = a.range.abs();
      case "sign", "sin", "cos" -> r = Range.UNIT;
      case "tanh" -> r = a.range.map(Math::tanh);
      case "sigmoid" -> r = a.range.map(ProgramGenerator::sigmoid);
      case "erf" -> r = Range.UNIT;
      case "erfc" -> r = new Range(0, 2);
      case "asinh" -> r = a.range.abs().add(a.range.abs().neg());
      case "atan" -> r = new Range(-1.6, 1.6);
      case "floor", "ceil", "round", "trunc" -> r = a.range.add(new Range(-1, 1));
      case "frac" -> r = new Range(-1, 1);
      case "nan_to_num" -> r = a.range;
      case "sinc" -> r = new Range(-0.25, 1);
      case "relu" -> r = a.range.max(Range.point(0));
      default -> r = a.range.map(ProgramGenerator::softplus);
    }
    String text;
    if (op.equals("softplus")) {
      if (chance(25)) {
        return expr(
            oneOf("softplus", "F.softplus") + "(" + a.text + ", beta=2)",
            a.dtype,
            a.dims,
            r,
            a.grad);
      }
      text = oneOf("softplus", "F.softplus", "torch.nn.functional.softplus") + "(" + a.text + ")";
    } else if (op.equals("polygamma")) {
      String n = oneOf("0", "1", "2", "3");
      text =
          oneOf(
              "polygamma(" + n + ", " + a.text + ")",
              "torch.polygamma(" + n + ", " + a.text + ")",
              a.operand() + ".polygamma(" + n + ")");
    } else if (op.equals("round") && chance(25)) {
      text = a.operand() + ".round(decimals=" + oneOf("1", "2", "-1") + ")";
    } else if (op.equals("neg") && chance(50)) {
      text = oneOf("-" + a.operand(), "negative(" + a.text + ")");
    } else {
      text =
          switch (rnd.nextInt(3)) {
            case 0 -> op + "(" + a.text + ")";
            case 1 -> "torch." + op + "(" + a.text + ")";
            default -> a.operand() + "." + op + "()";
          };
    }
    return expr(text, a.dtype, a.dims, r, a.grad && !ZERO_GRADIENT.contains(op));
  }

  private V binary() {
    int r = rnd.nextInt(100);
    if (r < 6) {
      return centered();
    }
    if (r < 15) {
      return pow();
    }
    if (r < 22) {
      return maximumMinimum();
    }
    if (r < 30) {
      return integerArithmetic();
    }
    if (r < 37) {
      return mathBinary();
    }
    String op = oneOf("+", "-", "*", "/", "+", "*");
    V a = pickFloat();
    boolean numberFirst = chance(15);
    V b = partner(a, true);
    if (numberFirst && !b.isNumber()) {
      b = literal(number());
    }
    Range range;
    switch (op) {
      case "+", "-" -> {
        a = tame(a, LIMIT / 2);
        b = tame(b, LIMIT / 2);
        range =
            op.equals("+")
                ? a.range.add(b.range)
                : numberFirst ? b.range.sub(a.range) : a.range.sub(b.range);
      }
      case "*" -> {
        a = tame(a, 30);
        b = tame(b, 30);
        range = a.range.mul(b.range);
      }
      default -> {
        V num = numberFirst ? b : a;
        V den = numberFirst ? a : b;
        num = tame(num, 100);
        den = den.isNumber() ? den : positive(den, 0.25);
        if (den.isNumber() && Math.abs(den.range.lo()) < 0.1) {
          den = literal("2.0");
        }
        Range inv =
            den.range.lo() > 0
                ? new Range(1 / den.range.hi(), 1 / den.range.lo())
                : new Range(1 / den.range.lo(), 1 / den.range.hi());
        range = num.range.mul(inv);
        a = numberFirst ? den : num;
        b = numberFirst ? num : den;
      }
    }
    V left = numberFirst ? b : a;
    V right = numberFirst ? a : b;
    String dtype = promote(left, right);
    if (op.equals("/") && !dtype.startsWith("f")) {
      dtype = "f32";
    }
    String name =
        switch (op) {
          case "+" -> "add";
          case "-" -> "sub";
          case "*" -> "mul";
          default -> "div";
        };
    String text;
    if (numberFirst || chance(55)) {
      text = left.operand() + " " + op + " " + right.operand();
    } else {
      text =
          switch (rnd.nextInt(3)) {
            case 0 -> name + "(" + left.text + ", " + right.text + ")";
            case 1 -> "torch." + name + "(" + left.text + ", " + right.text + ")";
            default -> left.operand() + "." + name + "(" + right.text + ")";
          };
    }
    List<String> dims = broadcast(a.dims, b.dims);
    return expr(text, dtype, dims, range, anyGrad(a, b));
  }

  private V pow() {
    V a = pickFloat();
    switch (rnd.nextInt(4)) {
      case 0 -> {
        a = tame(a, 8);
        String e = oneOf("2", "3", "2.0");
        Range r = e.equals("3") ? a.range.map(z -> z * z * z) : a.range.square();
        String text =
            oneOf(
                a.operand() + " ** " + e,
                a.operand() + ".pow(" + e + ")",
                "pow(" + a.text + ", " + e + ")");
        return expr(text, a.dtype, a.dims, r, a.grad);
      }
      case 1 -> {
        V p = positive(tame(a, 100), 0.25);
        String e = oneOf("0.5", "1.5", "-1.0", "-0.5");
        double k = Double.parseDouble(e);
        Range r =
            Range.hull(
                Range.point(Math.pow(p.range.lo(), k)), Range.point(Math.pow(p.range.hi(), k)));
        return expr(p.operand() + " ** " + e, p.dtype, p.dims, r, p.grad);
      }
      case 2 -> {
        V e = tame(a, 3);
        Range r = e.range.map(z -> Math.pow(2, z));
        return expr(
            oneOf("2.0 ** " + e.operand(), "torch.pow(2.0, " + e.text + ")"),
            e.dtype,
            e.dims,
            r,
            e.grad);
      }
      default -> {
        V p = positive(tame(a, 10), 0.25);
        V e = tame(partner(p, false), 2);
        Range r = Range.point(1);
        for (double x : new double[] {p.range.lo(), p.range.hi()}) {
          for (double y : new double[] {e.range.lo(), e.range.hi()}) {
            r = Range.hull(r, Range.point(Math.pow(x, y)));
          }
        }
        String text =
            oneOf(
                p.operand() + " ** " + e.operand(),
                "torch.pow(" + p.text + ", " + e.text + ")",
                "pow(" + p.text + ", " + e.text + ")");
        return expr(text, promote(p, e), broadcast(p.dims, e.dims), r, anyGrad(p, e));
      }
    }
  }

  /**
   * A value combined with its own reduction along some dims, kept as size-1 dims: {@code x -
   * x.mean(1, keepdim=True)}, {@code x / x.sum(...)}, {@code exp(x - x.amax(...))}.
   */
  private V centered() {
    V picked = pick(v -> v.isFloatTensor() && v.rank() > 0);
    V a = tame(picked != null ? picked : pickFloat(), 20);
    if (a.rank() == 0) {
      return expr(
          a.operand() + " - " + a.operand() + ".mean()",
          a.dtype,
          a.dims,
          a.range.sub(a.range),
          a.grad);
    }
    int d = rnd.nextInt(a.rank());
    String dim = Integer.toString(chance(30) ? d - a.rank() : d);
    int n = size(a.dims.get(d));
    String x = a.operand();
    return switch (rnd.nextInt(4)) {
      case 0 ->
          expr(
              x + " - " + x + ".mean(" + dim + ", keepdim=True)",
              a.dtype,
              a.dims,
              a.range.sub(a.range),
              a.grad);
      case 1 ->
          expr(
              "(" + x + " - " + x + ".amax(dim=" + dim + ", keepdim=True)).exp()",
              a.dtype,
              a.dims,
              new Range(0, 1),
              a.grad);
      case 2 -> {
        V p = positive(a, 0.25);
        String y = p.operand();
        yield expr(
            y + " / " + y + ".sum(" + dim + ", True)", p.dtype, p.dims, new Range(0, 1), p.grad);
      }
      default ->
          expr(
              x + " * torch.sum(" + x + ", dim=" + dim + ", keepdim=True)",
              a.dtype,
              a.dims,
              a.range.mul(a.range.times(n)),
              a.grad);
    };
  }

  private V maximumMinimum() {
    V a = pickFloat();
    V b = partner(a, false);
    boolean max = rnd.nextBoolean();
    String f = max ? "maximum" : "minimum";
    String text =
        switch (rnd.nextInt(4)) {
          case 0 -> f + "(" + a.text + ", " + b.text + ")";
          case 1 -> (max ? "max" : "min") + "(" + a.text + ", " + b.text + ")";
          case 2 -> "torch." + f + "(" + a.text + ", " + b.text + ")";
          default -> a.operand() + "." + f + "(" + b.text + ")";
        };
    Range r = max ? a.range.max(b.range) : a.range.min(b.range);
    return expr(text, promote(a, b), broadcast(a.dims, b.dims), r, anyGrad(a, b));
  }

  /** atan2, hypot, logaddexp(2), copysign, fmod, remainder ({@code %}), xlogy, xlog1py. */
  private V mathBinary() {
    V a = pickFloat();
    V b = partner(a, false);
    String f =
        oneOf(
            "atan2",
            "hypot",
            "logaddexp",
            "logaddexp2",
            "copysign",
            "fmod",
            "remainder",
            "xlogy",
            "xlog1py");
    Range r;
    switch (f) {
      case "atan2" -> r = new Range(-3.2, 3.2);
      case "hypot" -> r = new Range(0, a.range.mag() + b.range.mag());
      case "logaddexp", "logaddexp2" -> r = a.range.max(b.range).add(new Range(0, 1.5));
      case "copysign" -> r = new Range(-a.range.mag(), a.range.mag());
      case "fmod", "remainder" -> {
        b = positive(b, 0.25);
        r = new Range(-b.range.hi(), b.range.hi());
      }
      default -> {
        a = tame(a, 30);
        b = positive(tame(b, LIMIT), 0.25);
        double m = Math.max(Math.abs(Math.log(b.range.lo())), Math.log1p(b.range.hi()) + 1);
        r = new Range(-a.range.mag() * m, a.range.mag() * m);
      }
    }
    String text =
        f.equals("remainder") && chance(40)
            ? a.operand() + " % " + b.operand()
            : switch (f.equals("xlog1py") ? 0 : rnd.nextInt(3)) {
              case 0 -> f + "(" + a.text + ", " + b.text + ")";
              case 1 -> "torch." + f + "(" + a.text + ", " + b.text + ")";
              default -> a.operand() + "." + f + "(" + b.text + ")";
            };
    return expr(text, promote(a, b), broadcast(a.dims, b.dims), r, anyGrad(a, b));
  }

  /** Arithmetic on an i64 input: integer results, or floats by promotion and true division. */
  private V integerArithmetic() {
    V k = pick(v -> v.dtype.equals("i64"));
    if (k == null) {
      k = use(declare(false, "i64", randomShape(), Domain.ints(-3, 4)));
    }
    Range kr = k.range;
    switch (rnd.nextInt(7)) {
      case 5 -> {
        // Python's modulo: the divisor's sign, integers stay integers
        return expr(k.operand() + " % 3", "i64", k.dims, new Range(0, 2), false);
      }
      case 6 -> {
        return expr("torch.fmod(" + k.text + ", 2)", "i64", k.dims, new Range(-1, 1), false);
      }
      case 0 -> {
        return expr(
            k.operand() + " * 3 - 1", "i64", k.dims, kr.scale(3).add(Range.point(-1)), false);
      }
      case 1 -> {
        return expr("abs(" + k.text + " - 1)", "i64", k.dims, kr.add(Range.point(-1)).abs(), false);
      }
      case 2 -> {
        return expr(k.operand() + " / 2", "f32", k.dims, kr.scale(0.5), false);
      }
      case 3 -> {
        return expr(k.operand() + ".double() * 0.5", "f64", k.dims, kr.scale(0.5), false);
      }
      default -> {
        V a = pickFloat();
        if (broadcast(a.dims, k.dims) == null || numel(broadcast(a.dims, k.dims)) > MAX_NUMEL) {
          k = use(declare(false, "i64", broadcastable(a.dims), Domain.ints(-3, 4)));
        }
        a = tame(a, 100);
        return expr(
            a.operand() + " * " + k.operand(),
            a.dtype,
            broadcast(a.dims, k.dims),
            a.range.mul(k.range),
            a.grad);
      }
    }
  }

  // ---------------------------------------------------------------- where, clamp, comparisons

  private static final String[][] COMPARISONS = {
    {"<", "lt"}, {"<=", "le"}, {">", "gt"}, {">=", "ge"}, {"==", "eq"}, {"!=", "ne"}
  };

  /** A comparison of {@code a} with a tensor or a number, as a bool value. */
  private V compare(V a) {
    String[] c = COMPARISONS[rnd.nextInt(chance(85) ? 4 : 6)];
    V b = chance(50) ? literal(oneOf("0.0", "0.5", "-0.25", "1.0", "0")) : partner(a, false);
    String text =
        switch (rnd.nextInt(3)) {
          case 0 -> a.operand() + " " + c[0] + " " + b.operand();
          case 1 -> c[1] + "(" + a.text + ", " + b.text + ")";
          default -> a.operand() + "." + c[1] + "(" + b.text + ")";
        };
    return expr(text, "bool", broadcast(a.dims, b.dims), Range.BOOL, false);
  }

  private V select() {
    int r = rnd.nextInt(10);
    if (r < 3) {
      return compare(pickFloat());
    }
    if (r < 7) {
      V a = pickFloat();
      V cond =
          pick(
              v ->
                  v.dtype.equals("bool")
                      && broadcast(v.dims, a.dims) != null
                      && numel(broadcast(v.dims, a.dims)) <= MAX_NUMEL);
      if (cond == null) {
        cond = compare(pickFloat());
        if (broadcast(cond.dims, a.dims) == null
            || numel(broadcast(cond.dims, a.dims)) > MAX_NUMEL) {
          cond = compare(a);
        }
      }
      V b = partner(a, true);
      List<String> dims = broadcast(broadcast(cond.dims, a.dims), b.dims);
      if (dims == null || numel(dims) > MAX_NUMEL) {
        b = literal(number());
        dims = broadcast(cond.dims, a.dims);
      }
      // PyTorch 1.13's Tensor.where takes only a tensor as 'other'
      String text =
          switch (rnd.nextInt(b.isNumber() ? 2 : 3)) {
            case 0 -> "where(" + cond.text + ", " + a.text + ", " + b.text + ")";
            case 1 -> "torch.where(" + cond.text + ", " + a.text + ", " + b.text + ")";
            default -> a.operand() + ".where(" + cond.text + ", " + b.text + ")";
          };
      return expr(text, promote(a, b), dims, Range.hull(a.range, b.range), anyGrad(a, b));
    }
    V a = pickFloat();
    if (r < 9) {
      double lo = -0.5 - rnd.nextInt(3) * 0.25;
      double hi = 0.5 + rnd.nextInt(3) * 0.25;
      int form = rnd.nextInt(4);
      String text =
          switch (form) {
            case 0 -> "clamp(" + a.text + ", min=" + lo + ", max=" + hi + ")";
            case 1 -> a.operand() + ".clamp(min=" + lo + ")";
            case 2 -> a.operand() + ".clamp(max=" + hi + ")";
            default -> "clip(" + a.text + ", " + lo + ", " + hi + ")";
          };
      Range cr = a.range;
      if (form != 2) {
        cr = cr.max(Range.point(lo));
      }
      if (form != 1) {
        cr = cr.min(Range.point(hi));
      }
      return expr(text, a.dtype, a.dims, cr, a.grad);
    }
    V lo = partner(a, false);
    V hi = partner(a, false);
    if (hi == lo) {
      hi = use(declare(chance(50), floatType(), broadcastable(a.dims), Domain.uniform(-2, 2)));
    }
    List<String> dims = broadcast(broadcast(a.dims, lo.dims), hi.dims);
    if (dims == null || numel(dims) > MAX_NUMEL) {
      return expr(
          "clamp(" + a.text + ", min=" + lo.text + ")",
          promote(a, lo),
          broadcast(a.dims, lo.dims),
          a.range.max(lo.range),
          anyGrad(a, lo));
    }
    String dtype = promote(a, lo, hi);
    return expr(
        oneOf("clamp", "torch.clamp")
            + "("
            + a.text
            + ", min="
            + lo.text
            + ", max="
            + hi.text
            + ")",
        dtype,
        dims,
        Range.hull(Range.hull(a.range, lo.range), hi.range),
        anyGrad(a, lo, hi));
  }

  // ---------------------------------------------------------------- reductions

  private V reduction() {
    V a = chance(10) ? pick(v -> v.dtype.equals("bool") || v.dtype.equals("i64")) : null;
    if (a != null) {
      String text = oneOf("sum(" + a.text + ")", a.operand() + ".sum()", "nansum(" + a.text + ")");
      double m = a.range.mag() * numel(a.dims);
      return expr(text, "i64", List.of(), new Range(-m, m), false);
    }
    a = pickFloat();
    if (chance(8)) {
      // counts and truth values of any tensor: no gradient
      String text =
          oneOf(
              "count_nonzero(" + a.text + ")",
              a.operand() + ".count_nonzero()",
              "all(" + a.text + ").long()",
              a.operand() + ".any().long()");
      return expr(text, "i64", List.of(), new Range(0, numel(a.dims)), false);
    }
    if (chance(8)) {
      return prod(a);
    }
    if (a.rank() > 0 && chance(8)) {
      return cumulative(a);
    }
    if (a.rank() > 0 && chance(10)) {
      return selection(a);
    }
    if (a.rank() >= 2 && staticMatrix(a.dims) && chance(8)) {
      // the singular values of the last two dims, as they are or as the matrix norms of orders 2,
      // -2 and 'nuc'; each is at most the Frobenius norm, their sum at most k times it
      List<String> batch = a.dims.subList(0, a.rank() - 2);
      int k = Math.min(size(a.dims.get(a.rank() - 2)), size(a.dims.get(a.rank() - 1)));
      Range range = new Range(0, a.range.mag() * numel(a.dims));
      if (chance(2)) {
        List<String> out = new ArrayList<>(batch);
        out.add(String.valueOf(k));
        return expr("torch.linalg.svdvals(" + a.text + ")", a.dtype, out, range, a.grad);
      }
      String ord = oneOf("2", "-2", "'nuc'", "ord=2", "ord='nuc'");
      return expr(
          "torch.linalg.matrix_norm(" + a.text + ", " + ord + ")",
          a.dtype,
          new ArrayList<>(batch),
          range,
          a.grad);
    }
    if (a.rank() >= 2 && chance(6)) {
      // torch.linalg.matrix_norm over the last two dims: the Frobenius norm or the extreme column
      // or row sum of |a|
      String ord = oneOf("", ", 1", ", -1", ", float('inf')", ", ord=-float('inf')", ", ord='fro'");
      Range range = new Range(0, a.range.mag() * numel(a.dims));
      List<String> out = new ArrayList<>(a.dims.subList(0, a.rank() - 2));
      return expr("torch.linalg.matrix_norm(" + a.text + ord + ")", a.dtype, out, range, a.grad);
    }
    String op =
        oneOf(
            "sum",
            "sum",
            "mean",
            "mean",
            "amax",
            "amin",
            "logsumexp",
            "max",
            "min",
            "var",
            "std",
            "nansum",
            "nanmean",
            "norm");
    if ((op.equals("max") || op.equals("min")) && a.rank() > 0 && chance(40)) {
      // With a dim: the values of (values, indices), or the index vector from argmax/argmin.
      int d = rnd.nextInt(a.rank());
      if (a.dims.get(d).chars().allMatch(Character::isDigit)) {
        boolean keep = chance(30);
        List<String> out = new ArrayList<>(a.dims);
        if (keep) {
          out.set(d, "1");
        } else {
          out.remove(d);
        }
        String k = keep ? ", keepdim=True" : "";
        if (chance(25)) {
          String text = "arg" + op + "(" + a.text + ", dim=" + d + k + ")";
          return expr(text, "i64", out, new Range(0, size(a.dims.get(d))), false);
        }
        String text =
            oneOf(
                op + "(" + a.text + ", " + d + k + ")[0]",
                a.operand() + "." + op + "(dim=" + d + k + ")[0]");
        return expr(text, a.dtype, out, a.range, a.grad);
      }
    }
    if (op.equals("max") || op.equals("min")) {
      String text =
          oneOf(
              op + "(" + a.text + ")",
              a.operand() + "." + op + "()",
              "torch." + op + "(" + a.text + ")");
      return expr(text, a.dtype, List.of(), a.range, a.grad);
    }
    int rank = a.rank();
    List<Integer> chosen = new ArrayList<>();
    for (int d = 0; d < rank; d++) {
      if (chance(50)) {
        chosen.add(d);
      }
    }
    boolean all = chosen.isEmpty() || chosen.size() == rank;
    boolean keepdim = rank > 0 && chance(35);
    String dimArg = null;
    if (rank > 0 && (op.equals("logsumexp") || !all || chance(30))) {
      if (chosen.isEmpty()) {
        chosen.add(rnd.nextInt(rank));
      }
      List<String> ds = new ArrayList<>();
      for (int d : chosen) {
        ds.add(Integer.toString(chance(30) ? d - rank : d));
      }
      shuffle(ds);
      dimArg =
          ds.size() == 1 && chance(60)
              ? ds.get(0)
              : chance(50)
                  ? "[" + String.join(", ", ds) + "]"
                  : "(" + String.join(", ", ds) + (ds.size() == 1 ? ",)" : ")");
    } else if (op.equals("logsumexp")) {
      op = "sum"; // logsumexp needs dims; a scalar has none
    }
    List<String> out = new ArrayList<>();
    int count = 1;
    boolean reducesAll = dimArg == null;
    for (int d = 0; d < rank; d++) {
      boolean reduced = reducesAll || chosen.contains(d);
      if (reduced) {
        count *= size(a.dims.get(d));
        if (keepdim) {
          out.add("1");
        }
      } else {
        out.add(a.dims.get(d));
      }
    }
    if (dimArg == null) {
      keepdim = false;
      out.clear();
    }
    Range r;
    switch (op) {
      case "sum", "nansum", "norm" -> {
        if (a.range.mag() * count > LIMIT) {
          a = tame(a, LIMIT / count);
        }
        r = a.range.times(count);
      }
      case "logsumexp" -> {
        a = tame(a, 50);
        r = new Range(a.range.lo(), a.range.hi() + Math.log(count));
      }
      case "var", "std" -> {
        if (count < 2) {
          op = "mean"; // one element: the unbiased spread is NaN
          r = a.range;
        } else {
          a = tame(a, Math.sqrt(LIMIT) / 2);
          double w = a.range.hi() - a.range.lo();
          r = new Range(0, op.equals("var") ? w * w : w);
        }
      }
      default -> r = a.range;
    }
    boolean spread = op.equals("var") || op.equals("std");
    String option =
        spread
            ? oneOf("", "", ", unbiased=False", ", correction=0", ", unbiased=True")
            : op.equals("norm") ? oneOf("", ", p=1", ", p=2", ", p=3", ", p='fro'") : "";
    if (op.equals("norm")) {
      r = new Range(0, r.mag());
    }
    if (spread && dimArg == null && chance(40)) {
      // torch.var_mean and torch.std_mean: the spread or the mean of the tuple
      boolean first = rnd.nextBoolean();
      String text = "torch." + op + "_mean(" + a.text + option + ")[" + (first ? 0 : 1) + "]";
      return expr(text, a.dtype, out, first ? r : a.range, a.grad);
    }
    String text;
    if (dimArg == null) {
      text =
          oneOf(
              op + "(" + a.text + option + ")",
              a.operand() + "." + op + "(" + option.replaceFirst("^, ", "") + ")",
              "torch." + op + "(" + a.text + option + ")");
    } else {
      // the second positional argument of var and std is unbiased, of norm p: dim is a keyword
      boolean positional = !spread && !op.equals("norm") && chance(40);
      String args =
          (positional ? dimArg : "dim=" + dimArg)
              + option
              + (keepdim ? (positional && chance(50) ? ", True" : ", keepdim=True") : "");
      text =
          switch (rnd.nextInt(3)) {
            case 0 -> op + "(" + a.text + ", " + args + ")";
            case 1 -> "torch." + op + "(" + a.text + ", " + args + ")";
            default -> a.operand() + "." + op + "(" + args + ")";
          };
    }
    return expr(text, a.dtype, out, r, a.grad);
  }

  /**
   * A cumulative op along one dim ({@code cumsum}, {@code cumprod}, {@code logcumsumexp}, the
   * values or indices of {@code cummax} and {@code cummin}), of values tamed not to overflow.
   */
  private V cumulative(V a) {
    int rank = a.rank();
    int d = rnd.nextInt(rank);
    String dim = Integer.toString(chance(30) ? d - rank : d);
    int n = size(a.dims.get(d));
    String op = oneOf("cumsum", "cumsum", "cumprod", "logcumsumexp", "cummax", "cummin");
    if (op.startsWith("cumm") && !a.dims.get(d).chars().allMatch(Character::isDigit)) {
      op = "cumsum"; // the gradient of cummax and cummin needs a static size along the dim
    }
    Range r;
    switch (op) {
      case "cumsum" -> {
        a = tame(a, LIMIT / n);
        r = a.range.times(n);
      }
      case "cumprod" -> {
        a = tame(a, Math.max(1, Math.pow(LIMIT, 1.0 / n)));
        double m = Math.pow(Math.max(1, a.range.mag()), n);
        r = new Range(-m, m);
      }
      case "logcumsumexp" -> {
        a = tame(a, 50);
        r = new Range(a.range.lo(), a.range.hi() + Math.log(n));
      }
      default -> r = a.range;
    }
    String text =
        switch (rnd.nextInt(3)) {
          case 0 -> op + "(" + a.text + ", " + dim + ")";
          case 1 -> "torch." + op + "(" + a.text + ", dim=" + dim + ")";
          default -> a.operand() + "." + op + "(" + dim + ")";
        };
    if (op.startsWith("cumm")) {
      if (chance(25)) {
        return expr(text + "[1]", "i64", a.dims, new Range(0, n - 1), false);
      }
      text += "[0]";
    }
    return expr(text, a.dtype, a.dims, r, a.grad);
  }

  /**
   * A sort or a selection along one dim: the values or indices of {@code sort}, {@code topk},
   * {@code kthvalue} and {@code median}, {@code argsort}, {@code msort}, or the median of all.
   */
  private V selection(V a) {
    int rank = a.rank();
    int d = rnd.nextInt(rank);
    String dim = Integer.toString(chance(30) ? d - rank : d);
    boolean known = a.dims.get(d).chars().allMatch(Character::isDigit);
    int n = size(a.dims.get(d));
    String op = oneOf("sort", "argsort", "msort", "topk", "kthvalue", "median", "median_all");
    boolean allKnown = a.dims.stream().allMatch(s -> s.chars().allMatch(Character::isDigit));
    if ((!known || n == 0 || (op.equals("median_all") && !allKnown)) && !op.contains("sort")) {
      op = "sort"; // k and the median's position need a static, non-zero size along the dim
    }
    List<String> dropped = new ArrayList<>(a.dims);
    dropped.remove(d);
    int k = 1 + rnd.nextInt(Math.max(1, n));
    String keep = chance(30) ? ", keepdim=True" : "";
    List<String> kept = keep.isEmpty() ? dropped : a.dims;
    List<String> topDims = new ArrayList<>(a.dims);
    topDims.set(d, Integer.toString(k));
    String text;
    List<String> dims;
    switch (op) {
      case "sort" -> {
        text =
            "torch.sort("
                + a.text
                + ", dim="
                + dim
                + ", descending="
                + (chance(50) ? "True" : "False")
                + ")";
        dims = a.dims;
      }
      case "argsort" -> {
        return expr(
            a.operand() + ".argsort(" + dim + ")", "i64", a.dims, new Range(0, n - 1), false);
      }
      case "msort" -> {
        return expr("torch.msort(" + a.text + ")", a.dtype, a.dims, a.range, a.grad);
      }
      case "topk" -> {
        text = a.operand() + ".topk(" + k + ", " + dim + ")";
        dims = topDims;
      }
      case "kthvalue" -> {
        text = "torch.kthvalue(" + a.text + ", " + k + ", " + dim + keep + ")";
        dims = kept;
      }
      case "median" -> {
        text = a.operand() + ".median(" + dim + keep + ")";
        dims = kept;
      }
      default -> {
        return expr("torch.median(" + a.text + ")", a.dtype, List.of(), a.range, a.grad);
      }
    }
    if (chance(25)) {
      return expr(text + "[1]", "i64", dims, new Range(0, n - 1), false);
    }
    return expr(text + "[0]", a.dtype, dims, a.range, a.grad);
  }

  /** {@code prod} of every element or over one dim, of factors small enough not to overflow. */
  private V prod(V a) {
    int rank = a.rank();
    int d = rank > 0 && chance(60) ? rnd.nextInt(rank) : -1;
    int count = d < 0 ? numel(a.dims) : size(a.dims.get(d));
    a = tame(a, Math.max(1, Math.pow(LIMIT, 1.0 / Math.max(count, 1))));
    double m = Math.pow(a.range.mag(), count);
    List<String> out = new ArrayList<>();
    if (d < 0) {
      String text =
          oneOf("prod(" + a.text + ")", a.operand() + ".prod()", "torch.prod(" + a.text + ")");
      return expr(text, a.dtype, out, new Range(-m, m), a.grad);
    }
    boolean keep = chance(30);
    out.addAll(a.dims);
    if (keep) {
      out.set(d, "1");
    } else {
      out.remove(d);
    }
    String args = (chance(30) ? d - rank : d) + (keep ? ", keepdim=True" : "");
    String text =
        oneOf(
            "prod(" + a.text + ", " + args + ")",
            "torch.prod(" + a.text + ", dim=" + args + ")",
            a.operand() + ".prod(" + args + ")");
    return expr(text, a.dtype, out, new Range(-m, m), a.grad);
  }

  private V normalize() {
    V a = pick(v -> v.isFloatTensor() && v.rank() > 0);
    if (a == null) {
      a = use(declare(true, floatType(), List.of("3", "4"), Domain.uniform(-2, 2)));
    }
    int rank = a.rank();
    int d = rnd.nextInt(rank);
    String dim = Integer.toString(chance(30) ? d - rank : d);
    boolean log = rnd.nextBoolean();
    String op = log ? "log_softmax" : "softmax";
    a = tame(a, 50);
    String text =
        switch (rnd.nextInt(4)) {
          case 0 -> op + "(" + a.text + ", dim=" + dim + ")";
          case 1 -> "torch." + op + "(" + a.text + ", " + dim + ")";
          case 2 -> "F." + op + "(" + a.text + ", dim=" + dim + ")";
          default -> a.operand() + "." + op + "(" + dim + ")";
        };
    int n = size(a.dims.get(d));
    // a dim of size 0 has no elements to bound
    Range r =
        log
            ? new Range(a.range.lo() - a.range.hi() - Math.log(Math.max(n, 1)), 0)
            : Range.PROBABILITY;
    return expr(text, a.dtype, a.dims, r, a.grad);
  }

  // ---------------------------------------------------------------- shapes

  private V shapeOp() {
    V a = pickFloat();
    List<String> dims = new ArrayList<>(a.dims);
    int rank = dims.size();
    String x = a.operand();
    switch (rnd.nextInt(12)) {
      case 9 -> {
        return subscript(a);
      }
      case 10 -> {
        return indexed(a);
      }
      case 0 -> {
        // reshape to a regrouping of the dims; a dim holding a symbol is written -1
        List<String> out = regroup(dims);
        if (out == null) {
          return squeezed(a);
        }
        List<String> sizes = new ArrayList<>();
        for (String d : out) {
          sizes.add(isStatic(d) ? d : "-1");
        }
        String list = String.join(", ", sizes);
        String text =
            switch (rnd.nextInt(3)) {
              case 0 -> "reshape(" + a.text + ", [" + list + "])";
              case 1 -> x + ".reshape(" + (sizes.isEmpty() ? "[]" : list) + ")";
              default ->
                  a.text.matches("[px][0-9]+") && !sizes.isEmpty()
                      ? a.text + ".view(" + list + ")"
                      : "torch.reshape(" + a.text + ", [" + list + "])";
            };
        return expr(text, a.dtype, out, a.range, a.grad);
      }
      case 1 -> {
        if (rank < 2) {
          return expr(
              oneOf("flatten(" + a.text + ")", x + ".flatten()"),
              a.dtype,
              merge(dims),
              a.range,
              a.grad);
        }
        int start = rnd.nextInt(rank - 1);
        int end = start + 1 + rnd.nextInt(rank - 1 - start);
        List<String> merged = merge(dims.subList(start, end + 1));
        if (merged == null) {
          return expr(x + ".T", a.dtype, reversed(dims), a.range, a.grad);
        }
        List<String> out = new ArrayList<>(dims.subList(0, start));
        out.addAll(merged);
        out.addAll(dims.subList(end + 1, rank));
        String text =
            oneOf(
                "flatten(" + a.text + ", " + start + ", " + end + ")",
                x + ".flatten(" + start + ", " + end + ")",
                "torch.flatten(" + a.text + ", start_dim=" + start + ", end_dim=" + end + ")");
        return expr(text, a.dtype, out, a.range, a.grad);
      }
      case 2 -> {
        if (rank < 2) {
          return expr(x + ".unsqueeze(0)", a.dtype, prepend("1", dims), a.range, a.grad);
        }
        int d0 = rnd.nextInt(rank);
        int d1 = rnd.nextInt(rank);
        Collections.swap(dims, d0, d1);
        String text =
            oneOf(
                "transpose(" + a.text + ", " + d0 + ", " + d1 + ")",
                x + ".transpose(" + (d0 - rank) + ", " + d1 + ")",
                "torch.transpose(" + a.text + ", " + d0 + ", " + d1 + ")");
        return expr(text, a.dtype, dims, a.range, a.grad);
      }
      case 3 -> {
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
          perm.add(i);
        }
        shuffle(perm);
        List<String> out = new ArrayList<>();
        List<String> ps = new ArrayList<>();
        for (int p : perm) {
          out.add(dims.get(p));
          ps.add(Integer.toString(p));
        }
        if (rank == 0) {
          return expr(x + ".T", a.dtype, dims, a.range, a.grad);
        }
        String list = String.join(", ", ps);
        String text =
            oneOf(
                "permute(" + a.text + ", [" + list + "])",
                x + ".permute(" + list + ")",
                "torch.permute(" + a.text + ", (" + list + (rank == 1 ? ",)" : ")") + ")");
        return expr(text, a.dtype, out, a.range, a.grad);
      }
      case 4 -> {
        if (rank == 2) {
          return expr(
              oneOf(x + ".T", x + ".mT", "t(" + a.text + ")", x + ".t()"),
              a.dtype,
              reversed(dims),
              a.range,
              a.grad);
        }
        if (rank > 2) {
          List<String> out = new ArrayList<>(dims);
          Collections.swap(out, rank - 2, rank - 1);
          return expr(x + ".mT", a.dtype, out, a.range, a.grad);
        }
        return expr(oneOf(x + ".T", "t(" + a.text + ")"), a.dtype, dims, a.range, a.grad);
      }
      case 5 -> {
        if (rank >= 4) {
          return squeezed(a);
        }
        int d = rnd.nextInt(rank + 1);
        List<String> out = new ArrayList<>(dims);
        out.add(d, "1");
        String ds = Integer.toString(chance(30) ? d - rank - 1 : d);
        return expr(
            oneOf("unsqueeze(" + a.text + ", " + ds + ")", x + ".unsqueeze(" + ds + ")"),
            a.dtype,
            out,
            a.range,
            a.grad);
      }
      case 6 -> {
        if (rank > 0 && chance(50)) {
          int d = rnd.nextInt(rank);
          List<String> out = new ArrayList<>(dims);
          if (out.get(d).equals("1")) {
            out.remove(d);
          }
          return expr(
              oneOf("squeeze(" + a.text + ", " + d + ")", x + ".squeeze(" + d + ")"),
              a.dtype,
              out,
              a.range,
              a.grad);
        }
        return expr(
            oneOf("squeeze(" + a.text + ")", x + ".squeeze()"),
            a.dtype,
            withoutOnes(dims),
            a.range,
            a.grad);
      }
      case 7 -> {
        // expand: size-1 dims grow, a new leading dim may appear; -1 keeps a dim
        List<String> out = new ArrayList<>();
        List<String> sizes = new ArrayList<>();
        if (rank < 3 && chance(40)) {
          String lead = Integer.toString(2 + rnd.nextInt(2));
          out.add(lead);
          sizes.add(lead);
        }
        for (String d : dims) {
          if (d.equals("1") && chance(70)) {
            String s = Integer.toString(2 + rnd.nextInt(3));
            out.add(s);
            sizes.add(s);
          } else {
            out.add(d);
            sizes.add(isStatic(d) && chance(50) ? d : "-1");
          }
        }
        if (numel(out) > MAX_NUMEL || out.equals(dims)) {
          return squeezed(a);
        }
        boolean allStatic = !String.join(",", out).matches(".*[A-Z].*");
        String text =
            allStatic && chance(40)
                ? "broadcast_to(" + a.text + ", [" + String.join(", ", out) + "])"
                : x + ".expand(" + String.join(", ", sizes) + ")";
        return expr(text, a.dtype, out, a.range, a.grad);
      }
      case 8 -> {
        // sum_to_size: static shapes only
        if (rank == 0 || !String.join(",", dims).matches("[0-9, ]*")) {
          return squeezed(a);
        }
        List<String> out = new ArrayList<>(dims.subList(rnd.nextInt(rank), rank));
        for (int i = 0; i < out.size(); i++) {
          if (chance(50)) {
            out.set(i, "1");
          }
        }
        int count = numel(dims) / Math.max(1, numel(out));
        if (a.range.mag() * count > LIMIT) {
          a = tame(a, LIMIT / count);
          x = a.operand();
        }
        String list = String.join(", ", out);
        String text =
            out.isEmpty()
                ? x + ".sum_to_size([])"
                : oneOf(x + ".sum_to_size(" + list + ")", x + ".sum_to_size([" + list + "])");
        if (out.isEmpty()) {
          return expr(x + ".sum()", a.dtype, out, a.range.times(count), a.grad);
        }
        return expr(text, a.dtype, out, a.range.times(count), a.grad);
      }
      default -> {
        List<String> out = merge(dims);
        if (out == null) {
          return squeezed(a);
        }
        return expr(
            oneOf("flatten(" + a.text + ")", x + ".reshape(-1)", x + ".flatten()"),
            a.dtype,
            out,
            a.range,
            a.grad);
      }
    }
  }

  /**
   * Basic indexing of the leading dims: per dim ':', an integer (negative too) or a slice with
   * optional, negative and out-of-range bounds and a step, with {@code None} here and there and
   * {@code ...} for the rest; {@code narrow} and {@code select} now and then.
   */
  private V subscript(V a) {
    List<String> dims = a.dims;
    int rank = dims.size();
    if (rank > 0 && chance(40)) {
      int d = rnd.nextInt(rank);
      if (isStatic(dims.get(d)) && size(dims.get(d)) > 0) {
        return joined(a, d, size(dims.get(d)));
      }
    }
    if (rank > 0 && isStatic(dims.get(0)) && size(dims.get(0)) > 0 && chance(20)) {
      int n = size(dims.get(0));
      List<String> out = new ArrayList<>(dims);
      if (chance(50)) {
        int i = rnd.nextInt(n);
        out.remove(0);
        String text =
            oneOf(
                a.operand() + ".select(0, " + (i - n) + ")",
                "select(" + a.text + ", 0, " + i + ")");
        return expr(text, a.dtype, out, a.range, a.grad);
      }
      int start = rnd.nextInt(n);
      int length = 1 + rnd.nextInt(n - start);
      out.set(0, Integer.toString(length));
      String text =
          oneOf(
              a.operand() + ".narrow(0, " + start + ", " + length + ")",
              "narrow(" + a.text + ", 0, " + (start - n) + ", " + length + ")");
      return expr(text, a.dtype, out, a.range, a.grad);
    }
    int k = rnd.nextInt(rank + 1);
    List<String> items = new ArrayList<>();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      if (chance(15)) {
        items.add("None");
        out.add("1");
      }
      String d = dims.get(i);
      int n = isStatic(d) ? size(d) : -1;
      int choice = n < 0 ? 0 : rnd.nextInt(3);
      if (choice == 1 && n > 0) {
        int idx = rnd.nextInt(n);
        items.add(Integer.toString(chance(50) ? idx - n : idx));
        continue;
      }
      if (choice == 2 && n > 0) {
        int start = rnd.nextInt(n + 2) - (chance(30) ? n + 1 : 0);
        int stop = rnd.nextInt(n + 2) - (chance(30) ? n + 1 : 0);
        int step = 1 + rnd.nextInt(3);
        boolean noStart = chance(25);
        boolean noStop = chance(25);
        long lo = clampBound(noStart ? 0 : start, n);
        long hi = clampBound(noStop ? n : stop, n);
        long length = hi <= lo ? 0 : (hi - lo + step - 1) / step;
        if (length > 0) {
          items.add(
              (noStart ? "" : Integer.toString(start))
                  + ":"
                  + (noStop ? "" : Integer.toString(stop))
                  + (step == 1 && chance(50) ? "" : ":" + step));
          out.add(Long.toString(length));
          continue;
        }
      }
      items.add(":");
      out.add(d);
    }
    if (k < rank && chance(50)) {
      items.add("...");
    } else if (chance(15)) {
      items.add("None");
      out.add("1");
    }
    out.addAll(dims.subList(k, rank));
    if (items.isEmpty()) {
      items.add("...");
    }
    return expr(a.operand() + "[" + String.join(", ", items) + "]", a.dtype, out, a.range, a.grad);
  }

  /**
   * A join or split along the static dim {@code d} of size {@code n}: cat, flip, roll, split,
   * chunk, unbind.
   */
  private V joined(V a, int d, int n) {
    List<String> out = new ArrayList<>(a.dims);
    String x = a.operand();
    String text;
    switch (rnd.nextInt(6)) {
      case 0 -> {
        out.set(d, Integer.toString(2 * n));
        text =
            oneOf(
                "cat([" + a.text + ", " + a.text + "], " + d + ")",
                "torch.cat((" + x + ", " + x + "), dim=" + d + ")");
      }
      case 1 -> text = oneOf(x + ".flip(" + d + ")", "flip(" + a.text + ", [" + d + "])");
      case 2 -> {
        int k = rnd.nextInt(2 * n + 1) - n;
        text = chance(30) ? "roll(" + a.text + ", " + k + ")" : x + ".roll(" + k + ", " + d + ")";
      }
      case 3 -> {
        int size = 1 + rnd.nextInt(n);
        int pieces = (n + size - 1) / size;
        int i = rnd.nextInt(pieces);
        out.set(d, Integer.toString(Math.min(size, n - i * size)));
        text = x + ".split(" + size + ", " + d + ")[" + i + "]";
      }
      case 4 -> {
        int chunks = 1 + rnd.nextInt(n);
        int size = (n + chunks - 1) / chunks;
        int pieces = (n + size - 1) / size;
        int i = rnd.nextInt(pieces);
        out.set(d, Integer.toString(Math.min(size, n - i * size)));
        text = "chunk(" + a.text + ", " + chunks + ", dim=" + d + ")[" + (i - pieces) + "]";
      }
      default -> {
        out.remove(d);
        text =
            oneOf(x + ".unbind(" + d + ")", "unbind(" + a.text + ", " + d + ")")
                + "["
                + rnd.nextInt(n)
                + "]";
      }
    }
    return expr(text, a.dtype, out, a.range, a.grad);
  }

  /**
   * Integer-tensor indexing along a static dim by a tensor literal of indices in range (repeats
   * too): {@code index_select}, {@code gather} and {@code take_along_dim} when every dim is static,
   * and now and then the selection added back with {@code index_add} or {@code scatter_add}, whose
   * repeated indices sum in index order.
   */
  private V indexed(V a) {
    List<String> dims = a.dims;
    List<Integer> ok = new ArrayList<>();
    for (int d = 0; d < dims.size(); d++) {
      if (isStatic(dims.get(d)) && size(dims.get(d)) > 0) {
        ok.add(d);
      }
    }
    if (ok.isEmpty() || !a.isFloatTensor()) {
      return subscript(a);
    }
    int d = ok.get(rnd.nextInt(ok.size()));
    int n = size(dims.get(d));
    int k = 1 + rnd.nextInt(4);
    List<String> out = new ArrayList<>(dims);
    out.set(d, Integer.toString(k));
    boolean allStatic = dims.stream().allMatch(ProgramGenerator::isStatic);
    if (d == 0 && chance(20)) {
      // x[idx]: rows along dim 0, negative indices from the end, a 1-d or 2-d index
      List<String> is = new ArrayList<>();
      for (int i = 0; i < 2 * k; i++) {
        int j = rnd.nextInt(n);
        is.add(Integer.toString(chance(30) ? j - n : j));
      }
      boolean square = chance(30);
      List<String> rows =
          new ArrayList<>(
              square ? List.of("2", Integer.toString(k)) : List.of(Integer.toString(2 * k)));
      rows.addAll(dims.subList(1, dims.size()));
      String index =
          "tensor([" + String.join(", ", is) + "])" + (square ? ".reshape(2, " + k + ")" : "");
      return expr(a.operand() + "[" + index + "]", a.dtype, rows, a.range, a.grad);
    }
    if (d > 0 && chance(10)) {
      // x[:, idx] (after d full slices): the index's shape takes the place of dim d
      List<String> is = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        int j = rnd.nextInt(n);
        is.add(Integer.toString(chance(30) ? j - n : j));
      }
      String slices = ":, ".repeat(d);
      return expr(
          a.operand() + "[" + slices + "tensor([" + String.join(", ", is) + "])]",
          a.dtype,
          out,
          a.range,
          a.grad);
    }
    if (d > 0 && !noGrad && chance(8)) {
      // y[:, idx] = x[:, idx].tanh() or += into y, a clone of x; the indices do not repeat, as
      // the values of a repeated index each get the gradient (PyTorch's), not finite differences'
      String copy = "v" + names++;
      line(copy + " = " + oneOf(a.operand() + ".clone()", "clone(" + a.text + ")"));
      int[] places = shuffled(n);
      List<String> is = new ArrayList<>();
      for (int j : Arrays.copyOf(places, Math.min(k, n))) {
        is.add(Integer.toString(chance(30) ? j - n : j));
      }
      String at = ":, ".repeat(d) + "tensor([" + String.join(", ", is) + "])";
      boolean add = chance(50);
      line(copy + "[" + at + "] " + (add ? "+=" : "=") + " " + a.operand() + "[" + at + "].tanh()");
      Range range = add ? a.range.add(Range.UNIT) : Range.hull(a.range, Range.UNIT);
      return expr(copy, a.dtype, dims, range, a.grad);
    }
    if (d == 0 && chance(15)) {
      // index_put of the first row's tanh, broadcast, at k rows: accumulated (repeats too, summed
      // in index order) or written (distinct rows: the values of a repeated index each get the
      // gradient, PyTorch's, not finite differences')
      boolean acc = chance(50);
      String index = acc ? indices(k, n) : distinctIndices(k, n);
      String values = a.operand() + "[:1].tanh()";
      String text =
          oneOf(
              a.operand()
                  + ".index_put(("
                  + index
                  + ",), "
                  + values
                  + (acc ? ", accumulate=True)" : ")"),
              "torch.index_put("
                  + a.text
                  + ", ("
                  + index
                  + ",), "
                  + values
                  + (acc ? ", True)" : ")"));
      Range range =
          acc
              ? Range.hull(a.range, a.range.add(Range.UNIT.times(k)))
              : Range.hull(a.range, Range.UNIT);
      return expr(text, a.dtype, dims, range, a.grad);
    }
    if (allStatic && chance(25)) {
      // masked_fill by a constant mask of the last dim (broadcast) or of the whole shape
      boolean last = dims.size() > 0 && chance(50);
      int count = 1;
      for (String s : last ? dims.subList(dims.size() - 1, dims.size()) : dims) {
        count *= size(s);
      }
      List<String> bits = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        bits.add(chance(50) ? "True" : "False");
      }
      String shape = last ? "" : ".reshape(" + String.join(", ", dims) + ")";
      String mask = "tensor([" + String.join(", ", bits) + "])" + shape;
      double fill = oneOf(0.0, -1.5, 0.25);
      String text =
          oneOf(
              a.operand() + ".masked_fill(" + mask + ", " + fill + ")",
              "masked_fill(" + a.text + ", " + mask + ", " + fill + ")");
      return expr(text, a.dtype, dims, Range.hull(a.range, Range.point(fill)), a.grad);
    }
    if (allStatic && chance(25)) {
      // scatter with one index along dim: no place is written twice
      List<String> one = new ArrayList<>(dims);
      one.set(d, "1");
      int count = 1;
      for (String s : one) {
        count *= size(s);
      }
      String index = indices(count, n) + ".reshape(" + String.join(", ", one) + ")";
      String src = a.operand() + ".narrow(" + d + ", 0, 1).tanh()";
      if (chance(50)) {
        return expr(
            a.operand() + ".scatter(" + d + ", " + index + ", 0.5)",
            a.dtype,
            dims,
            Range.hull(a.range, Range.point(0.5)),
            a.grad);
      }
      return expr(
          "scatter(" + a.text + ", " + d + ", " + index + ", " + src + ")",
          a.dtype,
          dims,
          Range.hull(a.range, Range.UNIT),
          a.grad);
    }
    if (allStatic && chance(40)) {
      int count = 1;
      for (String s : out) {
        count *= size(s);
      }
      String index = indices(count, n) + ".reshape(" + String.join(", ", out) + ")";
      String text =
          oneOf(
              a.operand() + ".gather(" + d + ", " + index + ")",
              "torch.take_along_dim(" + a.text + ", " + index + ", " + d + ")");
      if (chance(30)) {
        String back = a.operand() + ".scatter_add(" + d + ", " + index + ", " + text + ")";
        return expr(back, a.dtype, dims, Range.hull(a.range, a.range.scale(count + 1)), a.grad);
      }
      return expr(text, a.dtype, out, a.range, a.grad);
    }
    String sel =
        oneOf(
            a.operand() + ".index_select(" + d + ", " + indices(k, n) + ")",
            "index_select(" + a.text + ", " + d + ", " + indices(k, n) + ")");
    if (chance(30)) {
      String back = a.operand() + ".index_add(" + d + ", " + indices(k, n) + ", " + sel + ")";
      return expr(back, a.dtype, dims, Range.hull(a.range, a.range.scale(k + 1)), a.grad);
    }
    return expr(sel, a.dtype, out, a.range, a.grad);
  }

  /** {@code tensor([...])} of {@code count} indices in {@code [0, n)}. */
  /** {@code 0, ..., n - 1} in a random order. */
  private int[] shuffled(int n) {
    int[] places = new int[n];
    for (int j = 0; j < n; j++) {
      int o = rnd.nextInt(j + 1);
      places[j] = places[o];
      places[o] = j;
    }
    return places;
  }

  /** At most {@code count} distinct indices below {@code n}, in a random order. */
  private String distinctIndices(int count, int n) {
    List<String> is = new ArrayList<>();
    for (int j : Arrays.copyOf(shuffled(n), Math.max(1, Math.min(count, n)))) {
      is.add(Integer.toString(j));
    }
    return "tensor([" + String.join(", ", is) + "])";
  }

  private String indices(int count, int n) {
    List<String> is = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      is.add(Integer.toString(rnd.nextInt(n)));
    }
    return "tensor([" + String.join(", ", is) + "])";
  }

  /** Python's slice bound: negative from the end, then clamped to {@code [0, n]}. */
  private static long clampBound(long i, long n) {
    long j = i < 0 ? i + n : i;
    return Math.max(0, Math.min(n, j));
  }

  private V squeezed(V a) {
    return expr(
        oneOf("squeeze(" + a.text + ")", a.operand() + ".squeeze()"),
        a.dtype,
        withoutOnes(a.dims),
        a.range,
        a.grad);
  }

  /**
   * A strided view (a transpose or a reversing permute) that two consumers read: a reshape, which
   * needs it contiguous, and a matrix-vector product, which reads it in place.
   */
  private V sharedView() {
    V picked = pick(v -> v.isFloatTensor() && v.rank() >= 2 && declarable(v.dims));
    if (picked == null) {
      return shapeOp();
    }
    V x = tame(picked, 10);
    int r = x.rank();
    List<String> dims;
    String text;
    if (chance(50)) {
      dims = new ArrayList<>(x.dims);
      Collections.swap(dims, r - 2, r - 1);
      text =
          x.operand()
              + oneOf(".mT", ".transpose(-2, -1)", ".transpose(" + (r - 1) + ", " + (r - 2) + ")");
    } else {
      dims = reversed(x.dims);
      List<String> order = new ArrayList<>();
      for (int d = r - 1; d >= 0; d--) {
        order.add(Integer.toString(d));
      }
      text =
          oneOf(
              x.operand() + ".permute(" + String.join(", ", order) + ")",
              "permute(" + x.text + ", [" + String.join(", ", order) + "])");
    }
    String name = "v" + names++;
    line(name + " = " + text);
    V view = new V(name, x.dtype, dims, x.range, x.grad && !noGrad, true);
    pool.add(view);
    List<String> flat = merge(dims);
    if (flat != null) {
      view.uses++;
      assign(
          expr(
              oneOf(name + ".reshape(-1)", "flatten(" + name + ")"),
              x.dtype,
              flat,
              x.range,
              view.grad));
    }
    V w = use(declare(chance(60), x.dtype, List.of(dims.get(r - 1)), Domain.uniform(-2, 2)));
    view.uses++;
    Range range = x.range.mul(w.range).times(size(dims.get(r - 1)));
    return expr(
        oneOf(name + " @ " + w.text, "matmul(" + name + ", " + w.text + ")"),
        x.dtype,
        dims.subList(0, r - 1),
        Range.hull(range, range.neg()),
        anyGrad(view, w));
  }

  /**
   * Whether the last two dims are fixed sizes, neither 0 (a matrix whose singular values exist).
   */
  private boolean staticMatrix(List<String> dims) {
    int r = dims.size();
    return isStatic(dims.get(r - 2))
        && isStatic(dims.get(r - 1))
        && size(dims.get(r - 2)) > 0
        && size(dims.get(r - 1)) > 0;
  }

  private static boolean isStatic(String d) {
    return d.chars().allMatch(Character::isDigit);
  }

  /** Several dims merged into one: a number, a symbol, or a number times one symbol; or null. */
  private static List<String> merge(List<String> dims) {
    int k = 1;
    String sym = null;
    for (String d : dims) {
      int star = d.indexOf('*');
      if (isStatic(d)) {
        k *= Integer.parseInt(d);
      } else if (sym != null) {
        return null;
      } else if (star >= 0) {
        k *= Integer.parseInt(d.substring(0, star));
        sym = d.substring(star + 1);
      } else {
        sym = d;
      }
    }
    if (sym == null) {
      return List.of(Integer.toString(k));
    }
    return List.of(k == 1 ? sym : k + "*" + sym);
  }

  /** A random regrouping of dims into a new shape with the same element count, or null. */
  private List<String> regroup(List<String> dims) {
    List<String> m = merge(dims);
    if (m == null) {
      return null;
    }
    String total = m.get(0);
    int k = 1;
    String sym = null;
    if (isStatic(total)) {
      k = Integer.parseInt(total);
    } else if (total.contains("*")) {
      k = Integer.parseInt(total.substring(0, total.indexOf('*')));
      sym = total.substring(total.indexOf('*') + 1);
    } else {
      sym = total;
    }
    List<String> out = new ArrayList<>();
    for (int f = 2; f <= k; f++) {
      while (k % f == 0 && k > 1) {
        out.add(Integer.toString(f));
        k /= f;
      }
    }
    shuffle(out);
    // merge some neighbours
    for (int i = out.size() - 1; i > 0; i--) {
      if (chance(40)) {
        int v = Integer.parseInt(out.get(i - 1)) * Integer.parseInt(out.get(i));
        out.set(i - 1, Integer.toString(v));
        out.remove(i);
      }
    }
    if (chance(30)) {
      out.add(rnd.nextInt(out.size() + 1), "1");
    }
    if (sym != null) {
      // the symbolic part joins one static factor (written -1 in the source)
      if (!out.isEmpty() && chance(50)) {
        int at = rnd.nextInt(out.size());
        out.set(at, out.get(at) + "*" + sym);
      } else {
        out.add(rnd.nextInt(out.size() + 1), sym);
      }
    }
    return out;
  }

  private static List<String> reversed(List<String> dims) {
    List<String> out = new ArrayList<>(dims);
    Collections.reverse(out);
    return out;
  }

  private static List<String> withoutOnes(List<String> dims) {
    List<String> out = new ArrayList<>();
    for (String d : dims) {
      if (!d.equals("1")) {
        out.add(d);
      }
    }
    return out;
  }

  private static List<String> prepend(String d, List<String> dims) {
    List<String> out = new ArrayList<>();
    out.add(d);
    out.addAll(dims);
    return out;
  }

  // ---------------------------------------------------------------- matmul

  private V matmul() {
    V a = pick(v -> v.isFloatTensor() && v.rank() >= 1 && v.rank() <= 3 && declarable(v.dims));
    if (a == null) {
      a =
          use(
              declare(
                  true,
                  floatType(),
                  List.of(randomDim(), Integer.toString(2 + rnd.nextInt(3))),
                  Domain.uniform(-2, 2)));
    }
    int ra = a.rank();
    String k = a.dims.get(ra - 1);
    List<String> bDims = new ArrayList<>();
    int form = rnd.nextInt(3);
    if (ra == 3 && form == 2) {
      bDims.add(a.dims.get(0));
    }
    if (ra == 1 && form == 2) {
      bDims.add(Integer.toString(1 + rnd.nextInt(3)));
    }
    bDims.add(k);
    if (form != 0) {
      bDims.add(Integer.toString(1 + rnd.nextInt(4)));
    }
    String dtype = a.dtype;
    V b = pick(v -> v.isFloatTensor() && v.dims.equals(bDims) && v.dtype.equals(dtype));
    if (b == null) {
      b = use(declare(chance(60), dtype, bDims, Domain.uniform(-2, 2)));
    }
    // the result: batch dims broadcast, then a's rows and b's columns
    List<String> out = new ArrayList<>();
    int rb = bDims.size();
    List<String> batchA = ra > 2 ? a.dims.subList(0, ra - 2) : List.of();
    List<String> batchB = rb > 2 ? bDims.subList(0, rb - 2) : List.of();
    out.addAll(broadcast(batchA, batchB));
    if (ra >= 2) {
      out.add(a.dims.get(ra - 2));
    }
    if (rb >= 2) {
      out.add(bDims.get(rb - 1));
    }
    int kn = size(k);
    double bound = Math.sqrt(LIMIT / Math.max(1, kn));
    V ta = tame(a, bound);
    V tb = tame(b, bound);
    Range r = ta.range.mul(tb.range).times(kn);
    r = Range.hull(r, r.neg());
    String text;
    int c = rnd.nextInt(4);
    if (c == 0 && ra == 2 && rb == 2) {
      text = oneOf("mm", "torch.mm") + "(" + ta.text + ", " + tb.text + ")";
    } else if (c == 0 && ra == 2 && rb == 1) {
      text = "mv(" + ta.text + ", " + tb.text + ")";
    } else if (c == 0 && ra == 1 && rb == 1) {
      text = "dot(" + ta.text + ", " + tb.text + ")";
    } else if (c == 0 && ra == 3 && rb == 3) {
      text = "bmm(" + ta.text + ", " + tb.text + ")";
    } else if (c == 1) {
      text = oneOf("matmul", "torch.matmul") + "(" + ta.text + ", " + tb.text + ")";
    } else if (c == 2) {
      text = ta.operand() + ".matmul(" + tb.text + ")";
    } else {
      text = ta.operand() + " @ " + tb.operand();
    }
    return expr(text, dtype, out, r, anyGrad(ta, tb));
  }

  // ---------------------------------------------------------------- linear-algebra helpers

  /**
   * tril, triu, diagonal, diag, diag_embed and trace of a float tensor whose last dims are static,
   * outer, kron and vdot of a vector with itself, addmm with beta and alpha.
   */
  private V linalg() {
    V a =
        pick(
            v ->
                v.isFloatTensor()
                    && v.rank() >= 1
                    && isStatic(v.dims.get(v.rank() - 1))
                    && (v.rank() == 1 || isStatic(v.dims.get(v.rank() - 2))));
    if (a == null) {
      return matmul();
    }
    int r = a.rank();
    Range zeroOr = Range.hull(a.range, Range.point(0));
    if (r == 1) {
      int n = size(a.dims.get(0));
      int k = rnd.nextInt(3) - 1;
      switch (rnd.nextInt(4)) {
        case 0 -> {
          String m = Integer.toString(n + Math.abs(k));
          String call =
              chance(50)
                  ? a.operand() + ".diag(" + (k == 0 ? ")" : "diagonal=" + k + ")")
                  : oneOf("diag(", "torch.diag(") + a.text + (k == 0 ? ")" : ", " + k + ")");
          return expr(call, a.dtype, List.of(m, m), zeroOr, a.grad);
        }
        case 1 -> {
          V t = tame(a, Math.sqrt(LIMIT));
          String text = oneOf("outer(", "torch.outer(") + t.text + ", " + t.text + ")";
          return expr(text, a.dtype, List.of(a.dims.get(0), a.dims.get(0)), sq(t.range), a.grad);
        }
        case 2 -> {
          V t = tame(a, Math.sqrt(LIMIT));
          String text =
              chance(50)
                  ? t.operand() + ".kron(" + t.text + ")"
                  : oneOf("kron(", "torch.kron(") + t.text + ", " + t.text + ")";
          return expr(text, a.dtype, List.of(Integer.toString(n * n)), sq(t.range), a.grad);
        }
        default -> {
          V t = tame(a, Math.sqrt(LIMIT / Math.max(1, n)));
          String text = oneOf("vdot(", "torch.vdot(") + t.text + ", " + t.text + ")";
          return expr(text, a.dtype, List.of(), sq(t.range).times(n), a.grad);
        }
      }
    }
    int m = size(a.dims.get(r - 2));
    int n = size(a.dims.get(r - 1));
    if (chance(40)) {
      return distance(a, n);
    }
    if (chance(30)) {
      return einsum(a);
    }
    int k = rnd.nextInt(5) - 2;
    switch (rnd.nextInt(r == 2 ? 5 : 3)) {
      case 0 -> {
        String f = oneOf("tril", "triu");
        String text =
            oneOf(
                f + "(" + a.text + (k == 0 ? "" : ", " + k) + ")",
                a.operand() + "." + f + "(" + (k == 0 ? "" : "diagonal=" + k) + ")");
        return expr(text, a.dtype, a.dims, zeroOr, a.grad);
      }
      case 1 -> {
        int length = Math.max(0, k >= 0 ? Math.min(m, n - k) : Math.min(m + k, n));
        List<String> out = new ArrayList<>(a.dims.subList(0, r - 2));
        out.add(Integer.toString(length));
        String text =
            oneOf(
                "diagonal(" + a.text + ", " + k + ", -2, -1)",
                a.operand() + ".diagonal(offset=" + k + ", dim1=-2, dim2=" + (r - 1) + ")");
        return expr(text, a.dtype, out, a.range, a.grad);
      }
      case 2 -> {
        String size = Integer.toString(n + Math.abs(k));
        List<String> out = new ArrayList<>(a.dims.subList(0, r - 1));
        out.add(size);
        out.add(size);
        String text =
            oneOf("diag_embed(", "torch.diag_embed(")
                + a.text
                + (k == 0 ? ")" : ", offset=" + k + ")");
        return expr(text, a.dtype, out, zeroOr, a.grad);
      }
      case 3 -> {
        V t = tame(a, LIMIT / Math.max(1, Math.min(m, n)));
        // a tall matrix transposed: PyTorch's gradient of a tall trace is not the derivative
        String x = m > n ? t.operand() + ".t()" : t.text;
        String text = oneOf("trace(" + x + ")", (m > n ? x : t.operand()) + ".trace()");
        return expr(text, a.dtype, List.of(), t.range.times(Math.min(m, n)), a.grad);
      }
      default -> {
        V t = tame(a, Math.sqrt(LIMIT / Math.max(1, n)));
        // addmm(input, x, x.t()): the input is x's first column, broadcast over the columns
        String text =
            oneOf("addmm(", "torch.addmm(")
                + t.operand()
                + "[:, :1], "
                + t.text
                + ", "
                + t.operand()
                + ".t(), beta=0.5, alpha=-2)";
        Range range = t.range.scale(0.5).add(sq(t.range).times(n).scale(-2));
        return expr(text, a.dtype, List.of(a.dims.get(0), a.dims.get(0)), range, a.grad);
      }
    }
  }

  /**
   * layer_norm over the last dim (or batch_norm in training over a static shape), normalize (or
   * local_response_norm over static channels), cosine_similarity, pairwise_distance, cdist and
   * pdist of {@code a} (of rank 2 or more, its last dim static, of size {@code n}) with a multiple
   * of itself.
   */
  private V distance(V a, int n) {
    int r = a.rank();
    V t = tame(a, 30);
    List<String> lead = new ArrayList<>(a.dims.subList(0, r - 1));
    double scale = oneOf(0.5, -2.0, 3.0);
    String other = "(" + t.operand() + " * " + scale + " + 0.25)";
    Range mag = new Range(0, t.range.mag() * (1 + Math.abs(scale)) + 1).times(n);
    int perChannel = 1;
    for (int i = 0; i < r; i++) {
      perChannel *= i == 1 ? 1 : isStatic(a.dims.get(i)) ? Integer.parseInt(a.dims.get(i)) : 0;
    }
    switch (rnd.nextInt(5)) {
      case 0 -> {
        if (r >= 2 && perChannel > 1 && chance(30)) {
          // training: each channel standardized over the other dims, at most sqrt(count) away
          String text =
              oneOf("batch_norm(", "F.batch_norm(")
                  + t.text
                  + ", None, None, training=True"
                  + (chance(50) ? ", eps=1e-3)" : ")");
          double bound = Math.sqrt(perChannel);
          return expr(text, a.dtype, a.dims, new Range(-bound, bound), a.grad);
        }
        String text =
            oneOf("layer_norm(", "F.layer_norm(")
                + t.text
                + ", ("
                + n
                + ",)"
                + (chance(50) ? ", eps=1e-3)" : ")");
        double bound = Math.sqrt(n);
        return expr(text, a.dtype, a.dims, new Range(-bound, bound), a.grad);
      }
      case 1 -> {
        if ((r == 2 || isStatic(a.dims.get(1))) && chance(40)) {
          // over (k + alpha * mean of squares)^beta, at least 0.5^0.75: as far from 0 as 2 x at
          // most; a matrix's rows as [N, C, 1]
          String options = oneOf("2", "3", "size=4, alpha=0.5, beta=1.5, k=2.0", "5, k=0.5");
          String input = r == 2 ? t.operand() + ".unsqueeze(-1)" : t.text;
          String text =
              oneOf("local_response_norm(", "F.local_response_norm(")
                  + input
                  + ", "
                  + options
                  + ")";
          double bound = t.range.mag() * (options.endsWith("k=0.5") ? 2 : 1);
          return expr(
              r == 2 ? text + ".squeeze(-1)" : text,
              a.dtype,
              a.dims,
              new Range(-bound, bound),
              a.grad);
        }
        String p = oneOf("", ", p=1.0", ", 3.0, -1", ", dim=-1, eps=0.5");
        String text = oneOf("normalize(", "F.normalize(") + t.text + p + ")";
        return expr(text, a.dtype, a.dims, Range.UNIT, a.grad);
      }
      case 2 -> {
        String text =
            oneOf("cosine_similarity(", "F.cosine_similarity(", "torch.cosine_similarity(")
                + t.text
                + ", "
                + other
                + ", dim=-1)";
        return expr(text, a.dtype, lead, Range.UNIT, a.grad);
      }
      case 3 -> {
        String p = oneOf("", ", 1.0", ", p=3.0");
        String text =
            oneOf("pairwise_distance(", "F.pairwise_distance(") + t.text + ", " + other + p + ")";
        return expr(text, a.dtype, lead, mag, a.grad);
      }
      default -> {
        String p = oneOf("", ", 1.0", ", p=3.0");
        if (r == 2 && isStatic(a.dims.get(0)) && chance(40)) {
          int rows = Integer.parseInt(a.dims.get(0));
          String text = oneOf("pdist(", "torch.pdist(", "F.pdist(") + t.text + p + ")";
          Range range = new Range(0, 2 * t.range.mag()).times(n);
          return expr(
              text, a.dtype, List.of(Integer.toString(rows * (rows - 1) / 2)), range, a.grad);
        }
        List<String> out = new ArrayList<>(lead);
        out.add(a.dims.get(r - 2));
        String text = oneOf("cdist(", "torch.cdist(") + t.text + ", " + other + p + ")";
        return expr(text, a.dtype, out, mag, a.grad);
      }
    }
  }

  /** einsum of {@code a} (rank 2 or more): its dims reversed, its last dim summed, or a @ a^T. */
  private V einsum(V a) {
    int r = a.rank();
    String in = "abcdefgh".substring(0, r);
    String call = oneOf("einsum(\"", "torch.einsum(\"");
    switch (rnd.nextInt(3)) {
      case 0 -> {
        String out = new StringBuilder(in).reverse().toString();
        return expr(
            call + in + "->" + out + "\", " + a.text + ")",
            a.dtype,
            reversed(a.dims),
            a.range,
            a.grad);
      }
      case 1 -> {
        int n = size(a.dims.get(r - 1));
        V t = tame(a, LIMIT / Math.max(1, n));
        String eq =
            chance(50)
                ? "...z->..."
                : in + "->" + in.substring(0, r - 1); // with an ellipsis or not
        return expr(
            call + eq + "\", " + t.text + ")",
            a.dtype,
            a.dims.subList(0, r - 1),
            t.range.times(n),
            a.grad);
      }
      default -> {
        int n = size(a.dims.get(r - 1));
        V t = tame(a, Math.sqrt(LIMIT / Math.max(1, n)));
        String batch = chance(50) ? "..." : in.substring(0, r - 2);
        String eq = batch + "ij," + batch + "kj->" + batch + "ik";
        List<String> out = new ArrayList<>(a.dims.subList(0, r - 1));
        out.add(a.dims.get(r - 2));
        Range range = t.range.mul(t.range).times(n);
        return expr(
            call + eq + "\", " + t.text + ", " + t.text + ")",
            a.dtype,
            out,
            Range.hull(range, range.neg()),
            a.grad);
      }
    }
  }

  /** The range of {@code x * x} over {@code r}. */
  private static Range sq(Range r) {
    return r.mul(r);
  }

  // ---------------------------------------------------------------- losses

  private V loss() {
    int r = rnd.nextInt(10);
    if (r < 4) {
      V a = tame(pickDeclarable(), 30);
      // PyTorch's loss backward needs the target in the input's dtype
      V t =
          pick(
              v ->
                  v.isFloatTensor()
                      && !v.grad
                      && v.dims.equals(a.dims)
                      && v.dtype.equals(a.dtype)
                      && v != a);
      if (t == null) {
        t = use(declare(false, a.dtype, a.dims, Domain.uniform(-2, 2)));
      }
      t = tame(t, 30);
      String f = oneOf("mse_loss", "l1_loss", "huber_loss", "huber_loss", "smooth_l1_loss");
      String extra =
          f.equals("huber_loss") && chance(50)
              ? ", delta=" + oneOf("0.5", "2.0")
              : f.equals("smooth_l1_loss") && chance(50) ? ", beta=" + oneOf("0.5", "2.0") : "";
      String text =
          oneOf("", "F.", "torch.nn.functional.") + f + "(" + a.text + ", " + t.text + extra + ")";
      Range d = a.range.sub(t.range).abs();
      Range range = new Range(0, f.equals("mse_loss") ? d.hi() * d.hi() : d.hi() * 2);
      return expr(text, promote(a, t), List.of(), range, anyGrad(a, t));
    }
    if (r < 6) {
      V a = tame(pickDeclarable(), 30);
      V y = use(declare(false, a.dtype, a.dims, Domain.uniform(0, 1)));
      String text =
          oneOf("", "F.") + "binary_cross_entropy_with_logits(" + a.text + ", " + y.text + ")";
      return expr(text, a.dtype, List.of(), new Range(0, a.range.mag() + 1), a.grad);
    }
    if (r < 9) {
      V l =
          pick(
              v ->
                  v.isFloatTensor()
                      && declarable(v.dims)
                      && (v.rank() == 1 || v.rank() == 2)
                      && isStatic(v.dims.get(v.rank() - 1))
                      && size(v.dims.get(v.rank() - 1)) >= 2);
      if (l == null) {
        l =
            use(
                declare(
                    true,
                    floatType(),
                    List.of(chance(50) && symbols.containsKey("N") ? "N" : "4", "3"),
                    Domain.uniform(-2, 2)));
      }
      l = tame(l, 30);
      int classes = size(l.dims.get(l.rank() - 1));
      V target;
      if (chance(70)) {
        target =
            use(declare(false, "i64", l.dims.subList(0, l.rank() - 1), Domain.ints(0, classes)));
      } else {
        V x = use(declare(false, l.dtype, l.dims, Domain.uniform(-2, 2)));
        target = expr("softmax(" + x.text + ", dim=-1)", l.dtype, l.dims, Range.PROBABILITY, false);
      }
      String text;
      double mag = l.range.mag();
      if (target.dtype.equals("i64") && chance(20)) {
        // the margin losses: one class per sample, or targets before the first -1 of each row
        boolean multilabel = chance(40);
        if (multilabel) {
          target = use(declare(false, "i64", l.dims, Domain.ints(-1, classes)));
          text = oneOf("", "F.") + "multilabel_margin_loss(" + l.text + ", " + target.text + ")";
          return expr(text, l.dtype, List.of(), new Range(0, classes * (1 + 2 * mag)), l.grad);
        }
        boolean square = chance(40);
        text =
            oneOf("", "F.")
                + "multi_margin_loss("
                + l.text
                + ", "
                + target.text
                + (square ? ", p=2" : "")
                + (chance(40) ? ", margin=0.5" : "")
                + ")";
        double top = 1 + 2 * mag;
        return expr(text, l.dtype, List.of(), new Range(0, square ? top * top : top), l.grad);
      }
      if (target.dtype.equals("i64") && chance(25)) {
        text =
            oneOf("", "F.") + "nll_loss(log_softmax(" + l.text + ", dim=-1), " + target.text + ")";
      } else {
        String smoothing = chance(30) ? ", label_smoothing=" + oneOf("0.1", "0.5") : "";
        text = oneOf("", "F.") + "cross_entropy(" + l.text + ", " + target.text + smoothing + ")";
      }
      return expr(
          text, l.dtype, List.of(), new Range(0, 2 * l.range.mag() + Math.log(classes)), l.grad);
    }
    // one_hot times a float tensor of the one-hot shape
    int classes = 2 + rnd.nextInt(3);
    List<String> kd = randomShape();
    while (kd.size() > 2) {
      kd.remove(0);
    }
    V k = use(declare(false, "i64", kd, Domain.ints(0, classes)));
    List<String> oh = new ArrayList<>(kd);
    oh.add(Integer.toString(classes));
    V w = use(declare(true, floatType(), broadcastable(oh), Domain.uniform(-2, 2)));
    String text =
        oneOf("one_hot", "F.one_hot")
            + "("
            + k.text
            + ", "
            + oneOf("num_classes=", "")
            + classes
            + ") * "
            + w.operand();
    return expr(text, w.dtype, broadcast(oh, w.dims), Range.hull(w.range, Range.point(0)), w.grad);
  }

  // ---------------------------------------------------------------- casts, detach

  private V cast() {
    V a = pickFloat();
    switch (rnd.nextInt(5)) {
      case 0 -> {
        return expr(a.operand() + ".double()", "f64", a.dims, a.range, a.grad);
      }
      case 1 -> {
        return expr(a.operand() + ".float()", "f32", a.dims, a.range, a.grad);
      }
      case 2 -> {
        V t = tame(a, 20);
        return expr(
            t.operand() + ".long()",
            "i64",
            t.dims,
            new Range(Math.ceil(t.range.lo()) - 1, Math.floor(t.range.hi()) + 1),
            false);
      }
      case 3 -> {
        V c = compare(a);
        return expr(c.operand() + ".float()", "f32", c.dims, Range.BOOL, false);
      }
      default -> {
        V c = compare(a);
        return expr(c.operand() + ".double()", "f64", c.dims, Range.BOOL, false);
      }
    }
  }

  private V detach() {
    V a = pickFloat();
    return expr(
        oneOf(a.operand() + ".detach()", "detach(" + a.text + ")", "torch.detach(" + a.text + ")"),
        a.dtype,
        a.dims,
        a.range,
        false);
  }

  // ---------------------------------------------------------------- the result

  /** A scalar that requires grad: a weighted sum of the values nothing used yet. */
  private String returnExpression() {
    List<String> terms = new ArrayList<>();
    boolean grad = false;
    List<V> unused = candidates(v -> v.uses == 0 && !v.text.matches("[pxk][0-9]+"));
    Collections.reverse(unused);
    for (V v : unused) {
      if (terms.size() >= 5) {
        break;
      }
      String t = term(v);
      if (t != null) {
        terms.add(t);
        grad |= v.grad;
      }
    }
    if (!grad) {
      V g = pick(v -> v.grad && v.isFloatTensor());
      if (g == null) {
        g = use(declare(true, floatType(), randomShape(), Domain.uniform(-2, 2)));
      }
      terms.add(term(g));
    }
    return String.join(" + ", terms);
  }

  private String term(V v) {
    if (!v.isFloatTensor()) {
      if (v.dtype.equals("bool") || v.dtype.equals("i64")) {
        return "sum(" + v.text + ") * 0.01";
      }
      return null;
    }
    V t = tame(v, LIMIT);
    if (t.rank() == 0) {
      return t.operand();
    }
    return switch (declarable(t.dims) ? rnd.nextInt(4) : 2 + rnd.nextInt(2)) {
      case 0, 1 -> {
        V w = declare(false, t.dtype, t.dims, Domain.uniform(-1, 1));
        w.uses++;
        yield "sum(" + t.operand() + " * " + w.text + ")";
      }
      case 2 -> t.operand() + ".sum()";
      default -> "mean(" + t.text + ")";
    };
  }
}
