package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An annotation template: text with {@code {{ $labels.name }}} and {@code {{ $value }}}
 * placeholders (Prometheus' spelling, so existing rule annotations carry over). Compiled once;
 * rendering is allocation-light and never fails: a missing label renders as empty text.
 */
public final class Template {
  private sealed interface Part permits Text, LabelRef, ValueRef {}

  private record Text(String text) implements Part {}

  private record LabelRef(String name) implements Part {}

  private record ValueRef() implements Part {}

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = parts;
  }

  /** Throws {@link IllegalArgumentException} naming the bad placeholder. */
  public static Template compile(String source) {
    List<Part> parts = new ArrayList<>();
    int at = 0;
    while (at < source.length()) {
      int open = source.indexOf("{{", at);
      if (open < 0) {
        parts.add(new Text(source.substring(at)));
        break;
      }
      if (open > at) parts.add(new Text(source.substring(at, open)));
      int close = source.indexOf("}}", open);
      if (close < 0) throw new IllegalArgumentException("unclosed '{{' at offset " + open + " in template '" + source + "'");
      String inner = source.substring(open + 2, close).trim();
      if (inner.equals("$value")) {
        parts.add(new ValueRef());
      } else if (inner.startsWith("$labels.") && Labels.NAME.matcher(inner.substring(8)).matches()) {
        parts.add(new LabelRef(inner.substring(8)));
      } else {
        throw new IllegalArgumentException("unknown placeholder '{{ " + inner + " }}' in template '" + source
            + "': use {{ $labels.<name> }} or {{ $value }}");
      }
      at = close + 2;
    }
    return new Template(source, List.copyOf(parts));
  }

  public String render(Labels labels, double value) {
    StringBuilder b = new StringBuilder(source.length() + 16);
    for (Part p : parts) {
      if (p instanceof Text t) b.append(t.text());
      else if (p instanceof LabelRef l) b.append(labels.getOrDefault(l.name(), ""));
      else b.append(formatValue(value));
    }
    return b.toString();
  }

  /** Integers without a decimal point; others with up to 4 significant decimals. */
  public static String formatValue(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    String s = String.format(Locale.ROOT, "%.4f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }
}
