package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;

/**
 * What the router does with outbox rows, apart from storage: the routing tree, the aggregation
 * groups and the bodies (see {@link NotifyPipeline}). Called on the router's context only, one pass
 * at a time; its in-memory groups are a cache of {@code notify_groups} ({@link #forget} drops them and
 * the next pass {@link #restore}s them).
 */
interface Grouping {
  record GroupId(String groupKey, String receiver) {}

  record SavedGroup(GroupId id, JsonObject state) {}

  /** What a pass produced; written by the router in the pass's transaction. */
  interface Result {
    /** The deliveries, rendered (the Vigil body reads the tickets of the alerts through {@code conn}). */
    Future<List<Deliveries.NewDelivery>> prepare(SqlConnection conn);

    List<SavedGroup> changedGroups();

    List<GroupId> removedGroups();

    /** Escalation chains started or stopped by the ticket events of the pass. */
    Future<Void> escalations(SqlConnection conn, Instant now);
  }

  boolean loaded();

  void restore(List<JsonObject> states);

  void forget();

  /** When the groups next need a pass (null: nothing pending). */
  Instant nextWakeup();

  Result route(List<Outbox.Event> events, Instant now);
}
