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
  /** Txids of transactions routed by {@link #inTransaction} whose NOTIFY has not come yet (bounded: see there). */
  private final java.util.Set<String> routedInside = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Passes {@link #inTransaction} ran whose transaction committed, and regular passes (metrics). */
  private final java.util.concurrent.atomic.AtomicLong inlinePasses = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong ownPasses = new java.util.concurrent.atomic.AtomicLong();
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
    // The payload is the writing transaction's txid (V23): one whose rows were routed inside it brings nothing new.
    subscriber.channel("vigil_notify").handler(payload -> {
      if (!routedInside.remove(payload)) poke();
    });
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

  /** Committed passes run inside a fault's transaction. */
  public long inlinePasses() {
    return inlinePasses.get();
  }

  /** Committed passes in a transaction of the router's own. */
  public long ownPasses() {
    return ownPasses.get();
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
      if (ar.failed()) {
        LOG.warn("notify.route_failed cause=\"{}\"", ar.cause().toString());
        grouping.forget();
      }
      finished(ar.succeeded() && ar.result());
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
    return loaded.compose(v -> io.vigil.server.storage.Pipelined.transaction(pool, conn -> route(conn, now, handoff))).transform(ar -> {
      // Committed: send what is leased here. Failed (rolled back): only give the slots back.
      sender.handOff(handoff[0], ar.succeeded() ? ar.result().inserted().leased() : List.of());
      if (ar.failed()) return Future.failedFuture(ar.cause());
      ownPasses.incrementAndGet();
      Pass p = ar.result();
      if (p.inserted().count() > p.inserted().leased().size()) sender.poke();
      return Future.succeededFuture(p.events() == BATCH);
    });
  }

  /** The work of a pass on {@code conn}, inside a transaction that is open: its own, or a fault's. */
  private Future<Pass> route(SqlConnection conn, Instant now, Sender.Handoff[] handoff) {
    return Outbox.unrouted(conn, BATCH).compose(events -> {
      Grouping.Result r = grouping.route(events, now);
      List<Long> ids = new ArrayList<>(events.size());
      for (Outbox.Event e : events) ids.add(e.id());
      return r.prepare(conn).compose(ds -> {
        Map<String, Integer> wanted = new HashMap<>();
        for (Deliveries.NewDelivery d : ds) wanted.merge(d.receiver(), 1, Integer::sum);
        handoff[0] = sender.reserve(wanted, now);
        // Independent writes, sent back to back (the connection pipelines them): one round trip.
        Future<Deliveries.Inserted> ins = Deliveries.insert(conn, ds, now, handoff[0]);
        Future<Void> groups = saveGroups(conn, r.changedGroups(), r.removedGroups(), now);
        Future<Void> escalated = r.escalations(conn, now);
        Future<Void> marked = Outbox.routed(conn, ids, now);
        return Future.all(ins, groups, escalated, marked).map(x -> {
          Deliveries.Inserted in = ins.result();
          if (in.count() > 0) LOG.debug("notify.routed events={} deliveries={} leased={}", events.size(), in.count(), in.leased().size());
          return new Pass(events.size(), in);
        });
      });
    });
  }

  /**
   * A pass inside another transaction that is about to commit (a fault that pages; see
   * {@link io.vigil.server.storage.CommitHook}): the outbox rows that transaction wrote are routed,
   * their deliveries inserted leased to this node and sent the moment it commits. The latency path
   * to the phone: no NOTIFY wake, no transaction of the router's own. Only when this node leads, its
   * groups are loaded and no pass is running; otherwise the NOTIFY at that commit brings a regular
   * pass, as before. The pass's work sits behind a savepoint: when it fails, it is undone, the groups
   * are reloaded, and the fault's transaction commits without it (the rows stay unrouted for the next
   * pass). When that transaction rolls back, the groups are reloaded too.
   */
  public Future<io.vigil.server.storage.CommitHook.Outcome> inTransaction(SqlConnection conn) {
    io.vigil.server.storage.CommitHook.Outcome none = io.vigil.server.storage.CommitHook.Outcome.NONE;
    if (!leader || stopped || !grouping.loaded()) return Future.succeededFuture(none);
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return Future.succeededFuture(none);
    }
    Instant now = clock.instant();
    Sender.Handoff[] handoff = {Sender.Handoff.NONE};
    // Sent back to back with the pass's first query (the connection pipelines): no round trip of its own.
    Future<?> savepoint = conn.query("SAVEPOINT vigil_route").execute();
    Future<String> txid = conn.query("SELECT txid_current()::text").execute().map(rows -> rows.iterator().next().getString(0));
    Future<Pass> routed = routeSafely(conn, now, handoff);
    return Future.all(savepoint, txid, routed).transform(ar -> {
      if (ar.succeeded()) {
        Pass p = routed.result();
        // Before the commit: its NOTIFY may arrive before the commit's answer does. A notification
        // that never comes (the commit failed: removed below; the listener was reconnecting) leaves
        // an entry; they are few and cleared past a bound, costing at worst one needless pass.
        if (routedInside.size() > 1000) routedInside.clear();
        routedInside.add(txid.result());
        return Future.succeededFuture(committed -> {
          if (!committed) routedInside.remove(txid.result());
          else inlinePasses.incrementAndGet();
          sender.handOff(handoff[0], committed ? p.inserted().leased() : List.of());
          if (!committed) grouping.forget();
          else if (p.inserted().count() > p.inserted().leased().size()) sender.poke();
          finished(committed && p.events() == BATCH);
        });
      }
      LOG.warn("notify.route_in_transaction_failed cause=\"{}\"", ar.cause().toString());
      grouping.forget();
      sender.handOff(handoff[0], List.of());
      return conn.query("ROLLBACK TO SAVEPOINT vigil_route").execute()
          .<io.vigil.server.storage.CommitHook.Outcome>map(x -> committed -> finished(true))
          .andThen(x -> {
            if (x.failed()) finished(true);
          });
    });
  }

  private Future<Pass> routeSafely(SqlConnection conn, Instant now, Sender.Handoff[] handoff) {
    try {
      return route(conn, now, handoff);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Ends a pass: the next wake-up, and another pass at once when more may wait or a poke came meanwhile. */
  private void finished(boolean more) {
    running.set(false);
    schedule();
    if (more || again.getAndSet(false)) vertx.runOnContext(v -> poke());
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
      // Not after the upsert but beside it: no key is in both lists (a moved group's new receiver is another row).
      f = Future.all(f, conn.preparedQuery("DELETE FROM notify_groups WHERE group_key = $1 AND receiver = $2").executeBatch(batch)).mapEmpty();
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
