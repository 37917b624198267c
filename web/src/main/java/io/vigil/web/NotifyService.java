package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Notification configuration, deliveries and on-call, as the REST API sees them (issue 12). Objects
 * travel in the rules file's (Alertmanager's) shape as JSON. Every method is non-blocking; failures
 * are {@link ApiError} (400 invalid with the field, 404 unknown, 409 owned by the rules file or still
 * referenced) or storage errors. Secrets ({@code hmac_secret}) are never returned.
 */
public interface NotifyService {
  /** {@code {"receivers":[{…, "origin":"file|api"}]}} */
  Future<JsonObject> receivers();

  Future<JsonObject> receiver(String name);

  /** Validated; 409 when the name exists. Completes with the stored receiver. */
  Future<JsonObject> createReceiver(JsonObject body, String actor);

  /** Replaces an API receiver (the body's name must match); 409 for a rules-file receiver. */
  Future<JsonObject> replaceReceiver(String name, JsonObject body, String actor);

  /** 409 while a route or person still names it, or when it comes from the rules file. */
  Future<Void> deleteReceiver(String name, String actor);

  /** {@code {"route":{…}, "origin":"file|api|none"}}: the tree in force. */
  Future<JsonObject> routes();

  /** Replaces the routing tree (validated against the receivers in force); the rules file's tree is the fallback. */
  Future<JsonObject> replaceRoutes(JsonObject body, String actor);

  /** Goes back to the rules file's tree. */
  Future<Void> deleteRoutes(String actor);

  /** Deliveries, newest first: {@code state} pending|delivered|dead or null for all. */
  Future<JsonObject> deliveries(String state, String receiver, int limit);

  /** Puts a dead delivery back in the queue (same body, same idempotency key). */
  Future<JsonObject> retryDelivery(long id, String actor);

  /** {@code {"schedules":[…]}} */
  Future<JsonObject> schedules();

  /** Who is on call for {@code schedule} at {@code at}: person, shift start/end, layer or override. */
  Future<JsonObject> onCallNow(String schedule, Instant at);

  /** The shifts of {@code schedule} in [from, to) as an RFC 5545 calendar. */
  Future<String> ical(String schedule, Instant from, Instant to);

  /** {@code {"escalations":[…]}}: the chains and what selects them. */
  Future<JsonObject> escalations();
}
