package io.vigil.rules;

import io.vigil.rules.expr.Expr;
import io.vigil.rules.expr.ExprSyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a rules file from its text (the caller does the I/O). Two shapes of rule list are accepted:
 * Vigil's own {@code rules: [ … ]} and Prometheus' {@code groups: [ {rules: [ … ]} ]}, with
 * {@code alert:} accepted as a synonym of {@code name:} and, when {@code severity:} is absent,
 * Prometheus' {@code labels.severity} mapped (critical → P1, major/error → P2, warning → P3,
 * info → P4). Top-level {@code grading:} and {@code flapping:} configure the engine;
 * {@code inhibit_rules:} is read by {@code InhibitRules}. Every problem is collected and reported
 * together, each naming the file, the rule and the reason.
 */
public final class RulesFile {
  private static final Set<String> RULE_KEYS = Set.of("name", "alert", "expr", "resolve_expr", "for", "keep_firing_for",
      "severity", "labels", "annotations");
  // Notifications (route, receivers, time intervals, notify) and on-call (people, schedules,
  // escalations) share the file, in Alertmanager's shape; their own parsers read those keys.
  private static final Set<String> TOP_KEYS = Set.of("rules", "groups", "grading", "flapping", "inhibit_rules", "route", "receivers",
      "time_intervals", "mute_time_intervals", "notify", "people", "schedules", "escalations");
  private static final Map<String, Severity> PROMETHEUS_SEVERITY = Map.of("critical", Severity.P1, "major", Severity.P2,
      "error", Severity.P2, "warning", Severity.P3, "minor", Severity.P3, "info", Severity.P4, "none", Severity.P4);

  private RulesFile() {}

  /** Just the rules (for callers that need no engine configuration). */
  public static List<Rule> parse(String sourceName, String yaml) {
    return load(sourceName, yaml).rules();
  }

