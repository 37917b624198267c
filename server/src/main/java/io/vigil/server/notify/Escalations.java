package io.vigil.server.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vigil.rules.notify.EscalationChain;
import io.vigil.rules.notify.EscalationStep;
import io.vigil.rules.notify.EscalationTarget;
import io.vigil.rules.notify.OnCallConfig;
import io.vigil.rules.notify.OnCallResolver;
import io.vigil.rules.notify.Person;
import io.vigil.server.storage.Rows;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the escalation chains of tickets nobody has acknowledged (issue 12). Every node scans;
 * {@code FOR UPDATE SKIP LOCKED} gives each due chain to one of them. A chain is stopped as soon as
 * its ticket is found past {@code open}/{@code reopened}: the ticket row is the truth, so an
 * acknowledgement on any node stops the chain everywhere. Each step fired is a ticket event
 * ({@code escalation_step}, with whom it paged or {@code nobody on call}), and the count of steps
 * fired is stored with the chain in the same transaction as the step's deliveries, so a restart
 * neither repeats nor skips a step. Time comes from the injected clock (tests move it).
 */
public final class Escalations {
  private static final Logger LOG = LoggerFactory.getLogger(Escalations.class);
  private static final int BATCH = 100;

  /** Renders the deliveries of one notice to one receiver (all its webhooks); empty when it has none. */
  public interface Pager {
    List<Deliveries.NewDelivery> page(String receiver, Notice notice);

    /** The acknowledge link of a ticket, absolute when a public URL is known. */
    String ackUrl(long ticketId);
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Supplier<OnCallConfig> oncall;
  private final Pager pager;
  private final Clock clock;
  private final Runnable delivered;
  private long timer = -1;

  public Escalations(Vertx vertx, Pool pool, Supplier<OnCallConfig> oncall, Pager pager, Clock clock, Runnable delivered) {
    this.vertx = vertx;
    this.pool = pool;
    this.oncall = oncall;
    this.pager = pager;
    this.clock = clock;
    this.delivered = delivered;
  }

  public void start(Duration every) {
    timer = vertx.setPeriodic(every.toMillis(), id -> scan().onFailure(t -> LOG.warn("escalation.scan_failed cause=\"{}\"", t.toString())));
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One pass over the due chains; completes with the number of steps fired. */
  public Future<Integer> scan() {
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT e.*, t.state, t.summary, t.customer, t.system, t.severity, t.respond_by, "
            + "t.resolve_by FROM ticket_escalations e JOIN tickets t ON t.id = e.ticket_id WHERE e.next_at <= $1 "
            + "ORDER BY e.next_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED")
        .execute(Tuple.of(Rows.ts(now), BATCH))
        .compose(rows -> {
          Future<Integer> all = Future.succeededFuture(0);
          for (Row r : rows) all = all.compose(n -> advance(conn, r, now).map(k -> n + k));
          return all;
        }))
        .onSuccess(n -> {
          if (n > 0) delivered.run();
        });
  }

