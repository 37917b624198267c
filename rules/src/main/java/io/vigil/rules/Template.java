package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * An annotation template: text with placeholders in Prometheus' spelling, so existing rule
 * annotations carry over: {@code {{ $labels.host }}}, {@code {{ $value }}}, and the value through a
 * helper, either piped ({@code {{ $value | humanize }}}) or called ({@code {{ humanize $value }}}).
 * Helpers: {@code humanize} (SI prefixes: 1.5k, 2.3M), {@code humanize1024} (Ki, Mi, …),
 * {@code humanizePercentage} (0.953 → 95.3%), {@code humanizeDuration} (seconds → 1h 2m 3s).
 * Compiled once; rendering never fails: a missing label renders as empty text.
 */
public final class Template {
  private sealed interface Part permits Text, LabelRef, ValueRef {}

  private record Text(String text) implements Part {}

  private record LabelRef(String name) implements Part {}

  private record ValueRef(DoubleFunction<String> format) implements Part {}

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
      parts.add(placeholder(source.substring(open + 2, close).trim(), source));
      at = close + 2;
    }
    return new Template(source, List.copyOf(parts));
  }

  private static Part placeholder(String inner, String source) {
    if (inner.startsWith("$labels.") && Labels.NAME.matcher(inner.substring(8)).matches()) {
      return new LabelRef(inner.substring(8));
    }
    String[] piped = inner.split("\\|");
    if (piped.length == 2 && piped[0].trim().equals("$value")) return new ValueRef(helper(piped[1].trim(), inner, source));
    String[] words = inner.split("\\s+");
    if (words.length == 1 && words[0].equals("$value")) return new ValueRef(Template::formatValue);
    if (words.length == 2 && words[1].equals("$value")) return new ValueRef(helper(words[0], inner, source));
    throw new IllegalArgumentException("unknown placeholder '{{ " + inner + " }}' in template '" + source
        + "': use {{ $labels.<name> }}, {{ $value }} or {{ $value | humanize }}");
  }

  private static DoubleFunction<String> helper(String name, String inner, String source) {
    return switch (name) {
      case "humanize" -> v -> humanize(v, 1000, new String[] {"k", "M", "G", "T", "P", "E"}, new String[] {"m", "µ", "n", "p"});
      case "humanize1024" -> v -> humanize(v, 1024, new String[] {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}, new String[0]);
      case "humanizePercentage" -> v -> formatValue(v * 100) + "%";
      case "humanizeDuration" -> Template::humanizeDuration;
      default -> throw new IllegalArgumentException("unknown helper '" + name + "' in '{{ " + inner + " }}' of template '"
          + source + "': use humanize, humanize1024, humanizePercentage or humanizeDuration");
    };
  }

  public String render(Labels labels, double value) {
    StringBuilder b = new StringBuilder(source.length() + 16);
    for (Part p : parts) {
      if (p instanceof Text t) b.append(t.text());
      else if (p instanceof LabelRef l) b.append(labels.getOrDefault(l.name(), ""));
      else b.append(((ValueRef) p).format().apply(value));
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

  /** Prometheus' humanize: 4 significant digits and an SI (or binary) prefix. */
  static String humanize(double v, double base, String[] up, String[] down) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) return formatValue(v);
    double a = Math.abs(v);
    String prefix = "";
    if (a >= 1) {
      for (int i = 0; i < up.length && a >= base; i++) {
        a /= base;
        prefix = up[i];
      }
    } else if (down.length > 0) {
      for (int i = 0; i < down.length && a < 1; i++) {
        a *= base;
        prefix = down[i];
      }
    }
    return (v < 0 ? "-" : "") + significant(a) + prefix;
  }

  private static String significant(double a) {
    String s = String.format(Locale.ROOT, "%.4g", a);
    if (s.contains("e") || s.contains("E")) return s;
    if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    return s;
  }

  /** Seconds as {@code 1d 2h 3m 4s}; below one second as ms. */
  static String humanizeDuration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) return formatValue(seconds);
    if (seconds == 0) return "0s";
    if (Math.abs(seconds) < 1) return significant(seconds * 1000) + "ms";
    long s = Math.round(Math.abs(seconds));
    StringBuilder b = new StringBuilder(seconds < 0 ? "-" : "");
    long[] units = {86_400, 3_600, 60, 1};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (s >= units[i] || (i == units.length - 1 && b.length() <= 1)) {
        if (b.length() > 1) b.append(' ');
        b.append(s / units[i]).append(names[i]);
        s %= units[i];
      }
    }
    return b.toString();
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }
}
