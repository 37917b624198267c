package io.vigil.rules;

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
 * Reads a rules file from its text (the caller does the I/O). Two shapes are accepted:
 * Vigil's own {@code rules: [ … ]} and Prometheus' {@code groups: [ {rules: [ … ]} ]}, with
 * {@code alert:} accepted as a synonym of {@code name:}. Every problem is collected and
 * reported together, each naming the file, the rule and the reason.
 */
public final class RulesFile {
  private static final Set<String> KNOWN_KEYS =
      Set.of("name", "alert", "expr", "for", "severity", "labels", "annotations");

  private RulesFile() {}

  public static List<Rule> parse(String sourceName, String yaml) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(sourceName).build()).loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new RuleFileException(List.of(sourceName + ": not valid YAML: " + e.getMessage().replace('\n', ' ')));
    }
    List<String> problems = new ArrayList<>();
    List<Object> entries = new ArrayList<>();
    if (root == null) {
      return List.of();
    } else if (root instanceof Map<?, ?> top && top.get("rules") instanceof List<?> list) {
      entries.addAll(list);
    } else if (root instanceof Map<?, ?> top && top.get("groups") instanceof List<?> groups) {
      for (Object g : groups) {
        if (g instanceof Map<?, ?> gm && gm.get("rules") instanceof List<?> list) entries.addAll(list);
        else problems.add(sourceName + ": every entry of 'groups' needs a 'rules' list");
      }
    } else {
      throw new RuleFileException(List.of(sourceName + ": expected a top-level 'rules:' list (or Prometheus 'groups:')"));
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
    return List.copyOf(rules);
  }

  private static Rule rule(Map<?, ?> m, Object nameObj) {
    for (Object k : m.keySet()) {
      if (!KNOWN_KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("unknown key '" + k + "' (known: " + String.join(", ", KNOWN_KEYS.stream().sorted().toList()) + ")");
      }
    }
    if (!(nameObj instanceof String name) || name.isBlank()) throw new IllegalArgumentException("missing 'name'");
    if (!Labels.NAME.matcher(name).matches()) throw new IllegalArgumentException("name must match " + Labels.NAME.pattern());
    Object exprObj = m.get("expr");
    if (!(exprObj instanceof String exprText)) throw new IllegalArgumentException("missing 'expr'");
    ThresholdExpr expr;
    try {
      expr = ExprParser.parse(exprText);
    } catch (ExprParser.ExprException ex) {
      throw new IllegalArgumentException("expr '" + exprText + "': " + ex.getMessage());
    }
    Duration forDuration = m.get("for") == null ? Duration.ZERO : Durations.parse(String.valueOf(m.get("for")));
    Object sev = m.get("severity");
    if (sev == null) throw new IllegalArgumentException("missing 'severity' (P1, P2, P3 or P4)");
    Severity severity = Severity.parse(String.valueOf(sev));
    Map<String, String> labels = stringMap(m.get("labels"), "labels");
    Labels.of(labels); // validates names
    Map<String, Template> annotations = new LinkedHashMap<>();
    for (Map.Entry<String, String> a : stringMap(m.get("annotations"), "annotations").entrySet()) {
      annotations.put(a.getKey(), Template.compile(a.getValue()));
    }
    return new Rule(name, expr, forDuration, severity, labels, annotations);
  }

  private static Map<String, String> stringMap(Object o, String what) {
    if (o == null) return Map.of();
    if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("'" + what + "' must be a mapping");
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    return out;
  }
}
