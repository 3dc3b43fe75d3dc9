package dev.gradc.frontend.lang;

import dev.gradc.frontend.Gathering;
import dev.gradc.frontend.Indexing;
import dev.gradc.frontend.lang.Args.CallArg;
import dev.gradc.frontend.lang.Semantics.Operator;
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
import dev.gradc.ir.Origin;
import dev.gradc.ir.Param;
import dev.gradc.ir.Role;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;
import dev.gradc.ir.Value;
import dev.gradc.ir.opt.Dce;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Parses a {@code .grad} program and runs it as it is parsed: each operator and call is applied to
 * the values of its operands as soon as they are parsed, building IR through the {@link Builder}
 * for tensors and computing numbers, strings, tuples and lists as Python does. Control flow runs
 * when compiling: a {@code def} records where its body starts and each call inlines it by parsing
 * the body again in a new frame; a {@code for} loop parses its body once per item; an {@code if}
 * runs the branch its condition chooses. Code that does not run (other branches, a def's body when
 * it is defined, the operand an {@code and} skips) is still parsed "dry", so syntax errors anywhere
 * are reported, and names in it are not looked up, as in Python.
 *
 * <pre>
 * program    := {statement}
 * statement  := ('param' | 'input') NAME ':' type NEWLINE          (top level only)
 *             | targets '=' exprlist NEWLINE  |  NAME AUGOP expr NEWLINE
 *             | 'def' NAME '(' [NAME [':' expr] ['=' expr] {',' ...}] ')' ['->' expr] ':' block
 *             | 'for' targets 'in' expr ':' block  |  'if' expr ':' block {'elif' expr ':' block}
 *               ['else' ':' block]  |  'with' ['torch' '.'] 'no_grad' ['(' ')'] ':' block
 *             | 'return' [exprlist] NEWLINE  |  'break' | 'continue' | 'pass'
 *             | 'import' dotted ['as' NAME]  |  'from' dotted 'import' NAME {',' NAME}
 *             | STRING NEWLINE                                     (a docstring)
 * targets    := NAME {',' NAME} [','],   block := NEWLINE INDENT statement {statement} DEDENT
 * type       := ('f32' | 'f64' | 'i64' | 'bool') ['[' [dim {',' dim}] ']'],   dim := INT | NAME
 * exprlist   := expr {',' expr} [',']
 * expr       := or ['if' or 'else' expr]
 * or         := and {'or' and},   and := not {'and' not},   not := {'not'} comparison
 * comparison := binary {('<' | '<=' | '>' | '>=' | '==' | '!=' | 'in' | 'not' 'in' | 'is' ['not'])
 *               binary}
 * binary     := factor {BINOP factor}   (| ^ & << >> + - * / // % @, by Python's precedence)
 * factor     := {'-' | '+' | '~'} postfix ['**' factor]
 * postfix    := atom {'(' [arg {',' arg}] ')' | '.' NAME | '[' index ']'}
 * arg        := [NAME '='] expr,   index := expr | [expr] ':' [expr] [':' [expr]]
 * atom       := NAME | INT | FLOAT | STRING {STRING} | '(' [exprlist] ')' | '[' [exprlist] ']'
 * </pre>
 *
 * Declarations are read first, so that every parameter precedes the first instruction; using a name
 * before the line that declares or assigns it is still an error. Binary operators are folded with
 * explicit stacks and unary operators and powers with loops; only brackets, calls and blocks
 * recurse, and their depth is limited ({@link #MAX_DEPTH}, {@link #MAX_CALL_DEPTH}); a loop unrolls
 * at most {@link #MAX_ITERATIONS} iterations.
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
      Map.of("f32", DType.F32, "f64", DType.F64, "i64", DType.I64, "bool", DType.BOOL);
  private static final Set<String> MODULES = Set.of("torch", "F", "nn", "math", "functorch");
  private static final Set<String> IMPORTABLE =
      Set.of("math", "torch", "torch.nn", "torch.nn.functional", "functorch", "torch.func");
  private static final Map<String, DType> DTYPES =
      Map.of(
          "float32", DType.F32,
          "float", DType.F32,
          "float64", DType.F64,
          "double", DType.F64,
          "int64", DType.I64,
          "long", DType.I64,
          "bool", DType.BOOL);
  private static final String STATEMENTS =
      "'NAME = expression', 'def', 'for', 'if', 'with no_grad:' or 'return expression'";
  private static final Set<String> AUGMENTED =
      Set.of("+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", "<<=", ">>=");
  private static final Set<String> COMPARISONS = Set.of("<", "<=", ">", ">=", "==", "!=");
  private static final Val UNKNOWN = new Val.Unknown();

  /** The most iterations one 'for' loop unrolls to. */
  static final int MAX_ITERATIONS = 4096;

  /** The deepest nesting of inlined calls of defs. */
  static final int MAX_CALL_DEPTH = 32;

  private final String file;
  private final List<Token> toks;
  private final Builder b;
  private int p;
  private final Deque<Frame> frames = new ArrayDeque<>();
  private final List<Val.UserFunction> active = new ArrayList<>();
  private int dry;
  private int defBodies;
  private final Set<Value> used = new HashSet<>();
  private boolean returnedAtTop;

  /** Declarations by the index of their first token, with the index after their last. */
  private final Map<Integer, DeclarationSpan> declarationAt = new HashMap<>();

  private final Map<String, Declaration> declarations = new LinkedHashMap<>();
  private final Set<String> assignedSomewhere = new HashSet<>();
  private final List<SourcePos> positions = new ArrayList<>();

  /** Positions of instructions emitted only to trace a transformed def ({@link FuncTransforms}). */
  private final BitSet tracedOnly = new BitSet();

  private final BitSet gradKnown = new BitSet();
  private final BitSet requiresGrad = new BitSet();
  private int depth;
  private int noGrad;
  private List<Value> results;
  private List<SourcePos> resultPositions;
  private List<String> resultNames;
  private SourcePos resultPos;

  private ProgramParser(String file, String source, String funcName) {
    this.file = file;
    this.toks = Lexer.tokenize(file, source);
    this.b = new Builder(funcName);
  }

  private record DeclarationSpan(Declaration declaration, int end) {}

  /** The function, its declarations and the source position of each instruction. */
  record Parsed(
      Func func,
      List<Declaration> declarations,
      List<SourcePos> positions,
      List<SourcePos> resultPositions,
      List<String> resultNames) {}

  static Parsed parse(String file, String source, String funcName) {
    ProgramParser ps = new ProgramParser(file, source, funcName);
    return ps.program();
  }

  private Parsed program() {
    prescan();
    p = 0;
    frames.push(new Frame(false));
    block(true);
    if (results == null) {
      throw error(peek(), "missing 'return': a program ends with 'return expression'");
    }
    if (b.params().stream().anyMatch(Param::requiresGrad)
        && results.size() == 1
        && results.get(0).type().isScalar()
        && !requiresGrad(results.get(0))) {
      // A scalar result is a loss: PyTorch's backward() refuses one that no param reaches.
      throw new GradcException(
          "the returned value does not require grad: no param reaches it except through"
              + " 'with no_grad:', detach() or ops without a gradient",
          resultPos);
    }
    b.ret(results.toArray(new Value[0]));
    Func f = b.build();
    while (positions.size() < f.insts().size()) {
      positions.add(resultPos);
    }
    if (!tracedOnly.isEmpty()) {
      // what transformed defs emitted while being traced, and the program does not use
      int params = f.params().size();
      IntPredicate droppable = id -> id >= params && tracedOnly.get(id - params);
      boolean[] kept = Dce.kept(f, droppable);
      f = Dce.keeping(f, kept);
      List<SourcePos> left = new ArrayList<>();
      for (int k = 0; k < positions.size(); k++) {
        if (kept[params + k]) {
          left.add(positions.get(k));
        }
      }
      positions.clear();
      positions.addAll(left);
    }
    return new Parsed(
        f,
        List.copyOf(declarations.values()),
        List.copyOf(positions),
        List.copyOf(resultPositions),
        Collections.unmodifiableList(new ArrayList<>(resultNames)));
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
        case NAME, INT, FLOAT, STRING, OP -> {}
      }
      if (start && isDeclaration(i)) {
        if (blocks > 0) {
          throw error(t, "declarations must be at the top level, not inside a block");
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
    Token t = expectName("a type (f32, f64, i64 or bool)");
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

  // ---------------------------------------------------------------- frames

  /** How a loop body was left: normally, by 'break' or by 'continue'. */
  private enum LoopExit {
    NONE,
    BREAK,
    CONTINUE
  }

  /**
   * The names of the program (the outermost frame) or of one inlined call of a def, and how its
   * statements are being left: after a 'return' or a 'break'/'continue', the rest of the body is
   * parsed but not run.
   */
  private static final class Frame {
    final Map<String, Val> vars = new HashMap<>();
    final boolean isDef;
    Val returned;
    LoopExit exit = LoopExit.NONE;
    int loops;
    int blocks;

    Frame(boolean isDef) {
      this.isDef = isDef;
    }
  }

  private Frame frame() {
    return frames.peek();
  }

  private Val lookup(String n) {
    Val v = frame().vars.get(n);
    return v != null ? v : frames.peekLast().vars.get(n);
  }

  private void bind(String n, Val v) {
    frame().vars.put(n, v);
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
      if (top && returnedAtTop && dry == 0) {
        throw error(t, "statement after 'return': 'return' must be the last statement");
      }
      Frame f = frame();
      boolean skip = dry == 0 && (f.returned != null || f.exit != LoopExit.NONE);
      if (skip) {
        dry++;
      }
      try {
        statement();
      } finally {
        if (skip) {
          dry--;
        }
      }
    }
  }

  /** A block after a ':' at the end of a header line, run or only parsed. */
  private void body(Token header, boolean run) {
    expectBlockStart(header);
    if (!run) {
      dry++;
    }
    frame().blocks++;
    try {
      block(false);
    } finally {
      frame().blocks--;
      if (!run) {
        dry--;
      }
    }
  }

  private void expectBlockStart(Token header) {
    expectOp(":", "at the end of the '" + header.text() + "' line");
    if (peek().kind() != Kind.NEWLINE) {
      throw error(peek(), "expected a new line after ':'; the block goes on indented lines");
    }
    next();
    if (peek().kind() != Kind.INDENT) {
      throw error(
          peek(),
          "expected an indented block after '"
              + header.text()
              + "' statement on line "
              + header.line());
    }
    next();
  }

  /** The index after the block whose INDENT token is at {@code indent}. */
  private int blockEnd(int indent) {
    int level = 0;
    for (int i = indent; i < toks.size(); i++) {
      Kind k = toks.get(i).kind();
      if (k == Kind.INDENT) {
        level++;
      } else if (k == Kind.DEDENT && --level == 0) {
        return i + 1;
      } else if (k == Kind.EOF) {
        return i;
      }
    }
    return toks.size() - 1;
  }

  private void statement() {
    Token t = peek();
    if (t.kind() == Kind.STRING) {
      docstring();
      return;
    }
    if (t.kind() != Kind.NAME) {
      throw error(t, "expected a statement (" + STATEMENTS + "), got " + t.describe());
    }
    DeclarationSpan d = declarationAt.get(p);
    if (d != null) {
      if (dry == 0) {
        bind(d.declaration().name(), new Val.Tensor(paramNamed(d.declaration().name())));
      }
      p = d.end();
      return;
    }
    switch (t.text()) {
      case "with" -> withStatement();
      case "return" -> returnStatement();
      case "def" -> defStatement();
      case "for" -> forStatement();
      case "if" -> ifStatement();
      case "pass" -> {
        next();
        expectEndOfStatement();
      }
      case "break", "continue" -> loopControl();
      case "import" -> importStatement();
      case "from" -> fromImport();
      case "elif", "else" -> throw error(t, "'" + t.text() + "' without a matching 'if'");
      case "True", "False", "None" -> throw error(t, "cannot assign to " + t.text());
      default -> {
        if (KEYWORDS.contains(t.text())) {
          throw error(t, "'" + t.text() + "' statements are not supported in .grad programs");
        }
        Token op = peek(1);
        if (op.isOp("=") || op.isOp(",")) {
          assignment();
        } else if (op.kind() == Kind.OP && AUGMENTED.contains(op.text())) {
          augmentedAssignment();
        } else if (op.isOp("[") && subscriptAssignmentAhead()) {
          subscriptAssignment();
        } else {
          refuseTargetAssignment(t);
          throw error(t, "expected a statement (" + STATEMENTS + ")");
        }
      }
    }
  }

  /**
   * {@code y[0] = v}, {@code y[:, 1] += v}, {@code w.data = v}: PyTorch writes into the tensor in
   * place; a .grad program's tensors are values, so this fails with what to write instead.
   */
  private void refuseTargetAssignment(Token name) {
    int depth = 0;
    for (int i = p + 1; i < toks.size(); i++) {
      Token t = toks.get(i);
      if (t.kind() == Kind.NEWLINE || t.kind() == Kind.EOF) {
        return;
      }
      if (t.isOp("(") || t.isOp("[") || t.isOp("{")) {
        depth++;
      } else if (t.isOp(")") || t.isOp("]") || t.isOp("}")) {
        depth--;
      } else if (depth == 0 && (t.isOp("=") || AUGMENTED.contains(t.text()))) {
        Token after = toks.get(p + 1);
        String n = name.text();
        throw error(
            name,
            after.isOp("[")
                ? "assignment to an element or slice of '"
                    + n
                    + "' is not supported: tensors in .grad programs are values; build the new"
                    + " tensor instead, e.g. "
                    + n
                    + " = torch.where(mask, value, "
                    + n
                    + ") or torch.cat(...)"
                : "assignment to an attribute of '"
                    + n
                    + "' is not supported: tensors in .grad programs are values; assign a new"
                    + " name instead");
      } else if (depth == 0 && t.kind() == Kind.OP && !t.isOp(".") && !t.isOp(",")) {
        return; // an expression statement such as 'y[0] + 1', reported as such
      }
    }
  }

  /** A string on a line of its own: a docstring or comment, which does nothing. */
  private void docstring() {
    Located v = expression();
    expectEndOfStatement();
    if (dry == 0 && !(v.val() instanceof Val.Str)) {
      throw new GradcException(
          "expected a statement (" + STATEMENTS + "); an expression alone does nothing", v.pos());
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

  /** {@code import math}, {@code import torch.nn.functional as F}: the modules the language has. */
  private void importStatement() {
    next();
    Token first = expectName("a module name after 'import'");
    String module = dottedName(first);
    String alias = first.text();
    Val bound = new Val.Module(first.text());
    if (peek().isName("as")) {
      next();
      alias = expectName("a name after 'as'").text();
      bound =
          new Val.Module(
              module.equals("torch.nn.functional")
                  ? "F"
                  : module.equals("torch.nn") ? "nn" : module);
    }
    expectEndOfStatement();
    if (dry == 0) {
      bind(alias, bound);
    }
  }

  private String dottedName(Token first) {
    StringBuilder module = new StringBuilder(first.text());
    while (acceptOp(".")) {
      module.append('.').append(expectName("a module name after '.'").text());
    }
    String m = module.toString();
    if (!IMPORTABLE.contains(m)) {
      throw error(
          first,
          "only math, torch, torch.nn and torch.nn.functional can be imported, not '" + m + "'");
    }
    return m;
  }

  /** {@code from math import pi, sqrt}: binds names of a module. */
  private void fromImport() {
    next();
    Token first = expectName("a module name after 'from'");
    String module = dottedName(first);
    if (!peek().isName("import")) {
      throw error(peek(), "expected 'import' after the module name, got " + peek().describe());
    }
    next();
    Val.Module m =
        new Val.Module(
            module.equals("torch.nn.functional") ? "F" : module.equals("torch.nn") ? "nn" : module);
    do {
      Token n = expectName("a name to import");
      String alias = n.text();
      if (peek().isName("as")) {
        next();
        alias = expectName("a name after 'as'").text();
      }
      if (dry == 0) {
        bind(alias, attribute(new Located(m, pos(first)), n).val());
      }
    } while (acceptOp(","));
    expectEndOfStatement();
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
    if (noGrad >= MAX_DEPTH) {
      throw error(with, "more than " + MAX_DEPTH + " nested 'with' blocks");
    }
    noGrad++;
    try {
      body(with, dry == 0);
    } finally {
      noGrad--;
    }
  }

  private void defStatement() {
    Token kw = next();
    Token name = expectName("a function name after 'def'");
    if (KEYWORDS.contains(name.text())) {
      throw error(name, "'" + name.text() + "' is a keyword and cannot name a function");
    }
    expectOp("(", "after the function name");
    List<String> params = new ArrayList<>();
    List<Val> defaults = new ArrayList<>();
    boolean anyDefault = false;
    while (!peek().isOp(")")) {
      Token pt = peek();
      if (pt.isOp("*") || pt.isOp("**") || pt.isOp("/")) {
        throw error(pt, "'*args', '**kwargs' and '/' parameters are not supported");
      }
      Token pn = expectName("a parameter name");
      if (KEYWORDS.contains(pn.text())) {
        throw error(pn, "'" + pn.text() + "' is a keyword and cannot name a parameter");
      }
      if (params.contains(pn.text())) {
        throw error(pn, "duplicate argument '" + pn.text() + "' in function definition");
      }
      if (acceptOp(":")) {
        skipped(() -> expression());
      }
      Val dflt = null;
      if (acceptOp("=")) {
        dflt = expression().val();
        anyDefault = true;
      } else if (anyDefault) {
        throw error(pn, "non-default argument follows default argument");
      }
      params.add(pn.text());
      defaults.add(dflt);
      if (!acceptOp(",")) {
        break;
      }
    }
    expectOp(")", "to close the parameters");
    if (acceptOp("->")) {
      skipped(() -> expression());
    }
    expectBlockStart(kw);
    int bodyStart = p;
    int outerNoGrad = noGrad;
    dry++;
    defBodies++;
    noGrad = 0;
    try {
      block(false);
    } finally {
      dry--;
      defBodies--;
      noGrad = outerNoGrad;
    }
    if (dry == 0) {
      bind(name.text(), new Val.UserFunction(name.text(), params, defaults, bodyStart, pos(name)));
    }
  }

  /** Parses without running: checks the syntax of code that is not run. */
  private void skipped(Runnable parse) {
    dry++;
    try {
      parse.run();
    } finally {
      dry--;
    }
  }

  private void forStatement() {
    Token kw = next();
    List<Token> targets = targets();
    if (!peek().isName("in")) {
      throw error(peek(), "expected 'in' after the loop variable, got " + peek().describe());
    }
    next();
    Located iterable = expression();
    if (dry > 0) {
      body(kw, false);
      return;
    }
    Located seq = rows(iterable);
    long iterations =
        seq.val() instanceof Val.Range r
            ? r.length()
            : at(seq.pos(), () -> Python.items(seq, "'for'")).size();
    if (iterations > MAX_ITERATIONS) {
      throw error(
          kw,
          "this 'for' loop has "
              + (iterations == Long.MAX_VALUE ? "2^63 or more" : Long.toString(iterations))
              + " iterations; loops are unrolled when compiling, and at most "
              + MAX_ITERATIONS
              + " iterations are supported");
    }
    List<Located> items = at(seq.pos(), () -> Python.items(seq, "'for'"));
    expectBlockStart(kw);
    int bodyStart = p;
    int end = blockEnd(bodyStart - 1);
    if (peekAt(end).isName("else")) {
      throw error(peekAt(end), "'for ... else' is not supported");
    }
    Frame f = frame();
    f.loops++;
    f.blocks++;
    try {
      if (items.isEmpty()) {
        skipped(() -> block(false));
      }
      for (Located item : items) {
        unpack(targets, item, targets.size() > 1);
        p = bodyStart;
        block(false);
        LoopExit exit = f.exit;
        f.exit = LoopExit.NONE;
        if (exit == LoopExit.BREAK || f.returned != null) {
          break;
        }
      }
    } finally {
      f.loops--;
      f.blocks--;
    }
    p = end;
  }

  private Token peekAt(int i) {
    return toks.get(Math.min(i, toks.size() - 1));
  }

  private void loopControl() {
    Token t = next();
    expectEndOfStatement();
    if (frame().loops == 0) {
      throw error(t, "'" + t.text() + "' outside loop");
    }
    if (dry == 0) {
      frame().exit = t.text().equals("break") ? LoopExit.BREAK : LoopExit.CONTINUE;
    }
  }

  /**
   * Loop or assignment targets: {@code NAME} or {@code NAME, NAME, ...}, optionally in brackets.
   */
  private List<Token> targets() {
    boolean paren = acceptOp("(");
    List<Token> out = new ArrayList<>();
    do {
      if (!paren && !out.isEmpty() && (peek().isName("in") || peek().isOp("="))) {
        break;
      }
      Token n = expectName("a name to assign");
      if (KEYWORDS.contains(n.text())) {
        throw error(n, "cannot assign to " + n.text());
      }
      out.add(n);
    } while (acceptOp(","));
    if (paren) {
      expectOp(")", "to close the names");
    }
    return out;
  }

  /**
   * A tensor as Python iterates it, the tuple of its rows ({@code x.unbind(0)}, views); any other
   * value as it is.
   */
  private Located rows(Located v) {
    if (!(v.val() instanceof Val.Tensor t)) {
      return v;
    }
    Value x = t.value();
    if (x.type().rank() == 0) {
      throw new GradcException("iteration over a 0-d tensor", v.pos());
    }
    long n = at(v.pos(), () -> Indexing.size(x.type().dims(), 0));
    if (n > MAX_ITERATIONS) {
      throw new GradcException(
          "a tensor of "
              + n
              + " rows: its rows are unrolled when compiling, and at most "
              + MAX_ITERATIONS
              + " are supported",
          v.pos());
    }
    markUsed(t);
    List<Located> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Indexing.Step s = Indexing.select(0, x.type().dims(), i);
      out.add(new Located(new Val.Tensor(at(v.pos(), () -> Indexing.apply(b, x, s))), v.pos()));
    }
    return new Located(new Val.Seq(out, true), v.pos());
  }

  /** Binds {@code targets} to a value, unpacking a tuple or list as Python does. */
  private void unpack(List<Token> targets, Located v, boolean multi) {
    if (!multi) {
      bind(targets.get(0).text(), noGrad > 0 ? detached(v.val()) : v.val());
      return;
    }
    Located seq = rows(v);
    List<Located> items = at(seq.pos(), () -> Python.items(seq, "unpacking"));
    if (items.size() != targets.size()) {
      throw new GradcException(
          items.size() > targets.size()
              ? "too many values to unpack (expected " + targets.size() + ")"
              : "not enough values to unpack (expected "
                  + targets.size()
                  + ", got "
                  + items.size()
                  + ")",
          v.pos());
    }
    for (int i = 0; i < targets.size(); i++) {
      bind(targets.get(i).text(), noGrad > 0 ? detached(items.get(i).val()) : items.get(i).val());
    }
  }

  private void ifStatement() {
    Token kw = next();
    boolean taken = false;
    while (true) {
      boolean live = dry == 0 && !taken;
      Located c = live ? expression() : dryExpression();
      String what = "the condition of '" + kw.text() + "'";
      boolean run = live && at(c.pos(), () -> Python.truth(c.val(), what));
      body(kw, run);
      taken |= run;
      if (peek().isName("elif")) {
        kw = next();
        continue;
      }
      if (peek().isName("else")) {
        Token e = next();
        body(e, dry == 0 && !taken);
      }
      return;
    }
  }

  private Located dryExpression() {
    dry++;
    try {
      return expression();
    } finally {
      dry--;
    }
  }

  private void assignment() {
    int start = p;
    List<Token> names = targets();
    if (!peek().isOp("=")) {
      throw error(toks.get(start), "expected a statement (" + STATEMENTS + ")");
    }
    boolean multi = names.size() > 1 || toks.get(p - 1).isOp(",");
    next();
    if (peek().kind() == Kind.NAME && peek(1).isOp("=") && !multi) {
      throw error(peek(), "chained assignment 'a = b = ...' is not supported; assign each name");
    }
    Located v = expressionList();
    expectEndOfStatement();
    if (dry > 0) {
      return;
    }
    unpack(names, v, multi);
  }

  /** As under torch.no_grad(): what is computed here does not require grad. */
  private Val detached(Val val) {
    if (val instanceof Val.Tensor t && requiresGrad(t.value())) {
      return new Val.Tensor(b.detach(t.value()));
    }
    if (val instanceof Val.Seq s) {
      List<Located> items = new ArrayList<>();
      for (Located item : s.items()) {
        items.add(new Located(detached(item.val()), item.pos()));
      }
      return new Val.Seq(items, s.tuple());
    }
    return val;
  }

  /**
   * {@code x += e}: rebinds {@code x} to {@code x + e}. PyTorch updates a tensor in place, which
   * means the same only when nothing else refers to it and the result keeps its dtype and shape;
   * otherwise this is an error.
   */
  private void augmentedAssignment() {
    Token name = next();
    Token op = next();
    Located rhs = expression();
    expectEndOfStatement();
    if (dry > 0) {
      return;
    }
    Val old = bound(name);
    String sym = op.text().substring(0, op.text().length() - 1);
    Operator operator = Operator.bySymbol(sym);
    if (old instanceof Val.Tensor t) {
      checkInPlace(name, op, t.value());
    } else if (old instanceof Val.Seq s && !s.tuple()) {
      checkUnshared(name, op, old);
    }
    Located l = new Located(old, pos(name));
    Val v = binaryValue(op, operator, l, rhs).val();
    if (old instanceof Val.Tensor t && v instanceof Val.Tensor r) {
      checkKeepsType(op, t.value().type(), r.value().type(), "; " + outOfPlace(name, op));
    }
    bind(name.text(), noGrad > 0 ? detached(v) : v);
  }

  /** Whether the statement at {@code p} is {@code NAME[...] = e} or {@code NAME[...] OP= e}. */
  private boolean subscriptAssignmentAhead() {
    int depth = 0;
    for (int i = p + 1; i < toks.size(); i++) {
      Token t = toks.get(i);
      if (t.kind() == Kind.NEWLINE || t.kind() == Kind.EOF) {
        return false;
      }
      if (t.isOp("(") || t.isOp("[") || t.isOp("{")) {
        depth++;
      } else if (t.isOp(")") || t.isOp("]") || t.isOp("}")) {
        depth--;
        if (depth == 0) {
          Token after = toks.get(i + 1);
          return after.isOp("=") || AUGMENTED.contains(after.text());
        }
      }
    }
    return false;
  }

  /**
   * {@code x[i] = v}, {@code x[idx] = v}, {@code x[mask] = v}, {@code x[1:, ::2] = v} and {@code
   * x[i] += v}: PyTorch's write through indexing ({@code copy_} into a view, or {@code
   * index_put_}), which rebinds {@code x} to the written tensor. As for {@code +=}, it is accepted
   * where rebinding gives the same values: nothing else refers to {@code x} or to a tensor it is a
   * view of, and no operation has read it.
   */
  private void subscriptAssignment() {
    Token name = next();
    Token open = next();
    List<RawIndex> raw = subscriptItems();
    Token op = next();
    Located rhs = expression();
    expectEndOfStatement();
    if (dry > 0) {
      return;
    }
    Val old = bound(name);
    if (!(old instanceof Val.Tensor t)) {
      throw error(name, "'" + old.typeName() + "' object does not support item assignment");
    }
    for (RawIndex r : raw) {
      if (!r.ellipsis() && !r.slice() && r.part(0) == null) {
        throw error(r.at(), "expected an index inside '[]'");
      }
    }
    Value x = t.value();
    List<Integer> tensorAt = new ArrayList<>();
    List<Value> tensors = new ArrayList<>();
    for (int k = 0; k < raw.size(); k++) {
      RawIndex r = raw.get(k);
      if (!r.ellipsis() && !r.slice() && r.part(0).val() instanceof Val.Tensor idx) {
        tensorAt.add(k);
        tensors.add(idx.value());
      }
    }
    checkWrite(name, op, x, !tensors.isEmpty());
    Value written;
    if (!tensors.isEmpty() && tensors.size() == raw.size()) {
      int[] leading = Indexing.keptDims(basicItems(raw), tensorAt, x.type().rank());
      written = at(pos(open), () -> putThroughIndices(x, leading, tensors, op, rhs));
    } else {
      List<Indexing.Step> steps = basicSteps(t, raw, open);
      UnaryOperator<Value> write;
      if (tensors.isEmpty()) {
        write = cur -> writtenValue(cur, op, rhs);
      } else {
        int[] dims = Indexing.keptDims(basicItems(raw), tensorAt, x.type().rank());
        write = cur -> putThroughIndices(cur, dims, tensors, op, rhs);
      }
      written = at(pos(open), () -> writeThroughViews(x, steps, write));
    }
    bind(name.text(), noGrad > 0 ? detached(new Val.Tensor(written)) : new Val.Tensor(written));
  }

  /**
   * {@code x[indices] = v} or {@code x[indices] OP= v} with tensor indices at the dims {@code dims}
   * of {@code x}, as index_put. {@code OP=} reads the indexed elements, computes and writes them
   * back, as PyTorch's {@code __setitem__} of the result of {@code __getitem__}: of a repeated
   * index the last write stays.
   */
  private Value putThroughIndices(Value x, int[] dims, List<Value> indices, Token op, Located rhs) {
    Value v = operandValue(rhs, x.type().dtype());
    if (op.isOp("=")) {
      return Gathering.indexPutAt(b, x, dims, indices, v, false);
    }
    if (indices.get(0).type().dtype() == DType.BOOL) {
      if (op.isOp("+=") || op.isOp("-=")) {
        // x[mask] OP= v reads and writes each selected element once: an accumulated put
        return Gathering.indexPutAt(b, x, dims, indices, op.isOp("-=") ? b.neg(v) : v, true);
      }
      throw error(
          op,
          "'"
              + op.text()
              + "' through a bool mask is supported for += and -=; write x = torch.where(mask, x "
              + op.text().substring(0, op.text().length() - 1)
              + " v, x)");
    }
    Value cur = Gathering.indexTensors(b, x, dims, indices);
    Value now = inPlaceResult(op, cur, rhs);
    return Gathering.indexPutAt(b, x, dims, indices, now, false);
  }

  /**
   * {@code x[1:, ::2] = v}, {@code OP=} or {@code x[1:, idx] = v}: the views of the basic indices,
   * the new value {@code write} gives the last of them, written back through each view.
   */
  private Value writeThroughViews(Value x, List<Indexing.Step> steps, UnaryOperator<Value> write) {
    List<Value> views = new ArrayList<>();
    Value cur = x;
    for (Indexing.Step s : steps) {
      views.add(cur);
      cur = Indexing.apply(b, cur, s);
    }
    Value now = write.apply(cur);
    for (int k = steps.size() - 1; k >= 0; k--) {
      now = Indexing.scatter(b, views.get(k), steps.get(k), now);
    }
    return now;
  }

  /** The new value of the view {@code cur} that {@code cur = v} or {@code cur OP= v} writes. */
  private Value writtenValue(Value cur, Token op, Located rhs) {
    if (op.isOp("=")) {
      Value v = operandValue(rhs, cur.type().dtype());
      return b.broadcastTo(b.cast(v, cur.type().dtype()), cur.type().dims());
    }
    return inPlaceResult(op, cur, rhs);
  }

  /** {@code cur OP v} of an in-place {@code OP=}, of {@code cur}'s dtype and shape. */
  private Value inPlaceResult(Token op, Value cur, Located rhs) {
    Operator operator = Operator.bySymbol(op.text().substring(0, op.text().length() - 1));
    Val r = binaryValue(op, operator, new Located(new Val.Tensor(cur), pos(op)), rhs).val();
    if (!(r instanceof Val.Tensor rt)) {
      throw error(op, "'" + op.text() + "' needs a tensor or a number on its right");
    }
    Type was = cur.type();
    if (!rt.value().type().dtype().isFloat() || was.dtype().isFloat()) {
      // converted as PyTorch casts an in-place result: refused only from floats to integers
      checkKeepsType(op, was, rt.value().type().withDtype(was.dtype()), "");
    } else {
      checkKeepsType(op, was, rt.value().type(), "");
    }
    return b.cast(rt.value(), was.dtype());
  }

  /** The value written: a tensor, or a number as a literal of {@code dtype}. */
  private Value operandValue(Located rhs, DType dtype) {
    if (rhs.val() instanceof Val.Tensor v) {
      markUsed(v);
      return v.value();
    }
    if (rhs.val() instanceof Val.Num n) {
      return Builder.lit(dtype.round(n.d()), dtype);
    }
    throw new GradcException(
        "can only assign a tensor or a number through an index, not '" + rhs.val().typeName() + "'",
        rhs.pos());
  }

  /**
   * Refuses a write through an index that would not mean the same as rebinding: of a declared param
   * or input, of a tensor another name holds or that an operation read, or of a view of a tensor
   * another name holds (PyTorch would change that one too).
   */
  private void checkWrite(Token name, Token op, Value x, boolean advanced) {
    Value base = x;
    while (base instanceof Inst i && i.op().isView()) {
      base = i.operand(0);
    }
    if (x instanceof Param || base instanceof Param) {
      Param q = x instanceof Param xp ? xp : (Param) base;
      if (q.requiresGrad()) {
        throw error(
            op,
            (advanced && x == q ? "a leaf Variable" : "a view of a leaf Variable")
                + " that requires grad is being used in an in-place operation. (assigning"
                + " through an index of the declared param '"
                + q.name()
                + "'; write '"
                + name.text()
                + " = "
                + q.name()
                + ".clone()' first)");
      }
      throw error(
          op,
          "assigning through an index would update the declared input '"
              + q.name()
              + "' in place, which is not supported; write '"
              + name.text()
              + " = "
              + q.name()
              + ".clone()' first");
    }
    if (used.contains(x)
        || (x instanceof Inst i && SAVES_RESULT.contains(i.op()) && requiresGrad(x))) {
      throw error(
          op,
          "assigning through an index would update '"
              + name.text()
              + "' in place after an operation read it (PyTorch's autograd or a view may need the"
              + " old value); build a new tensor instead, e.g. "
              + name.text()
              + "2 = "
              + name.text()
              + ".index_put(...) or torch.where(mask, value, "
              + name.text()
              + ")");
    }
    for (Frame f : frames) {
      for (Map.Entry<String, Val> e : f.vars.entrySet()) {
        if (e.getKey().equals(name.text()) && f == frame()) {
          continue;
        }
        Val held = e.getValue();
        if (refersTo(held, new Val.Tensor(x))
            || (base != x && refersTo(held, new Val.Tensor(base)))) {
          throw error(
              op,
              "assigning through an index updates '"
                  + name.text()
                  + "' in place, and '"
                  + e.getKey()
                  + "' refers to "
                  + (refersTo(held, new Val.Tensor(x))
                      ? "the same tensor"
                      : "the tensor it is a view of")
                  + ", so it would change too; write '"
                  + name.text()
                  + " = "
                  + name.text()
                  + ".clone()' first");
        }
      }
    }
  }

  /** The value bound to {@code name}, or the error of an unknown name. */
  private Val bound(Token name) {
    Val old = lookup(name.text());
    if (old == null) {
      name(name);
    }
    return old;
  }

  /**
   * PyTorch's errors of an in-place {@code op} whose result {@code now} does not keep the dtype or
   * shape of the tensor it writes, {@code was}; {@code hint} ends the message.
   */
  private void checkKeepsType(Token op, Type was, Type now, String hint) {
    if (was.dtype() != now.dtype()) {
      throw error(
          op,
          "result type "
              + now.dtype().mnemonic()
              + " can't be cast to the desired output type "
              + was.dtype().mnemonic()
              + " of the in-place '"
              + op.text()
              + "'"
              + hint);
    }
    if (!was.dims().equals(now.dims())) {
      throw error(
          op,
          "output with shape "
              + was.shapeString()
              + " doesn't match the broadcast shape "
              + now.shapeString()
              + " of the in-place '"
              + op.text()
              + "'");
    }
  }

  /**
   * Ops whose backward reads their own result: PyTorch's autograd fails after an in-place update of
   * such a result.
   */
  private static final Set<String> READS_ONLY =
      Set.of("sum", "mean", "add", "sub", "neg", "negative", "size", "dim", "numel");

  private static final Set<Op> SAVES_RESULT =
      Set.of(
          Op.EXP,
          Op.EXPM1,
          Op.TANH,
          Op.SIGMOID,
          Op.SQRT,
          Op.RSQRT,
          Op.RELU,
          Op.SOFTMAX,
          Op.LOG_SOFTMAX,
          Op.LOGSUMEXP,
          Op.PROD,
          Op.CUMPROD,
          Op.LOGCUMSUMEXP,
          Op.AMAX,
          Op.AMIN,
          Op.POW,
          Op.RECIPROCAL);

  private void checkInPlace(Token name, Token op, Value x) {
    if (used.contains(x)
        || (x instanceof Inst i && SAVES_RESULT.contains(i.op()) && requiresGrad(x))) {
      throw error(
          op,
          "'"
              + op.text()
              + "' would update '"
              + name.text()
              + "' in place after an operation read it (PyTorch's autograd or a view may need the"
              + " old value); "
              + outOfPlace(name, op));
    }
    if (x instanceof Param q) {
      throw error(
          op,
          "'"
              + op.text()
              + "' would update the declared "
              + q.role().keyword()
              + " '"
              + q.name()
              + "' in place, which is not supported; assign a new name");
    }
    checkUnshared(name, op, new Val.Tensor(x));
  }

  /** The suggestion {@code write 'x = x + ...'} for {@code x += ...}. */
  private static String outOfPlace(Token name, Token op) {
    String sym = op.text().substring(0, op.text().length() - 1);
    return "write '" + name.text() + " = " + name.text() + " " + sym + " ...'";
  }

  /** An in-place update is seen through every other name of the object: refuse it then. */
  private void checkUnshared(Token name, Token op, Val v) {
    for (Frame f : frames) {
      for (Map.Entry<String, Val> e : f.vars.entrySet()) {
        if (e.getKey().equals(name.text()) && f == frame()) {
          continue;
        }
        if (refersTo(e.getValue(), v)) {
          throw error(
              op,
              "'"
                  + op.text()
                  + "' updates in place, and '"
                  + e.getKey()
                  + "' refers to the same object, so it would change too; "
                  + outOfPlace(name, op));
        }
      }
    }
  }

  /** Notes that an operation read a tensor, which may then not be updated in place. */
  private void markUsed(Val v) {
    if (v instanceof Val.Tensor t) {
      used.add(t.value());
    } else if (v instanceof Val.Seq s) {
      for (Located item : s.items()) {
        markUsed(item.val());
      }
    }
  }

  private static boolean refersTo(Val holder, Val v) {
    if (holder == v
        || (holder instanceof Val.Tensor h
            && v instanceof Val.Tensor t
            && h.value() == t.value())) {
      return true;
    }
    if (holder instanceof Val.Seq s) {
      for (Located item : s.items()) {
        if (item.val() == v
            || (item.val() instanceof Val.Tensor h
                && v instanceof Val.Tensor t
                && h.value() == t.value())) {
          return true;
        }
      }
    }
    return false;
  }

  private void returnStatement() {
    Token r = next();
    Frame f = frame();
    if (!f.isDef && defBodies == 0 && noGrad > 0) {
      throw error(r, "'return' must be at the top level, not inside 'with no_grad:'");
    }
    int start = p;
    Located v =
        peek().kind() == Kind.NEWLINE
            ? new Located(new Val.Nothing(), pos(peek()))
            : expressionList();
    int end = p;
    expectEndOfStatement();
    if (dry > 0) {
      return;
    }
    if (f.isDef) {
      f.returned = noGrad > 0 ? detached(v.val()) : v.val();
      return;
    }
    List<Value> values = new ArrayList<>();
    List<SourcePos> where = new ArrayList<>();
    if (v.val() instanceof Val.Seq s && s.tuple() && !s.items().isEmpty()) {
      for (Located item : s.items()) {
        if (!(item.val() instanceof Val.Tensor t)) {
          throw new GradcException(
              "the program must return Tensors, not a tuple with a " + item.val().typeName(),
              item.pos());
        }
        values.add(t.value());
        where.add(item.pos());
      }
    } else if (v.val() instanceof Val.Tensor t) {
      values.add(t.value());
      where.add(v.pos());
    } else {
      String got =
          v.val() instanceof Val.Seq s && s.tuple() ? "an empty tuple" : v.val().typeName();
      throw new GradcException(
          "the program must return a Tensor or a tuple of Tensors, not " + got, v.pos());
    }
    results = values;
    resultPositions = where;
    resultNames = returnedNames(start, end);
    resultPos = v.pos();
    f.returned = v.val();
    returnedAtTop = f.blocks == 0;
  }

  /**
   * For each item of the returned expression list in tokens {@code [start, end)}: its name when the
   * item is one name ({@code return logits, loss}), else null.
   */
  private List<String> returnedNames(int start, int end) {
    List<String> names = new ArrayList<>();
    int depth = 0;
    int itemStart = start;
    for (int i = start; i <= end; i++) {
      Token t = i < end ? toks.get(i) : null;
      if (t != null && (t.isOp("(") || t.isOp("[") || t.isOp("{"))) {
        depth++;
      } else if (t != null && (t.isOp(")") || t.isOp("]") || t.isOp("}"))) {
        depth--;
      } else if (t == null || (depth == 0 && t.isOp(","))) {
        if (i > itemStart) {
          Token only = toks.get(itemStart);
          names.add(i == itemStart + 1 && only.kind() == Kind.NAME ? only.text() : null);
        }
        itemStart = i + 1;
      }
    }
    return names;
  }

  // ---------------------------------------------------------------- expressions

  /** {@code a, b, ...} (a tuple) or one expression. */
  private Located expressionList() {
    Located first = expression();
    if (!peek().isOp(",")) {
      return first;
    }
    List<Located> items = new ArrayList<>();
    items.add(first);
    while (acceptOp(",")) {
      Token t = peek();
      if (t.kind() == Kind.NEWLINE || t.isOp("=")) {
        break;
      }
      items.add(expression());
    }
    return new Located(dry > 0 ? UNKNOWN : new Val.Seq(items, true), first.pos());
  }

  private Located expression() {
    Token start = peek();
    if (depth >= MAX_DEPTH) {
      throw error(
          start,
          "expression is nested too deeply (more than " + MAX_DEPTH + " levels of brackets)");
    }
    depth++;
    try {
      return hasConditional() ? conditional() : disjunction();
    } finally {
      depth--;
    }
  }

  /** Whether the expression starting here is {@code a if c else b}: a scan to its end. */
  private boolean hasConditional() {
    int level = 0;
    for (int i = p; i < toks.size(); i++) {
      Token t = toks.get(i);
      switch (t.kind()) {
        case NEWLINE, INDENT, DEDENT, EOF -> {
          return false;
        }
        case OP -> {
          String s = t.text();
          if (s.equals("(") || s.equals("[")) {
            level++;
          } else if (s.equals(")") || s.equals("]")) {
            if (--level < 0) {
              return false;
            }
          } else if (level == 0
              && (s.equals(",") || s.equals(":") || s.endsWith("="))
              && !COMPARISONS.contains(s)) {
            return false;
          }
        }
        case NAME -> {
          if (level == 0 && (t.text().equals("if") || t.text().equals("for"))) {
            return t.text().equals("if");
          }
          if (level == 0 && t.text().equals("else")) {
            return false;
          }
        }
        case INT, FLOAT, STRING -> {}
      }
    }
    return false;
  }

  /** {@code a if c else b}: only the chosen branch is run; the other is parsed. */
  private Located conditional() {
    int start = p;
    skipped(() -> disjunction());
    Token kw = peek();
    if (!kw.isName("if")) {
      throw error(kw, "expected 'if', got " + kw.describe());
    }
    next();
    Located c = disjunction();
    if (!peek().isName("else")) {
      throw error(
          peek(), "expected 'else' in the conditional expression, got " + peek().describe());
    }
    next();
    if (dry > 0) {
      expression();
      return new Located(UNKNOWN, pos(toks.get(start)));
    }
    boolean yes = at(c.pos(), () -> Python.truth(c.val(), "the condition of 'if'"));
    if (!yes) {
      return expression();
    }
    skipped(() -> expression());
    int end = p;
    p = start;
    Located v = disjunction();
    p = end;
    return v;
  }

  /**
   * {@code a or b}: Python's value (the first true operand, or the last); b runs only if needed.
   */
  private Located disjunction() {
    return logical("or", this::conjunction);
  }

  private Located conjunction() {
    return logical("and", this::inversion);
  }

  private Located logical(String word, Supplier<Located> operand) {
    Located l = operand.get();
    while (peek().isName(word)) {
      Token op = next();
      if (dry > 0) {
        dryOperand(operand);
        l = new Located(UNKNOWN, l.pos());
        continue;
      }
      boolean t = truthOf(l, op);
      if (word.equals("or") == t) {
        dryOperand(operand);
      } else {
        l = operand.get();
      }
    }
    return l;
  }

  private Located dryOperand(Supplier<Located> operand) {
    dry++;
    try {
      return operand.get();
    } finally {
      dry--;
    }
  }

  private boolean truthOf(Located v, Token op) {
    if (v.val() instanceof Val.Tensor) {
      throw error(
          op,
          "'"
              + op.text()
              + "' needs the truth of a Tensor, which depends on its data, known only when the"
              + " program runs; for elementwise logic on masks use '"
              + (op.text().equals("and") ? "&" : op.text().equals("or") ? "|" : "~")
              + "'");
    }
    return at(v.pos(), () -> Python.truth(v.val(), "'" + op.text() + "'"));
  }

  private Located inversion() {
    List<Token> nots = new ArrayList<>();
    while (peek().isName("not")) {
      nots.add(next());
    }
    Located v = comparison();
    for (int i = nots.size() - 1; i >= 0; i--) {
      Token t = nots.get(i);
      v = new Located(dry > 0 ? UNKNOWN : Val.Num.ofBool(!truthOf(v, t)), pos(t));
    }
    return v;
  }

  private Operator comparisonOp() {
    Token t = peek();
    if (t.kind() == Kind.OP && COMPARISONS.contains(t.text())) {
      return Operator.bySymbol(t.text());
    }
    return null;
  }

  private boolean membershipNext() {
    return peek().isName("in")
        || peek().isName("is")
        || (peek().isName("not") && peek(1).isName("in"));
  }

  /**
   * {@code a < b}, {@code a in b}, {@code a is None}; chains such as {@code 0 <= i < n} on numbers
   * known when compiling, where a false link skips the rest, as in Python.
   */
  private Located comparison() {
    Located first = bitOr();
    Located l = first;
    Located result = null;
    boolean decided = false;
    while (comparisonOp() != null || membershipNext()) {
      Token t = next();
      if (result != null && dry == 0 && !decided && !(result.val() instanceof Val.Num)) {
        throw error(
            t, "chained comparisons such as 'a < b < c' are not supported; use parentheses");
      }
      boolean negated = false;
      if (t.isName("not") || (t.isName("is") && peek().isName("not"))) {
        negated = true;
        next(); // 'not' after 'is', or 'in' after 'not'
      }
      boolean skip = dry == 0 && decided;
      if (skip) {
        dry++;
      }
      try {
        Located r = bitOr();
        Located left = l;
        boolean neg = negated;
        Val v =
            dry > 0
                ? UNKNOWN
                : t.kind() == Kind.NAME
                    ? membership(t, neg, left, r)
                    : binaryValue(t, Operator.bySymbol(t.text()), left, r).val();
        if (!skip) {
          result = new Located(v, first.pos());
          decided = dry == 0 && v instanceof Val.Num n && n.i() == 0;
        }
        l = r;
      } finally {
        if (skip) {
          dry--;
        }
      }
    }
    return result != null ? result : first;
  }

  /** {@code x in xs}, {@code x not in xs}, {@code x is None}, {@code x is not None}. */
  private Val membership(Token t, boolean negated, Located l, Located r) {
    if (t.isName("is")) {
      if (!(l.val() instanceof Val.Nothing) && !(r.val() instanceof Val.Nothing)) {
        throw error(t, "'is' is supported only with None ('x is None'); compare values with '=='");
      }
      boolean same = l.val() instanceof Val.Nothing && r.val() instanceof Val.Nothing;
      return Val.Num.ofBool(same != negated);
    }
    Val c = r.val();
    boolean found = false;
    if (c instanceof Val.Str s && l.val() instanceof Val.Str x) {
      found = s.s().contains(x.s());
    } else if (c instanceof Val.Seq || c instanceof Val.Range) {
      for (Located item : at(r.pos(), () -> Python.items(r, "'in'"))) {
        if (equal(l.val(), item.val())) {
          found = true;
          break;
        }
      }
    } else {
      throw error(
          t, "argument of type '" + c.typeName() + "' is not a container for 'in' when compiling");
    }
    return Val.Num.ofBool(found != negated);
  }

  private boolean equal(Val a, Val c) {
    if (a instanceof Val.Num x && c instanceof Val.Num y) {
      return Semantics.numbers(Operator.EQ, x, y).i() != 0;
    }
    if (a instanceof Val.Str x && c instanceof Val.Str y) {
      return x.s().equals(y.s());
    }
    if (a instanceof Val.Nothing && c instanceof Val.Nothing) {
      return true;
    }
    if (a instanceof Val.Tensor || c instanceof Val.Tensor) {
      throw new GradcException(
          "comparing a Tensor here needs its data, which is known only when the program runs");
    }
    if (a instanceof Val.Sym || c instanceof Val.Sym) {
      Val.Sym s = a instanceof Val.Sym x ? x : (Val.Sym) c;
      if (a instanceof Val.Sym x
          && c instanceof Val.Sym y
          && x.dim() != null
          && x.dim().equals(y.dim())) {
        return true;
      }
      if (a instanceof Val.Num
          || c instanceof Val.Num
          || (a instanceof Val.Sym && c instanceof Val.Sym)) {
        throw new GradcException(
            "this comparison depends on "
                + s.describe()
                + ", which is known only when the program runs");
      }
    }
    return a.equals(c);
  }

  /**
   * Python's binary operators below the comparisons, with their precedence (higher binds tighter).
   */
  private static final Map<String, Integer> PRECEDENCE =
      Map.ofEntries(
          Map.entry("|", 1),
          Map.entry("^", 2),
          Map.entry("&", 3),
          Map.entry("<<", 4),
          Map.entry(">>", 4),
          Map.entry("+", 5),
          Map.entry("-", 5),
          Map.entry("*", 6),
          Map.entry("/", 6),
          Map.entry("//", 6),
          Map.entry("%", 6),
          Map.entry("@", 6));

  private Integer precedence(Token t) {
    return t.kind() == Kind.OP ? PRECEDENCE.get(t.text()) : null;
  }

  /**
   * The left-associative binary operators, by precedence climbing with explicit stacks: operands
   * are read and computed left to right, each operator applied once both its operands are done.
   */
  private Located bitOr() {
    Deque<Located> operands = new ArrayDeque<>();
    Deque<Token> ops = new ArrayDeque<>();
    operands.push(factor());
    Integer prec;
    while ((prec = precedence(peek())) != null) {
      Token t = next();
      while (!ops.isEmpty() && precedence(ops.peek()) >= prec) {
        reduce(operands, ops);
      }
      ops.push(t);
      operands.push(factor());
    }
    while (!ops.isEmpty()) {
      reduce(operands, ops);
    }
    return operands.pop();
  }

  private void reduce(Deque<Located> operands, Deque<Token> ops) {
    Token t = ops.pop();
    Located r = operands.pop();
    Located l = operands.pop();
    operands.push(binaryValue(t, Operator.bySymbol(t.text()), l, r));
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
      while (peek().isOp("-") || peek().isOp("+") || peek().isOp("~")) {
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
      r = binaryValue(powers.get(i - 1), Operator.POW, operands.get(i - 1), r);
    }
    return applySigns(signs.get(0), r);
  }

  private Located applySigns(List<Token> signs, Located x) {
    Located r = x;
    for (int i = signs.size() - 1; i >= 0; i--) {
      Token t = signs.get(i);
      Val v = r.val();
      if (dry > 0) {
        r = new Located(UNKNOWN, pos(t));
      } else if (t.text().equals("-")) {
        r = new Located(at(pos(t), () -> Semantics.negate(b, v)), pos(t));
      } else if (t.text().equals("~")) {
        r = new Located(at(pos(t), () -> Semantics.invert(b, v)), pos(t));
      } else if (v instanceof Val.Tensor || v instanceof Val.Num || v instanceof Val.Sym) {
        r = new Located(v, pos(t));
      } else {
        throw error(t, "bad operand type for unary +: '" + v.typeName() + "'");
      }
    }
    return r;
  }

  /** {@code l OP r}, with the containers' {@code +} and {@code *} of Python. */
  private Located binaryValue(Token op, Operator kind, Located l, Located r) {
    if (dry > 0) {
      return new Located(UNKNOWN, l.pos());
    }
    Val x = l.val();
    Val y = r.val();
    if (kind == Operator.ADD && x instanceof Val.Seq a && y instanceof Val.Seq c) {
      if (a.tuple() != c.tuple()) {
        throw error(
            op,
            "can only concatenate "
                + a.typeName()
                + " (not \""
                + c.typeName()
                + "\") to "
                + a.typeName());
      }
      List<Located> items = new ArrayList<>(a.items());
      items.addAll(c.items());
      return new Located(new Val.Seq(items, a.tuple()), l.pos());
    }
    if (kind == Operator.ADD && x instanceof Val.Str a && y instanceof Val.Str c) {
      return new Located(new Val.Str(a.s() + c.s()), l.pos());
    }
    if (kind == Operator.MUL && (x instanceof Val.Seq || y instanceof Val.Seq)) {
      Val.Seq s = x instanceof Val.Seq a ? a : (Val.Seq) y;
      Val k = x instanceof Val.Seq ? y : x;
      if (k instanceof Val.Num n && n.integral()) {
        if (s.items().isEmpty() || n.i() <= 0) {
          return new Located(new Val.Seq(List.of(), s.tuple()), l.pos());
        }
        if (n.i() > MAX_ITERATIONS / s.items().size()) {
          throw error(
              op,
              "the repeated "
                  + s.typeName()
                  + " would have more than "
                  + MAX_ITERATIONS
                  + " items");
        }
        List<Located> items = new ArrayList<>();
        for (long i = 0; i < n.i(); i++) {
          items.addAll(s.items());
        }
        return new Located(new Val.Seq(items, s.tuple()), l.pos());
      }
    }
    if ((x instanceof Val.Seq || y instanceof Val.Seq) && kind.comparison()) {
      if (kind == Operator.EQ || kind == Operator.NE) {
        boolean same = at(pos(op), () -> sameItems(x, y));
        return new Located(Val.Num.ofBool(same == (kind == Operator.EQ)), l.pos());
      }
    }
    if ((x instanceof Val.Str
            || y instanceof Val.Str
            || x instanceof Val.Dtype
            || y instanceof Val.Dtype
            || x instanceof Val.Nothing
            || y instanceof Val.Nothing)
        && (kind == Operator.EQ || kind == Operator.NE)) {
      boolean same = at(pos(op), () -> equal(x, y));
      return new Located(Val.Num.ofBool(same == (kind == Operator.EQ)), l.pos());
    }
    if (kind != Operator.ADD && kind != Operator.SUB) {
      markUsed(x);
      markUsed(y);
    }
    Val v = at(pos(op), () -> Semantics.binary(b, kind, x, y));
    return new Located(v, l.pos());
  }

  private boolean sameItems(Val x, Val y) {
    if (!(x instanceof Val.Seq a) || !(y instanceof Val.Seq c) || a.tuple() != c.tuple()) {
      return false;
    }
    if (a.items().size() != c.items().size()) {
      return false;
    }
    for (int i = 0; i < a.items().size(); i++) {
      Val u = a.items().get(i).val();
      Val w = c.items().get(i).val();
      if (u instanceof Val.Seq ? !sameItems(u, w) : !equal(u, w)) {
        return false;
      }
    }
    return true;
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
        v = dry > 0 ? new Located(UNKNOWN, v.pos()) : attribute(v, name);
        calleeTok = name;
      } else if (t.isOp("[")) {
        next();
        v = subscript(v, t);
      } else {
        return v;
      }
    }
  }

  /** One index of a subscript as written: {@code ...}, {@code a:b:c} or an expression. */
  private record RawIndex(Token at, List<Located> parts, boolean slice, boolean ellipsis) {
    /** Part {@code i} of {@code a:b:c}, or the index itself; null when left out. */
    Located part(int i) {
      return parts.get(i);
    }
  }

  /**
   * {@code v[i]} or {@code v[a:b:c]} of a list, tuple or range, or PyTorch's basic indexing of a
   * tensor ({@code x[1:, None, ..., ::2]}).
   */
  private Located subscript(Located v, Token open) {
    List<RawIndex> raw = subscriptItems();
    if (dry > 0) {
      return new Located(UNKNOWN, v.pos());
    }
    return subscriptValue(v, open, raw);
  }

  /** The indices of a subscript after its {@code [}, through its {@code ]}. */
  private List<RawIndex> subscriptItems() {
    List<RawIndex> raw = new ArrayList<>();
    while (true) {
      Token at = peek();
      if (acceptOp("...")) {
        raw.add(new RawIndex(at, null, false, true));
      } else {
        Located[] parts = new Located[3];
        boolean slice = false;
        int k = 0;
        while (true) {
          if (!peek().isOp(":") && !peek().isOp("]") && !peek().isOp(",")) {
            parts[k] = expression();
          }
          if (peek().isOp(":") && k < 2) {
            next();
            slice = true;
            k++;
            continue;
          }
          break;
        }
        raw.add(new RawIndex(at, Arrays.asList(parts), slice, false));
      }
      if (!acceptOp(",") || peek().isOp("]")) {
        break;
      }
    }
    expectOp("]", "to close the index");
    return raw;
  }

  /** {@code v[raw]} once its indices are evaluated. */
  private Located subscriptValue(Located v, Token open, List<RawIndex> raw) {
    for (RawIndex r : raw) {
      if (!r.ellipsis() && !r.slice() && r.part(0) == null) {
        throw error(r.at(), "expected an index inside '[]'");
      }
    }
    if (v.val() instanceof Val.Tensor t) {
      return tensorSubscript(v, t, raw, open);
    }
    if (raw.size() > 1) {
      throw error(raw.get(1).at(), "indexing with several indices is not supported");
    }
    if (raw.get(0).ellipsis()) {
      throw error(raw.get(0).at(), "'...' indexes tensors only");
    }
    Located[] parts = raw.get(0).parts().toArray(new Located[0]);
    boolean slice = raw.get(0).slice();
    Val target = v.val();
    if (!(target instanceof Val.Seq) && !(target instanceof Val.Range)) {
      throw error(open, "'" + target.typeName() + "' object is not subscriptable");
    }
    List<Located> items = at(v.pos(), () -> Python.items(v, "indexing"));
    String kind = target.typeName();
    if (!slice) {
      long i = index(parts[0], kind);
      long n = items.size();
      long j = i < 0 ? i + n : i;
      if (j < 0 || j >= n) {
        throw new GradcException(kind + " index out of range", parts[0].pos());
      }
      Located item = items.get((int) j);
      return new Located(item.val(), v.pos());
    }
    long n = items.size();
    long step = parts[2] == null ? 1 : index(parts[2], kind);
    if (step == 0) {
      throw new GradcException("slice step cannot be zero", parts[2].pos());
    }
    long lo = step > 0 ? 0 : -1;
    long hi = step > 0 ? n : n - 1;
    long start =
        parts[0] == null ? (step > 0 ? lo : hi) : clampIndex(index(parts[0], kind), n, lo, hi);
    long stop =
        parts[1] == null ? (step > 0 ? hi : lo) : clampIndex(index(parts[1], kind), n, lo, hi);
    List<Located> out = new ArrayList<>();
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.add(items.get((int) i));
    }
    return new Located(new Val.Seq(out, target instanceof Val.Seq s && s.tuple()), v.pos());
  }

  /**
   * PyTorch's indexing of a tensor: integers, slices, {@code None} and {@code ...}, applied left to
   * right as views ({@link Indexing}), then the long tensors among the indices, which index the
   * dims they stand at together ({@link Gathering#indexTensors}); an error points at the index at
   * fault.
   */
  private Located tensorSubscript(Located v, Val.Tensor t, List<RawIndex> raw, Token open) {
    List<Integer> tensorAt = new ArrayList<>();
    List<Value> tensors = new ArrayList<>();
    for (int k = 0; k < raw.size(); k++) {
      RawIndex r = raw.get(k);
      if (!r.ellipsis() && !r.slice() && r.part(0).val() instanceof Val.Tensor idx) {
        tensorAt.add(k);
        tensors.add(idx.value());
        markUsed(idx);
      }
    }
    List<Indexing.Step> steps = basicSteps(t, raw, open);
    markUsed(t);
    Value x = t.value();
    for (Indexing.Step s : steps) {
      Value in = x;
      x = at(pos(open), () -> Indexing.apply(b, in, s));
    }
    if (tensors.isEmpty()) {
      return new Located(new Val.Tensor(x), v.pos());
    }
    int[] dims = Indexing.keptDims(basicItems(raw), tensorAt, t.value().type().rank());
    Value viewed = x;
    Token first = raw.get(tensorAt.get(0)).at();
    Value rows = at(pos(first), () -> Gathering.indexTensors(b, viewed, dims, tensors));
    return new Located(new Val.Tensor(rows), v.pos());
  }

  /**
   * The views of PyTorch's basic indexing of {@code t}, a tensor index standing for {@code :}; an
   * error points at the index at fault.
   */
  private List<Indexing.Step> basicSteps(Val.Tensor t, List<RawIndex> raw, Token open) {
    List<Indexing.Item> items = basicItems(raw);
    List<Indexing.Step> steps;
    try {
      steps = Indexing.plan(items, t.value().type().dims());
    } catch (Indexing.ItemError e) {
      RawIndex r = raw.get(e.item());
      throw new GradcException(e.getMessage(), pos(r.at()));
    } catch (GradcException e) {
      throw e.at(pos(open));
    }
    return steps;
  }

  /** The items of {@code raw}, a tensor index standing for {@code :}. */
  private List<Indexing.Item> basicItems(List<RawIndex> raw) {
    List<Indexing.Item> items = new ArrayList<>();
    for (RawIndex r : raw) {
      if (r.ellipsis()) {
        items.add(Indexing.Marker.ELLIPSIS);
      } else if (r.slice()) {
        items.add(
            new Indexing.Range(
                tensorIndex(r.part(0)), tensorIndex(r.part(1)), tensorIndex(r.part(2))));
      } else if (r.part(0).val() instanceof Val.Nothing) {
        items.add(Indexing.Marker.NEW_AXIS);
      } else if (r.part(0).val() instanceof Val.Tensor) {
        items.add(new Indexing.Range(null, null, null));
      } else {
        items.add(new Indexing.At(tensorIndex(r.part(0))));
      }
    }
    return items;
  }

  /** A bound or index of a tensor subscript: an int known when compiling, or null for None. */
  private Long tensorIndex(Located a) {
    if (a == null || a.val() instanceof Val.Nothing) {
      return null;
    }
    Val v = a.val();
    if (v instanceof Val.Num n && n.kind() == Val.Num.NumKind.INT) {
      return n.i();
    }
    if (v instanceof Val.Sym) {
      return index(a, "tensor");
    }
    throw new GradcException(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid"
            + " indices (got "
            + v.typeName()
            + ")",
        a.pos());
  }

  private static long clampIndex(long i, long n, long lo, long hi) {
    long j = i < 0 ? i + n : i;
    return Math.max(lo, Math.min(hi, j));
  }

  private long index(Located a, String kind) {
    Val v = a.val();
    if (v instanceof Val.Num n && n.integral()) {
      return n.i();
    }
    if (v instanceof Val.Sym s) {
      throw new GradcException(
          "a "
              + kind
              + " index must be known when compiling, but "
              + s.describe()
              + " is known only when the program runs",
          a.pos());
    }
    throw new GradcException(
        kind + " indices must be integers or slices, not " + v.typeName(), a.pos());
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
      case STRING -> {
        StringBuilder s = new StringBuilder(t.text());
        while (peek().kind() == Kind.STRING) {
          s.append(next().text());
        }
        return new Located(new Val.Str(s.toString()), pos(t));
      }
      case NAME -> {
        if (t.isName("lambda")) {
          throw error(t, "'lambda' is not supported; define a function with 'def'");
        }
        return new Located(dry > 0 ? UNKNOWN : name(t), pos(t));
      }
      case OP -> {
        if (t.isOp("(")) {
          return parenthesized(t);
        }
        if (t.isOp("[")) {
          List<Located> items = items("]");
          return new Located(new Val.Seq(items, false), pos(t));
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
    rejectComprehension();
    while (!peek().isOp(close)) {
      out.add(expression());
      if (peek().isName("for")) {
        throw error(peek(), "comprehensions are not supported; use a 'for' loop");
      }
      if (!acceptOp(",")) {
        break;
      }
    }
    expectOp(close, "to close the " + (close.equals("]") ? "list" : "tuple"));
    return out;
  }

  private Val name(Token t) {
    String n = t.text();
    Val v = lookup(n);
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
      case "inf", "nan" -> {
        if (lookup(n) == null) {
          throw error(
              t,
              "unknown name '"
                  + n
                  + "': Python has no built-in '"
                  + n
                  + "'; write math."
                  + n
                  + ", float('"
                  + n
                  + "') or 'from math import "
                  + n
                  + "'");
        }
      }
      default -> {}
    }
    if (KEYWORDS.contains(n)) {
      throw error(t, "'" + n + "' is not supported in .grad programs");
    }
    if (Python.BUILTINS.contains(n)) {
      return new Val.PyFunction(n);
    }
    if (FuncTransforms.NAMES.contains(n)) {
      return new Val.Transform(n);
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
    Val dim = symbolicDim(n);
    if (dim != null) {
      return dim;
    }
    if (assignedSomewhere.contains(n)) {
      throw error(t, "'" + n + "' is used before assignment");
    }
    if (peek().isOp("(")) {
      String unsupported = Diagnostics.unsupported("function", "", n, Builtins.functionNames());
      throw error(
          t,
          unsupported != null
              ? unsupported
              : "unknown function '"
                  + n
                  + "'"
                  + Diagnostics.suggestion(n, Builtins.functionNames()));
    }
    Set<String> known = new TreeSet<>(frame().vars.keySet());
    known.addAll(frames.peekLast().vars.keySet());
    known.addAll(Builtins.functionNames());
    throw error(t, "unknown name '" + n + "'" + Diagnostics.suggestion(n, known));
  }

  /** A declared symbolic dim such as {@code N}, as the int it is when the program runs. */
  private Val symbolicDim(String n) {
    for (Param q : b.params()) {
      List<Dim> dims = q.type().dims();
      for (int i = 0; i < dims.size(); i++) {
        if (n.equals(dims.get(i).symbol()) && dims.get(i).factor() == 1) {
          return new Val.Sym(true, dims.get(i), q, i, null);
        }
      }
    }
    return null;
  }

  private Located attribute(Located target, Token name) {
    String n = name.text();
    Val v = target.val();
    if (v instanceof Val.Tensor t) {
      Value x = t.value();
      switch (n) {
        case "shape" -> {
          return new Located(Python.shape(x, target.pos()), target.pos());
        }
        case "ndim" -> {
          return new Located(Val.Num.ofInt(x.type().rank()), target.pos());
        }
        case "dtype" -> {
          return new Located(new Val.Dtype(x.type().dtype()), target.pos());
        }
        default -> {}
      }
      if (Builtins.PROPERTIES.contains(n)) {
        markUsed(v);
        return new Located(
            new Val.Tensor(at(pos(name), () -> Builtins.property(b, n, x))), target.pos());
      }
      Builtin f = Builtins.lookup(n);
      if (f != null && f.forms().method()) {
        return new Located(new Val.Function(f, target), target.pos());
      }
      Set<String> known = new TreeSet<>(Builtins.methodNames());
      String unsupported = Diagnostics.unsupported("method", "Tensor.", n, known);
      if (f == null && unsupported != null) {
        throw error(name, unsupported);
      }
      known.addAll(Builtins.PROPERTIES);
      known.addAll(List.of("shape", "ndim", "dtype"));
      throw error(name, "Tensor has no attribute '" + n + "'" + Diagnostics.suggestion(n, known));
    }
    if (v instanceof Val.Module m) {
      if (m.name().equals("functorch") || m.name().equals("torch.func")) {
        if (FuncTransforms.NAMES.contains(n)) {
          return new Located(new Val.Transform(n), target.pos());
        }
        throw error(
            name,
            "module '"
                + m.name()
                + "' has no transform '"
                + n
                + "'"
                + Diagnostics.suggestion(n, FuncTransforms.NAMES));
      }
      if (m.name().equals("math")) {
        Double c = Python.MATH_CONSTANTS.get(n);
        if (c != null) {
          return new Located(Val.Num.ofFloat(c), target.pos());
        }
        if (Python.isMathFunction(n)) {
          return new Located(new Val.PyFunction("math." + n), target.pos());
        }
        throw error(
            name,
            "module 'math' has no attribute '"
                + n
                + "'"
                + Diagnostics.suggestion(n, Python.mathNames()));
      }
      if (n.equals("nn")
          || n.equals("functional")
          || (m.name().equals("torch")
              && (n.equals("linalg") || n.equals("special") || n.equals("func")))) {
        return new Located(new Val.Module(m.name() + "." + n), target.pos());
      }
      if (m.name().equals("torch")) {
        DType dt = DTYPES.get(n);
        if (dt != null) {
          return new Located(new Val.Dtype(dt), target.pos());
        }
        if (n.equals("inf") || n.equals("nan")) {
          return new Located(
              Val.Num.ofFloat(n.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN),
              target.pos());
        }
      }
      Builtin f = Builtins.lookup(n);
      if (f != null && f.forms().function()) {
        return new Located(new Val.Function(f, null), target.pos());
      }
      String unsupported =
          Diagnostics.unsupported("function", m.name() + ".", n, Builtins.functionNames());
      if (f == null && unsupported != null) {
        throw error(name, unsupported);
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

  /** A {@code for} inside the brackets that start here would be a comprehension. */
  private void rejectComprehension() {
    int level = 0;
    for (int i = p; i < toks.size(); i++) {
      Token t = toks.get(i);
      if (t.isOp("(") || t.isOp("[")) {
        level++;
      } else if (t.isOp(")") || t.isOp("]")) {
        if (--level < 0) {
          return;
        }
      } else if (level == 0 && t.isName("for")) {
        throw error(t, "comprehensions are not supported; use a 'for' loop");
      } else if (t.kind() == Kind.NEWLINE || t.kind() == Kind.EOF) {
        return;
      }
    }
  }

  private Located call(Located callee, Token calleeTok) {
    List<CallArg> args = new ArrayList<>();
    rejectComprehension();
    Set<String> keywords = new HashSet<>();
    while (!peek().isOp(")")) {
      Token start = peek();
      if (start.isOp("*") || start.isOp("**")) {
        throw error(start, "argument unpacking with '" + start.text() + "' is not supported");
      }
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
      if (peek().isName("for")) {
        throw error(peek(), "comprehensions are not supported; use a 'for' loop");
      }
      if (!acceptOp(",")) {
        break;
      }
    }
    expectOp(")", "to close the call");
    if (dry > 0) {
      return new Located(UNKNOWN, callee.pos());
    }
    SourcePos at = pos(calleeTok);
    Val fv = callee.val();
    if (fv instanceof Val.UserFunction u) {
      return new Located(inline(u, args, calleeTok), callee.pos());
    }
    if (fv instanceof Val.Transform t) {
      if (t.name().equals("jvp") || t.name().equals("vjp")) {
        for (CallArg c : args) {
          markUsed(c.value().val());
        }
        FuncTransforms.Tracer tracer = tracer(calleeTok);
        return new Located(
            at(
                at,
                () ->
                    t.name().equals("jvp")
                        ? FuncTransforms.jvp(b, args, at, tracer)
                        : FuncTransforms.vjp(b, args, at, tracer)),
            callee.pos());
      }
      return new Located(FuncTransforms.wrap(t.name(), args, at), callee.pos());
    }
    if (fv instanceof Val.Transformed t) {
      return new Located(transformedCall(t, args, calleeTok), callee.pos());
    }
    if (fv instanceof Val.Pullback pb) {
      List<Located> cotangents = new ArrayList<>();
      for (CallArg c : args) {
        if (c.keyword() != null) {
          throw new GradcException(
              "pass the cotangents by position, not '" + c.keyword() + "='", c.keywordPos());
        }
        markUsed(c.value().val());
        cotangents.add(c.value());
      }
      return new Located(at(at, () -> FuncTransforms.pull(b, pb, cotangents, at)), callee.pos());
    }
    if (fv instanceof Val.PyFunction py) {
      List<Located> positional = positionalOnly(py.name(), args);
      Val v =
          py.name().startsWith("math.")
              ? Python.math(py.name().substring("math.".length()), positional, at)
              : at(at, () -> Python.builtin(b, py.name(), positional, at));
      return new Located(v, callee.pos());
    }
    if (!(fv instanceof Val.Function fn)) {
      String what = calleeTok.kind() == Kind.NAME ? "'" + calleeTok.text() + "'" : "the value";
      throw error(
          calleeTok, what + " is a " + fv.typeName() + ", not a function; it cannot be called");
    }
    if (!READS_ONLY.contains(fn.builtin().name())) {
      if (fn.self() != null) {
        markUsed(fn.self().val());
      }
      for (CallArg c : args) {
        markUsed(c.value().val());
      }
    }
    Args a = Args.bind(fn.builtin(), fn.self(), args, at);
    Val v = at(at, () -> fn.builtin().body().apply(b, a));
    return new Located(v, callee.pos());
  }

  private List<Located> positionalOnly(String fn, List<CallArg> args) {
    List<Located> out = new ArrayList<>();
    for (CallArg a : args) {
      if (a.keyword() != null) {
        throw new GradcException(fn + "() takes no keyword arguments", a.keywordPos());
      }
      out.add(a.value());
    }
    return out;
  }

  /** Calls a def under torch.func transforms ({@link FuncTransforms}). */
  private Val transformedCall(Val.Transformed t, List<CallArg> args, Token at) {
    List<Located> positional = new ArrayList<>();
    for (CallArg c : args) {
      if (c.keyword() != null) {
        throw new GradcException(
            "pass the arguments of a transformed function by position, not '" + c.keyword() + "='",
            c.keywordPos());
      }
      markUsed(c.value().val());
      positional.add(c.value());
    }
    SourcePos pos = pos(at);
    return at(pos, () -> FuncTransforms.call(b, t, positional, pos, tracer(at)));
  }

  /**
   * Runs a def's body on given tensors, for {@link FuncTransforms}; errors name the call {@code
   * at}.
   */
  private FuncTransforms.Tracer tracer(Token at) {
    return new FuncTransforms.Tracer() {
      @Override
      public Val trace(Val.UserFunction u, List<Value> values, SourcePos where) {
        List<CallArg> bound = new ArrayList<>();
        for (Value v : values) {
          bound.add(new CallArg(null, new Located(new Val.Tensor(v), where), null));
        }
        return inline(u, bound, at);
      }

      @Override
      public void tracedOnly(int from, int to) {
        tracedOnly.set(from, to);
      }
    };
  }

  /**
   * Calls a def by running its body in a new frame with the arguments bound, as Python binds them.
   * A def that is already running is a recursive call, which cannot be inlined.
   */
  private Val inline(Val.UserFunction u, List<CallArg> args, Token at) {
    String fn = u.name() + "()";
    for (Val.UserFunction running : active) {
      if (running.bodyStart() == u.bodyStart()) {
        throw error(
            at,
            "recursive call of '"
                + u.name()
                + "': a def is inlined where it is called, so it cannot call itself"
                + (active.get(active.size() - 1).bodyStart() == u.bodyStart()
                    ? ""
                    : " (here through '" + active.get(active.size() - 1).name() + "')"));
      }
    }
    if (active.size() >= MAX_CALL_DEPTH) {
      throw error(at, "defs call each other more than " + MAX_CALL_DEPTH + " deep");
    }
    Frame f = new Frame(true);
    List<String> params = u.params();
    int positional = 0;
    for (CallArg a : args) {
      if (a.keyword() == null) {
        if (positional >= params.size()) {
          throw new GradcException(
              fn
                  + " takes "
                  + params.size()
                  + " positional argument"
                  + (params.size() == 1 ? "" : "s")
                  + " but "
                  + (args.stream().filter(c -> c.keyword() == null).count())
                  + " were given",
              a.value().pos());
        }
        f.vars.put(params.get(positional++), a.value().val());
      } else {
        if (!params.contains(a.keyword())) {
          throw new GradcException(
              fn
                  + " got an unexpected keyword argument '"
                  + a.keyword()
                  + "'"
                  + Diagnostics.suggestion(a.keyword(), params),
              a.keywordPos());
        }
        if (f.vars.containsKey(a.keyword())) {
          throw new GradcException(
              fn + " got multiple values for argument '" + a.keyword() + "'", a.keywordPos());
        }
        f.vars.put(a.keyword(), a.value().val());
      }
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      if (!f.vars.containsKey(params.get(i))) {
        if (u.defaults().get(i) == null) {
          missing.add("'" + params.get(i) + "'");
        } else {
          f.vars.put(params.get(i), u.defaults().get(i));
        }
      }
    }
    if (!missing.isEmpty()) {
      throw error(
          at,
          fn
              + " missing "
              + missing.size()
              + " required positional argument"
              + (missing.size() == 1 ? "" : "s")
              + ": "
              + String.join(" and ", missing));
    }
    int saved = p;
    frames.push(f);
    active.add(u);
    try {
      p = u.bodyStart();
      block(false);
    } catch (GradcException e) {
      SourcePos where = pos(at);
      String note = " (in " + u.name() + "(), called on line " + where.line() + ")";
      if (e.pos() == null || e.getMessage().endsWith(note)) {
        throw e;
      }
      GradcException located = new GradcException(e.getMessage() + note, e.pos());
      located.setStackTrace(e.getStackTrace());
      throw located;
    } finally {
      active.remove(active.size() - 1);
      frames.pop();
      p = saved;
    }
    return f.returned != null ? f.returned : new Val.Nothing();
  }

  // ---------------------------------------------------------------- building

  /**
   * Runs one step of building at a source position: errors without a position get this one, and the
   * instructions the step emits are attributed to it.
   */
  private <T> T at(SourcePos pos, Supplier<T> step) {
    T v;
    Origin outer = b.at(pos);
    try {
      v = step.get();
    } catch (GradcException e) {
      throw e.at(pos);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new GradcException(String.valueOf(e.getMessage()), pos);
    } finally {
      b.at(outer);
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
