package io.vigil.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import io.vigil.web.Principal;
import io.vigil.web.Role;
import io.vigil.web.TokenService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens in PostgreSQL, stored as SHA-256 of the secret. Secrets are 32 random bytes, so a fast
 * unsalted hash is enough (nothing to brute-force, unlike passwords) and lets a request be
 * authenticated by one in-memory map lookup. The map is reloaded from the database every
 * {@link #refresh()} so revocations on other nodes take effect within the refresh period.
 */
public final class TokenStore implements TokenService {
  public static final String BOOTSTRAP_ID = "bootstrap-admin";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Pool pool;
  private final Clock clock;
  private volatile Map<String, Principal> byHash = Map.of();
  /** Bumped by every issue/revoke; a refresh that overlapped one is discarded (the next refresh retries). */
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

  public TokenStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public static String newSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "vgl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Installs (or replaces) the bootstrap admin token's hash, then loads all live tokens. */
  public Future<Void> bootstrap(String adminSecret) {
    return pool.preparedQuery("INSERT INTO tokens (id, name, role, secret_hash, created_by) VALUES ($1, 'admin', 'admin', $2, 'vigil') "
            + "ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL")
        .execute(Tuple.of(BOOTSTRAP_ID, hash(adminSecret)))
        .compose(r -> refresh());
  }

  public Future<Void> refresh() {
    long before = changes.get();
    return pool.query("SELECT id, name, role, customer, secret_hash FROM tokens WHERE revoked_at IS NULL").execute().map(rows -> {
      Map<String, Principal> m = new ConcurrentHashMap<>();
      for (Row r : rows) {
        m.put(r.getString("secret_hash"), new Principal(r.getString("id"), r.getString("name"), Role.parse(r.getString("role")),
            r.getString("customer")));
      }
      synchronized (this) {
        // A token issued or revoked while this read ran may be missing from (or still in) it.
        if (changes.get() == before) byHash = m;
      }
      return null;
    });
  }

  @Override
  public Future<Principal> authenticate(String secret) {
    return Future.succeededFuture(byHash.get(hash(secret)));
  }

  @Override
  public Future<IssuedToken> issue(String name, Role role, String customer, String actor) {
    String secret = newSecret();
    String id = "tok_" + HexFormat.of().formatHex(randomBytes(6));
    String h = hash(secret);
    // A viewer or operator bound to a customer sees that customer's data only: the customer must be
    // in the inventory (a typo would otherwise make a token that silently sees nothing). An ingest
    // token's customer is the label its samples carry, which may come before the inventory does.
    Future<Void> known = customer == null || role == Role.INGEST ? Future.succeededFuture()
        : pool.preparedQuery("SELECT 1 FROM customers WHERE id = $1").execute(Tuple.of(customer)).compose(rows -> rows.size() == 1
            ? Future.succeededFuture()
            : Future.failedFuture(new io.vigil.web.ApiError(400, "'customer': no customer '" + customer
                + "' in the inventory (POST /api/v1/customers first)", "customer")));
    return known.compose(k -> pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO tokens (id, name, role, customer, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *")
        .execute(Tuple.of(id, name, role.wireName(), customer, h, actor))
        .compose(rows -> audit(conn, actor, "token.create", id, new JsonObject().put("name", name).put("role", role.wireName())
                .put("customer", customer))
            .map(v -> info(rows.iterator().next())))))
        .map(info -> {
          synchronized (this) {
            changes.incrementAndGet();
            byHash.put(h, new Principal(id, name, role, customer));
          }
          return new IssuedToken(info, secret);
        });
  }

  @Override
  public Future<List<TokenInfo>> list() {
    return pool.query("SELECT * FROM tokens ORDER BY created_at, id").execute().map(rows -> {
      List<TokenInfo> out = new ArrayList<>();
      for (Row r : rows) out.add(info(r));
      return out;
    });
  }

  @Override
  public Future<Boolean> revoke(String id, String actor) {
    if (BOOTSTRAP_ID.equals(id)) {
      // It is installed again at every start, so a revocation would last until the next restart,
      // and with no other admin token it would lock everyone out until then.
      return Future.failedFuture(new io.vigil.web.ApiError(409, "the bootstrap admin token comes from VIGIL_ADMIN_TOKEN "
          + "(or .vigil/admin-token) and is installed again at every start: to rotate it, change that setting and restart"));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(
            "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING secret_hash")
        .execute(Tuple.of(id, Rows.ts(clock.instant())))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture((String) null);
          String h = rows.iterator().next().getString(0);
          return audit(conn, actor, "token.revoke", id, new JsonObject()).map(v -> h);
        }))
        .map(h -> {
          if (h == null) return false;
          // After commit: the revocation is durable before the cache forgets the token.
          synchronized (this) {
            changes.incrementAndGet();
            byHash.remove(h);
          }
          return true;
        });
  }

  private static Future<Void> audit(io.vertx.sqlclient.SqlConnection conn, String actor, String action, String target, JsonObject detail) {
    return io.vigil.server.storage.PgAuditLog.append(conn, actor, action, target, detail);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static TokenInfo info(Row r) {
    return new TokenInfo(r.getString("id"), r.getString("name"), Role.parse(r.getString("role")), r.getString("customer"),
        Rows.instant(r, "created_at"), r.getString("created_by"), Rows.instant(r, "revoked_at"));
  }

  @Override
  public String toString() {
    return "TokenStore[" + byHash.size() + " live tokens]";
  }
}
