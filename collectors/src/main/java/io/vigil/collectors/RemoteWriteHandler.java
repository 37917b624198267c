package io.vigil.collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.SampleBatch;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/write}: Prometheus remote_write 1.0 (snappy + protobuf), 204 once durable.
 * Expects the body read (a body handler with the configured limit runs first) and the caller
 * authorised; call {@link RemoteWriteDecoder#loadNative()} off the event loop before serving.
 *
 * <p>Answers follow what Prometheus' remote-write client does with them: 204 durable; 400 bad
 * snappy/protobuf/series and 413 too much (4xx: Prometheus drops the batch and never retries it,
 * which is right, since sending it again cannot succeed); 415 another encoding or a remote_write 2.0
 * body; 503 + Retry-After when storage cannot take the batch (5xx: Prometheus retries with backoff,
 * so nothing acknowledged is lost and nothing refused is lost either). Never blocks.
 */
public final class RemoteWriteHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteHandler.class);
  private final SampleSink sink;
  /** Decoders keep a cache of label runs: one per decoding thread. */
  private final ThreadLocal<RemoteWriteDecoder> decoders;
  private final DecodePool decodePool = new DecodePool();
  private final JsonIngestHandler.IngestMeters meters;
  private final Counter stale;
  private final Counter nan;
  private final Counter exemplars;
  private final Counter histograms;
  private final Counter metadata;

  private final IngestLimits limits;
  private final java.util.function.Function<RoutingContext, String> customerOf;

  /** Without tenancy and the cardinality guard (tests of the decoding and the answers). */
  public RemoteWriteHandler(SampleSink sink, int maxSamplesPerRequest, int maxDecodedBytes, MeterRegistry registry) {
    this(sink, null, ctx -> null, maxSamplesPerRequest, maxDecodedBytes, registry);
  }

  /**
   * {@code limits}: the cardinality guard every collector shares (null: none); {@code customerOf}:
   * the customer the caller's token is bound to (null: none), read after auth.
   */
  public RemoteWriteHandler(SampleSink sink, IngestLimits limits, java.util.function.Function<RoutingContext, String> customerOf,
      int maxSamplesPerRequest, int maxDecodedBytes, MeterRegistry registry) {
    this.limits = limits;
    this.customerOf = customerOf;
    this.sink = sink;
    this.decoders = ThreadLocal.withInitial(() -> new RemoteWriteDecoder(maxSamplesPerRequest, maxDecodedBytes));
    this.meters = new JsonIngestHandler.IngestMeters(registry, "remote_write");
    this.stale = skipped(registry, "stale_marker");
    this.nan = skipped(registry, "nan");
    this.exemplars = skipped(registry, "exemplar");
    this.histograms = skipped(registry, "histogram");
    this.metadata = skipped(registry, "metadata");
  }

  private static Counter skipped(MeterRegistry r, String what) {
    return Counter.builder("vigil_remote_write_skipped").tag("what", what)
        .description("remote_write items accepted but not stored (stale markers, NaN, exemplars, native histograms, metadata)").register(r);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String encoding = ctx.request().getHeader("Content-Encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("snappy")) {
      refuse(ctx, 415, "Content-Encoding must be snappy (remote_write 1.0), got '" + encoding + "'");
      return;
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type != null) {
      String t = type.toLowerCase(Locale.ROOT).replace(" ", "");
      // remote_write 2.0 says proto=io.prometheus.write.v2.Request; 1.0 says nothing or prometheus.WriteRequest.
      if (!t.startsWith("application/x-protobuf") || (t.contains("proto=") && !t.contains("proto=prometheus.writerequest"))) {
        refuse(ctx, 415, "Content-Type must be application/x-protobuf with a prometheus.WriteRequest (remote_write 1.0), got '" + type + "'");
        return;
      }
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      refuse(ctx, 400, "empty body: expected a snappy-compressed prometheus.WriteRequest");
      return;
    }
    meters.requests.increment();
    meters.bytes.increment(body.length());
    String customer = customerOf.apply(ctx);
    // Snappy, protobuf, tenancy and the cardinality guard on a decode thread; the answer on the loop.
    decodePool.run(ctx.vertx(), () -> decode(body, customer)).onComplete(ar -> {
      if (ar.succeeded()) ar.result().handle(ctx);
      else ctx.fail(ar.cause());
    });
  }

  /** Decode thread: everything up to the sink; returns what to do on the event loop. */
  private io.vertx.core.Handler<RoutingContext> decode(Buffer body, String customer) {
    RemoteWriteDecoder.Decoded decoded;
    SampleBatch batch;
    try {
      decoded = decoders.get().decode(body.getBytes());
      // Tenancy at the door, as every collector: stamp the bound customer, 403 on another one.
      batch = Tenancy.of(customer).apply(decoded.batch());
    } catch (IngestException e) {
      meters.decodeErrors.increment();
      if (limits != null && e.status() == 403) limits.refused("remote_write", "customer_mismatch");
      LOG.debug("ingest.rejected transport=remote_write status={} reason=\"{}\"", e.status(), e.getMessage());
      return ctx -> Responses.json(ctx, e.status(), e.toJson());
    }
    RemoteWriteDecoder.Skipped s = decoded.skipped();
    stale.increment(s.staleMarkers());
    nan.increment(s.nans());
    exemplars.increment(s.exemplars());
    histograms.increment(s.histograms());
    metadata.increment(s.metadata());
    if (batch.size() == 0) return ctx -> ctx.response().setStatusCode(204).end();
    IngestLimits.Refusal refusal = limits == null ? null : limits.admit(batch);
    if (refusal != null) {
      limits.refused("remote_write", "new_series_rate");
      return ctx -> IngestLimits.tooManyNewSeries(ctx, refusal);
    }
    return ctx -> Responses.whenStored(ctx, sink, batch, meters);
  }

  private void refuse(RoutingContext ctx, int status, String message) {
    meters.decodeErrors.increment();
    Responses.error(ctx, status, message);
  }
}
