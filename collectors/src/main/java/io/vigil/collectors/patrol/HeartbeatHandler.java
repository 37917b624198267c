package io.vigil.collectors.patrol;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vigil.collectors.Responses;
import io.vigil.collectors.SampleSink;
import io.vigil.collectors.SinkRejectedException;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * {@code POST /api/v1/heartbeat/{system}}: a system says it is alive. Stored as the sample
 * {@code heartbeat{customer,system} 1} through the sink (durable, visible to rules, and counted as
 * the system sending something); 204 once durable.
 *
 * <p>The system must be in the inventory (404). A system id used by several customers needs
 * {@code ?customer=} (409 otherwise). A token bound to a customer may only beat that customer's
 * systems (403). Expects the caller authorised with the ingest role. Never blocks.
 */
public final class HeartbeatHandler implements Handler<RoutingContext> {
  private final SampleSink sink;
  private final SystemDirectory directory;
  private final Clock clock;
  private final Function<RoutingContext, String> boundCustomer;
  private final Counter beats;
  private final Counter refused;

  /**
   * @param boundCustomer the customer the caller's token is bound to, or null for an unbound token
   */
  public HeartbeatHandler(SampleSink sink, SystemDirectory directory, Clock clock, Function<RoutingContext, String> boundCustomer,
      MeterRegistry registry) {
    this.sink = sink;
    this.directory = directory;
    this.clock = clock;
    this.boundCustomer = boundCustomer;
    this.beats = Counter.builder("vigil_heartbeats").description("heartbeats stored").register(registry);
    this.refused = Counter.builder("vigil_heartbeats_refused").description("heartbeats refused (unknown system, wrong customer)").register(registry);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String system = ctx.pathParam("system");
    String asked = ctx.request().getParam("customer");
    String bound = boundCustomer.apply(ctx);
    List<String> owners = directory.customersOf(system);
    if (owners.isEmpty()) {
      refused.increment();
      Responses.error(ctx, 404, "no system '" + system + "' in the inventory (POST /api/v1/customers/{customer}/systems first)");
      return;
    }
    String customer = asked != null ? asked : bound != null ? bound : owners.size() == 1 ? owners.get(0) : null;
    if (customer == null) {
      refused.increment();
      Responses.error(ctx, 409, "system '" + system + "' exists for customers " + owners + ": say which with ?customer=");
      return;
    }
    if (bound != null && !bound.equals(customer)) {
      refused.increment();
      Responses.error(ctx, 403, "this token is bound to customer '" + bound + "' and may not send for customer '" + customer + "'");
      return;
    }
    if (!owners.contains(customer)) {
      refused.increment();
      Responses.error(ctx, 404, "customer '" + customer + "' has no system '" + system + "'");
      return;
    }
    Sample beat = new Sample("heartbeat", Labels.of("customer", customer, "system", system), 1, clock.millis());
    sink.accept(new SampleBatch(List.of(beat))).onComplete(ar -> {
      if (ar.succeeded()) {
        beats.increment();
        ctx.response().setStatusCode(204).end();
      } else if (ar.cause() instanceof SinkRejectedException e) {
        Responses.error(ctx, 400, "storage refused the heartbeat: " + e.getMessage());
      } else {
        Responses.unavailable(ctx, ar.cause());
      }
    });
  }
}
