package io.vigil.rules;

/**
 * One wording for malformed JSON across the APIs (ingest, alerts, the admin API): "malformed JSON
 * at line L, column C: what", without the parser's internals. Pure text, so the modules that
 * parse JSON with Jackson share it without this module depending on a parser.
 */
public final class JsonErrors {
  private JsonErrors() {}

  /**
   * {@code originalMessage} is Jackson's message without location ({@code getOriginalMessage()}); cut
   * are "(start marker at [Source: REDACTED …])" and ": enable `JsonReadFeature…` to allow" advice.
   */
  public static String malformed(int line, int column, String originalMessage) {
    String what = originalMessage == null ? "unreadable" : originalMessage;
    for (String tail : new String[] {" (start marker at", ": enable `", " (or ", "\n"}) {
      int at = what.indexOf(tail);
      if (at > 0) what = what.substring(0, at);
    }
    return "malformed JSON at line " + line + ", column " + column + ": " + what;
  }
}
