package dev.gradc.frontend.lang;

/**
 * One token of a {@code .grad} program, with its 1-based line and column. Layout tokens ({@code
 * NEWLINE}, {@code INDENT}, {@code DEDENT}) carry the position of what follows them; a {@code ;} is
 * a {@code NEWLINE} whose text is {@code ;}.
 */
record Token(Kind kind, String text, int line, int column) {

  enum Kind {
    NAME,
    INT,
    FLOAT,
    /** A string literal; its text is the decoded value. */
    STRING,
    /**
     * Punctuation and operators: {@code + - * / // % ** @ & | ^ ~ << >> ( ) [ ] , : = . < <= > >=
     * == !=} and the augmented assignments.
     */
    OP,
    NEWLINE,
    INDENT,
    DEDENT,
    EOF
  }

  boolean is(Kind k, String s) {
    return kind == k && text.equals(s);
  }

  boolean isOp(String s) {
    return is(Kind.OP, s);
  }

  boolean isName(String s) {
    return is(Kind.NAME, s);
  }

  /** How the token reads in a message: {@code 'x'}, {@code end of line}. */
  String describe() {
    return switch (kind) {
      case NEWLINE -> "end of line";
      case INDENT -> "an indent";
      case DEDENT -> "a dedent";
      case EOF -> "end of file";
      case NAME, INT, FLOAT, OP -> "'" + text + "'";
      case STRING -> "a string";
    };
  }
}
