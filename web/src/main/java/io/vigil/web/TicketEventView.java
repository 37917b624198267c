package io.vigil.web;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One entry of a ticket's history: who did what, when. */
public record TicketEventView(long id, long ticketId, Instant at, String actor, String kind, JsonObject detail) {}
