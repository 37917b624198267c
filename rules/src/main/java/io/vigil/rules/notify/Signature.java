package io.vigil.rules.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures: HMAC-SHA256 of {@code <unix seconds> + "." + body} with the webhook's
 * {@code hmac_secret}, sent as {@code X-Vigil-Signature: t=<unix seconds>,v1=<hex>} (the scheme
 * Stripe made familiar). The timestamp is signed too, so a captured request cannot be replayed
 * outside the receiver's tolerance window. Pure and thread-safe.
 */
public final class Signature {
  /** The header the server sends the value in. */
  public static final String HEADER = "X-Vigil-Signature";

  private Signature() {}

  /** The hex HMAC-SHA256 of {@code unixSeconds + "." + body}. */
  public static String sign(String secret, long unixSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by the Java platform", e);
    }
  }

  /** The header value {@code t=<unix seconds>,v1=<hex>} for a body sent at {@code at}. */
  public static String header(String secret, Instant at, String body) {
    long t = at.getEpochSecond();
    return "t=" + t + ",v1=" + sign(secret, t, body);
  }

  /**
   * True when {@code header} carries a valid {@code v1} signature of {@code body} whose timestamp is
   * within {@code tolerance} of {@code now} (either side). Several {@code v1} entries are allowed
   * (secret rotation); a malformed header is false, never an exception.
   */
  public static boolean verify(String secret, String header, String body, Instant now, Duration tolerance) {
    if (header == null || secret == null) return false;
    Long t = null;
    java.util.List<String> sigs = new java.util.ArrayList<>();
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0) return false;
      String k = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      if (k.equals("t")) {
        try {
          t = Long.parseLong(v);
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (k.equals("v1")) {
        sigs.add(v);
      }
    }
    if (t == null || sigs.isEmpty()) return false;
    long n = now.getEpochSecond();
    long tol = tolerance.getSeconds();
    if (t < n - tol || t > n + tol) return false; // compared, not subtracted: no overflow on hostile t
    byte[] expected = sign(secret, t, body).getBytes(StandardCharsets.US_ASCII);
    boolean ok = false;
    for (String s : sigs) ok |= MessageDigest.isEqual(expected, s.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    return ok;
  }
}
