package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.server.storage.Rows;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the outbox into deliveries: the grouping stage of the notification pipeline. One node
 * routes at a time (it holds a PostgreSQL advisory lock on a connection of its own; when that node
 * dies the lock goes with its connection and another node takes over within {@link #LEADER_RETRY}),
 * because aggregation groups only make sense in one place. Every node sends ({@link Sender}).
 *
 * <p>A pass reads unrouted outbox rows in id order, offers them to the {@link Grouping}, asks it
 * what is due, and in ONE transaction inserts the deliveries, stores the groups' state and marks the
 * rows routed. A crash before the commit leaves the rows unrouted and the groups as they were, so the
 * next leader computes the same flushes with the same idempotency keys (and the unique key drops any
 * delivery already inserted). A failed pass drops the in-memory groups and reloads them from the
 * table. Woken by {@code LISTEN vigil_notify} (the outbox triggers {@code pg_notify} in the writing
 * transaction, so every node's changes wake the leader at commit), by the groups' next deadline, and
 * by a slow periodic pass as a safety net. Never blocks the event loop.
 */
public final class Router {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  static final Duration LEADER_RETRY = Duration.ofSeconds(5);
  static final Duration SAFETY_PASS = Duration.ofSeconds(5);
  private static final int BATCH = 1000;
  /** Any constant: the advisory lock that makes one node the router. */
  private static final long LOCK_KEY = 0x76696769_6c6e6f74L;

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connect;
  private final Grouping grouping;
  private final Clock clock;
  private final Sender sender;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private volatile boolean leader;
  private volatile boolean stopped;
  private PgConnection lockConn;
  private PgSubscriber subscriber;
  private long wakeTimer = -1;
  private long periodic = -1;
  private long leaderTimer = -1;

  /**
   * @param grouping what the outbox rows become (config, groups, bodies)
   * @param sender this node's sender: a pass inserts what it can send at once already leased to it
   *     and hands those over after the commit; the rest it leaves to the sender's pass
   */
  public Router(Vertx vertx, Pool pool, PgConnectOptions connect, Grouping grouping, Clock clock, Sender sender) {
    this.vertx = vertx;
    this.pool = pool;
    this.connect = connect;
    this.grouping = grouping;
    this.clock = clock;
    this.sender = sender;
  }

  /** Subscribes to the outbox channel and tries to become the router; completes once subscribed. */
  public Future<Void> start() {
    subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(attempt -> 1000L);
    subscriber.channel("vigil_notify").handler(payload -> poke());
    periodic = vertx.setPeriodic(SAFETY_PASS.toMillis(), id -> poke());
    return subscriber.connect().onSuccess(v -> tryLead()).recover(t -> {
      // Without LISTEN the periodic pass still routes, only later.
      LOG.warn("notify.listen_failed cause=\"{}\"", t.toString());
      tryLead();
      return Future.succeededFuture();
    });
  }

  public Future<Void> stop() {
    stopped = true;
    for (long t : new long[] {wakeTimer, periodic, leaderTimer}) if (t >= 0) vertx.cancelTimer(t);
    Future<Void> a = subscriber == null ? Future.succeededFuture() : subscriber.close();
    Future<Void> b = lockConn == null ? Future.succeededFuture() : lockConn.close();
    return Future.join(a, b).mapEmpty();
  }

  public boolean leader() {
    return leader;
  }

  private void tryLead() {
    if (stopped || leader) return;
    PgConnection.connect(vertx, connect)
        .compose(conn -> conn.query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")").execute().map(rows -> {
          boolean got = rows.iterator().next().getBoolean(0);
          if (!got) {
            conn.close();
            return false;
          }
          lockConn = conn;
          conn.closeHandler(v -> {
            // The lock went with the connection: stop routing until it is taken again.
            leader = false;
            grouping.forget();
            if (stopped) return;
            LOG.warn("notify.router_lost_lock");
            leaderTimer = vertx.setTimer(LEADER_RETRY.toMillis(), id -> tryLead());
          });
          return true;
        }))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result()) {
            leader = true;
            LOG.info("notify.router_leading");
            poke();
          } else if (!stopped) {
            leaderTimer = vertx.setTimer(LEADER_RETRY.toMillis(), id -> tryLead());
          }
        });
  }

  /** Runs a pass now, or right after the running one. Any thread. */
  public void poke() {
    if (!leader || stopped) return;
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    again.set(false);
    pass().onComplete(ar -> {
      running.set(false);
      boolean more = ar.succeeded() && ar.result();
      if (ar.failed()) {
        LOG.warn("notify.route_failed cause=\"{}\"", ar.cause().toString());
        grouping.forget();
      }
      schedule();
      if (more || again.getAndSet(false)) vertx.runOnContext(v -> poke());
    });
  }

  private void schedule() {
    Instant next = grouping.nextWakeup();
    if (wakeTimer >= 0) vertx.cancelTimer(wakeTimer);
    wakeTimer = -1;
    if (next == null) return;
    long ms = Math.max(1, Duration.between(clock.instant(), next).toMillis());
    if (ms > SAFETY_PASS.toMillis()) return; // the periodic pass will see it
    wakeTimer = vertx.setTimer(ms, id -> {
      wakeTimer = -1;
      poke();
    });
  }

  /**
   * One pass; true when a full batch was read (more may wait). The deliveries this node's sender has
   * free slots for are inserted leased to it and sent right after the commit (the latency path: a
   * P1 page goes out with no claim, no commit and no query of its own); if the node dies in between,
   * their lease runs out and any node sends them, the same at-least-once window as a request in
   * flight.
   */
  private Future<Boolean> pass() {
    Instant now = clock.instant();
    Future<Void> loaded = grouping.loaded() ? Future.succeededFuture() : loadGroups().map(states -> {
      grouping.restore(states);
      return null;
    });
    Sender.Handoff[] handoff = {Sender.Handoff.NONE};
    return loaded.compose(v -> pool.withTransaction(conn -> Outbox.unrouted(conn, BATCH).compose(events -> {
      Grouping.Result r = grouping.route(events, now);
      List<Long> ids = new ArrayList<>(events.size());
      for (Outbox.Event e : events) ids.add(e.id());
      return r.prepare(conn)
          .compose(ds -> {
            Map<String, Integer> wanted = new HashMap<>();
            for (Deliveries.NewDelivery d : ds) wanted.merge(d.receiver(), 1, Integer::sum);
            handoff[0] = sender.reserve(wanted, now);
            return Deliveries.insert(conn, ds, now, handoff[0]);
          })
          .compose(ins -> saveGroups(conn, r.changedGroups(), r.removedGroups(), now)
              .compose(x -> r.escalations(conn, now))
              .compose(x -> Outbox.routed(conn, ids, now))
              .map(x -> {
                if (ins.count() > 0) LOG.debug("notify.routed events={} deliveries={} leased={}", events.size(), ins.count(), ins.leased().size());
                return new Pass(events.size(), ins);
              }));
    }))).transform(ar -> {
      // Committed: send what is leased here. Failed (rolled back): only give the slots back.
      sender.handOff(handoff[0], ar.succeeded() ? ar.result().inserted().leased() : List.of());
      if (ar.failed()) return Future.failedFuture(ar.cause());
      Pass p = ar.result();
      if (p.inserted().count() > p.inserted().leased().size()) sender.poke();
      return Future.succeededFuture(p.events() == BATCH);
    });
  }

  private record Pass(int events, Deliveries.Inserted inserted) {}

  private Future<List<JsonObject>> loadGroups() {
    return pool.query("SELECT state FROM notify_groups").execute().map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      for (Row row : rows) out.add((JsonObject) row.getJson("state"));
      return out;
    });
  }

  private static Future<Void> saveGroups(SqlConnection conn, List<Grouping.SavedGroup> changed, List<Grouping.GroupId> removed, Instant now) {
    Future<Void> f = Future.succeededFuture();
    if (!changed.isEmpty()) {
      List<Tuple> batch = new ArrayList<>();
      for (Grouping.SavedGroup g : changed) batch.add(Tuple.of(g.id().groupKey(), g.id().receiver(), g.state(), Rows.ts(now)));
      f = conn.preparedQuery("INSERT INTO notify_groups (group_key, receiver, state, updated_at) VALUES ($1, $2, $3, $4) "
          + "ON CONFLICT (group_key, receiver) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at").executeBatch(batch).mapEmpty();
    }
    if (!removed.isEmpty()) {
      List<Tuple> batch = new ArrayList<>();
      for (Grouping.GroupId g : removed) batch.add(Tuple.of(g.groupKey(), g.receiver()));
      f = f.compose(v -> conn.preparedQuery("DELETE FROM notify_groups WHERE group_key = $1 AND receiver = $2").executeBatch(batch).mapEmpty());
    }
    return f;
  }

  /** For tests: a pass now, completing when done. */
  Future<Void> passNow() {
    Promise<Void> p = Promise.promise();
    vertx.runOnContext(v -> pass().onComplete(ar -> {
      if (ar.failed()) p.fail(ar.cause());
      else p.complete();
    }));
    return p.future();
  }
}
