package io.vigil.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Unit tests for rules, in the shape of {@code promtool test rules} so teams can test their rules in
 * their own CI: input series in promtool's expanding notation, expected faults at given times.
 * Vigil's additions: {@code exp_severity} (the graded severity) and {@code exp_state}
 * ({@code firing}, the default, {@code pending} or {@code flapping}).
 *
 * <pre>
 * rule_files: [rules.yaml]          # relative to the test file
 * evaluation_interval: 1m           # default step of input series
 * tests:
 *   - name: cpu fires after 5m
 *     interval: 1m
 *     input_series:
 *       - series: 'cpu_usage{customer="acme", system="erp", host="db1"}'
 *         values: '50 95x10'
 *     alert_rule_test:
 *       - eval_time: 6m
 *         alertname: HighCpu
 *         exp_alerts:
 *           - exp_labels: {customer: acme, system: erp, host: db1}
 *             exp_severity: P2
 *             exp_annotations: {summary: "CPU 95% on db1"}
 * </pre>
 *
 * Pure: files are read through the function the caller passes. The engine runs on a clock that
 * starts at the epoch and moves to each input step and each eval_time in turn.
 */
public final class RuleTestRunner {
  /** One test case's outcome; {@code failures} is empty when it passed. */
  public record Result(String name, List<String> failures) {
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  private RuleTestRunner() {}

