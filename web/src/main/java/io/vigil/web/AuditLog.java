package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The append-only audit log ({@code audit_log}): every change, by anyone, and every read of ticket
 * data by a customer-bound token. Rows cannot be updated or deleted (the database refuses).
 */
public interface AuditLog {
  /** Appends one entry; completes once it is durable. */
  Future<Void> record(String actor, String action, String target, JsonObject detail);

  /** What {@code GET /api/v1/audit} selects; null fields match anything. */
  record Filter(String actor, String action, String target, Instant since, Instant until, Long before) {}

  /**
   * Newest first: entries {@code id}, {@code at}, {@code actor}, {@code action}, {@code target},
   * {@code detail}. {@code action} and {@code target} match as prefixes; {@code before} pages by id.
   */
  Future<List<JsonObject>> list(Filter filter, int limit);
}
