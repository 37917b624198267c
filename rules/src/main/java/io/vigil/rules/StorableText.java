package io.vigil.rules;

/**
 * Whether a string can be stored as PostgreSQL {@code text}: it cannot hold the NUL character, and a
 * string with an unpaired UTF-16 surrogate (what a JSON escape such as {@code "\ud800"} decodes to)
 * is not valid Unicode: the database driver would write a replacement character, so what is stored
 * would differ from what was checked and keyed. Both are the client's mistake, to be refused with a
 * 400 that names the field, never a 5xx or a silently changed value (found by FuzzIT).
 */
public final class StorableText {
  private StorableText() {}

  /** Null when {@code s} can be stored as it is; otherwise why not, to follow the field's name. */
  public static String problem(String s) {
    if (s == null) return null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u0000') return "contains the NUL character (U+0000), which cannot be stored";
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return "is not valid Unicode (an unpaired surrogate at character " + i + ")";
      }
      if (Character.isLowSurrogate(c)) return "is not valid Unicode (an unpaired surrogate at character " + i + ")";
    }
    return null;
  }

  /**
   * The first key or string in a parsed JSON tree (maps, lists, or anything iterable over map
   * entries or items, as Vert.x's JsonObject and JsonArray are) that cannot be stored, as
   * {@code {path, why}} ({@code labels.host}, {@code alerts[2].summary}); null when all can.
   */
  public static String[] firstProblem(Object json) {
    return walk(json, "");
  }

  private static String[] walk(Object v, String path) {
    if (v instanceof String s) {
      String why = problem(s);
      return why == null ? null : new String[] {path, why};
    }
    Iterable<?> items = v instanceof java.util.Map<?, ?> m ? m.entrySet() : v instanceof Iterable<?> it ? it : null;
    if (items == null) return null;
    int i = 0;
    for (Object item : items) {
      String[] bad;
      if (item instanceof java.util.Map.Entry<?, ?> e) {
        String key = String.valueOf(e.getKey());
        String p = path.isEmpty() ? key : path + "." + key;
        String why = problem(key);
        bad = why != null ? new String[] {p, "(the key) " + why} : walk(e.getValue(), p);
      } else {
        bad = walk(item, path + "[" + i + "]");
      }
      if (bad != null) return bad;
      i++;
    }
    return null;
  }
}
