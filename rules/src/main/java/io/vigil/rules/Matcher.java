package io.vigil.rules;

import java.util.regex.Pattern;

/** One label matcher of a selector: {@code name="v"}, {@code !=}, {@code =~} or {@code !~}. */
public record Matcher(String name, Type type, String value, Pattern regex) {
  public enum Type {
    EQ("="), NE("!="), RE("=~"), NRE("!~");

    public final String symbol;

    Type(String symbol) {
      this.symbol = symbol;
    }
  }

  public static Matcher of(String name, Type type, String value) {
    // Regex matchers are fully anchored, as in PromQL.
    Pattern p = type == Type.RE || type == Type.NRE ? Pattern.compile("^(?:" + value + ")$") : null;
    return new Matcher(name, type, value, p);
  }

  /** An absent label matches as the empty string, as in PromQL. */
  public boolean matches(Labels labels) {
    String v = labels.getOrDefault(name, "");
    return switch (type) {
      case EQ -> v.equals(value);
      case NE -> !v.equals(value);
      case RE -> regex.matcher(v).matches();
      case NRE -> !regex.matcher(v).matches();
    };
  }

  /** Equal when name, type and value are: the compiled pattern follows from them (and Pattern has no equality of its own). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && name.equals(m.name) && type == m.type && value.equals(m.value);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(name, type, value);
  }

  @Override
  public String toString() {
    return name + type.symbol + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
