package dev.gradc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the IR text that {@link Printer} writes. Instructions are appended as written (no folding),
 * so print, parse and print again gives the same text. Errors carry line and column.
 *
 * <pre>
 * func    := 'func' '@' NAME '(' [param {',' param}] ')' '->' results '{' {inst} ret '}'
 * param   := ['input'] '%' NAME ':' type
 * results := type | '(' type {',' type} ')'
 * inst    := '%' NUM ':' type '=' OP operand {',' operand} {',' attr} [';' comment]
 * attr    := 'dims' '=' '[' [INT {',' INT}] ']' | 'keepdim' '=' ('true' | 'false')
 * ret     := 'ret' operand {',' operand}
 * operand := '%' NAME | '%' NUM | NUMBER | 'inf' | '-inf' | 'nan'
 * type    := DTYPE ['[' [dim {',' dim}] ']'],   dim := INT | SYM | INT '*' SYM
 * </pre>
 */
public final class Parser {
  private final String file;
  private final String src;
  private int pos;
  private int line = 1;
  private int lineStart;

  private Parser(String file, String src) {
    this.file = file;
    this.src = src;
  }

  /** Parses one function. */
  public static Func parse(String text) {
    return parse("<ir>", text);
  }

  public static Func parse(String file, String text) {
    Parser p = new Parser(file, text);
    Func f = p.function();
    p.skipSpace();
    if (p.pos < p.src.length()) {
      throw p.error("unexpected text after the function");
    }
    return f;
  }

  private Func function() {
    keyword("func");
    expect('@');
    String name = word("function name");
    Builder b = new Builder(name);
    Map<String, Value> env = new HashMap<>();
    expect('(');
    if (!peekIs(')')) {
      do {
        SourcePos at = here();
        Role role = Role.PARAM;
        if (peekWord("input")) {
          word("input");
          role = Role.INPUT;
        }
        expect('%');
        String pname = word("parameter name");
        expect(':');
        Type t = type();
        try {
          env.put(pname, b.addParam(pname, t, role));
        } catch (GradcException e) {
          throw e.at(at);
        }
      } while (accept(','));
    }
    expect(')');
    expect('-');
    expect('>');
    List<Type> resultTypes = new ArrayList<>();
    if (accept('(')) {
      do {
        resultTypes.add(type());
      } while (accept(','));
      expect(')');
    } else {
      resultTypes.add(type());
    }
    expect('{');
    Map<Inst, List<String>> notes = new HashMap<>();
    while (!peekWord("ret")) {
      SourcePos at = here();
      if (!peekIs('%')) {
        throw error("expected an instruction or 'ret' but found " + found());
      }
      expect('%');
      String vname = word("value number");
      if (env.containsKey(vname)) {
        throw new GradcException("%" + vname + " is defined twice", at);
      }
      expect(':');
      Type t = type();
      expect('=');
      SourcePos opAt = here();
      String mnemonic = word("op");
      Op op = Op.byMnemonic(mnemonic);
      if (op == null) {
        throw new GradcException("unknown op '" + mnemonic + "'", opAt);
      }
      List<Object> operands = new ArrayList<>();
      List<Integer> dims = new ArrayList<>();
      boolean keepdim = false;
      boolean first = true;
      while (first || acceptOnLine(',')) {
        first = false;
        if (peekAttr()) {
          SourcePos attrAt = here();
          String attr = word("attribute");
          expect('=');
          if (attr.equals("dims")) {
            expect('[');
            if (!peekIs(']')) {
              do {
                dims.add(integer());
              } while (accept(','));
            }
            expect(']');
          } else if (attr.equals("keepdim")) {
            keepdim = bool();
          } else {
            throw new GradcException("unknown attribute '" + attr + "'", attrAt);
          }
        } else {
          operands.add(operand(env));
        }
      }
      Value[] in = resolveOperands(op, operands, t);
      Inst inst;
      try {
        inst = b.emit(op, t, in, dims.stream().mapToInt(Integer::intValue).toArray(), keepdim);
      } catch (GradcException e) {
        throw e.at(opAt);
      }
      env.put(vname, inst);
      List<String> adj = comment();
      if (!adj.isEmpty()) {
        notes.put(inst, adj);
      }
    }
    word("ret");
    List<Value> rets = new ArrayList<>();
    do {
      SourcePos at = here();
      Object o = operand(env);
      int k = rets.size();
      if (k >= resultTypes.size()) {
        throw new GradcException("more results than the signature declares", at);
      }
      Value v = o instanceof Double ? new Lit((Double) o, resultTypes.get(k).dtype()) : (Value) o;
      if (!v.type().equals(resultTypes.get(k))) {
        throw new GradcException(
            "result " + k + " is " + v.type() + ", but the signature says " + resultTypes.get(k),
            at);
      }
      rets.add(v);
    } while (accept(','));
    if (rets.size() != resultTypes.size()) {
      throw error("the signature declares " + resultTypes.size() + " results");
    }
    expect('}');
    for (Map.Entry<Inst, List<String>> e : notes.entrySet()) {
      for (String n : e.getValue()) {
        Value fwd = env.get(n);
        if (fwd != null) {
          b.noteAdjoint(e.getKey(), fwd);
        }
      }
    }
    b.ret(rets.toArray(new Value[0]));
    return b.build();
  }

