package io.vigil.collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.SampleBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Influx line protocol collector: {@code POST /write} (InfluxDB 1.x: {@code db}, {@code rp},
 * {@code precision}) and {@code POST /api/v2/write} (2.x: {@code org}/{@code orgID},
 * {@code bucket}, {@code precision}), plus {@code GET|HEAD /ping} so InfluxDB clients (the
 * {@code influx} CLI pings first) connect. Expects the body read (a body handler with the
 * configured limit runs first) and the caller authorised.
 *
 * <p>{@code db}/{@code rp}/{@code org}/{@code bucket} must be present, as InfluxDB requires (same
 * errors), but are <b>not</b> labels: Vigil has one namespace of series, and a label that changes
 * whenever an agent's output section is edited would split every series in two. The customer comes
 * from the token ({@link Tenancy}) or the {@code customer} tag.
 *
 * <p>Answers, as InfluxDB: 204 when every line was stored (durably: after the sink's future);
 * <b>partial write</b>: the good lines are stored, then 400 listing the bad lines with their line
 * numbers and reasons, 1.x shape {@code {"error":"partial write: line 2: unable to parse '…': …"}},
 * 2.x shape {@code {"code":"invalid","message":"partial write: …","line":2}} (both also carry
 * {@code "lines":[{"line":2,"reason":…}]}). Refusals that store nothing: 403 a line claims another
 * customer; 413 body (also inflated) or samples over the limit; 415 unknown Content-Encoding;
 * 429 cardinality guard; 503 + Retry-After storage unavailable. {@code Content-Encoding: gzip} is
 * inflated with the body limit applied to the inflated size. Never blocks; inflating and decoding
 * run on the event loop, bounded by the body limit.
 */
public final class InfluxWrite {
  private static final Logger LOG = LoggerFactory.getLogger(InfluxWrite.class);
  public static final String TRANSPORT = "influx";
  /** What {@code /ping} reports: the InfluxDB API level these endpoints follow. */
  public static final String COMPATIBLE_VERSION = "1.8.10";

  private final SampleSink sink;
  private final IngestLimits limits;
  private final Function<RoutingContext, String> customerOf;
  private final Clock clock;
  private final JsonIngestHandler.IngestMeters meters;
  /** One decoder (and its series cache) per event-loop thread: decoders are not thread-safe. */
  private final ThreadLocal<LineProtocolDecoder> decoders;

  public InfluxWrite(SampleSink sink, IngestLimits limits, Function<RoutingContext, String> customerOf, Clock clock, MeterRegistry registry) {
    this.sink = sink;
    this.limits = limits;
    this.customerOf = customerOf;
    this.clock = clock;
    this.meters = new JsonIngestHandler.IngestMeters(registry, TRANSPORT);
    IngestLimits.Settings s = limits.settings();
    this.decoders = ThreadLocal.withInitial(() -> new LineProtocolDecoder(s.maxLabelsPerSeries(), s.maxLabelValueChars(), s.maxSamplesPerRequest()));
  }

  /** {@code POST /write}. */
  public Handler<RoutingContext> v1() {
    return ctx -> {
      String db = ctx.request().getParam("db");
      if (db == null || db.isEmpty()) {
        fail(ctx, false, 400, "database is required");
        return;
      }
      Precision p;
      try {
        p = Precision.v1(ctx.request().getParam("precision"));
      } catch (IllegalArgumentException e) {
        fail(ctx, false, 400, e.getMessage());
        return;
      }
      write(ctx, false, p);
    };
  }

  /** {@code POST /api/v2/write}. */
  public Handler<RoutingContext> v2() {
    return ctx -> {
      String org = ctx.request().getParam("org");
      String orgId = ctx.request().getParam("orgID");
      if ((org == null || org.isEmpty()) && (orgId == null || orgId.isEmpty())) {
        fail(ctx, true, 400, "Please provide either orgID or org");
        return;
      }
      String bucket = ctx.request().getParam("bucket");
      if (bucket == null || bucket.isEmpty()) {
        fail(ctx, true, 400, "Please provide bucket");
        return;
      }
      Precision p;
      try {
        p = Precision.v2(ctx.request().getParam("precision"));
      } catch (IllegalArgumentException e) {
        fail(ctx, true, 400, e.getMessage());
        return;
      }
      write(ctx, true, p);
    };
  }

  /** Route failure handler: the body handler's 413 (also chunked bodies cut off) in the API's shape, counted. */
  public Handler<RoutingContext> bodyTooLarge(boolean v2) {
    return ctx -> {
      if (ctx.statusCode() != 413) {
        ctx.next();
        return;
      }
      limits.refused(TRANSPORT, "body_size");
      fail(ctx, v2, 413, "request body larger than the configured limit of " + limits.settings().maxBodyBytes()
          + " bytes (VIGIL_MAX_BODY_BYTES); nothing was stored");
    };
  }

  /**
   * Runs before the body handler: the body is line protocol whatever the request says. InfluxDB's
   * own example is {@code curl -XPOST '…/write?db=mydb' --data-binary 'cpu,host=a value=1'}, and
   * curl labels that {@code application/x-www-form-urlencoded}; parsed as a form, the body would be
   * refused with a bare "Bad Request".
   */
  public static Handler<RoutingContext> anyContentType() {
    return new AnyContentType();
  }

  /** A platform handler, so Vert.x Web lets it run before the body handler. */
  private static final class AnyContentType implements io.vertx.ext.web.handler.PlatformHandler {
    @Override
    public void handle(RoutingContext ctx) {
      String type = ctx.request().getHeader("Content-Type");
      if (type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/"))) {
        ctx.request().headers().set("Content-Type", "text/plain; charset=utf-8");
      }
      ctx.next();
    }
  }

  /** {@code GET|HEAD /ping}: 204 with the version headers InfluxDB clients read. No auth, as InfluxDB. */
  public static Handler<RoutingContext> ping() {
    return ctx -> ctx.response().setStatusCode(204).putHeader("X-Influxdb-Version", COMPATIBLE_VERSION)
        .putHeader("X-Influxdb-Build", "vigil").end();
  }

  /**
   * Inflating, decoding and the cardinality guard are pure CPU work on thread-safe or per-thread
   * state: they run on a worker thread, so a 5,000-line batch does not hold the event loop (which
   * also serves the API and feeds the rule engine). What comes back is the answer to give, run on
   * the event loop: an error, or handing the batch to the sink.
   */
  private void write(RoutingContext ctx, boolean v2, Precision precision) {
    Buffer raw = ctx.body().buffer();
    String encoding = ctx.request().getHeader("Content-Encoding");
    String customer = customerOf.apply(ctx);
    decodePool.run(ctx.vertx(), () -> decode(raw, encoding, v2, precision, customer)).onComplete(ar -> {
      if (ar.succeeded()) ar.result().handle(ctx);
      else ctx.fail(ar.cause());
    });
  }

  private final DecodePool decodePool = new DecodePool();

  /** Worker thread: everything up to the sink; returns what to do on the event loop. */
  private Handler<RoutingContext> decode(Buffer raw, String encoding, boolean v2, Precision precision, String customer) {
    byte[] body;
    int len;
    if (raw == null) {
      body = new byte[0];
      len = 0;
    } else if (encoding == null || encoding.isEmpty() || encoding.equalsIgnoreCase("identity")) {
      body = raw.getBytes();
      len = body.length;
    } else if (encoding.equalsIgnoreCase("gzip")) {
      try {
        body = inflate(raw.getBytes(), limits.settings().maxBodyBytes());
      } catch (TooLarge e) {
        limits.refused(TRANSPORT, "body_size");
        return ctx -> fail(ctx, v2, 413, "request body larger than the configured limit of " + limits.settings().maxBodyBytes()
            + " bytes (VIGIL_MAX_BODY_BYTES) once inflated; nothing was stored");
      } catch (IOException e) {
        meters.decodeErrors.increment();
        return ctx -> fail(ctx, v2, 400, "Content-Encoding is gzip but the body is not valid gzip: " + e.getMessage());
      }
      len = body.length;
    } else {
      meters.decodeErrors.increment();
      return ctx -> fail(ctx, v2, 415, "Content-Encoding '" + encoding + "' is not supported: send gzip or no encoding");
    }
    meters.requests.increment();
    meters.bytes.increment(len);
    LineProtocolDecoder.Result r;
    try {
      r = decoders.get().decode(body, len, precision, clock.millis(), Tenancy.of(customer));
    } catch (IngestException e) { // too many samples
      meters.decodeErrors.increment();
      limits.refused(TRANSPORT, "samples_per_request");
      return ctx -> fail(ctx, v2, e.status(), e.getMessage() + "; nothing was stored");
    }
    if (r.byKind[LineProtocolDecoder.Kind.LABELS_PER_SERIES.ordinal()] > 0) limits.refused(TRANSPORT, "labels_per_series");
    if (r.byKind[LineProtocolDecoder.Kind.LABEL_VALUE_LENGTH.ordinal()] > 0) limits.refused(TRANSPORT, "label_value_length");
    LineProtocolDecoder.LineError claim = r.tenancyViolation();
    if (claim != null) {
      meters.decodeErrors.increment();
      limits.refused(TRANSPORT, "customer_mismatch");
      JsonObject j = body(v2, 403, "line " + claim.line() + ": " + claim.reason());
      j.put("line", claim.line());
      return ctx -> Responses.json(ctx, 403, j);
    }
    if (len == 0 || r.lines == 0) {
      // InfluxDB answers an empty write with 204 too
      return ctx -> ctx.response().setStatusCode(204).end();
    }
    if (r.samples.isEmpty()) {
      // Only string fields (dropped, counted) or only bad lines: nothing to store.
      return ctx -> {
        if (r.badLines == 0) ctx.response().setStatusCode(204).end();
        else partial(ctx, v2, r);
      };
    }
    SampleBatch batch = new SampleBatch(r.samples);
    IngestLimits.Refusal refusal = limits.admit(batch);
    if (refusal != null) {
      limits.refused(TRANSPORT, "new_series_rate");
      return ctx -> {
        ctx.response().putHeader("Retry-After", Integer.toString(refusal.retryAfterSeconds()));
        Responses.json(ctx, 429, body(v2, 429, refusal.message()).put("customer", refusal.customer()).put("limit", refusal.limit()));
      };
    }
    return ctx -> Responses.whenStored(ctx, sink, batch, meters, () -> {
      if (r.badLines == 0) ctx.response().setStatusCode(204).end();
      else partial(ctx, v2, r);
    }, (status, message) -> fail(ctx, v2, status, message));
  }

  /** 400 listing the bad lines; whatever was good is already stored. */
  private void partial(RoutingContext ctx, boolean v2, LineProtocolDecoder.Result r) {
    meters.decodeErrors.increment();
    // As InfluxDB 1.x: "partial write: " only when something was written.
    StringBuilder msg = new StringBuilder(r.samples.isEmpty() ? "" : "partial write: ");
    JsonArray lines = new JsonArray();
    for (int i = 0; i < r.errors.size(); i++) {
      LineProtocolDecoder.LineError e = r.errors.get(i);
      if (i > 0) msg.append('\n');
      msg.append(e.message());
      lines.add(new JsonObject().put("line", e.line()).put("reason", e.reason()));
    }
    if (r.badLines > r.errors.size()) msg.append("\n… and ").append(r.badLines - r.errors.size()).append(" more bad lines");
    msg.append(" stored=").append(r.lines - r.badLines).append(" rejected=").append(r.badLines);
    LOG.debug("ingest.partial transport=influx lines={} bad={}", r.lines, r.badLines);
    JsonObject j = body(v2, 400, msg.toString()).put("lines", lines);
    if (v2) j.put("line", r.errors.get(0).line());
    Responses.json(ctx, 400, j);
  }

  private static void fail(RoutingContext ctx, boolean v2, int status, String message) {
    Responses.json(ctx, status, body(v2, status, message));
  }

  /**
   * 1.x: {@code {"error": message}}. 2.x: {@code {"code": …, "message": message}} (InfluxDB 2's
   * error shape) plus {@code "error"} (Vigil's, the same text).
   */
  static JsonObject body(boolean v2, int status, String message) {
    if (!v2) return new JsonObject().put("error", message);
    String code = switch (status) {
      case 400 -> "invalid";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not found";
      case 413 -> "request too large";
      case 415 -> "unsupported media type";
      case 429 -> "too many requests";
      case 503 -> "unavailable";
      default -> "internal error";
    };
    return new JsonObject().put("code", code).put("message", message).put("error", message);
  }

  private static final class TooLarge extends Exception {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** Inflates gzip (all members) in memory; {@link TooLarge} as soon as more than {@code max} bytes come out. */
  static byte[] inflate(byte[] gz, long max) throws IOException, TooLarge {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 8192)) {
      byte[] out = new byte[(int) Math.min(max + 1, Math.max(8192L, gz.length * 4L))];
      int n = 0;
      while (true) {
        if (n == out.length) {
          if (n > max) throw new TooLarge();
          out = Arrays.copyOf(out, (int) Math.min(max + 1, (long) out.length * 2));
        }
        int r = in.read(out, n, out.length - n);
        if (r < 0) break;
        n += r;
        if (n > max) throw new TooLarge();
      }
      return n == out.length ? out : Arrays.copyOf(out, n);
    }
  }
}
