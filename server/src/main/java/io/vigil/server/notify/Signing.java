package io.vigil.server.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: {@code X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">}, with the same timestamp in {@code X-Vigil-Timestamp}. Signing the timestamp with
 * the body lets a receiver refuse replays older than its tolerance (docs/NOTIFICATIONS.md shows the
 * check in a few lines of Python).
 */
public final class Signing {
  public static final String SIGNATURE_HEADER = "X-Vigil-Signature";
  public static final String TIMESTAMP_HEADER = "X-Vigil-Timestamp";

  private Signing() {}

  public static String sign(String secret, long unixSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] h = mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(h);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
