package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Args.CallArg;
import dev.gradc.frontend.lang.Token.Kind;
import dev.gradc.frontend.lang.Val.Located;
import dev.gradc.ir.Builder;
import dev.gradc.ir.DType;
import dev.gradc.ir.Dim;
import dev.gradc.ir.Func;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.Inst;
import dev.gradc.ir.Lit;
import dev.gradc.ir.Op;
import dev.gradc.ir.Param;
import dev.gradc.ir.Role;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Parses a {@code .grad} program and builds its IR in the same pass: each operator and call is
 * applied to the values of its operands as soon as they are parsed, through the {@link Builder}.
 *
 * <pre>
 * program    := {statement}
 * statement  := ('param' | 'input') NAME ':' type NEWLINE
 *             | NAME '=' expr NEWLINE
 *             | 'with' 'no_grad' ['(' ')'] ':' NEWLINE INDENT statement {statement} DEDENT
 *             | 'return' expr NEWLINE                       (the last statement)
 * type       := ('f32' | 'f64' | 'i64') ['[' [dim {',' dim}] ']'],   dim := INT | NAME
 * expr       := sum [('<' | '<=' | '>' | '>=' | '==' | '!=') sum]
 * sum        := term {('+' | '-') term}
 * term       := factor {('*' | '/' | '@') factor}
 * factor     := {'-' | '+'} postfix ['**' factor]
 * postfix    := atom {'(' [arg {',' arg}] ')' | '.' NAME}
 * arg        := [NAME '='] expr
 * atom       := NAME | INT | FLOAT | '(' expr ')' | '(' [expr {',' expr}] ')' | '[' [expr {',' expr}] ']'
 * </pre>
 *
 * Declarations are read first, so that every parameter precedes the first instruction; using a name
 * before the line that declares or assigns it is still an error. Unary operators and powers are
 * folded with loops; only brackets recurse, and their depth is limited to {@link #MAX_DEPTH}.
 */
final class ProgramParser {
  /** The deepest nesting of brackets and calls in an expression, and of 'with' blocks. */
  static final int MAX_DEPTH = 200;

  private static final Set<String> KEYWORDS =
      Set.of(
          ("False None True and as assert async await break class continue def del elif else"
                  + " except finally for from global if import in is lambda nonlocal not or pass"
                  + " raise return try while with yield")
              .split(" "));
  private static final Map<String, DType> TYPES =
      Map.of("f32", DType.F32, "f64", DType.F64, "i64", DType.I64);
  private static final Set<String> MODULES = Set.of("torch", "F", "nn");
  private static final String STATEMENTS =
      "'NAME = expression', 'with no_grad:' or 'return expression'";
  private static final Set<String> AUGMENTED = Set.of("+=", "-=", "*=", "/=");

  private final String file;
  private final List<Token> toks;
  private final Builder b;
  private int p;
  private final Map<String, Val> vars = new HashMap<>();

  /** Declarations by the index of their first token, with the index after their last. */
  private final Map<Integer, DeclarationSpan> declarationAt = new HashMap<>();

  private final Map<String, Declaration> declarations = new LinkedHashMap<>();
  private final Set<String> assignedSomewhere = new HashSet<>();
  private final List<SourcePos> positions = new ArrayList<>();
  private final BitSet gradKnown = new BitSet();
  private final BitSet requiresGrad = new BitSet();
  private int depth;
  private int noGrad;
  private Value result;
  private SourcePos resultPos;

  private ProgramParser(String file, String source, String funcName) {
    this.file = file;
    this.toks = Lexer.tokenize(file, source);
    this.b = new Builder(funcName);
  }

  private record DeclarationSpan(Declaration declaration, int end) {}

  /** The function, its declarations and the source position of each instruction. */
  record Parsed(Func func, List<Declaration> declarations, List<SourcePos> positions) {}

  static Parsed parse(String file, String source, String funcName) {
    ProgramParser ps = new ProgramParser(file, source, funcName);
    return ps.program();
  }

  private Parsed program() {
    prescan();
    p = 0;
    block(true);
    if (result == null) {
      throw error(peek(), "missing 'return': a program ends with 'return expression'");
    }
    if (b.params().stream().anyMatch(Param::requiresGrad)) {
      if (!result.type().isScalar()) {
        throw new GradcException(
            "grad can be implicitly created only for scalar outputs (the returned value is "
                + result.type()
                + ")",
            resultPos);
      }
      if (!requiresGrad(result)) {
        throw new GradcException(
            "the returned value does not require grad: no param reaches it except through"
                + " 'with no_grad:', detach() or ops without a gradient",
            resultPos);
      }
    }
    b.ret(result);
    Func f = b.build();
    while (positions.size() < f.insts().size()) {
      positions.add(resultPos);
    }
    return new Parsed(f, List.copyOf(declarations.values()), List.copyOf(positions));
  }

  // ---------------------------------------------------------------- tokens

  private Token peek() {
    return toks.get(p);
  }

  private Token peek(int k) {
    return toks.get(Math.min(p + k, toks.size() - 1));
  }

  private Token next() {
    Token t = toks.get(p);
    if (t.kind() != Kind.EOF) {
      p++;
    }
    return t;
  }

  private boolean acceptOp(String s) {
    if (peek().isOp(s)) {
      p++;
      return true;
    }
    return false;
  }

  private Token expectOp(String s, String after) {
    if (!peek().isOp(s)) {
      throw error(peek(), "expected '" + s + "' " + after + ", got " + peek().describe());
    }
    return next();
  }

  private Token expectName(String what) {
    if (peek().kind() != Kind.NAME) {
      throw error(peek(), "expected " + what + ", got " + peek().describe());
    }
    return next();
  }

  private void expectEndOfStatement() {
    Token t = peek();
    if (t.kind() == Kind.NEWLINE) {
      next();
      return;
    }
    if (t.kind() == Kind.NAME && KEYWORDS.contains(t.text())) {
      throw error(t, "'" + t.text() + "' is not supported in .grad programs");
    }
    if (t.kind() == Kind.OP && (t.text().equals("//") || t.text().equals("%"))) {
      throw error(t, "the '" + t.text() + "' operator is not supported");
    }
    throw error(t, "expected end of line after the expression, got " + t.describe());
  }

  private SourcePos pos(Token t) {
    return new SourcePos(file, t.line(), t.column());
  }

  private GradcException error(Token t, String message) {
    return new GradcException(message, pos(t));
  }

  // ---------------------------------------------------------------- declarations

  /** Reads every declaration and notes every assigned name before the statements are built. */
  private void prescan() {
    int blocks = 0;
    boolean start = true;
    for (int i = 0; i < toks.size(); i++) {
      Token t = toks.get(i);
      switch (t.kind()) {
        case NEWLINE -> {
          start = true;
          continue;
        }
        case INDENT -> {
          blocks++;
          continue;
        }
        case DEDENT -> {
          blocks--;
          continue;
        }
        case EOF -> {
          return;
        }
        case NAME, INT, FLOAT, OP -> {}
      }
      if (start && isDeclaration(i)) {
        if (blocks > 0) {
          throw error(t, "declarations must be at the top level, not inside 'with no_grad:'");
        }
        p = i;
        Declaration d = declaration();
        declarationAt.put(i, new DeclarationSpan(d, p));
        i = p - 1;
        continue;
      }
      if (start && t.kind() == Kind.NAME && toks.get(i + 1).isOp("=")) {
        assignedSomewhere.add(t.text());
      }
      start = false;
    }
  }

  private boolean isDeclaration(int i) {
    Token t = toks.get(i);
    return (t.isName("param") || t.isName("input")) && toks.get(i + 1).kind() == Kind.NAME;
  }

  private Declaration declaration() {
    Token kw = next();
    Role role = kw.text().equals("param") ? Role.PARAM : Role.INPUT;
    Token name = next();
    if (KEYWORDS.contains(name.text())) {
      throw error(name, "'" + name.text() + "' is a keyword and cannot be declared");
    }
    expectOp(":", "after '" + name.text() + "' (write '" + kw.text() + " NAME: TYPE')");
    Token typeTok = peek();
    Type type = type();
    expectEndOfStatement();
    Declaration prev = declarations.get(name.text());
    if (prev != null) {
      throw error(
          name,
          "'" + name.text() + "' is declared twice (first on line " + prev.pos().line() + ")");
    }
    String tooLarge = GradLanguage.tooLarge(type);
    if (tooLarge != null) {
      throw error(typeTok, tooLarge);
    }
    Declaration d = new Declaration(name.text(), role, type, pos(name));
    try {
      b.addParam(name.text(), type, role);
    } catch (GradcException e) {
      throw e.at(pos(typeTok));
    }
    declarations.put(name.text(), d);
    return d;
  }

  private Type type() {
    Token t = expectName("a type (f32, f64 or i64)");
    DType dtype = TYPES.get(t.text());
    if (dtype == null) {
      throw error(
          t, "unknown type '" + t.text() + "'" + Diagnostics.suggestion(t.text(), TYPES.keySet()));
    }
    List<Dim> dims = new ArrayList<>();
    if (acceptOp("[")) {
      while (!peek().isOp("]")) {
        dims.add(dim());
        if (!acceptOp(",")) {
          break;
        }
      }
      expectOp("]", "to close the dims");
    }
    return new Type(dtype, dims);
  }

  private Dim dim() {
    Token t = next();
    if (t.kind() == Kind.INT) {
      try {
        return Dim.of(Integer.parseInt(t.text().replace("_", "")));
      } catch (NumberFormatException e) {
        throw error(t, "dimension " + t.text() + " is too large");
      }
    }
    if (t.kind() == Kind.NAME && !KEYWORDS.contains(t.text())) {
      return Dim.sym(t.text());
    }
    throw error(
        t, "a dimension is a non-negative integer or a symbol such as N, got " + t.describe());
  }

  // ---------------------------------------------------------------- statements

  /** Statements up to the end of the file ({@code top}) or of an indented block. */
  private void block(boolean top) {
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.EOF) {
        return;
      }
      if (t.kind() == Kind.DEDENT) {
        next();
        if (top) {
          continue;
        }
        return;
      }
      if (t.kind() == Kind.INDENT) {
        throw error(t, "unexpected indent");
      }
      if (result != null) {
        throw error(t, "statement after 'return': 'return' must be the last statement");
      }
      statement();
    }
  }

  private void statement() {
    Token t = peek();
    if (t.kind() != Kind.NAME) {
      throw error(t, "expected a statement (" + STATEMENTS + "), got " + t.describe());
    }
    DeclarationSpan d = declarationAt.get(p);
    if (d != null) {
      vars.put(d.declaration().name(), new Val.Tensor(paramNamed(d.declaration().name())));
      p = d.end();
      return;
    }
    switch (t.text()) {
      case "with" -> withStatement();
      case "return" -> returnStatement();
      case "True", "False", "None" -> throw error(t, "cannot assign to " + t.text());
      default -> {
        if (KEYWORDS.contains(t.text())) {
          throw error(t, "'" + t.text() + "' statements are not supported in .grad programs");
        }
        Token op = peek(1);
        if (op.isOp("=")) {
          assignment();
        } else if (op.kind() == Kind.OP && AUGMENTED.contains(op.text())) {
          throw error(
              op,
              "augmented assignment '"
                  + op.text()
                  + "' is not supported; write '"
                  + t.text()
                  + " = "
                  + t.text()
                  + " "
                  + op.text().charAt(0)
                  + " ...'");
        } else {
          throw error(t, "expected a statement (" + STATEMENTS + ")");
        }
      }
    }
  }

  private Param paramNamed(String name) {
    for (Param q : b.params()) {
      if (q.name().equals(name)) {
        return q;
      }
    }
    throw new IllegalStateException("no parameter " + name);
  }

  private void withStatement() {
    Token with = next();
    if (peek().isName("torch") && peek(1).isOp(".")) {
      p += 2;
    }
    Token ctx = peek();
    if (!ctx.isName("no_grad")) {
      throw error(ctx, "only 'with no_grad:' is supported, got " + ctx.describe());
    }
    next();
    if (acceptOp("(")) {
      expectOp(")", "after 'no_grad('");
    }
    expectOp(":", "after 'with no_grad'");
    if (peek().kind() != Kind.NEWLINE) {
      throw error(peek(), "expected a new line after ':'; the block goes on indented lines");
    }
    next();
    if (peek().kind() != Kind.INDENT) {
      throw error(
          peek(), "expected an indented block after 'with' statement on line " + with.line());
    }
    next();
    if (noGrad >= MAX_DEPTH) {
      throw error(with, "more than " + MAX_DEPTH + " nested 'with' blocks");
    }
    noGrad++;
    block(false);
    noGrad--;
  }

  private void assignment() {
    Token name = next();
    next();
    Located v = expression();
    expectEndOfStatement();
    Val val = v.val();
    if (noGrad > 0 && val instanceof Val.Tensor t && requiresGrad(t.value())) {
      // As under torch.no_grad(): what is computed here does not require grad.
      val = new Val.Tensor(at(pos(name), () -> b.detach(t.value())));
    }
    vars.put(name.text(), val);
  }

  private void returnStatement() {
    Token r = next();
    if (noGrad > 0) {
      throw error(r, "'return' must be at the top level, not inside 'with no_grad:'");
    }
    Located v = expression();
    expectEndOfStatement();
    if (!(v.val() instanceof Val.Tensor t)) {
      throw new GradcException(
          "the program must return a Tensor, not " + v.val().typeName(), v.pos());
    }
    result = t.value();
    resultPos = v.pos();
  }

  // ---------------------------------------------------------------- expressions

  private Located expression() {
    Token start = peek();
    if (depth >= MAX_DEPTH) {
      throw error(
          start,
          "expression is nested too deeply (more than " + MAX_DEPTH + " levels of brackets)");
    }
    depth++;
    try {
      return comparison();
    } finally {
      depth--;
    }
  }

  private static Op comparisonOp(Token t) {
    if (t.kind() != Kind.OP) {
      return null;
    }
    return switch (t.text()) {
      case "<" -> Op.LT;
      case "<=" -> Op.LE;
      case ">" -> Op.GT;
      case ">=" -> Op.GE;
      case "==" -> Op.EQ;
      case "!=" -> Op.NE;
      default -> null;
    };
  }

  private Located comparison() {
    Located l = sum();
    Op op = comparisonOp(peek());
    if (op == null) {
      return l;
    }
    Token t = next();
    Located r = sum();
    Located v = apply(t, op, l, r);
    if (comparisonOp(peek()) != null) {
      throw error(
          peek(), "chained comparisons such as 'a < b < c' are not supported; use parentheses");
    }
    return v;
  }

  private Located sum() {
    Located l = term();
    while (peek().isOp("+") || peek().isOp("-")) {
      Token t = next();
      l = apply(t, t.text().equals("+") ? Op.ADD : Op.SUB, l, term());
    }
    return l;
  }

  private Located term() {
    Located l = factor();
    while (true) {
      Token t = peek();
      Op op = t.isOp("*") ? Op.MUL : t.isOp("/") ? Op.DIV : t.isOp("@") ? Op.MATMUL : null;
      if (op == null) {
        if (t.isOp("//") || t.isOp("%")) {
          throw error(t, "the '" + t.text() + "' operator is not supported");
        }
        return l;
      }
      next();
      l = apply(t, op, l, factor());
    }
  }

  /**
   * Unary signs and right-associative powers without recursion: {@code -a ** -b ** c} is read as a
   * list of (signs, operand) items joined by {@code **}, then folded from the right.
   */
  private Located factor() {
    List<List<Token>> signs = new ArrayList<>();
    List<Located> operands = new ArrayList<>();
    List<Token> powers = new ArrayList<>();
    while (true) {
      List<Token> s = new ArrayList<>();
      while (peek().isOp("-") || peek().isOp("+")) {
        s.add(next());
      }
      signs.add(s);
      operands.add(postfix());
      if (!peek().isOp("**")) {
        break;
      }
      powers.add(next());
    }
    int n = operands.size();
    Located r = operands.get(n - 1);
    for (int i = n - 1; i >= 1; i--) {
      r = applySigns(signs.get(i), r);
      r = apply(powers.get(i - 1), Op.POW, operands.get(i - 1), r);
    }
    return applySigns(signs.get(0), r);
  }

  private Located applySigns(List<Token> signs, Located x) {
    Located r = x;
    for (int i = signs.size() - 1; i >= 0; i--) {
      Token t = signs.get(i);
      Val v = r.val();
      if (t.text().equals("-")) {
        r = new Located(at(pos(t), () -> Semantics.negate(b, v)), pos(t));
      } else if (v instanceof Val.Tensor || v instanceof Val.Num) {
        r = new Located(v, pos(t));
      } else {
        throw error(t, "bad operand type for unary +: '" + v.typeName() + "'");
      }
    }
    return r;
  }

  private Located apply(Token op, Op kind, Located l, Located r) {
    Val v = at(pos(op), () -> Semantics.binary(b, kind, l.val(), r.val()));
    return new Located(v, l.pos());
  }

  private Located postfix() {
    Token calleeTok = peek();
    Located v = atom();
    while (true) {
      Token t = peek();
      if (t.isOp("(")) {
        next();
        v = call(v, calleeTok);
      } else if (t.isOp(".")) {
        next();
        Token name = expectName("an attribute name after '.'");
        v = attribute(v, name);
        calleeTok = name;
      } else if (t.isOp("[")) {
        throw error(t, "indexing is not supported; use reshape, squeeze or where");
      } else {
        return v;
      }
    }
  }

  private Located atom() {
    Token t = next();
    switch (t.kind()) {
      case INT -> {
        try {
          return new Located(Val.Num.ofInt(Long.parseLong(t.text().replace("_", ""))), pos(t));
        } catch (NumberFormatException e) {
          throw error(t, "integer literal " + t.text() + " does not fit in 64 bits");
        }
      }
      case FLOAT -> {
        return new Located(Val.Num.ofFloat(Double.parseDouble(t.text().replace("_", ""))), pos(t));
      }
      case NAME -> {
        return new Located(name(t), pos(t));
      }
      case OP -> {
        if (t.isOp("(")) {
          return parenthesized(t);
        }
        if (t.isOp("[")) {
          return new Located(new Val.Seq(items("]"), false), pos(t));
        }
        throw error(t, "expected an expression, got " + t.describe());
      }
      case NEWLINE, INDENT, DEDENT, EOF ->
          throw error(t, "expected an expression, got " + t.describe());
    }
    throw new AssertionError(t);
  }

  private Located parenthesized(Token open) {
    if (acceptOp(")")) {
      return new Located(new Val.Seq(List.of(), true), pos(open));
    }
    Located first = expression();
    if (acceptOp(")")) {
      return new Located(first.val(), pos(open));
    }
    expectOp(",", "or ')' after the expression");
    List<Located> rest = new ArrayList<>();
    rest.add(first);
    rest.addAll(items(")"));
    return new Located(new Val.Seq(rest, true), pos(open));
  }

  /** Comma-separated expressions up to {@code close} (a trailing comma is allowed). */
  private List<Located> items(String close) {
    List<Located> out = new ArrayList<>();
    while (!peek().isOp(close)) {
      out.add(expression());
      if (!acceptOp(",")) {
        break;
      }
    }
    expectOp(close, "to close the " + (close.equals("]") ? "list" : "tuple"));
    return out;
  }

  private Val name(Token t) {
    String n = t.text();
    Val v = vars.get(n);
    if (v != null) {
      return v;
    }
    switch (n) {
      case "True" -> {
        return Val.Num.ofBool(true);
      }
      case "False" -> {
        return Val.Num.ofBool(false);
      }
      case "None" -> {
        return new Val.Nothing();
      }
      default -> {}
    }
    if (KEYWORDS.contains(n)) {
      throw error(t, "'" + n + "' is not supported in .grad programs");
    }
    Builtin f = Builtins.lookup(n);
    if (f != null) {
      if (!f.forms().function()) {
        throw error(t, "'" + n + "' is a Tensor method; call it as x." + n + "(...)");
      }
      return new Val.Function(f, null);
    }
    if (MODULES.contains(n)) {
      return new Val.Module(n);
    }
    Declaration d = declarations.get(n);
    if (d != null) {
      throw error(t, "'" + n + "' is used before its declaration on line " + d.pos().line());
    }
    if (assignedSomewhere.contains(n)) {
      throw error(t, "'" + n + "' is used before assignment");
    }
    if (peek().isOp("(")) {
      throw error(
          t, "unknown function '" + n + "'" + Diagnostics.suggestion(n, Builtins.functionNames()));
    }
    Set<String> known = new TreeSet<>(vars.keySet());
    known.addAll(Builtins.functionNames());
    throw error(t, "unknown name '" + n + "'" + Diagnostics.suggestion(n, known));
  }

  private Located attribute(Located target, Token name) {
    String n = name.text();
    Val v = target.val();
    if (v instanceof Val.Tensor t) {
      if (Builtins.PROPERTIES.contains(n)) {
        return new Located(
            new Val.Tensor(at(pos(name), () -> Builtins.property(b, n, t.value()))), target.pos());
      }
      Builtin f = Builtins.lookup(n);
      if (f != null && f.forms().method()) {
        return new Located(new Val.Function(f, target), target.pos());
      }
      Set<String> known = new TreeSet<>(Builtins.methodNames());
      known.addAll(Builtins.PROPERTIES);
      throw error(name, "Tensor has no attribute '" + n + "'" + Diagnostics.suggestion(n, known));
    }
    if (v instanceof Val.Module m) {
      if (n.equals("nn") || n.equals("functional")) {
        return new Located(new Val.Module(m.name() + "." + n), target.pos());
      }
      Builtin f = Builtins.lookup(n);
      if (f != null && f.forms().function()) {
        return new Located(new Val.Function(f, null), target.pos());
      }
      throw error(
          name,
          "module '"
              + m.name()
              + "' has no function '"
              + n
              + "'"
              + Diagnostics.suggestion(n, Builtins.functionNames()));
    }
    throw error(name, "'" + v.typeName() + "' object has no attribute '" + n + "'");
  }

  private Located call(Located callee, Token calleeTok) {
    List<CallArg> args = new ArrayList<>();
    Set<String> keywords = new HashSet<>();
    while (!peek().isOp(")")) {
      Token start = peek();
      if (start.kind() == Kind.NAME && peek(1).isOp("=")) {
        next();
        next();
        if (!keywords.add(start.text())) {
          throw error(start, "keyword argument repeated: " + start.text());
        }
        args.add(new CallArg(start.text(), expression(), pos(start)));
      } else {
        if (!keywords.isEmpty()) {
          throw error(start, "positional argument follows keyword argument");
        }
        args.add(new CallArg(null, expression(), pos(start)));
      }
      if (!acceptOp(",")) {
        break;
      }
    }
    expectOp(")", "to close the call");
    if (!(callee.val() instanceof Val.Function fn)) {
      String what = calleeTok.kind() == Kind.NAME ? "'" + calleeTok.text() + "'" : "the value";
      throw error(
          calleeTok,
          what + " is a " + callee.val().typeName() + ", not a function; it cannot be called");
    }
    SourcePos at = pos(calleeTok);
    Args a = Args.bind(fn.builtin(), fn.self(), args, at);
    Val v = at(at, () -> fn.builtin().body().apply(b, a));
    return new Located(v, callee.pos());
  }

  // ---------------------------------------------------------------- building

  /**
   * Runs one step of building at a source position: errors without a position get this one, and the
   * instructions the step emits are attributed to it.
   */
  private <T> T at(SourcePos pos, Supplier<T> step) {
    T v;
    try {
      v = step.get();
    } catch (GradcException e) {
      throw e.at(pos);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new GradcException(String.valueOf(e.getMessage()), pos);
    }
    while (positions.size() < b.size()) {
      positions.add(pos);
    }
    return v;
  }

  /**
   * Whether a value requires grad, as PyTorch tracks it: a param does, and so does a floating-point
   * result of a differentiable op with an operand that does. Walks new instructions with an
   * explicit stack and remembers every answer.
   */
  private boolean requiresGrad(Value v) {
    Deque<Value> stack = new ArrayDeque<>();
    stack.push(v);
    while (!stack.isEmpty()) {
      Value top = stack.peek();
      if (!(top instanceof Inst inst) || gradKnown.get(top.id())) {
        stack.pop();
        continue;
      }
      boolean pending = false;
      boolean any = false;
      for (Value o : inst.operands()) {
        if (o instanceof Inst && !gradKnown.get(o.id())) {
          stack.push(o);
          pending = true;
        } else {
          any |= direct(o);
        }
      }
      if (pending) {
        continue;
      }
      stack.pop();
      gradKnown.set(inst.id());
      requiresGrad.set(
          inst.id(), any && inst.type().dtype().isFloat() && inst.op().isDifferentiable());
    }
    return direct(v);
  }

  private boolean direct(Value v) {
    if (v instanceof Lit) {
      return false;
    }
    if (v instanceof Param q) {
      return q.requiresGrad();
    }
    return requiresGrad.get(v.id());
  }
}
