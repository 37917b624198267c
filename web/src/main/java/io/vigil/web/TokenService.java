package io.vigil.web;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * Bearer tokens. Implementations store only a hash of each secret. All methods are
 * non-blocking; {@link #authenticate} is on every request's path and should be served from memory.
 */
public interface TokenService {
  /** The token's principal, or a null result when the secret is unknown or revoked. */
  Future<Principal> authenticate(String secret);

  /** Creates a token; the secret is returned once, here, and never again. */
  default Future<IssuedToken> issue(String name, Role role, String actor) {
    return issue(name, role, null, actor);
  }

  /** As {@link #issue(String, Role, String)}, bound to {@code customer} (null: none; only for ingest tokens). */
  Future<IssuedToken> issue(String name, Role role, String customer, String actor);

  Future<List<TokenInfo>> list();

  /** True if a live token was revoked, false if there was none with that id. */
  Future<Boolean> revoke(String id, String actor);

  record TokenInfo(String id, String name, Role role, String customer, Instant createdAt, String createdBy, Instant revokedAt) {}

  record IssuedToken(TokenInfo info, String secret) {
    @Override
    public String toString() {
      return "IssuedToken[" + info + ", secret=***]";
    }
  }
}
