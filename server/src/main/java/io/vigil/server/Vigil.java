package io.vigil.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A running Vigil: its own Vert.x instance, metrics registry and server verticle. {@link #start}
 * is what {@code main} and the integration tests both use, so tests run the real composition.
 */
public final class Vigil {
  private final Vertx vertx;
  private final VigilServer server;

  private Vigil(Vertx vertx, VigilServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static Future<Vigil> start(Config config, Clock clock) {
    return start(config, clock, 2_000);
  }

  /** @param maxEventLoopMillis how long an event-loop task may run before Vert.x reports a blocked loop */
  public static Future<Vigil> start(Config config, Clock clock, long maxEventLoopMillis) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions()
        .setMaxEventLoopExecuteTime(maxEventLoopMillis).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        // A stack trace with every blocked-loop warning, so the culprit is named.
        .setWarningExceptionTime(maxEventLoopMillis).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    Vertx vertx = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
    VigilServer server = new VigilServer(config, clock, registry);
    return vertx.deployVerticle(server)
        .map(id -> new Vigil(vertx, server))
        // Close in the background: listeners of close() would run on the event loop being shut down.
        .onFailure(t -> vertx.close());
  }

  /** Completes once migrations are applied and state restored (retried while the database is down). */
  public Future<Void> ready() {
    return server.ready();
  }

  public int port() {
    return server.port();
  }

  public String adminToken() {
    return server.adminToken();
  }

  public Vertx vertx() {
    return vertx;
  }

  public VigilServer server() {
    return server;
  }

  public Future<Void> close() {
    return vertx.close();
  }
}
