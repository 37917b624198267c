package io.vigil.collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vigil.rules.SampleBatch;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/ingest}: JSON samples in, 204 once durable. Expects the body to be read
 * already (a body handler with the configured limit runs first) and the caller authorised.
 *
 * <p>Answers: 204 durable; 400 bad JSON/sample (index and field in the body); 413 too many
 * samples; 415 not JSON; 503 + Retry-After when the sink cannot take the batch. Never blocks.
 */
public final class JsonIngestHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(JsonIngestHandler.class);
  private final SampleSink sink;
  private final JsonSamplesDecoder decoder;
  private final Clock clock;
  private final IngestMeters meters;
  private final IngestLimits limits;
  private final java.util.function.Function<RoutingContext, String> customerOf;

  /** Without tenancy and the cardinality guard (tests of the decoding and the answers). */
  public JsonIngestHandler(SampleSink sink, int maxSamplesPerRequest, Clock clock, MeterRegistry registry) {
    this(sink, new IngestLimits(new IngestLimits.Settings(Long.MAX_VALUE, maxSamplesPerRequest, JsonSamplesDecoder.MAX_LABELS,
        JsonSamplesDecoder.MAX_LABEL_VALUE_CHARS, 0), k -> true, clock, registry), ctx -> null, clock, registry);
  }

  /**
   * {@code customerOf}: the customer the caller's token is bound to (null: none), read after auth.
   */
  public JsonIngestHandler(SampleSink sink, IngestLimits limits, java.util.function.Function<RoutingContext, String> customerOf,
      Clock clock, MeterRegistry registry) {
    this.sink = sink;
    IngestLimits.Settings s = limits.settings();
    this.decoder = new JsonSamplesDecoder(s.maxSamplesPerRequest(), s.maxLabelsPerSeries(), s.maxLabelValueChars());
    this.clock = clock;
    this.meters = new IngestMeters(registry, "json");
    this.limits = limits;
    this.customerOf = customerOf;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      meters.decodeErrors.increment();
      Responses.error(ctx, 415, "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
      return;
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      meters.decodeErrors.increment();
      Responses.error(ctx, 400, "empty body: expected {\"samples\":[…]}");
      return;
    }
    meters.requests.increment();
    meters.bytes.increment(body.length());
    SampleBatch batch;
    try {
      batch = Tenancy.of(customerOf.apply(ctx)).apply(decoder.decode(body, clock.millis()));
    } catch (IngestException e) {
      meters.decodeErrors.increment();
      if (e.reason() != null) limits.refused("json", e.reason());
      else if (e.status() == 403) limits.refused("json", "customer_mismatch");
      LOG.debug("ingest.rejected transport=json status={} reason=\"{}\"", e.status(), e.getMessage());
      Responses.json(ctx, e.status(), e.toJson());
      return;
    }
    if (batch.size() == 0) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    IngestLimits.Refusal refusal = limits.admit(batch);
    if (refusal != null) {
      limits.refused("json", "new_series_rate");
      IngestLimits.tooManyNewSeries(ctx, refusal);
      return;
    }
    Responses.whenStored(ctx, sink, batch, meters);
  }

  /** Per-transport ingest counters, exposed on /metrics. */
  static final class IngestMeters {
    final Counter requests;
    final Counter bytes;
    final Counter samples;
    final Counter decodeErrors;
    final Counter storageErrors;
    final Timer durable;

    IngestMeters(MeterRegistry r, String transport) {
      requests = Counter.builder("vigil_ingest_requests").tag("transport", transport).description("ingest requests decoded").register(r);
      bytes = Counter.builder("vigil_ingest_bytes").tag("transport", transport).description("ingest body bytes").register(r);
      samples = Counter.builder("vigil_ingest_samples").tag("transport", transport).description("samples stored durably").register(r);
      decodeErrors = Counter.builder("vigil_ingest_decode_errors").tag("transport", transport).description("requests refused as bad input").register(r);
      storageErrors = Counter.builder("vigil_ingest_storage_errors").tag("transport", transport).description("batches refused because storage was unavailable").register(r);
      durable = Timer.builder("vigil_ingest_batch_duration").tag("transport", transport)
          .description("time from decoded batch to durable").publishPercentileHistogram().register(r);
    }
  }
}
