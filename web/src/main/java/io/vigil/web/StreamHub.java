package io.vigil.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.FaultState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream behind {@code GET /api/v1/stream}: a snapshot (or a resume), then sequenced
 * deltas.
 *
 * <p>The hub keeps the current picture (active faults, tickets not yet closed) so a new client
 * gets a snapshot whose {@code seq} is exactly the last delta it already reflects; every later
 * change is one message with a higher {@code seq}. Sequence numbers start at the start-up time in
 * microseconds, so a number from before a restart is always older than anything this process
 * holds. Publishing and attaching are serialised by one lock held only for in-memory updates, so
 * they may be called from any thread. A publish appends the change to each event loop's inbox;
 * that loop's thread hands it to its own clients, merges and writes, so the per-client work runs
 * on the loops in parallel and never under the hub's lock.
 *
 * <p>Resume: the hub keeps the last {@code history} deltas. A client reconnecting with
 * {@code since=<seq>} (the last seq it applied) gets {@code {"type":"resume","from":since,"seq":now}}
 * and the deltas after {@code since} it may see, when the hub still has all of them and they fit
 * in its queue; otherwise a fresh snapshot. Either way nothing is missed and nothing applied twice
 * (a client ignores a seq it has already passed).
 *
 * <p>Batches and slow clients: each client has at most one write on its way to the socket (a
 * write completes when it reaches the OS socket). Deltas published meanwhile wait in the client's
 * pending queue, coalesced: a later state of the same fault or ticket replaces the waiting one
 * (latest state wins; SLA events are never merged). When the write completes, everything waiting
 * goes as one {@code {"type":"batch","messages":[…]}} message, in order: a busy client costs one
 * socket write per batch, not per delta, and a slow one falls behind in states, not in bytes.
 * Only when even the coalesced queue exceeds {@code maxQueuedBytes} is the client sent one
 * {@code overflow} message and closed; it does not slow ingest or other clients, and
 * reconnecting gives it a fresh snapshot. A client therefore sees seq numbers rise, with gaps
 * where deltas were merged or belong to another customer.
 */
public final class StreamHub {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
  /** 1013 "Try Again Later": the client may reconnect. */
  private static final short CLOSE_TOO_SLOW = 1013;
  private static final byte[] BATCH_HEAD = "{\"type\":\"batch\",\"messages\":[".getBytes(StandardCharsets.US_ASCII);
  /** The frame size websocket clients accept by default (Vert.x, Netty, Jetty: 64 KiB). */
  private static final int MAX_FRAME = 65_536;
  private static final byte[] BATCH_TAIL = "]}".getBytes(StandardCharsets.US_ASCII);
  /** Deltas kept for resuming clients. */
  public static final int DEFAULT_HISTORY = 10_000;
  /** The storage status last published (see {@link #publishStorage}); available until told otherwise. */
  private JsonObject storage = new JsonObject().put("available", true);

  private final int maxQueuedBytes;
  private final int historySize;
  private final Map<String, FaultView> faults = new LinkedHashMap<>();
  private final Map<Long, TicketView> tickets = new LinkedHashMap<>();
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final ArrayDeque<Delta> history = new ArrayDeque<>();
  private final Counter overflows;
  private final Counter messages;
  private final Counter coalesced;
  private final Counter resumes;
  private final Counter batches;
  private long seq;

  public StreamHub(int maxQueuedBytes, MeterRegistry registry) {
    this(maxQueuedBytes, DEFAULT_HISTORY, System.currentTimeMillis() * 1000, registry);
  }

  /** @param firstSeq the seq of the picture before any delta (the first delta is {@code firstSeq + 1}) */
  public StreamHub(int maxQueuedBytes, int historySize, long firstSeq, MeterRegistry registry) {
    this.maxQueuedBytes = maxQueuedBytes;
    this.historySize = historySize;
    this.seq = firstSeq;
    Gauge.builder("vigil_stream_clients", clients, Set::size).description("connected websocket clients").register(registry);
    overflows = Counter.builder("vigil_stream_overflows").description("clients dropped because they read too slowly").register(registry);
    messages = Counter.builder("vigil_stream_messages").description("messages written to websocket clients").register(registry);
    coalesced = Counter.builder("vigil_stream_coalesced").description("deltas replaced by a later state of the same fault or ticket "
        + "while waiting for a slow client").register(registry);
    batches = Counter.builder("vigil_stream_batches").description("batch messages: deltas that waited for a client's previous write, "
        + "sent together").register(registry);
    resumes = Counter.builder("vigil_stream_resumes").description("reconnecting clients resumed from their seq instead of a snapshot")
        .register(registry);
  }

