package io.vigil.rules.notify;

import java.util.Collection;
import java.util.Map;

/**
 * A minimal JSON writer for notification bodies, so this module needs no JSON library. Writes
 * maps (in their iteration order: pass a {@code LinkedHashMap} for a fixed field order, a
 * {@code TreeMap} for sorted keys), collections, strings, numbers, booleans and null. Non-ASCII
 * text stays as itself (the caller encodes the result as UTF-8); only what RFC 8259 requires is
 * escaped, plus U+2028/U+2029 so the text is also safe inside a JavaScript string.
 */
public final class JsonText {
  private JsonText() {}

  /** {@code value} as JSON text. Throws {@link IllegalArgumentException} for other types and non-finite numbers. */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder(256);
    write(b, value);
    return b.toString();
  }

  public static void write(StringBuilder b, Object value) {
    if (value == null) {
      b.append("null");
    } else if (value instanceof CharSequence s) {
      quote(b, s);
    } else if (value instanceof Boolean bool) {
      b.append(bool.booleanValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("JSON has no " + d);
      if (d == Math.rint(d) && Math.abs(d) < 1e15) b.append((long) d);
      else b.append(d);
    } else if (value instanceof Number n) {
      b.append(n);
    } else if (value instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) b.append(',');
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (value instanceof Collection<?> c) {
      b.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) b.append(',');
        first = false;
        write(b, o);
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  /** {@code s} as a JSON string literal, quotes included. */
  public static String quote(CharSequence s) {
    StringBuilder b = new StringBuilder(s.length() + 2);
    quote(b, s);
    return b.toString();
  }

  public static void quote(StringBuilder b, CharSequence s) {
    b.append('"');
    escape(b, s);
    b.append('"');
  }

  /** The inside of a JSON string literal: what a template puts between quotes it wrote itself. */
  public static String escape(CharSequence s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    escape(b, s);
    return b.toString();
  }

  public static void escape(StringBuilder b, CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == 0x7f) {
            b.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            b.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            // A lone surrogate has no UTF-8 form; escaped, it survives instead of turning into '?'.
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
