package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Parses the expression subset Vigil evaluates today: {@code metric{l="v", …} OP number},
 * OP one of {@code > >= < <= == !=}, matchers {@code = != =~ !~}. Errors carry the
 * 1-based column and a reason.
 */
public final class ExprParser {
  private final String src;
  private int pos;

  private ExprParser(String src) {
    this.src = src;
  }

  public static ThresholdExpr parse(String expr) {
    if (expr == null || expr.isBlank()) throw new ExprException(1, "expression is empty");
    return new ExprParser(expr).expression();
  }

  private ThresholdExpr expression() {
    skipSpace();
    String metric = identifier("a metric name", true);
    List<Matcher> matchers = new ArrayList<>();
    skipSpace();
    if (peek() == '{') {
      pos++;
      skipSpace();
      while (peek() != '}') {
        matchers.add(matcher());
        skipSpace();
        if (peek() == ',') {
          pos++;
          skipSpace();
        } else if (peek() != '}') {
          throw error("expected ',' or '}' after a label matcher");
        }
      }
      pos++;
    }
    skipSpace();
    Comparison op = comparison();
    skipSpace();
    double threshold = number();
    skipSpace();
    if (pos < src.length()) throw error("unexpected '" + src.substring(pos) + "' after the threshold");
    return new ThresholdExpr(metric, matchers, op, threshold);
  }

  private Matcher matcher() {
    int start = pos;
    String name = identifier("a label name", false);
    skipSpace();
    Matcher.Type type;
    if (src.startsWith("=~", pos)) type = Matcher.Type.RE;
    else if (src.startsWith("!~", pos)) type = Matcher.Type.NRE;
    else if (src.startsWith("!=", pos)) type = Matcher.Type.NE;
    else if (src.startsWith("=", pos)) type = Matcher.Type.EQ;
    else throw error("expected one of = != =~ !~ after label '" + name + "'");
    pos += type.symbol.length();
    skipSpace();
    String value = string();
    try {
      return Matcher.of(name, type, value);
    } catch (PatternSyntaxException e) {
      pos = start;
      throw error("bad regular expression for label '" + name + "': " + e.getDescription());
    }
  }

  private String identifier(String what, boolean metric) {
    int start = pos;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      boolean ok = Character.isLetter(c) && c < 128 || c == '_' || (metric && c == ':')
          || (pos > start && c >= '0' && c <= '9');
      if (!ok) break;
      pos++;
    }
    if (pos == start) throw error("expected " + what);
    return src.substring(start, pos);
  }

  private String string() {
    char q = peek();
    if (q != '"' && q != '\'') throw error("expected a quoted label value");
    pos++;
    StringBuilder b = new StringBuilder();
    while (pos < src.length() && src.charAt(pos) != q) {
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
    if (pos >= src.length()) throw error("unterminated string");
    pos++;
    return b.toString();
  }

  private Comparison comparison() {
    for (String s : new String[] {">=", "<=", "==", "!=", ">", "<"}) {
      if (src.startsWith(s, pos)) {
        pos += s.length();
        for (Comparison c : Comparison.values()) if (c.symbol.equals(s)) return c;
      }
    }
    throw error("expected a comparison (> >= < <= == !=)");
  }

  private double number() {
    int start = pos;
    if (peek() == '-' || peek() == '+') pos++;
    while (pos < src.length() && "0123456789.eE+-_".indexOf(src.charAt(pos)) >= 0) pos++;
    String text = src.substring(start, pos).replace("_", "");
    try {
      if (text.isEmpty()) throw new NumberFormatException();
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      pos = start;
      throw error("expected a number");
    }
  }

  private void skipSpace() {
    while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
  }

  private char peek() {
    return pos < src.length() ? src.charAt(pos) : '\0';
  }

  private ExprException error(String reason) {
    return new ExprException(pos + 1, reason);
  }

  /** A parse error at a 1-based column. */
  public static final class ExprException extends IllegalArgumentException {
    private final int column;

    public ExprException(int column, String reason) {
      super("column " + column + ": " + reason);
      this.column = column;
    }

    public int column() {
      return column;
    }
  }
}