  /** Literal operands take the dtype of the op's data operands (bool for a where condition). */
  private static Value[] resolveOperands(Op op, List<Object> operands, Type result) {
    DType data = null;
    for (int i = 0; i < operands.size(); i++) {
      if (operands.get(i) instanceof Value && !(op == Op.WHERE && i == 0)) {
        data = ((Value) operands.get(i)).type().dtype();
        break;
      }
    }
    if (data == null) {
      data = op.isComparison() ? DType.F64 : result.dtype();
    }
    Value[] in = new Value[operands.size()];
    for (int i = 0; i < in.length; i++) {
      Object o = operands.get(i);
      in[i] =
          o instanceof Double
              ? new Lit((Double) o, op == Op.WHERE && i == 0 ? DType.BOOL : data)
              : (Value) o;
    }
    return in;
  }

  private Object operand(Map<String, Value> env) {
    skipSpace();
    SourcePos at = here();
    if (accept('%')) {
      String n = word("value");
      Value v = env.get(n);
      if (v == null) {
        throw new GradcException("%" + n + " is not defined", at);
      }
      return v;
    }
    return number();
  }

  /** The names after {@code ; adj}, or nothing. */
  private List<String> comment() {
    skipBlanks();
    List<String> names = new ArrayList<>();
    if (pos < src.length() && src.charAt(pos) == ';') {
      int end = src.indexOf('\n', pos);
      String text = src.substring(pos + 1, end < 0 ? src.length() : end).trim();
      pos = end < 0 ? src.length() : end;
      if (text.startsWith("adj ")) {
        for (String n : text.substring(4).split(",", -1)) {
          String t = n.trim();
          if (t.startsWith("%")) {
            names.add(t.substring(1));
          }
        }
      }
    }
    return names;
  }

  private Type type() {
    SourcePos at = here();
    String d = word("dtype");
    DType dt = DType.byMnemonic(d);
    if (dt == null) {
      throw new GradcException("unknown dtype '" + d + "'", at);
    }
    List<Dim> dims = new ArrayList<>();
    if (peekIs('[')) {
      expect('[');
      if (!peekIs(']')) {
        do {
          dims.add(dim());
        } while (accept(','));
      }
      expect(']');
    }
    return new Type(dt, dims);
  }

  private Dim dim() {
    SourcePos at = here();
    if (pos < src.length() && (isDigit(src.charAt(pos)) || src.charAt(pos) == '-')) {
      int k = integer();
      boolean symbolic = accept('*');
      if (k < (symbolic ? 1 : 0)) {
        throw new GradcException("invalid dimension " + k, at);
      }
      return symbolic ? new Dim(k, word("dimension symbol")) : Dim.of(k);
    }
    return Dim.sym(word("dimension"));
  }

  // ---------------------------------------------------------------- lexing

  private SourcePos here() {
    skipSpace();
    return new SourcePos(file, line, pos - lineStart + 1);
  }

  private GradcException error(String msg) {
    return new GradcException(msg, here());
  }

  private void skipBlanks() {
    while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private void skipSpace() {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '\n') {
        line++;
        lineStart = pos + 1;
      } else if (c == ';' || c == '#') {
        while (pos < src.length() && src.charAt(pos) != '\n') {
          pos++;
        }
        continue;
      } else if (!Character.isWhitespace(c)) {
        return;
      }
      pos++;
    }
  }

  private boolean peekIs(char c) {
    skipSpace();
    return pos < src.length() && src.charAt(pos) == c;
  }

  private boolean accept(char c) {
    if (peekIs(c)) {
      pos++;
      return true;
    }
    return false;
  }

  private boolean acceptOnLine(char c) {
    skipBlanks();
    if (pos < src.length() && src.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!accept(c)) {
      throw error("expected '" + c + "' but found " + found());
    }
  }

  /** The next character, quoted, or "end of input". */
  private String found() {
    return pos < src.length() ? "'" + src.charAt(pos) + "'" : "end of input";
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.';
  }

  private boolean peekWord(String w) {
    skipSpace();
    return src.startsWith(w, pos)
        && (pos + w.length() >= src.length() || !isWordChar(src.charAt(pos + w.length())));
  }

  private boolean peekAttr() {
    skipSpace();
    int p = pos;
    while (p < src.length() && isWordChar(src.charAt(p))) {
      p++;
    }
    while (p < src.length() && src.charAt(p) == ' ') {
      p++;
    }
    return p > pos
        && p < src.length()
        && src.charAt(p) == '='
        && Character.isLetter(src.charAt(pos));
  }

  private void keyword(String w) {
    if (!peekWord(w)) {
      throw error("expected '" + w + "'");
    }
    pos += w.length();
  }

  private String word(String what) {
    skipSpace();
    int start = pos;
    while (pos < src.length() && isWordChar(src.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected " + what);
    }
    return src.substring(start, pos);
  }

  /** ASCII digits only: {@link Integer#parseInt} would also read other scripts' digits. */
  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private int integer() {
    skipSpace();
    int start = pos;
    if (pos < src.length() && src.charAt(pos) == '-') {
      pos++;
    }
    while (pos < src.length() && isDigit(src.charAt(pos))) {
      pos++;
    }
    try {
      return Integer.parseInt(src.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("expected an integer");
    }
  }

  private boolean bool() {
    String w = word("true or false");
    if (w.equals("true")) {
      return true;
    }
    if (w.equals("false")) {
      return false;
    }
    throw error("expected true or false");
  }

  private double number() {
    skipSpace();
    int start = pos;
    if (pos < src.length() && (src.charAt(pos) == '-' || src.charAt(pos) == '+')) {
      pos++;
    }
    while (pos < src.length()
        && (isWordChar(src.charAt(pos))
            || ((src.charAt(pos) == '-' || src.charAt(pos) == '+')
                && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E')))) {
      pos++;
    }
    String t = src.substring(start, pos);
    switch (t) {
      case "inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "nan" -> {
        return Double.NaN;
      }
      default -> {
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e) {
          pos = start;
          throw error("expected an operand, found '" + t + "'");
        }
      }
    }
  }
}
