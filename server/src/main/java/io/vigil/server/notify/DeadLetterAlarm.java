package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vigil.collectors.AlertSink;
import io.vigil.rules.Labels;
import io.vigil.rules.alerts.Alert;
import io.vigil.server.storage.Rows;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert on the dead-letter count (issue 12): while any delivery to a receiver was given up in
 * the last {@link #WINDOW}, the fault {@code NotificationsDeadLettered} (P2, one per receiver) fires
 * through the normal fault path, so it opens a ticket and is routed like any other fault: a route
 * for {@code alertname="NotificationsDeadLettered"} sends it to a receiver other than the broken
 * one. It is an external alert of source {@code vigil}, refreshed every {@code every}; when the
 * count is back to zero it is no longer refreshed and resolves after the tracker's resolve timeout.
 */
public final class DeadLetterAlarm {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterAlarm.class);
  public static final String ALERTNAME = "NotificationsDeadLettered";
  /** The {@code faults.source} of the alerts Vigil raises about itself. */
  public static final String SOURCE = "vigil";
  static final Duration WINDOW = Duration.ofHours(24);

  private final Vertx vertx;
  private final Pool pool;
  private final AlertSink sink;
  private final Clock clock;
  private long timer = -1;

  public DeadLetterAlarm(Vertx vertx, Pool pool, AlertSink sink, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.sink = sink;
    this.clock = clock;
  }

  public void start(Duration every) {
    timer = vertx.setPeriodic(every.toMillis(), id -> check(every).onFailure(t -> LOG.warn("notify.dead_letter_check_failed cause=\"{}\"", t.toString())));
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** Counts the recent dead letters per receiver and raises (or refreshes) one alert for each. */
  public Future<Integer> check(Duration every) {
    Instant now = clock.instant();
    return pool.preparedQuery("SELECT receiver, count(*) AS n, (array_agg(last_error ORDER BY dead_at DESC))[1] AS last "
            + "FROM notify_deliveries WHERE dead_at > $1 AND kind <> 'dead_letter' GROUP BY receiver ORDER BY receiver")
        .execute(Tuple.of(Rows.ts(now.minus(WINDOW))))
        .compose(rows -> {
          List<Alert> alerts = new ArrayList<>();
          for (Row r : rows) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("alertname", ALERTNAME);
            labels.put("severity", "major");
            labels.put("customer", "vigil");
            labels.put("system", "notifications");
            labels.put("receiver", r.getString("receiver"));
            Map<String, String> annotations = Map.of(
                "summary", r.getLong("n") + " notification(s) to receiver " + r.getString("receiver") + " given up in the last 24 h",
                "description", "last error: " + r.getString("last") + "; see GET /api/v1/notifications?state=dead&receiver="
                    + r.getString("receiver") + " and POST /api/v1/notifications/{id}/retry");
            alerts.add(new Alert(Labels.of(labels), annotations, null, now.plus(every.multipliedBy(3)), null));
          }
          return alerts.isEmpty() ? Future.succeededFuture(0) : sink.accept(alerts).map(v -> alerts.size());
        });
  }
}
