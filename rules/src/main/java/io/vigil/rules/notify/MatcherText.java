package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import java.util.regex.PatternSyntaxException;

/**
 * Alertmanager's matcher strings, one matcher each: {@code severity="P1"}, {@code team!=noc},
 * {@code service=~"db|cache"}, {@code env!~"dev.*"}. The value may be quoted (with {@code \"},
 * {@code \\} and {@code \n} escapes) or bare (trimmed). Regexes are fully anchored, as everywhere
 * in Vigil. {@link Matcher#toString()} writes the quoted form back, which this reads again.
 */
public final class MatcherText {
  private MatcherText() {}

  /** Throws {@link IllegalArgumentException} saying what is wrong with {@code text}. */
  public static Matcher parse(String text) {
    String s = text == null ? "" : text.strip();
    if (s.startsWith("{") && s.endsWith("}")) s = s.substring(1, s.length() - 1).strip();
    int i = 0;
    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
    String name = s.substring(0, i);
    if (name.isEmpty() || !Labels.NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("matcher '" + text + "' must start with a label name (" + Labels.NAME.pattern() + ")");
    }
    String rest = s.substring(i).stripLeading();
    Matcher.Type type;
    if (rest.startsWith("=~")) type = Matcher.Type.RE;
    else if (rest.startsWith("!~")) type = Matcher.Type.NRE;
    else if (rest.startsWith("!=")) type = Matcher.Type.NE;
    else if (rest.startsWith("=")) type = Matcher.Type.EQ;
    else throw new IllegalArgumentException("matcher '" + text + "' needs one of =, !=, =~, !~ after '" + name + "'");
    String raw = rest.substring(type.symbol.length()).strip();
    String value = raw.startsWith("\"") ? unquote(raw, text) : raw;
    if (!raw.startsWith("\"") && raw.contains("\"")) {
      throw new IllegalArgumentException("matcher '" + text + "': a value with a quote must be quoted as a whole");
    }
    try {
      return Matcher.of(name, type, value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("matcher '" + text + "': bad regex '" + value + "': " + e.getDescription());
    }
  }

  private static String unquote(String raw, String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '"') {
        if (i != raw.length() - 1) throw new IllegalArgumentException("matcher '" + text + "': text after the closing quote");
        return b.toString();
      }
      if (c == '\\' && i + 1 < raw.length()) {
        char n = raw.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    throw new IllegalArgumentException("matcher '" + text + "': unclosed quote");
  }
}
