package io.vigil.rules;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Tokens for PostgreSQL full-text search over text that mixes Chinese and Latin scripts. PostgreSQL
 * has no Chinese parser, so runs of CJK characters become overlapping bigrams ("数据库连接" →
 * 数据 据库 库连 连接; a single character stays itself) and other text lower-cased words of letters
 * and digits. Indexed with the {@code simple} configuration, a query tokenised the same way and
 * AND-ed ({@code plainto_tsquery}) finds every resolution containing the query's characters in order
 * pairs, the usual bigram approach for CJK search.
 */
public final class SearchText {
  private SearchText() {}

  /** The tokens of {@code text}, space-separated, in first-seen order, without duplicates. */
  public static String tokens(String text) {
    Set<String> out = new LinkedHashSet<>();
    if (text == null) return "";
    StringBuilder word = new StringBuilder();
    StringBuilder cjk = new StringBuilder();
    text.codePoints().forEach(cp -> {
      if (isCjk(cp)) {
        flushWord(word, out);
        cjk.appendCodePoint(cp);
      } else {
        flushCjk(cjk, out);
        if (Character.isLetterOrDigit(cp)) word.appendCodePoint(Character.toLowerCase(cp));
        else flushWord(word, out);
      }
    });
    flushWord(word, out);
    flushCjk(cjk, out);
    return String.join(" ", out);
  }

  private static void flushWord(StringBuilder word, Set<String> out) {
    if (word.length() > 0) out.add(word.toString().toLowerCase(Locale.ROOT));
    word.setLength(0);
  }

  private static void flushCjk(StringBuilder run, Set<String> out) {
    int[] cps = run.codePoints().toArray();
    if (cps.length == 1) out.add(new String(cps, 0, 1));
    for (int i = 0; i + 1 < cps.length; i++) out.add(new String(cps, i, 2));
    run.setLength(0);
  }

  static boolean isCjk(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA
        || s == Character.UnicodeScript.HANGUL;
  }
}
