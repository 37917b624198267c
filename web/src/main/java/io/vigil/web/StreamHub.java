package io.vigil.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.FaultState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream behind {@code GET /api/v1/stream}: a snapshot, then sequenced deltas.
 *
 * <p>The hub keeps the current picture (active faults, tickets not yet closed) so a new client
 * gets a snapshot whose {@code seq} is exactly the last delta it already reflects; every later
 * change is one message with {@code seq + 1}. Publishing and attaching are serialised by one
 * lock held only for an in-memory update and non-blocking socket writes, so they may be called
 * from any thread.
 *
 * <p>Slow clients: the hub counts, per client, the bytes handed to the socket whose write has not
 * completed yet (a write completes when it reaches the OS socket). A client whose backlog would
 * exceed {@code maxQueuedBytes} is sent one {@code overflow} message and closed; it does not slow
 * ingest or other clients, and reconnecting gives it a fresh snapshot. (Vert.x's own
 * {@code writeQueueFull()} follows Netty's channel watermarks, not the configured size, so the
 * hub keeps its own count.)
 */
public final class StreamHub {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
  /** 1013 "Try Again Later": the client may reconnect. */
  private static final short CLOSE_TOO_SLOW = 1013;

  private final int maxQueuedBytes;
  private final Map<String, FaultView> faults = new LinkedHashMap<>();
  private final Map<Long, TicketView> tickets = new LinkedHashMap<>();
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final Counter overflows;
  private final Counter messages;
  private long seq;

  public StreamHub(int maxQueuedBytes, MeterRegistry registry) {
    this.maxQueuedBytes = maxQueuedBytes;
    Gauge.builder("vigil_stream_clients", clients, Set::size).description("connected websocket clients").register(registry);
    overflows = Counter.builder("vigil_stream_overflows").description("clients dropped because they read too slowly").register(registry);
    messages = Counter.builder("vigil_stream_messages").description("messages written to websocket clients").register(registry);
  }

  /** Seeds the picture at start-up, before any client connects. */
  public synchronized void seed(List<FaultView> activeFaults, List<TicketView> openTickets) {
    for (FaultView f : activeFaults) faults.put(f.fault().fingerprint(), f);
    for (TicketView t : openTickets) tickets.put(t.id(), t);
  }

  public synchronized void publishFault(FaultView f) {
    if (f.fault().state() == FaultState.RESOLVED) faults.remove(f.fault().fingerprint());
    else faults.put(f.fault().fingerprint(), f);
    broadcast(new JsonObject().put("type", "fault").put("seq", ++seq).put("fault", Codec.fault(f)).encode(), customerOf(f));
  }

  public synchronized void publishTicket(TicketView t) {
    if (t.state() == io.vigil.rules.TicketState.CLOSED) tickets.remove(t.id());
    else tickets.put(t.id(), t);
    broadcast(new JsonObject().put("type", "ticket").put("seq", ++seq).put("ticket", Codec.ticket(t)).encode(), t.customer());
  }

  /**
   * An SLA warning or breach of a ticket: one {@code sla} message carrying the event
   * ({@code kind} {@code sla_warning|sla_breach}, {@code clock} {@code respond|resolve}, {@code due})
   * and the ticket as it is after it (escalation level included), which also replaces the ticket in
   * the picture.
   */
  public synchronized void publishSla(TicketView t, JsonObject event) {
    if (t.state() == io.vigil.rules.TicketState.CLOSED) tickets.remove(t.id());
    else tickets.put(t.id(), t);
    broadcast(new JsonObject().put("type", "sla").put("seq", ++seq).put("event", event).put("ticket", Codec.ticket(t)).encode(), t.customer());
  }

  private static String customerOf(FaultView f) {
    return f.fault().labels().getOrDefault("customer", "unknown");
  }

  /** Sends the snapshot and subscribes the socket to deltas (every customer's). */
  public void attach(ServerWebSocket ws) {
    attach(ws, null);
  }

  /**
   * Sends the snapshot and subscribes the socket to deltas; a non-null {@code customer} (a
   * customer-bound token) sees only that customer's faults and tickets. Its {@code seq} numbers
   * still count every delta, so gaps are normal for it.
   */
  public synchronized void attach(ServerWebSocket ws, String customer) {
    List<FaultView> fs = new ArrayList<>();
    for (FaultView f : faults.values()) if (customer == null || customer.equals(customerOf(f))) fs.add(f);
    fs.sort(Comparator.comparing((FaultView f) -> f.fault().severity()).thenComparing(f -> f.fault().startsAt()));
    List<TicketView> ts = new ArrayList<>();
    for (TicketView t : tickets.values()) if (customer == null || customer.equals(t.customer())) ts.add(t);
    JsonObject snapshot = new JsonObject().put("type", "snapshot").put("seq", seq)
        .put("faults", Codec.array(fs, Codec::fault))
        .put("tickets", Codec.array(ts, Codec::ticket));
    Client c = new Client(ws, customer);
    clients.add(c);
    ws.closeHandler(v -> clients.remove(c));
    ws.exceptionHandler(t -> LOG.debug("stream.client_error remote={} cause=\"{}\"", ws.remoteAddress(), t.toString()));
    // Clients only listen; anything they send is ignored rather than buffered.
    ws.textMessageHandler(m -> {});
    // The snapshot may be large; it is not held against the client's delta budget.
    ws.writeTextMessage(snapshot.encode());
    messages.increment();
  }

  /** One subscriber and its backlog of bytes written but not yet on the socket. */
  private static final class Client {
    final ServerWebSocket ws;
    /** Null: every customer. */
    final String customer;
    final AtomicLong backlog = new AtomicLong();

    Client(ServerWebSocket ws, String customer) {
      this.ws = ws;
      this.customer = customer;
    }
  }

  public synchronized long seq() {
    return seq;
  }

  public int clientCount() {
    return clients.size();
  }

  private void broadcast(String message, String customer) {
    long size = message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    for (Client c : clients) {
      if (c.customer != null && !c.customer.equals(customer)) continue;
      ServerWebSocket ws = c.ws;
      if (c.backlog.get() + size > maxQueuedBytes) {
        clients.remove(c);
        overflows.increment();
        LOG.info("stream.overflow remote={} queuedLimitBytes={} action=disconnect", ws.remoteAddress(), maxQueuedBytes);
        ws.writeTextMessage(new JsonObject().put("type", "overflow").put("seq", seq)
            .put("reason", "client read too slowly; reconnect for a fresh snapshot").encode());
        ws.close(CLOSE_TOO_SLOW, "too slow");
        continue;
      }
      c.backlog.addAndGet(size);
      ws.writeTextMessage(message).onComplete(ar -> c.backlog.addAndGet(-size));
      messages.increment();
    }
  }
}
