package io.vigil.server.notify;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;

/**
 * A notification that is not an aggregation group's flush: a ticket event that pages (SLA warning
 * or breach, a re-grade, a hotline ticket opened, resolved) or an escalation step. It is sent at once
 * to every receiver it is routed to, once: {@code key} (unique per event) makes its idempotency keys.
 * For the Alertmanager and template formats it travels as one alert with {@code labels} and
 * {@code annotations}; the Vigil format sends {@code vigil} as it is.
 *
 * @param kind the delivery kind: {@code ticket} or {@code escalation}
 */
record Notice(String kind, String key, Long ticketId, Map<String, String> labels, Map<String, String> annotations, Instant at,
    JsonObject vigil) {}
