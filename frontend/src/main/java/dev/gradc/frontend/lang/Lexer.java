package dev.gradc.frontend.lang;

import dev.gradc.frontend.lang.Token.Kind;
import dev.gradc.ir.GradcException;
import dev.gradc.ir.SourcePos;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a {@code .grad} program into tokens the way Python does: a {@code NEWLINE} ends each
 * logical line, {@code INDENT} and {@code DEDENT} mark blocks, and line breaks inside brackets are
 * ignored. Blank lines and {@code #} comments produce nothing. The lexer keeps an explicit stack of
 * open brackets, so any depth of nesting is scanned without recursion.
 */
final class Lexer {
  private static final Set<String> THREE_CHAR_OPS = Set.of("**=", "//=", "<<=", ">>=", "...");
  private static final Set<String> TWO_CHAR_OPS =
      Set.of(
          "**", "<=", ">=", "==", "!=", "//", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "@=", "&=",
          "|=", "^=", "->");
  private static final String ONE_CHAR_OPS = "+-*/@()[],:=.<>%&|^~";

  private final String file;
  private final String src;
  private final List<Token> out = new ArrayList<>();
  private final Deque<Token> brackets = new ArrayDeque<>();
  private final Deque<Integer> indents = new ArrayDeque<>();
  private int pos;
  private int line = 1;
  private int lineStart;
  private int lastLine = 1;
  private int lastEndColumn = 1;

  private Lexer(String file, String src) {
    this.file = file;
    this.src = src;
  }

  static List<Token> tokenize(String file, String src) {
    return new Lexer(file, src).run();
  }

  private List<Token> run() {
    indents.push(0);
    boolean lineStartPending = true;
    while (pos < src.length()) {
      if (lineStartPending && brackets.isEmpty()) {
        if (indentation()) {
          continue;
        }
        lineStartPending = false;
      }
      char c = src.charAt(pos);
      if (c == '\n') {
        newline();
        if (brackets.isEmpty()) {
          lineStartPending = true;
        }
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        pos++;
      } else if (c == '#') {
        skipComment();
      } else if (c == '\\') {
        continuation();
      } else if (c == ';') {
        semicolon();
      } else if (c == '"' || c == '\'') {
        string(pos);
      } else if (isStringPrefix(c)) {
        string(pos + 1);
      } else if (isDigit(c)
          || (c == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1)))) {
        number();
      } else if (Character.isLetter(c) || c == '_') {
        name();
      } else {
        operator(c);
      }
    }
    if (!brackets.isEmpty()) {
      Token open = brackets.peek();
      throw error("'" + open.text() + "' was never closed", open.line(), open.column());
    }
    if (!out.isEmpty() && out.get(out.size() - 1).kind() != Kind.NEWLINE) {
      out.add(new Token(Kind.NEWLINE, "", lastLine, lastEndColumn));
    }
    while (indents.peek() > 0) {
      indents.pop();
      out.add(new Token(Kind.DEDENT, "", lastLine, lastEndColumn));
    }
    out.add(new Token(Kind.EOF, "", lastLine, lastEndColumn));
    return out;
  }

  /**
   * Reads the indentation of a line. Returns true when the line is blank or a comment, which is
   * skipped whole; otherwise emits INDENT or DEDENT tokens for a change of level.
   */
  private boolean indentation() {
    int width = 0;
    while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t')) {
      if (src.charAt(pos) == '\t') {
        throw error("indent with a tab; indent with spaces", line, pos - lineStart + 1);
      }
      width++;
      pos++;
    }
    if (pos < src.length() && src.charAt(pos) == '\r') {
      pos++;
    }
    if (pos >= src.length() || src.charAt(pos) == '\n' || src.charAt(pos) == '#') {
      if (pos < src.length() && src.charAt(pos) == '#') {
        skipComment();
      }
      if (pos < src.length()) {
        newline();
      }
      return true;
    }
    int column = width + 1;
    if (width > indents.peek()) {
      indents.push(width);
      out.add(new Token(Kind.INDENT, "", line, column));
    } else {
      while (width < indents.peek()) {
        indents.pop();
        out.add(new Token(Kind.DEDENT, "", line, column));
      }
      if (width != indents.peek()) {
        throw error("unindent does not match any outer indentation level", line, column);
      }
    }
    return false;
  }

  private void newline() {
    if (brackets.isEmpty() && !out.isEmpty() && out.get(out.size() - 1).kind() != Kind.NEWLINE) {
      out.add(new Token(Kind.NEWLINE, "", line, pos - lineStart + 1));
    }
    pos++;
    line++;
    lineStart = pos;
  }

  private void skipComment() {
    while (pos < src.length() && src.charAt(pos) != '\n') {
      pos++;
    }
  }

  private void add(Kind kind, int start) {
    int column = start - lineStart + 1;
    out.add(new Token(kind, src.substring(start, pos), line, column));
    lastLine = line;
    lastEndColumn = pos - lineStart + 1;
  }

  private void number() {
    int start = pos;
    boolean isFloat = false;
    digits();
    if (pos < src.length() && src.charAt(pos) == '.') {
      isFloat = true;
      pos++;
      digits();
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      isFloat = true;
      pos++;
      if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
        pos++;
      }
      if (pos >= src.length() || !isDigit(src.charAt(pos))) {
        throw error("invalid number: the exponent has no digits", line, start - lineStart + 1);
      }
      digits();
    }
    if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
      throw invalidCharacter(pos - lineStart + 1);
    }
    if (pos < src.length()
        && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      throw error(
          "invalid number '" + src.substring(start, pos + 1) + "'", line, start - lineStart + 1);
    }
    String text = src.substring(start, pos);
    if (!isFloat && text.length() > 1 && text.charAt(0) == '0' && !text.matches("[0_]+")) {
      throw error(
          "leading zeros in integer literals are not permitted: '" + text + "'",
          line,
          start - lineStart + 1);
    }
    add(isFloat ? Kind.FLOAT : Kind.INT, start);
  }

  /**
   * An ASCII digit. Numbers are written in ASCII only, as in Python: {@link Character#isDigit}
   * would also take other scripts' digits ({@code ١٢}, fullwidth {@code ２}), which Python rejects.
   */
  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Digits, with single underscores between them as Python allows ({@code 1_000}). */
  private void digits() {
    while (pos < src.length()
        && (isDigit(src.charAt(pos))
            || (src.charAt(pos) == '_'
                && pos > 0
                && isDigit(src.charAt(pos - 1))
                && pos + 1 < src.length()
                && isDigit(src.charAt(pos + 1))))) {
      pos++;
    }
  }

  /** A backslash joins the next line to this one, as in Python. */
  private void continuation() {
    int column = pos - lineStart + 1;
    int next = pos + 1;
    if (next < src.length() && src.charAt(next) == '\r') {
      next++;
    }
    if (next >= src.length() || src.charAt(next) != '\n') {
      throw error("unexpected character after line continuation character", line, column);
    }
    pos = next + 1;
    line++;
    lineStart = pos;
  }

  /** {@code ;} separates simple statements on one line. */
  private void semicolon() {
    int column = pos - lineStart + 1;
    Kind last = out.isEmpty() ? Kind.NEWLINE : out.get(out.size() - 1).kind();
    if (!brackets.isEmpty() || last == Kind.NEWLINE || last == Kind.INDENT || last == Kind.DEDENT) {
      throw error("invalid syntax: ';' must follow a statement", line, column);
    }
    out.add(new Token(Kind.NEWLINE, ";", line, column));
    pos++;
  }

  /** {@code r'...'}: a raw string; other prefixes (f-strings, bytes) are rejected. */
  private boolean isStringPrefix(char c) {
    if (pos + 1 >= src.length()) {
      return false;
    }
    char q = src.charAt(pos + 1);
    if (q != '"' && q != '\'') {
      return false;
    }
    if (c == 'r' || c == 'R') {
      return true;
    }
    if ("fFbBuU".indexOf(c) >= 0) {
      throw error(
          "'" + c + "' string prefixes are not supported; write a plain string literal",
          line,
          pos - lineStart + 1);
    }
    return false;
  }

  /**
   * A string literal starting with its quote at {@code quoteAt} (after an {@code r} prefix, which
   * keeps backslashes): single or triple quoted, with Python's escapes.
   */
  private void string(int quoteAt) {
    int start = pos;
    int startLine = line;
    int column = start - lineStart + 1;
    boolean raw = quoteAt > pos;
    char q = src.charAt(quoteAt);
    boolean triple = src.startsWith(String.valueOf(q).repeat(3), quoteAt);
    pos = quoteAt + (triple ? 3 : 1);
    StringBuilder text = new StringBuilder();
    while (true) {
      if (pos >= src.length()) {
        throw error(
            triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
            startLine,
            column);
      }
      char c = src.charAt(pos);
      if (c == q && (!triple || src.startsWith(String.valueOf(q).repeat(3), pos))) {
        pos += triple ? 3 : 1;
        break;
      }
      if (c == '\n') {
        if (!triple) {
          throw error("unterminated string literal", startLine, column);
        }
        text.append('\n');
        pos++;
        line++;
        lineStart = pos;
        continue;
      }
      if (c == '\\' && pos + 1 < src.length()) {
        char e = src.charAt(pos + 1);
        if (raw) {
          text.append(c).append(e);
        } else {
          switch (e) {
            case 'n' -> text.append('\n');
            case 't' -> text.append('\t');
            case 'r' -> text.append('\r');
            case '0' -> text.append('\0');
            case '\\', '\'', '"' -> text.append(e);
            case '\n' -> {
              line++;
              lineStart = pos + 2;
            }
            default -> text.append(c).append(e);
          }
        }
        if (e == '\n' && raw) {
          line++;
          lineStart = pos + 2;
        }
        pos += 2;
        continue;
      }
      text.append(c);
      pos++;
    }
    out.add(new Token(Kind.STRING, text.toString(), startLine, column));
    lastLine = line;
    lastEndColumn = pos - lineStart + 1;
  }

  /**
   * A name. Like Python, names may use letters and digits of any script after the first character,
   * and are compared after NFKC normalization (so {@code ｗ} is {@code w}).
   */
  private void name() {
    int start = pos;
    boolean ascii = true;
    while (pos < src.length()
        && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      ascii &= src.charAt(pos) < 128;
      pos++;
    }
    add(Kind.NAME, start);
    if (!ascii) {
      Token t = out.remove(out.size() - 1);
      out.add(
          new Token(
              Kind.NAME,
              Normalizer.normalize(t.text(), Normalizer.Form.NFKC),
              t.line(),
              t.column()));
    }
  }

  private void operator(char c) {
    int start = pos;
    int column = start - lineStart + 1;
    if (pos + 2 < src.length() && THREE_CHAR_OPS.contains(src.substring(pos, pos + 3))) {
      pos += 3;
    } else if (pos + 1 < src.length() && TWO_CHAR_OPS.contains(src.substring(pos, pos + 2))) {
      pos += 2;
    } else if (ONE_CHAR_OPS.indexOf(c) >= 0) {
      pos++;
    } else if (c >= 128) {
      throw invalidCharacter(column);
    } else {
      throw error("unexpected character '" + c + "'", line, column);
    }
    add(Kind.OP, start);
    Token t = out.get(out.size() - 1);
    if (c == '(' || c == '[') {
      brackets.push(t);
    } else if (c == ')' || c == ']') {
      if (brackets.isEmpty()) {
        throw error("unmatched '" + c + "'", line, column);
      }
      Token open = brackets.pop();
      char want = open.text().equals("(") ? ')' : ']';
      if (c != want) {
        throw error(
            "closing bracket '"
                + c
                + "' does not match opening bracket '"
                + open.text()
                + "' on line "
                + open.line(),
            line,
            column);
      }
    }
  }

  /**
   * Python's message for a character outside the language: {@code invalid character '١' (U+0661)}.
   */
  private GradcException invalidCharacter(int column) {
    int cp = Character.codePointAt(src, lineStart + column - 1);
    return error(
        "invalid character '"
            + new String(Character.toChars(cp))
            + "' (U+"
            + String.format(Locale.ROOT, "%04X", cp)
            + ")",
        line,
        column);
  }

  private GradcException error(String message, int l, int column) {
    return new GradcException(message, new SourcePos(file, l, column));
  }
}