  private Future<Integer> advance(SqlConnection conn, Row r, Instant now) {
    long ticket = r.getLong("ticket_id");
    String state = r.getString("state");
    if (!state.equals("open") && !state.equals("reopened")) {
      return EscalationStore.stop(conn, ticket, "ticket is " + state, now).map(0);
    }
    OnCallConfig cfg = oncall.get();
    Optional<EscalationChain> found = cfg.escalation(r.getString("chain"));
    if (found.isEmpty()) return EscalationStore.stop(conn, ticket, "chain '" + r.getString("chain") + "' is no longer configured", now).map(0);
    EscalationChain chain = found.get();
    Instant start = Rows.instant(r, "started_at");
    int fired = r.getInteger("fired");
    List<EscalationStep> due = chain.due(start, fired, now);
    List<Deliveries.NewDelivery> deliveries = new ArrayList<>();
    Future<Void> events = Future.succeededFuture();
    OnCallResolver resolver = new OnCallResolver(cfg);
    for (EscalationStep step : due) {
      List<String> receivers = new ArrayList<>();
      JsonArray paged = new JsonArray();
      if (step.target() instanceof EscalationTarget.ReceiverTarget rt) {
        receivers.add(rt.receiver());
        paged.add(new JsonObject().put("receiver", rt.receiver()));
        deliveries.addAll(pager.page(rt.receiver(), notice(r, chain, step, null)));
      } else {
        for (Person p : resolver.resolve(step.target(), step.at())) {
          paged.add(new JsonObject().put("person", p.id()).put("name", p.name()).put("receiver", p.receiver()));
          if (p.receiver() != null) deliveries.addAll(pager.page(p.receiver(), notice(r, chain, step, p)));
        }
      }
      JsonObject detail = new JsonObject().put("chain", chain.name()).put("step", step.index() + 1).put("round", step.round() + 1)
          .put("target", new JsonObject(new LinkedHashMap<>(step.target().toMap()))).put("paged", paged).put("due", step.at().toString());
      if (paged.isEmpty()) detail.put("note", "nobody on call");
      events = events.compose(v -> EscalationStore.event(conn, ticket, now, "escalation_step", detail));
    }
    int nowFired = fired + due.size();
    Instant next = chain.nextAt(start, nowFired).orElse(null);
    Future<Void> tail = next != null ? Future.succeededFuture()
        : EscalationStore.event(conn, ticket, now, "escalation_exhausted", new JsonObject().put("chain", chain.name()).put("stepsFired", nowFired));
    return events.compose(v -> tail)
        .compose(v -> Deliveries.insert(conn, deliveries, now))
        .compose(n -> conn.preparedQuery("UPDATE ticket_escalations SET fired = $2, next_at = $3 WHERE ticket_id = $1")
            .execute(Tuple.of(ticket, nowFired, Rows.ts(next))))
        .map(x -> {
          if (!due.isEmpty()) LOG.info("escalation.steps ticket={} chain={} fired={} next={}", ticket, chain.name(), due.size(), next);
          return due.size();
        });
  }

  private Notice notice(Row r, EscalationChain chain, EscalationStep step, Person person) {
    long ticket = r.getLong("ticket_id");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", "TicketEscalation");
    labels.put("severity", r.getString("severity"));
    labels.put("customer", r.getString("customer"));
    labels.put("system", r.getString("system"));
    labels.put("ticket", Long.toString(ticket));
    labels.put("chain", chain.name());
    labels.put("step", Integer.toString(step.index() + 1));
    if (person != null) labels.put("person", person.id());
    String ack = pager.ackUrl(ticket);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", r.getString("severity") + " ticket #" + ticket + " not acknowledged (step " + (step.index() + 1) + ", round "
        + (step.round() + 1) + "): " + r.getString("summary"));
    annotations.put("ack_url", ack);
    if (person != null && person.phone() != null) annotations.put("phone", person.phone());
    JsonObject vigil = new JsonObject().put("version", VigilBody.VERSION).put("kind", "escalation").put("chain", chain.name())
        .put("step", step.index() + 1).put("round", step.round() + 1)
        .put("person", person == null ? null : new JsonObject().put("id", person.id()).put("name", person.name()).put("phone", person.phone()))
        .put("ticket", new JsonObject().put("id", ticket).put("state", r.getString("state")).put("severity", r.getString("severity"))
            .put("summary", r.getString("summary")).put("customer", r.getString("customer")).put("system", r.getString("system"))
            .put("respondBy", str(Rows.instant(r, "respond_by"))).put("resolveBy", str(Rows.instant(r, "resolve_by"))).put("ackUrl", ack));
    String who = person == null ? "receiver" : "person:" + person.id();
    return new Notice("escalation", "esc:" + ticket + ":" + chain.name() + ":" + step.seq() + ":" + who, ticket, labels, annotations, step.at(), vigil);
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }
}
