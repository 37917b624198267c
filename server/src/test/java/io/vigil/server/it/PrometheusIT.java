package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real peers: Debian's prometheus-node-exporter is scraped every second by Debian's Prometheus,
 * which remote-writes to Vigil and uses Vigil as its Alertmanager (API v2), both with an ingest
 * token as Bearer credentials. The tests run in order: data and faults first, then the alerts'
 * resolution as node_exporter and then Prometheus go away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {
  private static final String VIGIL_RULES = TestVigil.RULES + """
        - name: NodeMemoryReported
          expr: node_memory_MemTotal_bytes > 0
          for: 0s
          severity: P4
          annotations: {summary: "node_exporter on {{ $labels.instance }} reports memory"}
      """;
  private static final String PROMETHEUS_RULES = """
      groups:
        - name: vigil-it
          rules:
            - alert: AlwaysFiring
              expr: vector(1) > 0
              labels: {severity: critical}
              annotations: {summary: "always firing", description: "a test alert"}
            - alert: NodeExporterUp
              expr: up{job="node"} == 1
              labels: {severity: warning}
              annotations: {summary: "node_exporter {{ $labels.instance }} is up"}
      """;
  private static TestVigil vigil;
  private static Path dir;
  private static Process nodeExporter;
  private static Process prometheus;

  @BeforeAll
  static void start() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_RULES", TestVigil.rulesFile(VIGIL_RULES)));
    // Prometheus gets an ingest token of its own, as a customer's Prometheus would.
    String token = vigil.http.post("/api/v1/tokens", new JsonObject().put("name", "prometheus").put("role", "ingest").encode())
        .json().getString("token");
    dir = Files.createTempDirectory("vigil-prometheus-it");
    int nePort = freePort();
    int promPort = freePort();
    nodeExporter = launch("node-exporter", "prometheus-node-exporter", "--web.listen-address=127.0.0.1:" + nePort,
        "--no-collector.systemd"); // needs a system bus this machine may not have
    Files.writeString(dir.resolve("rules.yml"), PROMETHEUS_RULES);
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
          external_labels: {customer: acme, system: monitoring}
        rule_files: [rules.yml]
        scrape_configs:
          - job_name: node
            static_configs: [{targets: ['127.0.0.1:%d']}]
        remote_write:
          - url: http://127.0.0.1:%d/api/v1/write
            authorization: {credentials: %s}
            queue_config: {batch_send_deadline: 1s, max_samples_per_send: 2000, min_backoff: 100ms, max_backoff: 1s}
        alerting:
          alertmanagers:
            - api_version: v2
              authorization: {credentials: %s}
              static_configs: [{targets: ['127.0.0.1:%d']}]
        """.formatted(nePort, vigil.port(), token, token, vigil.port()));
    // Firing alerts are re-sent at every evaluation (each second) with endsAt = evaluation + 4 s
    // (4 x max(interval, resend delay)). The resend delay must be below the interval: Prometheus
    // re-sends only when lastSent + delay is strictly before the evaluation time, so a delay of 1 s
    // (= the interval) re-sends every other second.
    prometheus = launch("prometheus", "prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort, "--rules.alert.resend-delay=500ms");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      for (Process p : new Process[] {prometheus, nodeExporter}) {
        if (p == null) continue;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } finally {
      if (vigil != null) vigil.close();
    }
  }

  private static Process launch(String name, String... command) throws Exception {
    if (!new File("/usr/bin/" + command[0]).canExecute()) {
      fail("/usr/bin/" + command[0] + " is missing: install Debian's prometheus and prometheus-node-exporter (./vigil test does)");
    }
    File log = dir.resolve(name + ".log").toFile();
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log).start();
    Thread.sleep(300);
    if (!p.isAlive()) fail(name + " exited at once with " + p.exitValue() + ": " + Files.readString(log.toPath()));
    return p;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String log(String name) {
    try {
      String s = Files.readString(dir.resolve(name + ".log"));
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (Exception e) {
      return "(no log: " + e + ")";
    }
  }

  /** Alerts Prometheus posted that Vigil stored ({@code vigil_alerts_received_total}). */
  private static double alertsReceived() throws Exception {
    for (String line : vigil.http.get("/metrics").raw().body().split("\n")) {
      if (line.startsWith("vigil_alerts_received_total ")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  private static JsonObject fault(String rule, String state, String source) throws Exception {
    for (Object o : vigil.http.get("/api/v1/faults?state=" + state).json().getJsonArray("faults")) {
      JsonObject f = (JsonObject) o;
      if (rule.equals(f.getString("rule")) && source.equals(f.getString("source"))) return f;
    }
    return null;
  }

  @Test
  @Order(1)
  void nodeExporterSeriesRemoteWrittenByPrometheusAreStoredInVigil() throws Exception {
    long series = Await.until(Duration.ofSeconds(60), "node_* series in Vigil; prometheus log:\n" + log("prometheus"), () -> {
      long n = Long.parseLong(vigil.sql("SELECT count(*) FROM series WHERE metric LIKE 'node\\_%'"));
      return n > 100 ? n : null;
    });
    assertTrue(series > 100, "node_exporter exposes hundreds of node_* series, got " + series);
    String labels = vigil.sql("SELECT labels FROM series WHERE metric = 'node_memory_MemTotal_bytes'");
    JsonObject l = new JsonObject(labels);
    assertEquals("node", l.getString("job"));
    assertEquals("acme", l.getString("customer"), "Prometheus' external labels come along");
    long samples = Long.parseLong(vigil.sql("SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'node_memory_MemTotal_bytes'"));
    assertTrue(samples >= 1, "samples stored, got " + samples);
  }

  @Test
  @Order(2)
  void aVigilRuleFiresOnNodeExporterData() throws Exception {
    JsonObject f = Await.until(Duration.ofSeconds(30), "NodeMemoryReported firing", () -> fault("NodeMemoryReported", "firing", "rule"));
    assertEquals("P4", f.getString("severity"));
    assertEquals("node", f.getJsonObject("labels").getString("job"));
    assertNotNull(f.getJsonObject("labels").getString("instance"));
  }

  @Test
  @Order(3)
  void prometheusAlertsBecomeGradedFaultsWithTickets() throws Exception {
    JsonObject always = Await.until(Duration.ofSeconds(60), "AlwaysFiring with a ticket; prometheus log:\n" + log("prometheus"), () -> {
      JsonObject f = fault("AlwaysFiring", "firing", "prometheus");
      return f != null && f.getLong("ticketId") != null ? f : null;
    });
    assertEquals("P1", always.getString("severity"));
    assertEquals(new JsonArray().add("base P1 (severity=critical from prometheus)"), always.getJsonArray("grading"));
    assertEquals("always firing", always.getString("summary"));
    assertEquals("acme", always.getJsonObject("labels").getString("customer"));
    assertTrue(always.getJsonObject("annotations").getString("generatorURL").startsWith("http://"), always.encode());
    JsonObject ticket = vigil.http.get("/api/v1/tickets/" + always.getLong("ticketId")).json();
    assertEquals("P1", ticket.getString("severity"));
    assertEquals("acme", ticket.getString("customer"));
    assertEquals("monitoring", ticket.getString("system"));

    JsonObject up = Await.until(Duration.ofSeconds(30), "NodeExporterUp firing", () -> fault("NodeExporterUp", "firing", "prometheus"));
    assertEquals("P3", up.getString("severity"));

    // Re-sent every second by Prometheus: still one fault each. Wait for the re-sends themselves (a
    // fixed sleep may end before any on a loaded machine); a refused post would not count.
    double received = alertsReceived();
    Await.until(Duration.ofSeconds(30), "three more rounds of both alerts", () -> alertsReceived() >= received + 6);
    assertEquals("1", vigil.sql("SELECT count(*) FROM faults WHERE rule = 'AlwaysFiring'"));
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets WHERE fingerprint = '" + always.getString("fingerprint") + "'"));
  }

  @Test
  @Order(4)
  void alertResolvesWhenPrometheusSendsItResolved() throws Exception {
    nodeExporter.destroy();
    assertTrue(nodeExporter.waitFor(10, TimeUnit.SECONDS));
    // up == 0 now: Prometheus sends NodeExporterUp with endsAt = the time it resolved.
    JsonObject resolved = Await.until(Duration.ofSeconds(30), "NodeExporterUp resolved", () -> fault("NodeExporterUp", "resolved", "prometheus"));
    assertNotNull(resolved.getString("endsAt"));
    assertNotNull(fault("AlwaysFiring", "firing", "prometheus"), "the other alert is unaffected");
  }

  @Test
  @Order(5)
  void alertResolvesWhenItsEndsAtPassesAfterPrometheusStops() throws Exception {
    long stoppedAt = System.currentTimeMillis();
    prometheus.destroy();
    assertTrue(prometheus.waitFor(20, TimeUnit.SECONDS));
    JsonObject resolved = Await.until(Duration.ofSeconds(30), "AlwaysFiring resolved once its endsAt passed",
        () -> fault("AlwaysFiring", "resolved", "prometheus"));
    long endsAt = java.time.Instant.parse(resolved.getString("endsAt")).toEpochMilli();
    // The last refresh (at most 1 s before the stop, with one late or lost still at most 2 s) said
    // endsAt = its time + 4 s; no refresh came, so the fault resolved then, by Vigil's timer: not at
    // the stop, not when Prometheus said so.
    assertTrue(endsAt >= stoppedAt + 2000, "resolved at the alert's endsAt (" + resolved.getString("endsAt") + "), stopped at "
        + java.time.Instant.ofEpochMilli(stoppedAt));
    JsonObject ticket = vigil.http.get("/api/v1/tickets/" + resolved.getLong("ticketId")).json();
    assertNotNull(ticket.getString("faultResolvedAt"), ticket.encode());
  }
}
