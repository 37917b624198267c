package io.vigil.rules.expr.internal;

import io.vigil.rules.Durations;
import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import io.vigil.rules.expr.ExprSyntaxException;
import io.vigil.rules.expr.internal.Lexer.Kind;
import io.vigil.rules.expr.internal.Lexer.Token;
import io.vigil.rules.expr.internal.Node.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser with precedence climbing, plus the type checks (scalar / instant /
 * range) PromQL users expect. Every error names the line, column and what was wrong.
 */
public final class Parser {
  private static final Set<String> KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "bool", "and", "or", "unless");

  private final String src;
  private final List<Token> tokens;
  private int at;

  private Parser(String src) {
    this.src = src;
    this.tokens = Lexer.tokens(src);
  }

  /** Parses and type-checks a whole expression; the result is an instant vector. */
  public static Node parse(String text) {
    if (text == null || text.isBlank()) throw new ExprSyntaxException(1, 1, "expression is empty");
    Parser p = new Parser(text);
    Token first = p.peek();
    Node n = p.expr(0);
    if (p.peek().kind() != Kind.EOF) {
      Token t = p.peek();
      String hint = t.kind() == Kind.RPAREN ? "unmatched ')'" : "unexpected " + t.show() + " after the end of the expression";
      throw p.error(t, hint);
    }
    if (n.type() == Type.RANGE) {
      throw p.error(first, "a range vector like " + n + " must be the argument of a range function such as rate() or avg_over_time()");
    }
    if (n.type() == Type.SCALAR) throw p.error(first, "the expression must select series: a scalar alone never yields an element");
    return n;
  }

  private Node expr(int minPrecedence) {
    Node lhs = unary();
    while (true) {
      Token t = peek();
      BinOp op = binOp(t);
      if (op == null || op.precedence < minPrecedence) return lhs;
      at++;
      boolean bool = false;
      if (peek().is(Kind.IDENT, "bool")) {
        if (!op.isComparison()) throw error(peek(), "'bool' only applies to comparisons (> >= < <= == !=)");
        bool = true;
        at++;
      }
      Node.Matching matching = Node.Matching.DEFAULT;
      Token modifier = peek();
      if (modifier.is(Kind.IDENT, "on") || modifier.is(Kind.IDENT, "ignoring")) {
        at++;
        matching = new Node.Matching(modifier.text().equals("on"), labelList());
      }
      Node rhs = expr(op.precedence + 1);
      lhs = binary(t, op, lhs, rhs, bool, matching, modifier);
    }
  }

  private Node binary(Token opTok, BinOp op, Node lhs, Node rhs, boolean bool, Node.Matching m, Token modifier) {
    if (lhs.type() == Type.RANGE || rhs.type() == Type.RANGE) {
      throw error(opTok, "'" + op.symbol + "' cannot take a range vector; wrap it in a function such as rate() or avg_over_time()");
    }
    boolean scalars = lhs.type() == Type.SCALAR || rhs.type() == Type.SCALAR;
    if (op.isSet() && scalars) throw error(opTok, "'" + op.symbol + "' needs an instant vector on both sides");
    if (!m.isDefault() && scalars) {
      throw error(modifier, "'" + modifier.text() + "' only applies between two instant vectors");
    }
    if (op.isComparison() && !bool && lhs.type() == Type.SCALAR && rhs.type() == Type.SCALAR) {
      throw error(opTok, "comparisons between two scalars must use 'bool'");
    }
    return new Node.Binary(op, lhs, rhs, bool, m);
  }

  private Node unary() {
    Token t = peek();
    if (t.is(Kind.OP, "-") || t.is(Kind.OP, "+")) {
      at++;
      Node operand = unary();
      if (operand.type() == Type.RANGE) throw error(t, "a range vector cannot be negated; wrap it in a function first");
      if (t.text().equals("+")) return operand;
      // Fold -number into the literal, so "-1" and its canonical text are the same tree.
      return operand instanceof Node.Num n ? new Node.Num(-n.value()) : new Node.Neg(operand);
    }
    return primary();
  }

  private Node primary() {
    Token t = next();
    switch (t.kind()) {
      case NUMBER:
        return new Node.Num(number(t));
      case LPAREN: {
        Node inner = expr(0);
        expectClose(t, Kind.RPAREN, "(");
        return inner;
      }
      case IDENT:
        return identifier(t);
      case LBRACE:
        throw error(t, "a metric name is required before '{'");
      case EOF:
        throw error(t, "unexpected end of expression: expected a number, a selector, a function or '('");
      default:
        throw error(t, "unexpected " + t.show() + ": expected a number, a selector, a function or '('");
    }
  }

  private Node identifier(Token name) {
    String word = name.text();
    if (KEYWORDS.contains(word)) throw error(name, "unexpected keyword '" + word + "'");
    AggOp agg = aggOp(word);
    if (agg != null && (peek().kind() == Kind.LPAREN || peek().is(Kind.IDENT, "by") || peek().is(Kind.IDENT, "without"))) {
      return aggregation(name, agg);
    }
    if (peek().kind() == Kind.LPAREN) return call(name);
    Node.Selector sel = new Node.Selector(word, peek().kind() == Kind.LBRACE ? matchers() : List.of());
    if (peek().kind() != Kind.LBRACKET) return sel;
    Token open = next();
    Token d = next();
    Duration range;
    try {
      range = Durations.parse(d.text());
    } catch (IllegalArgumentException e) {
      throw error(d, d.text().isEmpty() ? "expected a range such as [5m]" : "bad range '" + d.text() + "': use e.g. 30s, 5m, 1h30m");
    }
    if (range.isZero()) throw error(d, "a range must be longer than zero");
    expectClose(open, Kind.RBRACKET, "[");
    return new Node.RangeSelector(sel, range);
  }

  private Node aggregation(Token name, AggOp op) {
    boolean without = false;
    List<String> grouping = List.of();
    boolean grouped = false;
    if (peek().kind() == Kind.IDENT) {
      without = next().text().equals("without");
      grouping = labelList();
      grouped = true;
    }
    Token open = expect(Kind.LPAREN, "'(' after " + op.text());
    Token argTok = peek();
    Node arg = expr(0);
    if (peek().kind() == Kind.COMMA) throw error(peek(), op.text() + "() takes one argument");
    expectClose(open, Kind.RPAREN, "(");
    if (!grouped && (peek().is(Kind.IDENT, "by") || peek().is(Kind.IDENT, "without"))) {
      without = next().text().equals("without");
      grouping = labelList();
    }
    if (arg.type() != Type.INSTANT) {
      throw error(argTok, op.text() + "() expects an instant vector, got " + describe(arg.type()));
    }
    return new Node.Aggregation(op, without, grouping, arg);
  }

  private Node call(Token name) {
    Func f = Func.byName(name.text()).orElseThrow(() -> error(name, "unknown function '" + name.text() + "'"
        + Func.suggest(name.text()).map(s -> "; did you mean '" + s + "'?").orElse("")));
    Token open = next();
    List<Node> args = new ArrayList<>();
    List<Token> argToks = new ArrayList<>();
    if (peek().kind() != Kind.RPAREN) {
      do {
        argToks.add(peek());
        args.add(expr(0));
      } while (peek().kind() == Kind.COMMA && next() != null);
    }
    expectClose(open, Kind.RPAREN, "(");
    int want = f.scalarFirst() || f.scalarLast() ? 2 : 1;
    if (args.size() != want) {
      throw error(name, f.text() + "() takes " + want + (want == 1 ? " argument" : " arguments") + ", got " + args.size());
    }
    int rangeAt = f.scalarFirst() ? 1 : 0;
    Node range = args.get(rangeAt);
    if (!(range instanceof Node.RangeSelector rs)) {
      throw error(argToks.get(rangeAt), "expected a range vector for " + f.text() + "(), got " + describe(range.type())
          + (range instanceof Node.Selector ? " (add a range, e.g. " + range + "[5m])" : ""));
    }
    Node param = null;
    if (want == 2) {
      int pAt = 1 - rangeAt;
      param = args.get(pAt);
      if (param.type() != Type.SCALAR) {
        throw error(argToks.get(pAt), "expected a number for " + f.text() + "(), got " + describe(param.type()));
      }
    }
    return new Node.Call(f, param, rs);
  }

  private List<Matcher> matchers() {
    Token open = next();
    List<Matcher> out = new ArrayList<>();
    while (peek().kind() != Kind.RBRACE) {
      Token label = next();
      if (label.kind() == Kind.EOF) throw error(open, "unclosed '{'");
      if (label.kind() != Kind.IDENT || label.text().contains(":")) throw error(label, "expected a label name, got " + label.show());
      Token op = next();
      Matcher.Type type = switch (op.kind() == Kind.OP ? op.text() : "") {
        case "=" -> Matcher.Type.EQ;
        case "!=" -> Matcher.Type.NE;
        case "=~" -> Matcher.Type.RE;
        case "!~" -> Matcher.Type.NRE;
        default -> throw error(op, "expected one of = != =~ !~ after label '" + label.text() + "', got " + op.show());
      };
      Token value = next();
      if (value.kind() != Kind.STRING) throw error(value, "expected a quoted label value, got " + value.show());
      try {
        out.add(Matcher.of(label.text(), type, value.text()));
      } catch (PatternSyntaxException e) {
        throw error(value, "bad regular expression for label '" + label.text() + "': " + e.getDescription());
      }
      if (peek().kind() == Kind.COMMA) {
        at++;
      } else if (peek().kind() == Kind.EOF) {
        throw error(open, "unclosed '{'");
      } else if (peek().kind() != Kind.RBRACE) {
        throw error(peek(), "expected ',' or '}' after a label matcher, got " + peek().show());
      }
    }
    at++;
    return out;
  }

  private List<String> labelList() {
    Token open = expect(Kind.LPAREN, "'(' and a list of label names");
    List<String> out = new ArrayList<>();
    while (peek().kind() != Kind.RPAREN) {
      Token l = next();
      if (l.kind() == Kind.EOF) throw error(open, "unclosed '('");
      if (l.kind() != Kind.IDENT || !Labels.NAME.matcher(l.text()).matches()) {
        throw error(l, "expected a label name, got " + l.show());
      }
      out.add(l.text());
      if (peek().kind() == Kind.COMMA) at++;
      else if (peek().kind() != Kind.RPAREN && peek().kind() != Kind.EOF) {
        throw error(peek(), "expected ',' or ')' in a label list, got " + peek().show());
      }
    }
    at++;
    return out;
  }

  private double number(Token t) {
    String s = t.text().toLowerCase(Locale.ROOT);
    if (s.equals("inf")) return Double.POSITIVE_INFINITY;
    if (s.equals("nan")) return Double.NaN;
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw error(t, "bad number '" + t.text() + "'");
    }
  }

  private static BinOp binOp(Token t) {
    if (t.kind() != Kind.OP && t.kind() != Kind.IDENT) return null;
    for (BinOp op : BinOp.values()) if (op.symbol.equals(t.text())) return op;
    return null;
  }

  private static AggOp aggOp(String word) {
    for (AggOp a : AggOp.values()) if (a.text().equals(word)) return a;
    return null;
  }

  private static String describe(Type t) {
    return switch (t) {
      case SCALAR -> "a scalar";
      case INSTANT -> "an instant vector";
      case RANGE -> "a range vector";
    };
  }

  private void expectClose(Token open, Kind close, String openText) {
    Token t = peek();
    if (t.kind() == close) {
      at++;
      return;
    }
    if (t.kind() == Kind.EOF) throw error(open, "unclosed '" + openText + "'");
    String want = close == Kind.RPAREN ? "')'" : "']'";
    throw error(t, "expected " + want + " to close the '" + openText + "' at column " + column(open) + ", got " + t.show());
  }

  private Token expect(Kind k, String what) {
    Token t = next();
    if (t.kind() != k) throw error(t, "expected " + what + ", got " + t.show());
    return t;
  }

  private int column(Token t) {
    return ExprSyntaxException.at(src, t.offset(), "").column();
  }

  private Token peek() {
    return tokens.get(at);
  }

  private Token next() {
    Token t = tokens.get(at);
    if (t.kind() != Kind.EOF) at++;
    return t;
  }

  private ExprSyntaxException error(Token t, String reason) {
    return ExprSyntaxException.at(src, t.offset(), reason);
  }
}
