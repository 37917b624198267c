package io.vigil.rules.expr.internal;

import io.vigil.rules.expr.ExprSyntaxException;
import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens, each with its character offset (for error positions). */
final class Lexer {
  enum Kind { IDENT, NUMBER, STRING, DURATION, LPAREN, RPAREN, LBRACE, RBRACE, LBRACKET, RBRACKET, COMMA, OP, EOF }

  record Token(Kind kind, String text, int offset) {
    boolean is(Kind k, String t) {
      return kind == k && text.equals(t);
    }

    /** How the token reads in an error message. */
    String show() {
      return kind == Kind.EOF ? "end of expression" : "'" + text + "'";
    }
  }

  private static final String[] OPS = {"==", "!=", ">=", "<=", "=~", "!~", "+", "-", "*", "/", ">", "<", "="};

  private final String src;
  private int pos;

  private Lexer(String src) {
    this.src = src;
  }

  static List<Token> tokens(String src) {
    Lexer l = new Lexer(src);
    List<Token> out = new ArrayList<>();
    Token t;
    do {
      t = l.next(out.isEmpty() ? null : out.get(out.size() - 1));
      out.add(t);
    } while (t.kind != Kind.EOF);
    return out;
  }

  private Token next(Token previous) {
    if (previous != null && previous.kind == Kind.LBRACKET) return duration();
    while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
    int start = pos;
    if (pos >= src.length()) return new Token(Kind.EOF, "", pos);
    char c = src.charAt(pos);
    if (Character.isDigit(c) || (c == '.' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
      return number();
    }
    if (isIdentStart(c)) {
      while (pos < src.length() && isIdentPart(src.charAt(pos))) pos++;
      String word = src.substring(start, pos);
      // PromQL reads Inf and NaN as numbers, whatever their case.
      if (word.equalsIgnoreCase("inf") || word.equalsIgnoreCase("nan")) return new Token(Kind.NUMBER, word, start);
      return new Token(Kind.IDENT, word, start);
    }
    if (c == '"' || c == '\'') return string(c);
    Kind single = switch (c) {
      case '(' -> Kind.LPAREN;
      case ')' -> Kind.RPAREN;
      case '{' -> Kind.LBRACE;
      case '}' -> Kind.RBRACE;
      case '[' -> Kind.LBRACKET;
      case ']' -> Kind.RBRACKET;
      case ',' -> Kind.COMMA;
      default -> null;
    };
    if (single != null) {
      pos++;
      return new Token(single, String.valueOf(c), start);
    }
    for (String op : OPS) {
      if (src.startsWith(op, pos)) {
        pos += op.length();
        return new Token(Kind.OP, op, start);
      }
    }
    throw ExprSyntaxException.at(src, start, "unexpected character '" + c + "'");
  }

  private Token number() {
    int start = pos;
    while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '.')) pos++;
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int save = pos++;
      if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) pos++;
      if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
      } else {
        pos = save;
      }
    }
    return new Token(Kind.NUMBER, src.substring(start, pos), start);
  }

  private Token string(char quote) {
    int start = pos++;
    StringBuilder b = new StringBuilder();
    while (pos < src.length() && src.charAt(pos) != quote) {
      char c = src.charAt(pos++);
      if (c == '\\' && pos < src.length()) {
        char n = src.charAt(pos++);
        b.append(switch (n) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> n;
        });
      } else {
        b.append(c);
      }
    }
    if (pos >= src.length()) throw ExprSyntaxException.at(src, start, "unterminated string");
    pos++;
    return new Token(Kind.STRING, b.toString(), start);
  }

  /** The raw text between '[' and ']'; the parser reads it as a duration. */
  private Token duration() {
    int start = pos;
    int end = src.indexOf(']', pos);
    if (end < 0) throw ExprSyntaxException.at(src, start - 1, "unclosed '['");
    pos = end;
    return new Token(Kind.DURATION, src.substring(start, end).trim(), start);
  }

  private static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9');
  }
}