  /** Seeds the picture at start-up, before any client connects. */
  public synchronized void seed(List<FaultView> activeFaults, List<TicketView> openTickets) {
    for (FaultView f : activeFaults) faults.put(f.fault().fingerprint(), f);
    for (TicketView t : openTickets) tickets.put(t.id(), t);
  }

  public synchronized void publishFault(FaultView f) {
    if (f.fault().state() == FaultState.RESOLVED) faults.remove(f.fault().fingerprint());
    else faults.put(f.fault().fingerprint(), f);
    long n = ++seq;
    broadcast(new Delta(n, customerOf(f), "f" + f.fault().fingerprint(),
        new JsonObject().put("type", "fault").put("seq", n).put("fault", Codec.fault(f)).encode()));
  }

  public synchronized void publishTicket(TicketView t) {
    if (t.state() == io.vigil.rules.TicketState.CLOSED) tickets.remove(t.id());
    else tickets.put(t.id(), t);
    long n = ++seq;
    broadcast(new Delta(n, t.customer(), "t" + t.id(),
        new JsonObject().put("type", "ticket").put("seq", n).put("ticket", Codec.ticket(t)).encode()));
  }

  /**
   * An SLA warning or breach of a ticket: one {@code sla} message carrying the event
   * ({@code kind} {@code sla_warning|sla_breach}, {@code clock} {@code respond|resolve}, {@code due})
   * and the ticket as it is after it (escalation level included), which also replaces the ticket in
   * the picture. Never merged with another message: the event itself matters.
   */
  public synchronized void publishSla(TicketView t, JsonObject event) {
    if (t.state() == io.vigil.rules.TicketState.CLOSED) tickets.remove(t.id());
    else tickets.put(t.id(), t);
    long n = ++seq;
    broadcast(new Delta(n, t.customer(), "s" + n,
        new JsonObject().put("type", "sla").put("seq", n).put("event", event).put("ticket", Codec.ticket(t)).encode()));
  }

  /**
   * Whether Vigil's storage (PostgreSQL) answers: a {@code storage} message to every client, every
   * customer's included ({@code available}, {@code since}, and {@code reason} while unavailable), so
   * the wall can say plainly that what it shows may be stale and that new faults are not recorded.
   * Also in every snapshot. Only a change is sent.
   */
  public synchronized void publishStorage(boolean available, String reason, java.time.Instant since) {
    JsonObject status = new JsonObject().put("available", available).put("since", since.toString());
    if (!available && reason != null) status.put("reason", reason);
    if (storage.getBoolean("available").equals(available)) return;
    storage = status;
    long n = ++seq;
    broadcast(new Delta(n, Delta.EVERYONE, "storage", new JsonObject().put("type", "storage").put("seq", n).put("storage", status).encode()));
  }

  private static String customerOf(FaultView f) {
    return f.fault().labels().getOrDefault("customer", "unknown");
  }

  /** Sends the snapshot and subscribes the socket to deltas (every customer's). */
  public void attach(ServerWebSocket ws) {
    attach(ws, null, null);
  }

  public void attach(ServerWebSocket ws, String customer) {
    attach(ws, customer, null);
  }

  /**
   * Subscribes the socket to deltas after a snapshot, or after the missed deltas when
   * {@code since} (the last seq the client applied; null: none) can be resumed. A non-null
   * {@code customer} (a customer-bound token) sees only that customer's faults and tickets.
   */
  public synchronized void attach(ServerWebSocket ws, String customer, Long since) {
    // The socket's event loop: its writes are made there, a batch per turn (null outside Vert.x: write at once).
    Client c = new Client(ws, customer, loopOf(io.vertx.core.Vertx.currentContext()));
    List<Delta> missed = since == null ? null : missedSince(since, customer);
    if (missed != null) {
      resumes.increment();
      ws.writeTextMessage(new JsonObject().put("type", "resume").put("from", since).put("seq", seq).encode());
      messages.increment();
    } else {
      ws.writeTextMessage(snapshot(customer).encode());
      messages.increment();
    }
    c.fromSeq = seq;
    clients.add(c);
    if (c.loop != null) c.loop.members.add(c); // on the loop's own thread (loopOf checked)
    ws.closeHandler(v -> {
      clients.remove(c);
      if (c.loop != null) c.loop.members.remove(c);
    });
    ws.exceptionHandler(t -> LOG.debug("stream.client_error remote={} cause=\"{}\"", ws.remoteAddress(), t.toString()));
    // Clients only listen; anything they send is ignored rather than buffered.
    ws.textMessageHandler(m -> {});
    if (missed != null) {
      synchronized (c) {
        for (Delta d : missed) queue(c, d);
        flushLocked(c);
      }
    }
  }

