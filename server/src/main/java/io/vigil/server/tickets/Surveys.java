package io.vigil.server.tickets;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import io.vigil.web.ApiError;
import io.vigil.web.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Satisfaction surveys: one per closed ticket, answered without an account through a signed link.
 *
 * <p>The link's token is {@code <ticket>.<expiry epoch s>.<HMAC-SHA256(secret, ticket.expiry)>}
 * (base64url), so it can be shown again to an operator without storing it; the table keeps only its
 * SHA-256. The secret is made once and kept in {@code storage_meta} (every node reads the same one).
 * A link is valid until its expiry (30 days) and takes one answer; an answer of 2 or less opens a
 * review ticket for the service manager (channel {@code portal}, P3, {@code review_of} the ticket).
 */
public final class Surveys {
  static final Duration VALID = Duration.ofDays(30);
  private final Pool pool;
  private final String publicUrl;
  private final LinkSigner links;

  /** {@code publicUrl}: VIGIL_PUBLIC_URL, or null (the survey then gives only the link's path). */
  public Surveys(Pool pool, String publicUrl) {
    this.pool = pool;
    this.publicUrl = publicUrl;
    this.links = new LinkSigner(pool, "survey_secret", "survey");
  }

  /** Loads (or makes, once, for every node) the signing secret. */
  public Future<Void> start() {
    return links.start();
  }

  /** Creates the survey of a ticket being closed, in the caller's transaction. */
  Future<Void> create(SqlConnection conn, long ticketId, Instant now) {
    String token = token(ticketId, now.plus(VALID));
    return conn.preparedQuery("INSERT INTO ticket_surveys (ticket_id, token_hash, sent_at, expires_at) VALUES ($1, $2, $3, $4) "
            + "ON CONFLICT (ticket_id) DO NOTHING")
        .execute(Tuple.of(ticketId, sha256(token), Rows.ts(now), Rows.ts(now.plus(VALID)))).mapEmpty();
  }

  /** The survey of a ticket with its link (for an operator to send or show). */
  public Future<JsonObject> link(long ticketId) {
    return pool.preparedQuery("SELECT * FROM ticket_surveys WHERE ticket_id = $1").execute(Tuple.of(ticketId)).map(rows -> {
      if (rows.size() == 0) throw new NotFoundException("ticket " + ticketId + " has no survey (one is made when it is closed)");
      Row r = rows.iterator().next();
      String link = "/survey/" + token(ticketId, Rows.instant(r, "expires_at"));
      return view(r).put("link", link).put("url", publicUrl == null ? null : publicUrl + link);
    });
  }

  /** The survey a token opens; 404 for a token that is not Vigil's, 410 once expired. */
  public Future<JsonObject> show(String token, Instant now) {
    long ticket = verify(token, now);
    return pool.preparedQuery("SELECT s.*, t.summary, t.customer, t.system, t.resolved_at, t.cause, t.fix FROM ticket_surveys s "
            + "JOIN tickets t ON t.id = s.ticket_id WHERE s.ticket_id = $1 AND s.token_hash = $2")
        .execute(Tuple.of(ticket, sha256(token))).map(rows -> {
          if (rows.size() == 0) throw new NotFoundException("no such survey");
          Row r = rows.iterator().next();
          return view(r).put("summary", r.getString("summary")).put("customer", r.getString("customer"))
              .put("system", r.getString("system")).put("fix", r.getString("fix"));
        });
  }

  /** Records the one answer; a score of 2 or less opens a review ticket in the same transaction. */
  public Future<JsonObject> answer(String token, int score, String comment, Instant now, Reviewer reviewer) {
    long ticket = verify(token, now);
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE ticket_surveys SET answered_at = $3, score = $4, comment = $5 "
                + "WHERE ticket_id = $1 AND token_hash = $2 AND answered_at IS NULL RETURNING *")
            .execute(Tuple.of(ticket, sha256(token), Rows.ts(now), (short) score, comment))
            .compose(rows -> {
              if (rows.size() == 0) throw new ApiError(409, "this survey has already been answered, thank you", "score");
              JsonObject out = view(rows.iterator().next());
              Future<Void> review = score <= 2 ? reviewer.open(conn, ticket, score, comment, now).map(id -> {
                out.put("reviewTicketId", id);
                return null;
              }) : Future.succeededFuture();
              return review.compose(v -> TicketDesk.event(conn, ticket, now, "customer", "survey_answered",
                  new JsonObject().put("score", score).put("comment", comment).put("reviewTicketId", out.getLong("reviewTicketId"))))
                  .map(v -> out);
            }));
  }

  /** Opens the review ticket of a low answer; completes with its id. */
  interface Reviewer {
    Future<Long> open(SqlConnection conn, long ticketId, int score, String comment, Instant now);
  }

  private static JsonObject view(Row r) {
    Short score = r.getShort("score");
    return new JsonObject().put("ticketId", r.getLong("ticket_id")).put("sentAt", Rows.instant(r, "sent_at").toString())
        .put("expiresAt", Rows.instant(r, "expires_at").toString())
        .put("answeredAt", r.getValue("answered_at") == null ? null : Rows.instant(r, "answered_at").toString())
        .put("score", score == null ? null : score.intValue()).put("comment", r.getString("comment"));
  }

  String token(long ticketId, Instant expires) {
    return links.token(ticketId, expires);
  }

  /** The ticket id of a genuine, unexpired token. */
  long verify(String token, Instant now) {
    return links.verify(token, now);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
