package io.vigil.rules;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An immutable, name-sorted set of label pairs. Equality and hash code are by content,
 * so a {@code Labels} plus a metric name identifies a series. Thread-safe.
 */
public final class Labels {
  /** Prometheus' label name syntax; the same one Vigil accepts everywhere. */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  public static final Labels EMPTY = new Labels(new TreeMap<>());

  private final TreeMap<String, String> pairs;
  private final int hash;

  private Labels(TreeMap<String, String> pairs) {
    this.pairs = pairs;
    this.hash = hash(pairs);
  }

  /**
   * Order-dependent and mixed. {@code TreeMap.hashCode()} sums {@code key ^ value} per pair, so
   * label sets that differ in several labels collide massively (2,000 series of 20 customers x 10
   * systems x 10 hosts gave 145 distinct hashes): series maps then degrade into tree bins where
   * every lookup compares whole label maps. Never persisted: fingerprints are SHA-256 of the text.
   */
  private static int hash(TreeMap<String, String> pairs) {
    int h = 1;
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      h = 31 * h + e.getKey().hashCode();
      h = 31 * h + e.getValue().hashCode();
    }
    h *= 0x9E3779B9; // golden-ratio multiply: spreads the polynomial's low-bit regularities
    return h ^ (h >>> 16);
  }

  /** Copies {@code map}; throws {@link IllegalArgumentException} naming the first bad label name. */
  public static Labels of(Map<String, String> map) {
    if (map.isEmpty()) return EMPTY;
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("bad label name '" + e.getKey() + "': must match " + NAME.pattern());
      }
      if (e.getValue() == null) throw new IllegalArgumentException("label '" + e.getKey() + "' has no value");
      copy.put(e.getKey(), e.getValue());
    }
    return new Labels(copy);
  }

  public static Labels of(String... kv) {
    if (kv.length % 2 != 0) throw new IllegalArgumentException("odd number of label arguments");
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return of(m);
  }

  public String get(String name) {
    return pairs.get(name);
  }

  public String getOrDefault(String name, String fallback) {
    return pairs.getOrDefault(name, fallback);
  }

  /** A read-only, name-sorted view. */
  public Map<String, String> asMap() {
    return Collections.unmodifiableSortedMap(pairs);
  }

  public int size() {
    return pairs.size();
  }

  /**
   * Only the named labels that are present (PromQL {@code on} / {@code by}). Skips the name check of
   * {@link #of}: every pair comes from these labels, already checked. Vector matching and grouping
   * project on the hot path, where a regex match per label name showed in profiles.
   */
  public Labels keep(Collection<String> names) {
    TreeMap<String, String> m = new TreeMap<>();
    for (String n : names) {
      String v = pairs.get(n);
      if (v != null) m.put(n, v);
    }
    return m.isEmpty() ? EMPTY : new Labels(m);
  }

  /** All labels but the named ones (PromQL {@code ignoring} / {@code without}); no name check, as {@link #keep}. */
  public Labels drop(Collection<String> names) {
    TreeMap<String, String> m = new TreeMap<>(pairs);
    m.keySet().removeAll(names);
    if (m.size() == pairs.size()) return this;
    return m.isEmpty() ? EMPTY : new Labels(m);
  }

  /** These labels with {@code extra} laid over them (extra wins). */
  public Labels with(Map<String, String> extra) {
    if (extra.isEmpty()) return this;
    TreeMap<String, String> m = new TreeMap<>(pairs);
    m.putAll(extra);
    return of(m);
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Labels l && l.hash == hash && l.pairs.equals(pairs));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Prometheus style: {@code {a="1", b="2"}}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    pairs.forEach((k, v) -> {
      if (b.length() > 1) b.append(", ");
      b.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    });
    return b.append('}').toString();
  }
}
