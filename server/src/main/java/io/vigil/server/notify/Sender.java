package io.vigil.server.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vigil.rules.notify.Backoff;
import io.vigil.rules.notify.RetryPolicy;
import io.vigil.rules.notify.Signature;
import io.vigil.server.notify.Deliveries.Delivery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what {@code notify_deliveries} holds. Per receiver at most {@code max_concurrency} requests
 * are in flight on this node; each claimed row is leased for its timeout plus a margin, so a node
 * killed mid-send leaves it to be sent again (same body, same {@code Idempotency-Key}) when the
 * lease ends: that is the whole at-least-once window. Failures are sorted as STYLE.md says: 2xx is
 * delivered; 5xx, 408, 429, timeouts and connection errors retry with exponential backoff and full
 * jitter ({@code Retry-After} is honoured as a floor) until the row is older than the dead-letter
 * age; any other 4xx is dead at once (sending it again would get the same answer). Runs on the event
 * loop of the Vert.x context that calls {@link #start}; never blocks.
 */
public final class Sender {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
  /** Beyond the request timeout, how long a claimed row stays leased to this node. */
  static final Duration LEASE_MARGIN = Duration.ofSeconds(5);
  /** The signed timestamp again, on its own, for receivers that log it. */
  public static final String TIMESTAMP_HEADER = "X-Vigil-Timestamp";

  /** One webhook of a receiver, as the sender needs it. */
  public record Target(String url, Map<String, String> headers, Duration timeout, String hmacSecret, int maxConcurrency) {
    @Override
    public String toString() {
      return "Target[" + url + (hmacSecret == null ? "" : ", signed") + "]";
    }
  }

  /** What the sender reads from the notification configuration, at every pass (it may be reloaded). */
  public interface Directory {
    /** Null when the receiver or its webhook no longer exists. */
    Target target(String receiver, int webhook);

    /** Every receiver's maximum concurrency (the smallest of its webhooks'). */
    int maxConcurrency(String receiver);

    Duration retryBase();

    Duration retryCap();

    Duration deadLetterAfter();
  }

  /** Told about every delivery that went dead (the dead-letter alert listens). */
  public interface DeadLetters {
    void dead(Delivery d, String error);
  }

  private final Vertx vertx;
  private final Deliveries store;
  private final Directory directory;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Health> health = new ConcurrentHashMap<>();
  private final AtomicBoolean passRunning = new AtomicBoolean();
  private final AtomicBoolean passAgain = new AtomicBoolean();
  private final Counter sent;
  private final Counter failed;
  private final Counter deadCount;
  private final Timer latency;
  private volatile DeadLetters deadLetters = (d, e) -> {};
  private long timer = -1;

  public Sender(Vertx vertx, Deliveries store, Directory directory, Clock clock, MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.directory = directory;
    this.clock = clock;
    // Keep-alive: a pager bridge gets many small requests; one connection each would cost a handshake.
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(30),
        new PoolOptions().setHttp1MaxSize(64));
    this.sent = Counter.builder("vigil_notify_sent_total").description("webhook requests answered 2xx").register(registry);
    this.failed = Counter.builder("vigil_notify_failed_attempts_total").description("webhook attempts that failed (retried or dead)").register(registry);
    this.deadCount = Counter.builder("vigil_notify_dead_total").description("deliveries given up (dead letters)").register(registry);
    this.latency = Timer.builder("vigil_notify_request_seconds").description("webhook request duration").register(registry);
  }

  /**
   * A receiver that answered with a retryable failure is probed with one request at a time, at its
   * own backoff, while the rest of its queue waits: during an outage the queue costs the receiver
   * (and us) one request per backoff step, not one per notification. The first success releases the
   * whole queue at full concurrency, so a backlog drains as soon as the receiver is back rather than
   * when each row's own backoff ends.
   */
  private static final class Health {
    volatile int failures;
    volatile Instant probeAt = Instant.MIN;
  }

  public void onDead(DeadLetters l) {
    this.deadLetters = l;
  }

  /** Starts the periodic pass (retries, other nodes' rows); {@link #poke} runs one at once. */
  public void start(Duration every) {
    long[] n = {0};
    timer = vertx.setPeriodic(every.toMillis(), id -> {
      poke();
      // Rows held back behind a failing receiver age too: give them up at the same age as retried ones.
      if (++n[0] % Math.max(1, 60_000 / every.toMillis()) == 0) sweepAged();
    });
  }

  /** Gives up deliveries older than the dead-letter age that no node is sending. */
  public Future<Integer> sweepAged() {
    Instant now = clock.instant();
    return store.deadOlderThan(now.minus(directory.deadLetterAfter()), now, "not delivered within " + directory.deadLetterAfter())
        .map(dead -> {
          for (Delivery d : dead) {
            deadCount.increment();
            LOG.warn("notify.dead_letter delivery={} receiver={} kind={} cause=\"not delivered within {}\"", d.id(), d.receiver(), d.kind(),
                directory.deadLetterAfter());
            deadLetters.dead(d, "not delivered within " + directory.deadLetterAfter());
          }
          return dead.size();
        })
        .onFailure(t -> LOG.warn("notify.sweep_failed cause=\"{}\"", t.toString()));
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** Runs a pass now (or right after the one running). Callable from any thread. */
  public void poke() {
    if (!passRunning.compareAndSet(false, true)) {
      passAgain.set(true);
      return;
    }
    passAgain.set(false);
    Instant now = clock.instant();
    store.dueReceivers(now)
        .compose(receivers -> {
          Future<Void> all = Future.succeededFuture();
          for (String r : receivers) all = all.compose(v -> claimAndSend(r, now));
          return all;
        })
        .onFailure(t -> LOG.warn("notify.pass_failed cause=\"{}\"", t.toString()))
        .onComplete(ar -> {
          passRunning.set(false);
          if (passAgain.getAndSet(false)) poke();
        });
  }

  private Future<Void> claimAndSend(String receiver, Instant now) {
    AtomicInteger busy = inFlight.computeIfAbsent(receiver, k -> new AtomicInteger());
    Health h = health.computeIfAbsent(receiver, k -> new Health());
    int taken;
    if (h.failures > 0) taken = !now.isBefore(h.probeAt) ? take(busy, 1, 1) : 0; // one probe, only when nothing is in flight
    else taken = take(busy, directory.maxConcurrency(receiver), Integer.MAX_VALUE);
    if (taken <= 0) return Future.succeededFuture();
    return store.claim(receiver, taken, now, lease(receiver)).<Void>map(ds -> {
      busy.addAndGet(-(taken - ds.size()));
      for (Delivery d : ds) sendInSlot(d, busy);
      return null;
    }).onFailure(t -> busy.addAndGet(-taken));
  }

  /** Takes up to {@code wanted} of a receiver's free slots (at most {@code max} in flight); returns how many. */
  private static int take(AtomicInteger busy, int max, int wanted) {
    while (true) {
      int cur = busy.get();
      int n = Math.min(wanted, max - cur);
      if (n <= 0) return 0;
      if (busy.compareAndSet(cur, cur + n)) return n;
    }
  }

  /** Sends one claimed delivery whose slot is already taken; frees the slot when its outcome is recorded. */
  private void sendInSlot(Delivery d, AtomicInteger busy) {
    send(d).onComplete(ar -> {
      busy.decrementAndGet();
      if (ar.failed()) LOG.warn("notify.record_failed delivery={} cause=\"{}\"", d.id(), ar.cause().toString());
      // A slot is free: more of this receiver's queue may go now.
      poke();
    });
  }

  private Duration lease(String receiver) {
    Target t = directory.target(receiver, 0);
    return (t == null ? Duration.ofSeconds(10) : t.timeout()).plus(LEASE_MARGIN);
  }

  /**
   * Slots of this node's senders taken for deliveries that the router inserts already leased here
   * ({@link #reserve}), so that they go out right after the router's commit: no claim {@code UPDATE},
   * no commit of its own, no {@code dueReceivers} query on the way to the phone. {@link #handOff} gives
   * back what was not used.
   */
  public record Handoff(Map<String, Integer> slots, Map<String, Instant> leaseUntil) {
    public static final Handoff NONE = new Handoff(Map.of(), Map.of());

    public int slots(String receiver) {
      return slots.getOrDefault(receiver, 0);
    }
  }

  /**
   * Takes up to {@code wanted.get(r)} free slots of each receiver for deliveries to be inserted
   * leased to this node until {@code leaseUntil(r)}. A receiver that is failing gets none: its queue
   * waits for the probe, as claimed rows do. Event-loop safe, never blocks.
   */
  public Handoff reserve(Map<String, Integer> wanted, Instant now) {
    Map<String, Integer> slots = new HashMap<>();
    Map<String, Instant> until = new HashMap<>();
    wanted.forEach((receiver, n) -> {
      Health h = health.get(receiver);
      if (h != null && h.failures > 0) return;
      int got = take(inFlight.computeIfAbsent(receiver, k -> new AtomicInteger()), directory.maxConcurrency(receiver), n);
      if (got > 0) {
        slots.put(receiver, got);
        until.put(receiver, now.plus(lease(receiver)));
      }
    });
    return slots.isEmpty() ? Handoff.NONE : new Handoff(slots, until);
  }

  /**
   * After the commit that inserted {@code leased} (rows of {@code h}'s receivers, leased to this
   * node): sends them now and gives back the slots they did not use. With an empty list (the
   * transaction failed, or the rows existed already) it only gives the slots back.
   */
  public void handOff(Handoff h, List<Delivery> leased) {
    Map<String, Integer> unused = new HashMap<>(h.slots());
    for (Delivery d : leased) {
      unused.merge(d.receiver(), -1, Integer::sum);
      sendInSlot(d, inFlight.computeIfAbsent(d.receiver(), k -> new AtomicInteger()));
    }
    unused.forEach((receiver, n) -> {
      if (n > 0) inFlight.get(receiver).addAndGet(-n);
    });
  }

  /** One attempt; completes when its outcome is recorded. */
  Future<Void> send(Delivery d) {
    Target t = directory.target(d.receiver(), d.webhook());
    Instant now = clock.instant();
    if (t == null) {
      return dead(d, null, "receiver '" + d.receiver() + "' (webhook " + d.webhook() + ") is no longer configured", now);
    }
    long started = System.nanoTime();
    long timeoutMs = t.timeout().toMillis();
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(d.url())
        .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs).setFollowRedirects(false)
        .putHeader("Content-Type", "application/json").putHeader("User-Agent", "Vigil-notify")
        .putHeader("Idempotency-Key", d.idempotencyKey());
    t.headers().forEach(req::putHeader);
    if (t.hmacSecret() != null) {
      req.putHeader(TIMESTAMP_HEADER, Long.toString(now.getEpochSecond()));
      req.putHeader(Signature.HEADER, Signature.header(t.hmacSecret(), now, d.body()));
    }
    Future<int[]> attempt;
    try {
      attempt = http.request(req)
          .compose(r -> r.send(Buffer.buffer(d.body())))
          .compose(resp -> resp.body().map(b -> new int[] {resp.statusCode(), retryAfterSeconds(resp.getHeader("Retry-After"))}));
    } catch (RuntimeException e) { // a URL the client refuses
      attempt = Future.failedFuture(e);
    }
    return attempt.timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(ar -> {
      latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      Instant at = clock.instant();
      if (ar.succeeded()) {
        int status = ar.result()[0];
        if (status >= 200 && status < 300) {
          sent.increment();
          return store.delivered(d.id(), status, at).compose(v -> recovered(d.receiver(), at));
        }
        String error = "receiver '" + d.receiver() + "' answered " + status + " (attempt " + d.attempts() + ")";
        if (status >= 500 || status == 408 || status == 429) return retry(d, status, error, ar.result()[1], at);
        return dead(d, status, error + ": not retried, a 4xx would be answered again", at);
      }
      Throwable c = ar.cause();
      String why = c instanceof java.util.concurrent.TimeoutException || c instanceof io.vertx.core.impl.NoStackTraceTimeoutException
          ? "timed out after " + timeoutMs + " ms" : c.toString();
      return retry(d, null, "receiver '" + d.receiver() + "' " + d.url() + ": " + why + " (attempt " + d.attempts() + ")", -1, at);
    });
  }

  private Future<Void> recovered(String receiver, Instant now) {
    Health h = health.get(receiver);
    if (h == null || h.failures == 0) return Future.succeededFuture();
    h.failures = 0;
    LOG.info("notify.receiver_recovered receiver={}", receiver);
    return store.release(receiver, now).map(n -> {
      if (n > 0) LOG.info("notify.queue_released receiver={} deliveries={}", receiver, n);
      return null;
    });
  }

  private Future<Void> retry(Delivery d, Integer status, String error, int retryAfterS, Instant now) {
    failed.increment();
    Health h = health.computeIfAbsent(d.receiver(), k -> new Health());
    h.failures++;
    Duration probeIn = backoff().delay(h.failures, ThreadLocalRandom.current()::nextDouble);
    if (retryAfterS > 0) probeIn = max(probeIn, Duration.ofSeconds(Math.min(retryAfterS, directory.retryCap().toSeconds())));
    h.probeAt = now.plus(probeIn);
    if (!now.isBefore(d.createdAt().plus(directory.deadLetterAfter()))) {
      return dead(d, status, error + "; gave up after " + directory.deadLetterAfter(), now);
    }
    Duration delay = backoff().delay(d.attempts(), ThreadLocalRandom.current()::nextDouble);
    if (retryAfterS > 0) delay = max(delay, Duration.ofSeconds(Math.min(retryAfterS, directory.retryCap().toSeconds())));
    LOG.info("notify.retry delivery={} in_ms={} cause=\"{}\"", d.id(), delay.toMillis(), error);
    return store.retryAt(d.id(), status, error, now.plus(delay));
  }

  private Future<Void> dead(Delivery d, Integer status, String error, Instant now) {
    failed.increment();
    deadCount.increment();
    LOG.warn("notify.dead_letter delivery={} receiver={} kind={} cause=\"{}\"", d.id(), d.receiver(), d.kind(), error);
    return store.dead(d.id(), status, error, now).onSuccess(v -> deadLetters.dead(d, error));
  }

  private Backoff backoff() {
    return new Backoff(new RetryPolicy(directory.retryBase(), directory.retryCap(), directory.deadLetterAfter()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Seconds from a {@code Retry-After} header in its delta-seconds form; -1 when absent or a date. */
  static int retryAfterSeconds(String v) {
    if (v == null) return -1;
    try {
      return Math.max(0, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public Future<Void> close() {
    stop();
    return http.close();
  }

  /** For tests and /metrics: requests in flight per receiver on this node. */
  public Map<String, Integer> inFlight() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    inFlight.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