  /**
   * @param readFile reads a rule file named in {@code rule_files} (relative to the test file); may throw
   *     IllegalArgumentException with a message naming the file
   */
  public static List<Result> run(String testFileName, String yaml, Function<String, String> readFile) {
    Map<?, ?> root;
    try {
      Object o = new Load(LoadSettings.builder().setLabel(testFileName).build()).loadFromString(yaml);
      if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException(testFileName + ": expected a mapping with rule_files and tests");
      root = m;
    } catch (YamlEngineException e) {
      throw new IllegalArgumentException(testFileName + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    List<RuleSet> sets = new ArrayList<>();
    for (Object f : list(root.get("rule_files"), "rule_files")) sets.add(RulesFile.load(String.valueOf(f), readFile.apply(String.valueOf(f))));
    RuleSet merged = merge(sets);
    Duration defaultInterval = root.get("evaluation_interval") == null ? Duration.ofMinutes(1)
        : Durations.parse(String.valueOf(root.get("evaluation_interval")));
    List<Result> results = new ArrayList<>();
    int i = 0;
    for (Object t : list(root.get("tests"), "tests")) {
      i++;
      Map<?, ?> test = map(t, "tests[" + i + "]");
      String name = test.get("name") == null ? "test #" + i : String.valueOf(test.get("name"));
      try {
        results.add(new Result(name, runOne(merged, test, defaultInterval)));
      } catch (IllegalArgumentException e) {
        results.add(new Result(name, List.of("invalid test: " + e.getMessage())));
      }
    }
    return results;
  }

  private static RuleSet merge(List<RuleSet> sets) {
    if (sets.size() == 1) return sets.get(0);
    List<Rule> rules = new ArrayList<>();
    for (RuleSet s : sets) rules.addAll(s.rules());
    RuleSet first = sets.isEmpty() ? RuleSet.of(List.of()) : sets.get(0);
    return new RuleSet(rules, first.grading(), first.flapping());
  }

  private record Input(String metric, Labels labels, List<Double> values) {}

  private record Check(Duration at, String alertname, List<Map<?, ?>> expected) {}

  private static List<String> runOne(RuleSet set, Map<?, ?> test, Duration defaultInterval) {
    Duration interval = test.get("interval") == null ? defaultInterval : Durations.parse(String.valueOf(test.get("interval")));
    List<Input> inputs = new ArrayList<>();
    for (Object o : list(test.get("input_series"), "input_series")) {
      Map<?, ?> m = map(o, "input_series[]");
      String series = String.valueOf(m.get("series"));
      int brace = series.indexOf('{');
      String metric = (brace < 0 ? series : series.substring(0, brace)).trim();
      inputs.add(new Input(metric, brace < 0 ? Labels.EMPTY : labels(series.substring(brace), series),
          SeriesValues.expand(String.valueOf(m.get("values")))));
    }
    List<Check> checks = new ArrayList<>();
    for (Object o : list(test.get("alert_rule_test"), "alert_rule_test")) {
      Map<?, ?> m = map(o, "alert_rule_test[]");
      List<Map<?, ?>> exp = new ArrayList<>();
      for (Object e : list(m.get("exp_alerts"), "exp_alerts")) exp.add(map(e, "exp_alerts[]"));
      checks.add(new Check(Durations.parse(String.valueOf(m.get("eval_time"))), String.valueOf(m.get("alertname")), exp));
    }
    checks.sort(Comparator.comparing(Check::at));
    TreeSet<Duration> times = new TreeSet<>();
    int steps = 0;
    for (Input in : inputs) steps = Math.max(steps, in.values().size());
    for (int k = 0; k < steps; k++) times.add(interval.multipliedBy(k));
    for (Check c : checks) times.add(c.at());

    ManualClock clock = new ManualClock(Instant.EPOCH);
    RuleEngine engine = new RuleEngine(set, clock);
    List<String> failures = new ArrayList<>();
    for (Duration t : times) {
      Instant at = Instant.EPOCH.plus(t);
      clock.set(at);
      if (t.toMillis() % interval.toMillis() == 0) {
        int k = (int) (t.toMillis() / interval.toMillis());
        List<Sample> batch = new ArrayList<>();
        for (Input in : inputs) {
          Double v = k < in.values().size() ? in.values().get(k) : null;
          if (v != null && !SeriesValues.isStale(v)) batch.add(new Sample(in.metric(), in.labels(), v, clock.millis()));
        }
        if (!batch.isEmpty()) engine.evaluate(new SampleBatch(batch));
      }
      // Everything due up to now, in order, as the server's timer would.
      for (int guard = 0; guard < 10_000; guard++) {
        Instant due = engine.nextDue().orElse(null);
        if (due == null || due.isAfter(at)) break;
        clock.set(due);
        engine.tick();
        clock.set(at);
      }
      engine.tick();
      for (Check c : checks) if (c.at().equals(t)) failures.addAll(verify(c, engine));
    }
    return failures;
  }

  private static List<String> verify(Check c, RuleEngine engine) {
    boolean wantPending = c.expected().stream().anyMatch(e -> "pending".equals(String.valueOf(e.get("exp_state"))));
    List<Fault> got = new ArrayList<>();
    for (Fault f : engine.activeFaults()) {
      if (f.rule().equals(c.alertname()) && (f.state() != FaultState.PENDING || wantPending)) got.add(f);
    }
    got.sort(Comparator.comparing(f -> f.labels().toString()));
    List<Fault> unmatched = new ArrayList<>(got);
    List<String> problems = new ArrayList<>();
    for (Map<?, ?> e : c.expected()) {
      Labels want = Labels.of(stringMap(e.get("exp_labels")));
      Fault match = null;
      for (Fault f : unmatched) if (f.labels().equals(want)) match = f;
      if (match == null) {
        problems.add("missing " + want);
        continue;
      }
      unmatched.remove(match);
      String state = e.get("exp_state") == null ? "firing" : String.valueOf(e.get("exp_state"));
      if (!match.state().wireName().equals(state)) problems.add(want + ": state " + match.state().wireName() + ", expected " + state);
      if (e.get("exp_severity") != null && !match.severity().name().equals(String.valueOf(e.get("exp_severity")))) {
        problems.add(want + ": severity " + match.severity() + " " + match.grading() + ", expected " + e.get("exp_severity"));
      }
      for (Map.Entry<String, String> a : stringMap(e.get("exp_annotations")).entrySet()) {
        String actual = a.getKey().equals("summary") ? match.summary() : match.annotations().get(a.getKey());
        if (!a.getValue().equals(actual)) problems.add(want + ": annotation " + a.getKey() + " '" + actual + "', expected '" + a.getValue() + "'");
      }
    }
    for (Fault f : unmatched) problems.add("unexpected " + f.state().wireName() + " " + f.severity() + " " + f.labels());
    if (problems.isEmpty()) return List.of();
    List<String> out = new ArrayList<>();
    out.add("alertname " + c.alertname() + " at " + Durations.format(c.at()) + ": " + String.join("; ", problems));
    return out;
  }

  /** {@code {a="1", b="x"}} of a test series. */
  private static Labels labels(String text, String series) {
    String body = text.trim();
    if (!body.endsWith("}")) throw new IllegalArgumentException("series '" + series + "': missing '}'");
    Map<String, String> m = new TreeMap<>();
    java.util.regex.Matcher pair = java.util.regex.Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?").matcher(body);
    int at = 1;
    while (at < body.length() - 1) {
      if (!pair.find(at) || pair.start() != at) throw new IllegalArgumentException("series '" + series + "': expected name=\"value\" at offset " + at);
      m.put(pair.group(1), pair.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      at = pair.end();
    }
    return Labels.of(m);
  }

  private static List<?> list(Object o, String what) {
    if (o == null) return List.of();
    if (o instanceof List<?> l) return l;
    throw new IllegalArgumentException("'" + what + "' must be a list");
  }

  private static Map<?, ?> map(Object o, String what) {
    if (o instanceof Map<?, ?> m) return m;
    throw new IllegalArgumentException("'" + what + "' must be a mapping");
  }

  private static Map<String, String> stringMap(Object o) {
    Map<String, String> out = new LinkedHashMap<>();
    if (o instanceof Map<?, ?> m) m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }

}