  public static RuleSet load(String sourceName, String yaml) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(sourceName).build()).loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new RuleFileException(List.of(sourceName + ": not valid YAML: " + e.getMessage().replace('\n', ' ')));
    }
    if (root == null) return RuleSet.of(List.of());
    if (!(root instanceof Map<?, ?> top)) {
      throw new RuleFileException(List.of(sourceName + ": expected a mapping with a top-level 'rules:' list (or Prometheus 'groups:')"));
    }
    List<String> problems = new ArrayList<>();
    for (Object k : top.keySet()) {
      if (!TOP_KEYS.contains(String.valueOf(k))) {
        problems.add(sourceName + ": unknown top-level key '" + k + "' (known: " + String.join(", ", TOP_KEYS.stream().sorted().toList()) + ")");
      }
    }
    List<Object> entries = new ArrayList<>();
    if (top.get("rules") instanceof List<?> list) {
      entries.addAll(list);
    } else if (top.get("rules") != null) {
      problems.add(sourceName + ": 'rules' must be a list");
    }
    if (top.get("groups") instanceof List<?> groups) {
      for (Object g : groups) {
        if (g instanceof Map<?, ?> gm && gm.get("rules") instanceof List<?> list) entries.addAll(list);
        else problems.add(sourceName + ": every entry of 'groups' needs a 'rules' list");
      }
    }
    GradingPolicy grading = GradingPolicy.none();
    FlapPolicy flapping = FlapPolicy.defaults();
    try {
      grading = GradingPolicy.parse(top.get("grading"));
    } catch (IllegalArgumentException e) {
      problems.add(sourceName + ": " + e.getMessage());
    }
    try {
      flapping = FlapPolicy.parse(top.get("flapping"));
    } catch (IllegalArgumentException e) {
      problems.add(sourceName + ": " + e.getMessage());
    }
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      Object e = entries.get(i);
      String where = sourceName + ": rule #" + (i + 1);
      if (!(e instanceof Map<?, ?> m)) {
        problems.add(where + ": expected a mapping with name, expr, for, severity");
        continue;
      }
      Object nameObj = m.containsKey("name") ? m.get("name") : m.get("alert");
      if (nameObj != null) where = sourceName + ": rule '" + nameObj + "'";
      try {
        Rule r = rule(m, nameObj);
        if (!names.add(r.name())) throw new IllegalArgumentException("duplicate rule name");
        rules.add(r);
      } catch (IllegalArgumentException ex) {
        problems.add(where + ": " + ex.getMessage());
      }
    }
    if (!problems.isEmpty()) throw new RuleFileException(problems);
    return new RuleSet(rules, grading, flapping);
  }

  private static Rule rule(Map<?, ?> m, Object nameObj) {
    if (m.containsKey("record")) {
      throw new IllegalArgumentException("recording rules ('record:') are not supported; Vigil evaluates alerting rules only");
    }
    for (Object k : m.keySet()) {
      if (!RULE_KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("unknown key '" + k + "' (known: " + String.join(", ", RULE_KEYS.stream().sorted().toList()) + ")");
      }
    }
    if (!(nameObj instanceof String name) || name.isBlank()) throw new IllegalArgumentException("missing 'name'");
    if (!Labels.NAME.matcher(name).matches()) throw new IllegalArgumentException("name must match " + Labels.NAME.pattern());
    Expr expr = expr(m, "expr", true);
    Expr resolveExpr = expr(m, "resolve_expr", false);
    Duration forDuration = duration(m, "for");
    Duration keepFiringFor = duration(m, "keep_firing_for");
    Map<String, String> labels = new LinkedHashMap<>(stringMap(m.get("labels"), "labels"));
    Severity severity = severity(m.get("severity"), labels);
    Labels.of(labels); // validates names
    Map<String, Template> annotations = new LinkedHashMap<>();
    for (Map.Entry<String, String> a : stringMap(m.get("annotations"), "annotations").entrySet()) {
      try {
        annotations.put(a.getKey(), Template.compile(a.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("annotation '" + a.getKey() + "': " + ex.getMessage());
      }
    }
    return new Rule(name, expr, resolveExpr, forDuration, keepFiringFor, severity, labels, annotations);
  }

  private static Expr expr(Map<?, ?> m, String key, boolean required) {
    Object o = m.get(key);
    if (o == null) {
      if (required) throw new IllegalArgumentException("missing '" + key + "'");
      return null;
    }
    if (!(o instanceof String text)) throw new IllegalArgumentException("'" + key + "' must be a string");
    try {
      return Expr.parse(text);
    } catch (ExprSyntaxException ex) {
      String[] lines = text.split("\n", -1);
      if (lines.length <= 1 || ex.line() < 1 || ex.line() > lines.length) {
        throw new IllegalArgumentException(key + " '" + text.strip() + "': " + ex.getMessage());
      }
      // A multi-line expression: quote the offending line and point at the column.
      throw new IllegalArgumentException(key + ": " + ex.getMessage() + "\n      " + lines[ex.line() - 1]
          + "\n      " + " ".repeat(Math.max(0, ex.column() - 1)) + "^");
    }
  }

  private static Duration duration(Map<?, ?> m, String key) {
    Object o = m.get(key);
    if (o == null) return Duration.ZERO;
    try {
      return Durations.parse(String.valueOf(o));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + key + "': " + e.getMessage());
    }
  }

  /** {@code severity:} (P1…P4), else Prometheus' {@code labels.severity} (which then stays a label). */
  private static Severity severity(Object sev, Map<String, String> labels) {
    if (sev != null) return Severity.parse(String.valueOf(sev));
    String promSeverity = labels.get("severity");
    if (promSeverity != null) {
      Severity mapped = PROMETHEUS_SEVERITY.get(promSeverity.toLowerCase(java.util.Locale.ROOT));
      if (mapped != null) return mapped;
      try {
        return Severity.parse(promSeverity);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("labels.severity '" + promSeverity
            + "' is not one of P1…P4 or critical, major, error, warning, minor, info, none");
      }
    }
    throw new IllegalArgumentException("missing 'severity' (P1, P2, P3 or P4)");
  }

  private static Map<String, String> stringMap(Object o, String what) {
    if (o == null) return Map.of();
    if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("'" + what + "' must be a mapping");
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    return out;
  }
}