  /** The deltas after {@code since} a client of {@code customer} sees, or null when they cannot all be replayed. */
  private List<Delta> missedSince(long since, String customer) {
    if (since > seq) return null; // another process's numbers
    if (since < seq && (history.isEmpty() || history.peekFirst().seq() > since + 1)) return null; // no longer held
    List<Delta> out = new ArrayList<>();
    long bytes = 0;
    for (java.util.Iterator<Delta> it = history.descendingIterator(); it.hasNext(); ) {
      Delta d = it.next();
      if (d.seq() <= since) break;
      if (!d.isFor(customer)) continue;
      bytes += d.size();
      if (bytes > maxQueuedBytes) return null; // a snapshot is cheaper than the replay
      out.add(d);
    }
    java.util.Collections.reverse(out);
    return out;
  }

  private JsonObject snapshot(String customer) {
    List<FaultView> fs = new ArrayList<>();
    for (FaultView f : faults.values()) if (customer == null || customer.equals(customerOf(f))) fs.add(f);
    fs.sort(Comparator.comparing((FaultView f) -> f.fault().severity()).thenComparing(f -> f.fault().startsAt()));
    List<TicketView> ts = new ArrayList<>();
    for (TicketView t : tickets.values()) if (customer == null || customer.equals(t.customer())) ts.add(t);
    // The snapshot may be large; it is not held against the client's delta budget.
    return new JsonObject().put("type", "snapshot").put("seq", seq).put("storage", storage.copy())
        .put("faults", Codec.array(fs, Codec::fault))
        .put("tickets", Codec.array(ts, Codec::ticket));
  }

  /** One change as sent: its seq, whose it is, what it is the latest state of, and the message's UTF-8, encoded once for every client. */
  private record Delta(long seq, String customer, String key, byte[] utf8) {
    /** The customer of a delta every client gets (the storage status). */
    static final String EVERYONE = "*";

    /** Whether a client of {@code customer} (null: unbound, sees all) gets this delta. */
    boolean isFor(String client) {
      return client == null || customer.equals(EVERYONE) || client.equals(customer);
    }

    Delta(long seq, String customer, String key, String message) {
      this(seq, customer, key, message.getBytes(StandardCharsets.UTF_8));
    }

    int size() {
      return utf8.length;
    }
  }

  /** One subscriber: bytes written but not yet on the socket, and what waits behind them. */
  /**
   * One event loop's clients and the deltas not yet handed to them. The publisher only appends to
   * the inbox (one operation per loop, however many clients); the loop's own thread hands each
   * delta to its clients and writes, so the per-client work runs on every loop in parallel and
   * without locks shared with the publisher.
   */
  private static final class Loop {
    final io.netty.channel.EventLoop thread;
    final AtomicBoolean scheduled = new AtomicBoolean();
    final java.util.concurrent.ConcurrentLinkedQueue<Delta> inbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Only touched on {@link #thread}. */
    final Set<Client> members = new java.util.LinkedHashSet<>();

    Loop(io.netty.channel.EventLoop thread) {
      this.thread = thread;
    }
  }

  private final Map<io.netty.channel.EventLoop, Loop> loops = new ConcurrentHashMap<>();

  /** The loop of the calling event-loop thread (where a socket's handlers run), or null outside one. */
  private Loop loopOf(io.vertx.core.Context ctx) {
    if (!(ctx instanceof io.vertx.core.internal.ContextInternal ci) || !ctx.isEventLoopContext()) return null;
    io.netty.channel.EventLoop el = ci.nettyEventLoop();
    return el != null && el.inEventLoop() ? loops.computeIfAbsent(el, Loop::new) : null;
  }

  private static final class Client {
    final ServerWebSocket ws;
    /** Null: every customer. */
    final String customer;
    final Loop loop;
    /** Deltas up to this seq are in what the client got first (snapshot or resume). */
    long fromSeq;
    long inFlight;
    /** Waiting deltas by what they are the state of, in the order of their latest change. */
    final LinkedHashMap<String, Delta> pending = new LinkedHashMap<>();
    long pendingBytes;
    boolean dropped;

    Client(ServerWebSocket ws, String customer, Loop loop) {
      this.ws = ws;
      this.customer = customer;
      this.loop = loop;
    }
  }

  public synchronized long seq() {
    return seq;
  }

  public int clientCount() {
    return clients.size();
  }

  private void broadcast(Delta d) {
    history.addLast(d);
    if (history.size() > historySize) history.removeFirst();
    for (Loop l : loops.values()) {
      if (l.members.isEmpty() && l.inbox.isEmpty()) continue;
      l.inbox.add(d);
      schedule(l);
    }
    for (Client c : clients) {
      if (c.loop != null || !d.isFor(c.customer)) continue;
      send(c, d);
    }
  }

