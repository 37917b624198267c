package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ExprParserTest {
  @Test
  void parsesMetricMatchersOperatorAndThreshold() {
    ThresholdExpr e = ExprParser.parse("cpu_usage{customer=\"acme\", host!='db2'} >= 90.5");
    assertEquals("cpu_usage", e.metric());
    assertEquals(Comparison.GE, e.op());
    assertEquals(90.5, e.threshold());
    assertEquals(2, e.matchers().size());
    assertTrue(e.selects("cpu_usage", Labels.of("customer", "acme", "host", "db1")));
    assertFalse(e.selects("cpu_usage", Labels.of("customer", "acme", "host", "db2")));
    assertFalse(e.selects("mem_usage", Labels.of("customer", "acme", "host", "db1")));
  }

  @Test
  void parsesBareMetricAndNegativeAndExponentThresholds() {
    assertEquals(-3.0, ExprParser.parse("temp < -3").threshold());
    assertEquals(1.5e9, ExprParser.parse("bytes>1.5e9").threshold());
    assertTrue(ExprParser.parse("up == 0").matchers().isEmpty());
  }

  @Test
  void regexMatchersAreFullyAnchored() {
    ThresholdExpr e = ExprParser.parse("up{system=~\"erp|crm\"} == 0");
    assertTrue(e.selects("up", Labels.of("system", "erp")));
    assertFalse(e.selects("up", Labels.of("system", "erp2")));
    ThresholdExpr n = ExprParser.parse("up{system!~\"erp.*\"} == 0");
    assertFalse(n.selects("up", Labels.of("system", "erp2")));
    assertTrue(n.selects("up", Labels.of("system", "crm")));
  }

  @Test
  void everyComparisonOperatorCompares() {
    assertTrue(ExprParser.parse("m > 1").holds(2));
    assertFalse(ExprParser.parse("m > 1").holds(1));
    assertTrue(ExprParser.parse("m >= 1").holds(1));
    assertTrue(ExprParser.parse("m < 1").holds(0));
    assertTrue(ExprParser.parse("m <= 1").holds(1));
    assertTrue(ExprParser.parse("m == 1").holds(1));
    assertTrue(ExprParser.parse("m != 1").holds(2));
    assertFalse(ExprParser.parse("m != 1").holds(Double.NaN), "NaN never satisfies a comparison");
  }

  @Test
  void rejectsMissingOperatorWithColumn() {
    var e = assertThrows(ExprParser.ExprException.class, () -> ExprParser.parse("cpu_usage 90"));
    assertEquals(11, e.column());
    assertTrue(e.getMessage().contains("expected a comparison"), e.getMessage());
  }

  @Test
  void rejectsUnterminatedSelectorWithColumn() {
    var e = assertThrows(ExprParser.ExprException.class, () -> ExprParser.parse("cpu{host=\"a\" > 1"));
    assertTrue(e.getMessage().contains("expected ',' or '}'"), e.getMessage());
    assertEquals(14, e.column());
  }

  @Test
  void rejectsBadThresholdAndTrailingText() {
    assertTrue(assertThrows(ExprParser.ExprException.class, () -> ExprParser.parse("cpu > high"))
        .getMessage().contains("expected a number"));
    assertTrue(assertThrows(ExprParser.ExprException.class, () -> ExprParser.parse("cpu > 1 and"))
        .getMessage().contains("unexpected"));
  }

  @Test
  void rejectsBadRegexNamingTheLabel() {
    var e = assertThrows(ExprParser.ExprException.class, () -> ExprParser.parse("up{system=~\"(\"} == 0"));
    assertTrue(e.getMessage().contains("label 'system'"), e.getMessage());
  }

  @Test
  void printsBackInCanonicalForm() {
    assertEquals("cpu{host=\"a\"} > 90", ExprParser.parse("cpu{ host = \"a\" }>90").toString());
  }
}
