package io.vigil.rules.notify;

import io.vigil.rules.Durations;
import io.vigil.rules.RuleFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the loose YAML/JSON tree (maps, lists, scalars) of the notification sections and collects
 * every problem as {@code source: path: reason}, so one reload reports all mistakes at once. A
 * reading method that meets a problem records it and returns a fallback (null or the default);
 * the caller throws at the end with {@link #throwIfAny()}.
 */
final class ConfigReader {
  private final String prefix;
  private final List<String> problems = new ArrayList<>();

  /** {@code source} names the file (or request) in every problem; null or blank for none. */
  ConfigReader(String source) {
    this.prefix = source == null || source.isBlank() ? "" : source + ": ";
  }

  void problem(String path, String reason) {
    problems.add(prefix + path + ": " + reason);
  }

  boolean ok() {
    return problems.isEmpty();
  }

  List<String> problems() {
    return problems;
  }

  void throwIfAny() {
    if (!problems.isEmpty()) throw new RuleFileException(problems);
  }

  static String child(String path, String key) {
    return path == null || path.isEmpty() ? key : path + "." + key;
  }

  static String item(String path, int i) {
    return path + "[" + i + "]";
  }

  /** The node as a mapping with string keys, or null (and a problem) when it is something else. */
  Map<String, Object> mapping(Object node, String path) {
    if (!(node instanceof Map<?, ?> m)) {
      problem(path, "expected a mapping, got " + describe(node));
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  /** Refuses keys outside {@code known}, naming them all (as RulesFile does). */
  void knownKeys(Map<String, Object> m, Set<String> known, String path) {
    for (String k : m.keySet()) {
      if (!known.contains(k)) {
        problem(child(path, k), "unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  List<Object> list(Object node, String path) {
    if (node == null) return List.of();
    if (!(node instanceof List<?> l)) {
      problem(path, "expected a list, got " + describe(node));
      return List.of();
    }
    return new ArrayList<>(l);
  }

  /** A scalar as text; null when absent. */
  String string(Map<String, Object> m, String key, String path) {
    Object o = m.get(key);
    if (o == null) return null;
    if (o instanceof Map<?, ?> || o instanceof List<?>) {
      problem(child(path, key), "expected a string, got " + describe(o));
      return null;
    }
    return String.valueOf(o);
  }

  Duration duration(Map<String, Object> m, String key, String path, Duration fallback) {
    String s = string(m, key, path);
    if (s == null) return fallback;
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      problem(child(path, key), "'" + s + "' is not a duration (use e.g. 30s, 5m, 4h, 1d)");
      return fallback;
    }
  }

  boolean bool(Map<String, Object> m, String key, String path, boolean fallback) {
    Object o = m.get(key);
    if (o == null) return fallback;
    if (o instanceof Boolean b) return b;
    if ("true".equalsIgnoreCase(String.valueOf(o))) return true;
    if ("false".equalsIgnoreCase(String.valueOf(o))) return false;
    problem(child(path, key), "'" + o + "' is not true or false");
    return fallback;
  }

  int integer(Map<String, Object> m, String key, String path, int fallback, int min, int max) {
    Object o = m.get(key);
    if (o == null) return fallback;
    try {
      long v = o instanceof Number n && !(o instanceof Double) && !(o instanceof Float) ? n.longValue() : Long.parseLong(String.valueOf(o).trim());
      if (v < min || v > max) {
        problem(child(path, key), v + " is out of range " + min + ".." + max);
        return fallback;
      }
      return (int) v;
    } catch (NumberFormatException e) {
      problem(child(path, key), "'" + o + "' is not a whole number");
      return fallback;
    }
  }

  /** A list of scalars as text; null when the key is absent (callers tell "unset" from "empty"). */
  List<String> strings(Map<String, Object> m, String key, String path) {
    Object o = m.get(key);
    if (o == null) return null;
    List<String> out = new ArrayList<>();
    List<Object> l = list(o, child(path, key));
    for (int i = 0; i < l.size(); i++) {
      Object e = l.get(i);
      if (e == null || e instanceof Map<?, ?> || e instanceof List<?>) {
        problem(item(child(path, key), i), "expected a string, got " + describe(e));
      } else {
        out.add(String.valueOf(e));
      }
    }
    return out;
  }

  /** A mapping of scalars as text (insertion order kept); empty when absent. */
  Map<String, String> stringMap(Map<String, Object> m, String key, String path) {
    Object o = m.get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (o == null) return out;
    Map<String, Object> map = mapping(o, child(path, key));
    if (map == null) return out;
    map.forEach((k, v) -> {
      if (v instanceof Map<?, ?> || v instanceof List<?>) problem(child(child(path, key), k), "expected a string, got " + describe(v));
      else out.put(k, v == null ? "" : String.valueOf(v));
    });
    return out;
  }

  static String describe(Object o) {
    if (o == null) return "nothing";
    if (o instanceof Map<?, ?>) return "a mapping";
    if (o instanceof List<?>) return "a list";
    return "'" + o + "'";
  }
}
