package io.vigil.rules;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An immutable, name-sorted set of label pairs. Equality and hash code are by content,
 * so a {@code Labels} plus a metric name identifies a series. Thread-safe.
 *
 * <p>Two parallel sorted arrays, not a map: a series has a handful of labels, and every sample is
 * looked up in several hash maps keyed by its labels (storage ids, cardinality guard, rule engine,
 * NoData). Comparing two arrays element by element, and finding a name by a linear scan, beat
 * {@code TreeMap}'s entry iterators and {@code compareTo} walks, which showed in ingest profiles.
 */
public final class Labels {
  /** Prometheus' label name syntax; the same one Vigil accepts everywhere. */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final String[] NONE = new String[0];
  public static final Labels EMPTY = new Labels(NONE, NONE);

  private final String[] names;
  private final String[] values;
  private final int hash;
  /**
   * The last series keys built on these labels (two slots: a line protocol line with two fields
   * makes two metrics share one Labels). Racy by design: a SeriesKey is immutable with final
   * fields, so a thread sees either a complete key or an older one, and a miss only builds a key.
   */
  private SeriesKey key0;
  private SeriesKey key1;

  /** Takes ownership of the arrays: names strictly ascending, values non-null. */
  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
    this.hash = hash(names, values);
  }

  private static Labels sorted(SortedMap<String, String> pairs) {
    if (pairs.isEmpty()) return EMPTY;
    String[] n = new String[pairs.size()];
    String[] v = new String[n.length];
    int i = 0;
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      n[i] = e.getKey();
      v[i++] = e.getValue();
    }
    return new Labels(n, v);
  }

  /**
   * Order-dependent and mixed. {@code TreeMap.hashCode()} sums {@code key ^ value} per pair, so
   * label sets that differ in several labels collide massively (2,000 series of 20 customers x 10
   * systems x 10 hosts gave 145 distinct hashes): series maps then degrade into tree bins where
   * every lookup compares whole label maps. Never persisted: fingerprints are SHA-256 of the text.
   */
  private static int hash(String[] names, String[] values) {
    int h = 1;
    for (int i = 0; i < names.length; i++) {
      h = 31 * h + names[i].hashCode();
      h = 31 * h + values[i].hashCode();
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
    return sorted(copy);
  }

  public static Labels of(String... kv) {
    if (kv.length % 2 != 0) throw new IllegalArgumentException("odd number of label arguments");
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return of(m);
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
    return -1;
  }

  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  public String getOrDefault(String name, String fallback) {
    int i = indexOf(name);
    return i < 0 ? fallback : values[i];
  }

  /** A read-only, name-sorted copy. */
  public Map<String, String> asMap() {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < names.length; i++) m.put(names[i], values[i]);
    return Collections.unmodifiableSortedMap(m);
  }

  public int size() {
    return names.length;
  }

  /** The key of series {@code metric} with these labels; the same object while it stays cached. */
  public SeriesKey seriesKey(String metric) {
    SeriesKey k = key0;
    if (k != null && k.metric().equals(metric)) return k;
    SeriesKey j = key1;
    if (j != null && j.metric().equals(metric)) return j;
    SeriesKey fresh = new SeriesKey(metric, this);
    key1 = k;
    key0 = fresh;
    return fresh;
  }

  /** The i-th label name in name order ({@code 0 <= i < size()}). */
  public String name(int i) {
    return names[i];
  }

  /** The i-th label value in name order. */
  public String value(int i) {
    return values[i];
  }

  /**
   * Only the named labels that are present (PromQL {@code on} / {@code by}). Skips the name check of
   * {@link #of}: every pair comes from these labels, already checked. Vector matching and grouping
   * project on the hot path, where a regex match per label name showed in profiles.
   */
  public Labels keep(Collection<String> names) {
    int k = 0;
    boolean[] keep = new boolean[this.names.length];
    for (int i = 0; i < this.names.length; i++) {
      if (names.contains(this.names[i])) {
        keep[i] = true;
        k++;
      }
    }
    return select(keep, k);
  }

  /** All labels but the named ones (PromQL {@code ignoring} / {@code without}); no name check, as {@link #keep}. */
  public Labels drop(Collection<String> names) {
    int k = 0;
    boolean[] keep = new boolean[this.names.length];
    for (int i = 0; i < this.names.length; i++) {
      if (!names.contains(this.names[i])) {
        keep[i] = true;
        k++;
      }
    }
    return select(keep, k);
  }

  private Labels select(boolean[] keep, int k) {
    if (k == names.length) return this;
    if (k == 0) return EMPTY;
    String[] n = new String[k];
    String[] v = new String[k];
    int j = 0;
    for (int i = 0; i < names.length; i++) {
      if (keep[i]) {
        n[j] = names[i];
        v[j++] = values[i];
      }
    }
    return new Labels(n, v);
  }

  /** These labels with {@code extra} laid over them (extra wins). */
  public Labels with(Map<String, String> extra) {
    if (extra.isEmpty()) return this;
    TreeMap<String, String> m = new TreeMap<>(asMap());
    m.putAll(extra);
    return of(m);
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof Labels l && l.hash == hash && Arrays.equals(l.names, names) && Arrays.equals(l.values, values));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Prometheus style: {@code {a="1", b="2"}}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) b.append(", ");
      b.append(names[i]).append("=\"").append(values[i].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return b.append('}').toString();
  }
}
