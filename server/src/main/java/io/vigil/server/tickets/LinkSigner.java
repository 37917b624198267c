package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.vigil.web.ApiError;
import io.vigil.web.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring links to one ticket that need no account: the satisfaction survey, the
 * acknowledge link in a page. A token is {@code <ticket>.<expiry epoch s>.<HMAC-SHA256(secret,
 * ticket.expiry)>} (base64url), so it can be shown again without storing it. Each purpose has its own
 * secret (made once, kept in {@code storage_meta}, read by every node), so a survey link can never
 * acknowledge a ticket and the other way round.
 */
public final class LinkSigner {
  private final Pool pool;
  private final String secretKey;
  private final String what;
  private byte[] secret;

  /** @param secretKey the {@code storage_meta} key; @param what the link in messages ("survey", "acknowledge link") */
  public LinkSigner(Pool pool, String secretKey, String what) {
    this.pool = pool;
    this.secretKey = secretKey;
    this.what = what;
  }

  /** Loads (or makes, once, for every node) the secret. */
  public Future<Void> start() {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return pool.preparedQuery("INSERT INTO storage_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .execute(Tuple.of(secretKey, HexFormat.of().formatHex(fresh)))
        .compose(v -> pool.preparedQuery("SELECT value FROM storage_meta WHERE key = $1").execute(Tuple.of(secretKey)))
        .map(rows -> {
          secret = HexFormat.of().parseHex(rows.iterator().next().getString("value"));
          return null;
        });
  }

  public String token(long ticketId, Instant expires) {
    String body = ticketId + "." + expires.getEpochSecond();
    return body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(body));
  }

  /** The ticket id of a genuine, unexpired token: 404 for a forged one, 410 for an expired one. */
  public long verify(String token, Instant now) {
    String[] parts = token == null ? new String[0] : token.split("\\.");
    if (parts.length != 3) throw new NotFoundException("no such " + what);
    byte[] mac;
    try {
      mac = Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new NotFoundException("no such " + what);
    }
    if (!MessageDigest.isEqual(mac, hmac(parts[0] + "." + parts[1]))) throw new NotFoundException("no such " + what);
    if (Instant.ofEpochSecond(Long.parseLong(parts[1])).isBefore(now)) throw new ApiError(410, "this " + what + " has expired", "token");
    return Long.parseLong(parts[0]);
  }

  private byte[] hmac(String body) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(secret, "HmacSHA256"));
      return m.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