  /**
   * Queues the delta for the client (merged with a waiting state of the same fault or ticket).
   * Its event loop writes it in its next turn; outside an event loop (tests), at once.
   */
  private void send(Client c, Delta d) {
    synchronized (c) {
      queue(c, d);
      flushLocked(c);
    }
  }

  private void schedule(Loop l) {
    if (!l.scheduled.compareAndSet(false, true)) return;
    l.thread.execute(() -> drain(l));
  }

  /** On the loop's thread: every delta of the inbox to every member that may see it, then one write per member. */
  private void drain(Loop l) {
    l.scheduled.set(false);
    List<Delta> ds = new ArrayList<>();
    for (Delta d; (d = l.inbox.poll()) != null; ) ds.add(d);
    if (ds.isEmpty()) return;
    for (Client c : l.members) {
      synchronized (c) {
        for (Delta d : ds) {
          if (d.seq() <= c.fromSeq || !d.isFor(c.customer)) continue;
          queue(c, d);
        }
        flushLocked(c);
      }
    }
  }

  private void queue(Client c, Delta d) {
    if (c.dropped) return;
    Delta replaced = c.pending.remove(d.key());
    if (replaced != null) {
      c.pendingBytes -= replaced.size();
      coalesced.increment();
    }
    c.pending.put(d.key(), d);
    c.pendingBytes += d.size();
    if (c.pendingBytes > maxQueuedBytes) overflow(c);
  }

  /**
   * One text frame of bytes encoded once and shared by every client (Vert.x's public API takes a
   * String and would encode it again per client; its frame class takes the bytes as they are).
   */
  private void write(Client c, byte[] utf8) {
    int size = utf8.length;
    c.inFlight += size;
    // One frame up to the usual 64 KiB frame limit of clients; a rare bigger delta goes the
    // public way, split into frames.
    Future<Void> w = size <= MAX_FRAME ? c.ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true))
        : c.ws.writeTextMessage(new String(utf8, StandardCharsets.UTF_8));
    w.onComplete(ar -> written(c, size));
    messages.increment();
  }

  /** A write reached the socket (the client's event loop). */
  private void written(Client c, int size) {
    synchronized (c) {
      writtenLocked(c, size);
    }
  }

  /** Once the previous write is on the socket, everything waiting goes as one {@code batch} message. */
  private void writtenLocked(Client c, int size) {
    c.inFlight -= size;
    flushLocked(c);
  }

  /** With no write on its way, what waits goes: one delta as it is, several as one batch. */
  private void flushLocked(Client c) {
    if (c.dropped || c.pending.isEmpty() || c.inFlight > 0) return;
    if (c.pending.size() == 1) {
      Delta d = c.pending.values().iterator().next();
      c.pending.clear();
      c.pendingBytes = 0;
      write(c, d.utf8());
      return;
    }
    // As many as fit one frame, in order; the rest go when this one is on the socket.
    List<Delta> take = new ArrayList<>();
    int len = BATCH_HEAD.length + BATCH_TAIL.length - 1;
    for (java.util.Iterator<Delta> it = c.pending.values().iterator(); it.hasNext(); ) {
      Delta d = it.next();
      if (!take.isEmpty() && len + d.size() + 1 > MAX_FRAME) break;
      it.remove();
      c.pendingBytes -= d.size();
      take.add(d);
      len += d.size() + 1;
    }
    if (take.size() == 1) {
      write(c, take.get(0).utf8());
      return;
    }
    byte[] out = new byte[len];
    System.arraycopy(BATCH_HEAD, 0, out, 0, BATCH_HEAD.length);
    int at = BATCH_HEAD.length;
    for (int i = 0; i < take.size(); i++) {
      if (i > 0) out[at++] = ',';
      byte[] b = take.get(i).utf8();
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
    }
    System.arraycopy(BATCH_TAIL, 0, out, at, BATCH_TAIL.length);
    batches.increment();
    write(c, out);
  }

  private void overflow(Client c) {
    c.dropped = true;
    c.pending.clear();
    clients.remove(c);
    overflows.increment();
    ServerWebSocket ws = c.ws;
    LOG.info("stream.overflow remote={} queuedLimitBytes={} action=disconnect", ws.remoteAddress(), maxQueuedBytes);
    ws.writeTextMessage(new JsonObject().put("type", "overflow").put("seq", seq)
        .put("reason", "client read too slowly; reconnect for a fresh snapshot").encode());
    ws.close(CLOSE_TOO_SLOW, "too slow");
  }

}
