package io.vigil.collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.SeriesKey;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The ingest limits every collector applies, in one place, each a setting (README) with a clear
 * refusal and a counter {@code vigil_ingest_refused_total{transport, reason}}:
 *
 * <ul>
 *   <li>{@code body_size}: body bytes, also after gzip inflation → 413;</li>
 *   <li>{@code samples_per_request} → 413;</li>
 *   <li>{@code labels_per_series}, {@code label_value_length} → 400 (JSON: the request; line
 *       protocol: the line, partial write);</li>
 *   <li>{@code new_series_rate}: new series per minute per customer, the cardinality guard → 429
 *       with {@code Retry-After}, nothing of the batch stored;</li>
 *   <li>{@code customer_mismatch}: tenancy (not a limit, but counted the same way) → 403.</li>
 * </ul>
 *
 * <p>The cardinality guard uses <b>fixed one-minute windows</b> (aligned to the clock's minutes)
 * per customer (samples without a customer label share the bucket {@code (none)}). A series is new
 * when storage does not know it ({@code known}: the sample store's committed series-id cache) and
 * it was not already admitted in this window, so retries of a batch are not counted twice. A batch
 * that would take any customer past the limit is refused whole. The per-window sets hold at most
 * {@code limit} keys per customer. Deciding costs one map lookup per sample while all series are
 * known; only batches with new series take a lock. Thread-safe, non-blocking.
 */
public final class IngestLimits {
  public static final String NO_CUSTOMER = "(none)";

  /** The limits; see the README's settings table. {@code maxNewSeriesPerMinute} 0 turns the guard off. */
  public record Settings(long maxBodyBytes, int maxSamplesPerRequest, int maxLabelsPerSeries, int maxLabelValueChars,
      int maxNewSeriesPerMinute) {
    public static Settings defaults() {
      return new Settings(10 * 1024 * 1024, 100_000, 64, 2048, 100_000);
    }
  }

  /** A refusal by the cardinality guard: who, and when to come back. */
  public record Refusal(String customer, int limit, int wouldBe, int retryAfterSeconds) {
    public String message() {
      return "customer '" + customer + "' may create at most " + limit + " new series per minute (VIGIL_MAX_NEW_SERIES_PER_MINUTE); "
          + "this batch would make it " + wouldBe + " in the current minute; nothing of it was stored, retry after "
          + retryAfterSeconds + " s";
    }
  }

  private final Settings settings;
  private final Predicate<SeriesKey> known;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Window> windows = new HashMap<>();

  private static final class Window {
    long minute;
    final Set<SeriesKey> admitted = new HashSet<>();
  }

  public IngestLimits(Settings settings, Predicate<SeriesKey> known, Clock clock, MeterRegistry registry) {
    this.settings = settings;
    this.known = known;
    this.clock = clock;
    this.registry = registry;
  }

  public Settings settings() {
    return settings;
  }

  /** Counts one refusal. */
  public void refused(String transport, String reason) {
    refused.computeIfAbsent(transport + '/' + reason, k -> Counter.builder("vigil_ingest_refused")
        .tag("transport", transport).tag("reason", reason)
        .description("ingest requests (or, for line protocol, lines) refused by a limit or tenancy").register(registry)).increment();
  }

  /**
   * Null when the batch's new series fit every customer's budget (and they are now counted), else
   * the refusal (nothing counted). Call after tenancy has stamped the batch.
   */
  public Refusal admit(SampleBatch batch) {
    int limit = settings.maxNewSeriesPerMinute();
    if (limit <= 0) return null;
    Map<String, Set<SeriesKey>> fresh = null;
    SeriesKey last = null;
    for (Sample s : batch.samples()) {
      // consecutive samples of one line share labels; cheap skip of the repeated lookup
      if (last != null && last.labels() == s.labels() && last.metric().equals(s.metric())) continue;
      SeriesKey k = s.series();
      last = k;
      if (known.test(k)) continue;
      if (fresh == null) fresh = new LinkedHashMap<>();
      String c = s.labels().getOrDefault(Tenancy.LABEL, NO_CUSTOMER);
      fresh.computeIfAbsent(c, x -> new HashSet<>()).add(k);
    }
    if (fresh == null) return null;
    long now = clock.millis();
    long minute = Math.floorDiv(now, 60_000L);
    int retry = (int) Math.max(1, ((minute + 1) * 60_000L - now + 999) / 1000);
    synchronized (windows) {
      for (Map.Entry<String, Set<SeriesKey>> e : fresh.entrySet()) {
        Window w = window(e.getKey(), minute);
        int add = 0;
        for (SeriesKey k : e.getValue()) if (!w.admitted.contains(k)) add++;
        if (w.admitted.size() + add > limit) return new Refusal(e.getKey(), limit, w.admitted.size() + add, retry);
      }
      for (Map.Entry<String, Set<SeriesKey>> e : fresh.entrySet()) window(e.getKey(), minute).admitted.addAll(e.getValue());
      if (windows.size() > 10_000) windows.values().removeIf(w -> w.minute != minute);
    }
    return null;
  }

  private Window window(String customer, long minute) {
    Window w = windows.computeIfAbsent(customer, c -> new Window());
    if (w.minute != minute) {
      w.minute = minute;
      w.admitted.clear();
    }
    return w;
  }

  /** Answers a refusal of the guard: 429 with Retry-After, the customer and the limit named. */
  public static void tooManyNewSeries(RoutingContext ctx, Refusal r) {
    ctx.response().putHeader("Retry-After", Integer.toString(r.retryAfterSeconds()));
    Responses.json(ctx, 429, new io.vertx.core.json.JsonObject().put("error", r.message()).put("customer", r.customer())
        .put("limit", r.limit()).put("reason", "new_series_rate"));
  }

  /**
   * A route failure handler for the body handler's 413 (chunked bodies cut off at the limit): counts
   * it for {@code transport} and answers in JSON; other failures go on.
   */
  public Handler<RoutingContext> bodyTooLarge(String transport) {
    return ctx -> {
      if (ctx.statusCode() == 413) {
        refused(transport, "body_size");
        Responses.json(ctx, 413, new io.vertx.core.json.JsonObject().put("error", "request body larger than the configured limit of "
                + settings.maxBodyBytes() + " bytes (VIGIL_MAX_BODY_BYTES); nothing was stored")
            .put("limit", settings.maxBodyBytes()).put("reason", "body_size"));
      } else {
        ctx.next();
      }
    };
  }
}
