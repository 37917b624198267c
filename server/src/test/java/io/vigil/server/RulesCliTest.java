package io.vigil.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return RulesCli.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
  }

  @Test
  void checkAcceptsTheShippedRulesAndTheBundledDemoRules() {
    assertEquals(0, run("check", "../examples/rules/rules.yaml", "src/main/resources/demo-rules.yaml"), err.toString(UTF_8));
    assertTrue(out.toString(UTF_8).contains("SUCCESS: 3 rules found"), out.toString(UTF_8));
  }

  @Test
  void checkFailsNamingFileRuleAndReason(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "rules:\n  - {name: X, expr: 'rate(up) > 1', severity: P1}\n");
    assertEquals(1, run("check", bad.toString()));
    String e = err.toString(UTF_8);
    assertTrue(e.contains("bad.yaml: rule 'X': expr 'rate(up) > 1': line 1, column"), e);
  }

  @Test
  void testRunsTheShippedExamplesAndExitsZero() {
    assertEquals(0, run("test", "../examples/rules/rules.test.yaml"), err.toString(UTF_8));
    assertTrue(out.toString(UTF_8).contains("SUCCESS: 4 tests passed"), out.toString(UTF_8));
  }

  @Test
  void testExitsOneWhenAnExpectationFails(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("r.yaml"), "rules:\n  - {name: Down, expr: up == 0, severity: P1}\n");
    Path t = dir.resolve("t.test.yaml");
    Files.writeString(t, """
        rule_files: [r.yaml]
        tests:
          - name: expects nothing but gets a fault
            input_series: [{series: 'up{host="a"}', values: '0'}]
            alert_rule_test: [{eval_time: 0m, alertname: Down, exp_alerts: []}]
        """);
    assertEquals(1, run("test", t.toString()));
    assertTrue(err.toString(UTF_8).contains("FAILED: expects nothing but gets a fault"), err.toString(UTF_8));
    assertTrue(err.toString(UTF_8).contains("unexpected firing P1 {host=\"a\"}"), err.toString(UTF_8));
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    assertEquals(2, run("lint", "x.yaml"));
    assertTrue(err.toString(UTF_8).startsWith("usage: vigil rules check"));
  }
}
