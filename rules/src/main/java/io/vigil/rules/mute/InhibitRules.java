package io.vigil.rules.mute;

import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import io.vigil.rules.RuleFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the top-level {@code inhibit_rules:} list of a rules file (the caller does the I/O) in
 * Alertmanager's spelling: {@code source_match}, {@code source_match_re}, {@code target_match},
 * {@code target_match_re}, {@code equal}. Every other top-level key is ignored (that is
 * {@code RulesFile}'s business). Every problem is collected and reported together, each naming
 * the file, the entry and the reason.
 */
public final class InhibitRules {
  private static final Set<String> KNOWN_KEYS = Set.of("source_match", "source_match_re", "target_match", "target_match_re", "equal");

  private InhibitRules() {}

  public static List<InhibitRule> parse(String sourceName, String yaml) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(sourceName).build()).loadFromString(yaml);
    } catch (YamlEngineException e) {
      throw new RuleFileException(List.of(sourceName + ": not valid YAML: " + e.getMessage().replace('\n', ' ')));
    }
    if (!(root instanceof Map<?, ?> top) || top.get("inhibit_rules") == null) return List.of();
    if (!(top.get("inhibit_rules") instanceof List<?> entries)) {
      throw new RuleFileException(List.of(sourceName + ": 'inhibit_rules' must be a list"));
    }
    List<String> problems = new ArrayList<>();
    List<InhibitRule> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String where = sourceName + ": inhibit rule #" + (i + 1);
      try {
        // Ids stay URL-safe (they appear in /api/v1/inhibit-rules/{id}); the file is named in createdBy.
        out.add(rule(entries.get(i), "file-" + (i + 1), sourceName));
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) throw new RuleFileException(problems);
    return List.copyOf(out);
  }

  private static InhibitRule rule(Object e, String id, String sourceName) {
    if (!(e instanceof Map<?, ?> m)) throw new IllegalArgumentException("expected a mapping with source_match, target_match, equal");
    for (Object k : m.keySet()) {
      if (!KNOWN_KEYS.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("unknown key '" + k + "' (known: " + String.join(", ", KNOWN_KEYS.stream().sorted().toList()) + ")");
      }
    }
    List<Matcher> source = new ArrayList<>(matchers(m, "source_match", false));
    source.addAll(matchers(m, "source_match_re", true));
    List<Matcher> target = new ArrayList<>(matchers(m, "target_match", false));
    target.addAll(matchers(m, "target_match_re", true));
    if (source.isEmpty()) throw new IllegalArgumentException("needs 'source_match' or 'source_match_re'");
    if (target.isEmpty()) throw new IllegalArgumentException("needs 'target_match' or 'target_match_re'");
    List<String> equal = new ArrayList<>();
    Object eq = m.get("equal");
    if (eq != null) {
      if (!(eq instanceof List<?> l)) throw new IllegalArgumentException("'equal' must be a list of label names");
      for (Object n : l) {
        String name = String.valueOf(n);
        if (!Labels.NAME.matcher(name).matches()) throw new IllegalArgumentException("'equal': bad label name '" + name + "'");
        equal.add(name);
      }
    }
    return new InhibitRule(id, source, target, equal, "file", "rules file " + sourceName);
  }

  private static List<Matcher> matchers(Map<?, ?> m, String key, boolean regex) {
    Object o = m.get(key);
    if (o == null) return List.of();
    if (!(o instanceof Map<?, ?> map)) throw new IllegalArgumentException("'" + key + "' must be a mapping of label name to value");
    List<Matcher> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!Labels.NAME.matcher(name).matches()) throw new IllegalArgumentException("'" + key + "': bad label name '" + name + "'");
      String value = e.getValue() == null ? "" : String.valueOf(e.getValue());
      try {
        out.add(Matcher.of(name, regex ? Matcher.Type.RE : Matcher.Type.EQ, value));
      } catch (PatternSyntaxException ex) {
        throw new IllegalArgumentException("'" + key + "." + name + "': bad regex '" + value + "': " + ex.getDescription());
      }
    }
    return out;
  }
}
