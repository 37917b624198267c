package io.vigil.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Fault fingerprints: rule name plus the series' identifying labels, hashed to 16 hex digits.
 * Stable across restarts and releases (it is stored), so the canonical form below must not change.
 */
public final class Fingerprints {
  private Fingerprints() {}

  public static String of(String rule, Labels labels) {
    StringBuilder b = new StringBuilder(rule.length() + 64).append(rule);
    for (Map.Entry<String, String> e : labels.asMap().entrySet()) {
      // 0xFF never occurs in UTF-8, so it cannot be confused with label text.
      b.append('\u00ff').append(e.getKey()).append('\u00fe').append(e.getValue());
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
