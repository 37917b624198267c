package io.vigil.collectors.patrol;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import io.vigil.rules.patrol.ProbeSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeSchedulerTest {
  private Vertx vertx;
  private HttpServer web;
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    web = vertx.createHttpServer().requestHandler(req -> {
      peak.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      vertx.setTimer(150, id -> {
        concurrent.decrementAndGet();
        req.response().end("ok");
      });
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private ProbeTarget target(String system) {
    return new ProbeTarget("acme", system, new ProbeSpec("web", ProbeSpec.Type.HTTP, "http://127.0.0.1:" + web.actualPort() + "/",
        Duration.ofMillis(200), Duration.ofSeconds(2), null, null));
  }

  @Test
  void runsNoMoreProbesAtOnceThanAllowedAndWritesEveryResultAsSamples() throws Exception {
    ConcurrentLinkedQueue<SampleBatch> got = new ConcurrentLinkedQueue<>();
    ProbeScheduler s = new ProbeScheduler(vertx, b -> {
      got.add(b);
      return Future.succeededFuture();
    }, new Prober(vertx, Clock.systemUTC()), Clock.systemUTC(), 2, new SimpleMeterRegistry(), new Random(7));
    List<ProbeTarget> targets = new ArrayList<>();
    for (int i = 0; i < 6; i++) targets.add(target("sys" + i));
    s.update(targets);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (got.size() < 12 && System.nanoTime() < end) Thread.sleep(20);
    s.stop();
    assertTrue(got.size() >= 12, "results written: " + got.size());
    assertEquals(2, peak.get(), "at most 2 probes in flight, and the limit was reached");
    SampleBatch first = got.peek();
    List<String> metrics = first.samples().stream().map(Sample::metric).toList();
    assertEquals(List.of("probe_success", "probe_duration_seconds", "probe_http_status_code"), metrics);
    Sample success = first.samples().get(0);
    assertEquals(1.0, success.value());
    assertEquals("acme", success.labels().get("customer"));
    assertEquals("web", success.labels().get("probe"));
    assertTrue(success.labels().get("target").startsWith("http://127.0.0.1:"));
  }

  @Test
  void removedProbesStopRunning() throws Exception {
    AtomicInteger results = new AtomicInteger();
    ProbeScheduler s = new ProbeScheduler(vertx, b -> {
      results.incrementAndGet();
      return Future.succeededFuture();
    }, new Prober(vertx, Clock.systemUTC()), Clock.systemUTC(), 4, new SimpleMeterRegistry(), new Random(7));
    s.update(List.of(target("a")));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (results.get() < 2 && System.nanoTime() < end) Thread.sleep(20);
    s.update(List.of());
    Thread.sleep(400); // a run under way may still finish
    int after = results.get();
    Thread.sleep(800);
    assertEquals(after, results.get(), "no runs after the probe was removed");
  }
}
