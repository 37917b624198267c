package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's fault behaviour seen from outside, through the real server (HTTP ingest, the database,
 * the websocket stream): keep_firing_for, resolve_expr hysteresis, flapping, grading by scope and by
 * duration, range functions and nodata on the server's timers, restart in the middle of `for`, and
 * rules reload. Durations are seconds so the suite stays quick; waits poll, never sleep blindly.
 */
class RuleBehaviourIT {
  private TestVigil vigil;
  private Http http;

  private void start(String rulesYaml) throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_RULES", TestVigil.rulesFile(rulesYaml)));
    http = vigil.http;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (vigil != null) vigil.close();
  }

  private void ingest(String metric, String customer, String system, String host, double value) throws Exception {
    Http.Reply r = http.ingest(Http.sample(metric, customer, system, host, value));
    assertEquals(204, r.status(), r.toString());
  }

  private JsonArray faults() throws Exception {
    return http.get("/api/v1/faults").json().getJsonArray("faults");
  }

  /** The newest fault of {@code rule} on {@code host}, or null. */
  private JsonObject fault(String rule, String host) throws Exception {
    for (Object o : faults()) {
      JsonObject f = (JsonObject) o;
      if (f.getString("rule").equals(rule) && host.equals(f.getJsonObject("labels").getString("host"))) return f;
    }
    return null;
  }

  private JsonObject awaitFault(String rule, String host, String state) throws Exception {
    return Await.until(Duration.ofSeconds(15), rule + " on " + host + " " + state, () -> {
      JsonObject f = fault(rule, host);
      return f != null && state.equals(f.getString("state")) ? f : null;
    });
  }

  private JsonObject ticket(long id) throws Exception {
    return http.get("/api/v1/tickets/" + id).json();
  }

  @Test
  void keepFiringForHoldsTheFaultFiringUntilItsDeadlineThenResolves() throws Exception {
    start("rules:\n  - {name: Busy, expr: cpu_usage > 90, keep_firing_for: 2s, severity: P2}\n");
    try (Http.Stream stream = http.stream()) {
      stream.until("snapshot", x -> true);
      ingest("cpu_usage", "acme", "erp", "db1", 95);
      stream.until("fault", f -> "firing".equals(f.getString("state")));
      Instant cleared = Instant.now();
      ingest("cpu_usage", "acme", "erp", "db1", 50);
      // The deltas in order, not a poll that a slow machine could make after the 2 s ran out.
      JsonObject held = stream.until("fault", f -> true).getJsonObject("fault");
      assertNotNull(held.getString("keepFiringUntil"), held.encode());
      assertEquals("firing", held.getString("state"), "still firing while keep_firing_for runs");
      JsonObject resolved = stream.until("fault", f -> true).getJsonObject("fault");
      assertEquals("resolved", resolved.getString("state"), resolved.encode());
      long heldMs = Duration.between(cleared, Instant.parse(resolved.getString("endsAt"))).toMillis();
      assertTrue(heldMs >= 1800, "resolved only after keep_firing_for: " + heldMs + " ms");
    }
  }

  @Test
  void hysteresisKeepsTheFaultFiringBetweenTheThresholdsAndClearsBelowTheLowerOne() throws Exception {
    start("rules:\n  - {name: Hot, expr: cpu_usage > 90, resolve_expr: cpu_usage < 80, severity: P2}\n");
    try (Http.Stream stream = http.stream()) {
      stream.until("snapshot", x -> true);
      ingest("cpu_usage", "acme", "erp", "db1", 95);
      stream.until("fault", f -> "firing".equals(f.getString("state")));
      ingest("cpu_usage", "acme", "erp", "db1", 85);
      ingest("cpu_usage", "acme", "erp", "db1", 92);
      ingest("cpu_usage", "acme", "erp", "db1", 81);
      ingest("cpu_usage", "acme", "erp", "db1", 79);
      JsonObject next = stream.until("fault", f -> true).getJsonObject("fault");
      assertEquals("resolved", next.getString("state"), "the first change after firing is the resolution at 79, nothing between 80 and 90");
      assertEquals(92.0, next.getDouble("value"), "the fault keeps the last value for which expr held (85 and 81 did not)");
    }
  }

  @Test
  void flappingFaultIsShownFlappingKeepsOneTicketAndSettlesAfterTheQuietPeriod() throws Exception {
    start("""
        rules:
          - {name: Link, expr: link_up == 0, severity: P2}
        flapping: {transitions: 2, window: 1m, quiet: 2s}
        """);
    List<String> states = new ArrayList<>();
    try (Http.Stream stream = http.stream()) {
      stream.until("snapshot", x -> true);
      for (double v : new double[] {0, 1, 0, 1}) {
        ingest("link_up", "acme", "erp", "sw1", v);
        states.add(stream.until("fault", f -> true).getJsonObject("fault").getString("state"));
      }
      assertEquals(List.of("firing", "resolved", "firing", "flapping"), states);
      // While flapping, more oscillation changes nothing visible.
      ingest("link_up", "acme", "erp", "sw1", 0);
      ingest("link_up", "acme", "erp", "sw1", 1);
      JsonObject settled = stream.until("fault", f -> !"flapping".equals(f.getString("state"))).getJsonObject("fault");
      assertEquals("resolved", settled.getString("state"), "quiet for 2 s with the link up: settles resolved");
    }
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets"), "the oscillation opened one ticket, not one per firing");
    assertEquals("1", vigil.sql("SELECT count(*) FROM ticket_events WHERE kind = 'fault_flapping'"));
  }

  @Test
  void gradingByScopeRaisesEveryFaultOfTheCustomerAndTheirTicketsFollow() throws Exception {
    start("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P3}
        grading:
          scope: [{systems: 2, raise: 1}]
        """);
    ingest("cpu_usage", "acme", "erp", "h1", 95);
    JsonObject first = awaitFault("HighCpu", "h1", "firing");
    assertEquals("P3", first.getString("severity"));
    JsonObject t1 = ticket(first.getLong("ticketId"));
    assertEquals("P3", t1.getString("severity"));
    ingest("cpu_usage", "globex", "crm", "h9", 95); // another customer: does not count
    ingest("cpu_usage", "acme", "mes", "h2", 95);
    JsonObject regraded = Await.until(Duration.ofSeconds(10), "h1 re-graded to P2", () -> {
      JsonObject f = fault("HighCpu", "h1");
      return "P2".equals(f.getString("severity")) ? f : null;
    });
    assertEquals(new JsonArray(List.of("base P3", "2 systems of acme affected (≥ 2) → P2")), regraded.getJsonArray("grading"));
    assertEquals("P2", awaitFault("HighCpu", "h2", "firing").getString("severity"));
    assertEquals("P3", awaitFault("HighCpu", "h9", "firing").getString("severity"));
    JsonObject t1After = Await.until(Duration.ofSeconds(10), "ticket follows the grade", () -> {
      JsonObject t = ticket(first.getLong("ticketId"));
      return "P2".equals(t.getString("severity")) ? t : null;
    });
    Instant opened = Instant.parse(t1After.getString("openedAt"));
    assertEquals(opened.plus(Duration.ofHours(1)), Instant.parse(t1After.getString("respondBy")), "P2 responds within 1 h of opening");
    JsonArray events = http.get("/api/v1/tickets/" + first.getLong("ticketId") + "/events").json().getJsonArray("events");
    assertTrue(events.stream().anyMatch(e -> "regraded".equals(((JsonObject) e).getString("kind"))), events.encode());
  }

  @Test
  void gradingByDurationRaisesAFaultStillFiringAfterTheStepOnTheServersTimer() throws Exception {
    start("""
        rules:
          - {name: HighCpu, expr: cpu_usage > 90, severity: P3}
        grading:
          duration: [{after: 2s, raise: 1}]
        """);
    try (Http.Stream stream = http.stream()) {
      stream.until("snapshot", x -> true);
      ingest("cpu_usage", "acme", "erp", "h1", 95);
      // Its first delta, not a poll: a poll made 2 s late would already see the raised grade.
      JsonObject fired = stream.until("fault", f -> "firing".equals(f.getString("state"))).getJsonObject("fault");
      assertEquals("P3", fired.getString("severity"));
    }
    JsonObject raised = Await.until(Duration.ofSeconds(10), "raised to P2 after 2 s", () -> {
      JsonObject f = fault("HighCpu", "h1");
      return "P2".equals(f.getString("severity")) ? f : null;
    });
    assertEquals("firing for 2s or more → P2", raised.getJsonArray("grading").getString(1));
  }

  @Test
  void rangeFunctionAndNodataRulesFireThroughTheServer() throws Exception {
    start("""
        rules:
          - {name: AvgHigh, expr: 'avg_over_time(cpu_usage[1m]) > 90', severity: P3}
          - {name: Silent, expr: 'nodata(heartbeat[2s])', severity: P2}
        """);
    long now = System.currentTimeMillis();
    try (Http.Stream stream = http.stream()) {
      stream.until("snapshot", x -> true);
      // Three samples over the last 30 s: the average passes 90 only with the third.
      for (int i = 0; i < 3; i++) {
        double v = i < 2 ? 80 : 120;
        Http.Reply r = http.ingest("{\"metric\":\"cpu_usage\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"h1\"},"
            + "\"value\":" + v + ",\"ts\":" + (now - 20_000 + i * 10_000L) + "}");
        assertEquals(204, r.status(), r.toString());
      }
      // Faults are recorded after the 204, so a look right after each sample proved nothing; the
      // ordered stream does: the first fault delta is the firing at the third sample, none before.
      JsonObject first = stream.until("fault", f -> true).getJsonObject("fault");
      assertEquals("AvgHigh", first.getString("rule"), "averages 80 and 86.7 are not above 90: " + first.encode());
      assertEquals("firing", first.getString("state"));
      assertEquals(93.33, first.getDouble("value"), 0.01);
    }
    ingest("heartbeat", "acme", "erp", "h1", 1);
    JsonObject silent = awaitFault("Silent", "h1", "firing");
    assertEquals("erp", silent.getJsonObject("labels").getString("system"), "nodata names the silent series");
    ingest("heartbeat", "acme", "erp", "h1", 1);
    awaitFault("Silent", "h1", "resolved");
  }

  @Test
  void restartInTheMiddleOfForFiresOnTheOriginalScheduleWithoutDuplicates() throws Exception {
    // `for` outlasts the restart even on a loaded machine: a restart past startsAt + for would fire
    // the restored fault at once, late by however long the restart took.
    String rules = "rules:\n  - {name: Down, expr: up == 0, for: 8s, severity: P1}\n";
    start(rules);
    ingest("up", "acme", "erp", "h1", 0);
    JsonObject pending = awaitFault("Down", "h1", "pending");
    Instant startsAt = Instant.parse(pending.getString("startsAt"));
    restart(rules, Map.of());
    JsonObject firing = awaitFault("Down", "h1", "firing");
    assertEquals(startsAt, Instant.parse(firing.getString("startsAt")), "the pending start survived the restart");
    long late = Duration.between(startsAt.plusSeconds(8), Instant.parse(firing.getString("firingAt"))).toMillis();
    assertTrue(late >= 0 && late < 1500, "fired at startsAt + for, not for after the restart: " + late + " ms late");
    ingest("up", "acme", "erp", "h1", 0);
    // Faults are recorded after the 204: a marker's fault, stored after anything the repeated sample
    // raised, makes the checks below wait for it.
    ingest("up", "acme", "marker", "m1", 0);
    awaitFault("Down", "m1", "pending");
    assertEquals("1 firing", vigil.sql("SELECT count(*) || ' ' || min(state) FROM faults WHERE labels->>'host' = 'h1'"), "no duplicate fault");
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets WHERE system = 'erp'"), "one ticket");
  }

  private void ingestAt(String metric, String host, double value, long ts) throws Exception {
    Http.Reply r = http.ingest("{\"metric\":\"" + metric + "\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\""
        + host + "\"},\"value\":" + value + ",\"ts\":" + ts + "}");
    assertEquals(204, r.status(), r.toString());
  }

  /** Stops Vigil and starts it again on the same database with {@code rules} and {@code env}. */
  private void restart(String rules, Map<String, String> env) throws Exception {
    vigil.stop();
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("VIGIL_RULES", TestVigil.rulesFile(rules));
    vigil = new TestVigil(vigil.db, all);
    http = vigil.http;
  }

  @Test
  void restartRefillsRangeWindowsFromStoredSamples() throws Exception {
    String rules = "rules:\n  - {name: AvgHigh, expr: 'avg_over_time(cpu_usage[1m]) > 90', severity: P3}\n";
    start(rules);
    long now = System.currentTimeMillis();
    ingestAt("cpu_usage", "h1", 80, now - 30_000);
    ingestAt("cpu_usage", "h1", 80, now - 20_000);
    restart(rules, Map.of());
    // With the two 80s replayed the averages are 86.7 then 93.75; an empty window would have fired at 100.
    ingestAt("cpu_usage", "h1", 100, now - 10_000);
    ingestAt("cpu_usage", "h1", 115, now);
    JsonObject f = awaitFault("AvgHigh", "h1", "firing");
    assertEquals(93.75, f.getDouble("value"), 1e-9, "the window held the samples stored before the restart");
    assertEquals("1", vigil.sql("SELECT count(*) FROM faults"), "it fired once, at 115, not already at 100");
  }

  @Test
  void withWarmupOffARestartStartsWithEmptyWindows() throws Exception {
    String rules = "rules:\n  - {name: AvgHigh, expr: 'avg_over_time(cpu_usage[1m]) > 90', severity: P3}\n";
    start(rules);
    long now = System.currentTimeMillis();
    ingestAt("cpu_usage", "h1", 80, now - 30_000);
    restart(rules, Map.of("VIGIL_WARMUP_MAX_SAMPLES", "0"));
    ingestAt("cpu_usage", "h1", 100, now - 10_000);
    assertEquals(100.0, awaitFault("AvgHigh", "h1", "firing").getDouble("value"), "the 80 before the restart was not replayed");
  }

  @Test
  void keepFiringForAndFlappingSurviveARestartAsTheSameFaults() throws Exception {
    // keep_firing_for and quiet outlast the flapping and the restart even on a loaded machine: a
    // deadline passed during the restart would settle the faults at start-up, before the checks.
    String rules = """
        rules:
          - {name: Busy, expr: cpu_usage > 90, keep_firing_for: 10s, severity: P2}
          - {name: Link, expr: link_up == 0, severity: P2}
        flapping: {transitions: 2, window: 10m, quiet: 10s}
        """;
    start(rules);
    ingest("cpu_usage", "acme", "erp", "db1", 95);
    awaitFault("Busy", "db1", "firing");
    ingest("cpu_usage", "acme", "erp", "db1", 50);
    JsonObject held = Await.until(Duration.ofSeconds(15), "keepFiringUntil set", () -> {
      JsonObject f = fault("Busy", "db1");
      return f.getString("keepFiringUntil") != null ? f : null;
    });
    for (double v : new double[] {0, 1, 0, 1}) ingest("link_up", "acme", "erp", "sw1", v);
    JsonObject flapping = awaitFault("Link", "sw1", "flapping");

    restart(rules, Map.of());

    JsonObject stillHeld = fault("Busy", "db1");
    assertEquals("firing", stillHeld.getString("state"), "still firing after the restart, not pending again");
    assertEquals(held.getString("keepFiringUntil"), stillHeld.getString("keepFiringUntil"), "the same deadline");
    assertEquals(held.getLong("id"), stillHeld.getLong("id"), "the same fault");
    assertEquals(flapping.getLong("id"), fault("Link", "sw1").getLong("id"));
    assertEquals("flapping", fault("Link", "sw1").getString("state"));
    // Both settle on their own after the restart: the deadline passes, the link stays quiet.
    JsonObject resolved = awaitFault("Busy", "db1", "resolved");
    // endsAt is the tick's time, a few ms after the deadline: "the same second" failed whenever those
    // ms crossed a second boundary. Not before the deadline, and within the timer's latency of it.
    long late = Duration.between(Instant.parse(held.getString("keepFiringUntil")), Instant.parse(resolved.getString("endsAt"))).toMillis();
    assertTrue(late >= 0 && late < 1500, "resolved at the stored deadline, not " + late + " ms from it");
    awaitFault("Link", "sw1", "resolved");
    assertEquals("2", vigil.sql("SELECT count(*) FROM tickets"), "no ticket opened twice");
  }

  @Test
  void reloadPicksUpAChangedFileAndAnInvalidOneKeepsTheRunningRules() throws Exception {
    Path file = Path.of(TestVigil.rulesFile("rules:\n  - {name: A, expr: up == 0, severity: P1}\n"));
    vigil = new TestVigil(Map.of("VIGIL_RULES", file.toString()));
    http = vigil.http;
    Files.writeString(file, "rules:\n  - {name: A, expr: up == 0, severity: P1}\n  - {name: B, expr: 'rate(errors_total[1m]) > 1', severity: P2}\n");
    Http.Reply ok = http.post("/-/reload", "");
    assertEquals(200, ok.status(), ok.toString());
    assertEquals(2, http.get("/api/v1/rules").json().getJsonArray("rules").size());
    Files.writeString(file, "rules:\n  - {name: C, expr: 'rate(errors_total) > 1', severity: P2}\n");
    Http.Reply bad = http.post("/-/reload", "");
    assertEquals(400, bad.status(), bad.toString());
    assertTrue(bad.json().getString("error").contains("rule 'C': expr 'rate(errors_total) > 1': line 1, column"), bad.toString());
    assertEquals(2, http.get("/api/v1/rules").json().getJsonArray("rules").size(), "the running set stays");
    assertEquals(403, http.as(createViewer()).post("/-/reload", "").status(), "reload is for admins");
  }

  private String createViewer() throws Exception {
    Http.Reply r = http.post("/api/v1/tokens", new JsonObject().put("name", "v").put("role", "viewer").encode());
    return r.json().getString("token");
  }
}
