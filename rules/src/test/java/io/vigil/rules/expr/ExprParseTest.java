package io.vigil.rules.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ExprParseTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "cpu_usage",
      "cpu_usage{customer=\"acme\", system!=\"crm\", host=~\"web-.*\", env!~\"dev|test\"}",
      "cpu_usage > 90",
      "cpu_usage >= 90",
      "cpu_usage < 1e3",
      "cpu_usage <= 0.5",
      "cpu_usage == 1",
      "cpu_usage != 1",
      "cpu_usage > bool 90",
      "90 < cpu_usage",
      "-cpu_usage",
      "cpu_usage * -1",
      "a + b",
      "a - b * c",
      "(a - b) * c",
      "a / on(host) b",
      "a / ignoring(cpu, mode) b",
      "a > on(host) b",
      "a and b",
      "a unless on(system) b",
      "a or b and c",
      "(a or b) and c",
      "a - (b - c)",
      "avg_over_time(x[5m])",
      "min_over_time(x[30s])",
      "max_over_time(x[1h30m])",
      "sum_over_time(x[1m])",
      "count_over_time(x[1m])",
      "last_over_time(x[1m])",
      "quantile_over_time(0.9, x[10m])",
      "stddev_over_time(x[5m])",
      "rate(http_requests_total{code=\"500\"}[5m])",
      "increase(x[1h])",
      "delta(x[5m])",
      "deriv(x[5m])",
      "predict_linear(disk_free[1h], 86400) < 0",
      "absent_over_time(up[2m])",
      "nodata(heartbeat{customer=\"acme\"}[5m])",
      "zscore(latency[1h]) > 3",
      "sum(x)",
      "sum by (customer) (x)",
      "avg without (host, cpu) (x)",
      "min(x)",
      "max by (customer) (rate(x[5m]))",
      "count by (customer, system) (up == 0) >= 2",
      "sum by (a) (x) / on(a) sum by (a) (y) > 0.5",
      "x > 1 + 2 * 3",
      "x * (1 + 2)",
      "Inf > x",
      "x != NaN",
      "sum without () (x)",
  })
  void canonicalTextReparsesToTheSameExpr(String text) {
    Expr e = Expr.parse(text);
    Expr again = Expr.parse(e.toString());
    assertEquals(e, again);
    assertEquals(e.toString(), again.toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sum(x) by (a)                        | sum by (a) (x)",
      "sum   (  x{a = 'b'} )                | sum(x{a=\"b\"})",
      "a + b * c                            | a + b * c",
      "(a + b) * c                          | (a + b) * c",
      "((a))                                | a",
      "a or b and c                         | a or b and c",
      "(a or b) and c                       | (a or b) and c",
      "a - b - c                            | a - b - c",
      "a - (b - c)                          | a - (b - c)",
      "x > 2 * 3                            | x > 2 * 3",
      "- - x                                | -(-x)",
      "x[90s] offset                        | ",
  })
  void printsCanonicalFormWithMinimalParentheses(String text, String canonical) {
    if (canonical == null) {
      assertThrows(ExprSyntaxException.class, () -> Expr.parse(text));
      return;
    }
    assertEquals(canonical, Expr.parse(text).toString());
  }

  @Test
  void precedenceFollowsPromQl() {
    // * binds tighter than +, + tighter than >, > tighter than and, and tighter than or.
    assertEquals("a > b + c * d and e or f", Expr.parse("a > b + c * d and e or f").toString());
    assertEquals("(a > b) + c", Expr.parse("(a > b) + c").toString());
    assertEquals("a + (b or c)", Expr.parse("a + (b or c)").toString());
  }

  @Test
  void reportsMetricNamesAndLargestRange() {
    Expr e = Expr.parse("rate(a[5m]) > on(x) max_over_time(b[1h]) or c");
    assertEquals(Set.of("a", "b", "c"), e.metricNames());
    assertEquals(Duration.ofHours(1), e.maxRange());
    assertEquals(Duration.ZERO, Expr.parse("c > 1").maxRange());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rates(x[5m])                | 1 | 1  | unknown function 'rates'; did you mean 'rate'?",
      "avg_over_tim(x[5m])         | 1 | 1  | unknown function 'avg_over_tim'; did you mean 'avg_over_time'?",
      "rate(x)                     | 1 | 6  | expected a range vector for rate(), got an instant vector (add a range, e.g. x[5m])",
      "rate(5)                     | 1 | 6  | expected a range vector for rate(), got a scalar",
      "sum(x[5m])                  | 1 | 5  | sum() expects an instant vector, got a range vector",
      "(x > 1                      | 1 | 1  | unclosed '('",
      "x{a=\"b\"                   | 1 | 2  | unclosed '{'",
      "x[5m                        | 1 | 2  | unclosed '['",
      "x > 1)                      | 1 | 6  | unmatched ')'",
      "{a=\"b\"}                   | 1 | 1  | a metric name is required before '{'",
      "x[5m]                       | 1 | 1  | a range vector like x[5m] must be the argument of a range function such as rate() or avg_over_time()",
      "1 > 2                       | 1 | 3  | comparisons between two scalars must use 'bool'",
      "x + bool y                  | 1 | 5  | 'bool' only applies to comparisons (> >= < <= == !=)",
      "x and 1                     | 1 | 3  | 'and' needs an instant vector on both sides",
      "x + on(a) 1                 | 1 | 5  | 'on' only applies between two instant vectors",
      "x{a=~\"(\"}                 | 1 | 6  | bad regular expression for label 'a': Unclosed group",
      "x{a~\"b\"}                  | 1 | 4  | unexpected character '~'",
      "x{a=b}                      | 1 | 5  | expected a quoted label value, got 'b'",
      "x[5q]                       | 1 | 3  | bad range '5q': use e.g. 30s, 5m, 1h30m",
      "quantile_over_time(x[5m])   | 1 | 1  | quantile_over_time() takes 2 arguments, got 1",
      "x >                         | 1 | 4  | unexpected end of expression: expected a number, a selector, a function or '('",
      "x y                         | 1 | 3  | unexpected 'y' after the end of the expression",
      "42                          | 1 | 1  | the expression must select series: a scalar alone never yields an element",
      "x[5m] > 1                   | 1 | 7  | '>' cannot take a range vector; wrap it in a function such as rate() or avg_over_time()",
      "x{a=\"abc                  | 1 | 5  | unterminated string",
  })
  void errorsNameLineColumnAndReason(String text, int line, int column, String reason) {
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> Expr.parse(text.strip()));
    assertEquals(reason, e.reason(), e.getMessage());
    assertEquals(line, e.line());
    assertEquals(column, e.column(), e.getMessage());
    assertEquals("line " + line + ", column " + column + ": " + reason, e.getMessage());
  }

  @Test
  void errorPositionCountsLinesAndColumnsWithinTheLine() {
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class,
        () -> Expr.parse("sum by (customer) (\n  rate(x[5m])\n) > on(customer)\n  rates(y[5m])"));
    assertEquals(4, e.line());
    assertEquals(3, e.column());
  }

  @Test
  void emptyExpressionIsAnError() {
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> Expr.parse("  "));
    assertEquals("expression is empty", e.reason());
  }
}
