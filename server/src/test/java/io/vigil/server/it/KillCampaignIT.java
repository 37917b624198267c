package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 under load (issue 14): Vigil in a process of its own is killed with SIGKILL at a random
 * moment while four writers send JSON, line protocol, remote_write and Kafka samples and faults start
 * firing, then restarted, {@code -Dvigil.kills} times (3 in the suite; {@code bench/kill9.sh} runs
 * 100). After every restart: every acknowledged sample of every protocol is stored, no fingerprint
 * has two active faults or two active tickets, no ticket's SLA due times moved, and every
 * acknowledged fault fired; every sample the broker acknowledged to the producer is stored once the
 * restarted consumer catches up (Kafka: nothing committed past what is durable). At the end every fault's page has arrived at the receiver with one
 * idempotency key only. Restart-to-ready times and the counts go to stdout and
 * {@code target/kill-campaign-report.md}.
 */
class KillCampaignIT {
  static final int KILLS = Integer.getInteger("vigil.kills", 3);
  static final long SEED = Long.getLong("vigil.kills.seed", 20261207L);
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  static final String TOPIC = "campaign";

  @Test
  void everyAcknowledgedSampleFaultAndPageSurvivesRepeatedKillDashNine() throws Exception {
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    Random rnd = new Random(SEED);
    try (WebhookReceiver.Handle receiver = new WebhookReceiver.Handle()) {
      // NotifyCrashIT's routes: a group per host, so each fault's page is one notification with one key.
      KAFKA.createTopic(TOPIC, 2);
      Map<String, String> env = Map.of("VIGIL_RULES", TestVigil.rulesFile(NotifyCrashIT.rules(receiver)),
          "VIGIL_MAX_NEW_SERIES_PER_MINUTE", "0", "VIGIL_KAFKA_BOOTSTRAP", KAFKA.bootstrap(), "VIGIL_KAFKA_TOPIC", TOPIC,
          "VIGIL_KAFKA_GROUP", "vigil-campaign", "VIGIL_KAFKA_COMMIT_INTERVAL_MS", "100");
      Map<String, AtomicLong> acked = new TreeMap<>(Map.of("kj", new AtomicLong(), "kl_value", new AtomicLong(), "kr", new AtomicLong(),
          "kk", new AtomicLong()));
      KafkaProducer<String, String> producer = KAFKA.producer();
      Set<String> faultHosts = new HashSet<>(); // hosts whose up == 0 sample was acknowledged
      List<Long> readyMs = new ArrayList<>();
      AtomicLong seq = new AtomicLong(System.currentTimeMillis() - 3_600_000L); // a unique timestamp per sample
      Map<String, String> dues = Map.of();
      int kills = 0;
      for (int cycle = 0; cycle <= KILLS; cycle++) {
        long t0 = System.nanoTime();
        VigilProcess vigil = new VigilProcess(db, "vigil-campaign", env);
        readyMs.add((System.nanoTime() - t0) / 1_000_000);
        try {
          if (cycle == 0) {
            assertEquals(201, vigil.http.post("/api/v1/customers", "{\"id\":\"acme\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}").status());
            assertEquals(201, vigil.http.post("/api/v1/customers/acme/systems", "{\"id\":\"erp\"}").status());
          }
          check(db, acked, faultHosts, dues, vigil);
          if (cycle == KILLS) break;
          // Load for 0.3 to 2.3 s, then SIGKILL while the writers are still sending.
          AtomicBoolean stop = new AtomicBoolean();
          String host = "c" + cycle;
          List<Thread> writers = List.of(
              writer(stop, () -> json(vigil, acked.get("kj"), seq, 100)),
              writer(stop, () -> line(vigil, acked.get("kl_value"), seq, 100)),
              writer(stop, () -> remote(vigil, acked.get("kr"), seq, 100)),
              writer(stop, () -> kafka(producer, acked.get("kk"), seq, 100)),
              writer(stop, () -> {
                // One fault a cycle (a P1: it pages), at a random moment.
                Thread.sleep(rnd.nextInt(300));
                if (vigil.http.ingest(Http.sample("up", "acme", "erp", host, 0)).status() == 204) {
                  synchronized (faultHosts) {
                    faultHosts.add(host);
                  }
                }
                while (!stop.get()) Thread.sleep(20);
              }));
          writers.forEach(Thread::start);
          Thread.sleep(300 + rnd.nextInt(2000));
          dues = dues(db);
          vigil.kill();
          kills++;
          stop.set(true);
          for (Thread w : writers) w.join(10_000);
        } finally {
          vigil.close();
        }
      }
      // Pages: every acknowledged fault paged, each with one idempotency key, however often it was sent.
      Map<String, Set<String>> keysByHost = new HashMap<>();
      Await.until(Duration.ofSeconds(30), "a page for every acknowledged fault", () -> {
        keysByHost.clear();
        for (JsonObject r : receiver.accepted()) {
          JsonObject body = new JsonObject(r.getString("body"));
          if (!"firing".equals(body.getString("status"))) continue;
          for (Object a : body.getJsonArray("alerts")) {
            String h = ((JsonObject) a).getJsonObject("labels").getString("host");
            keysByHost.computeIfAbsent(h, k -> new HashSet<>()).add(r.getJsonObject("headers").getString("idempotency-key"));
          }
        }
        return keysByHost.keySet().containsAll(faultHosts) ? true : null;
      });
      producer.close();
      for (String h : faultHosts) assertEquals(1, keysByHost.get(h).size(), "one idempotency key for " + h + "'s page: " + keysByHost.get(h));
      List<Long> sorted = new ArrayList<>(readyMs);
      sorted.sort(null);
      String report = "# kill -9 campaign (KillCampaignIT)\n\n" + kills + " SIGKILLs at random moments under JSON, line protocol, remote_write and Kafka load,"
          + " seed " + SEED + ".\n\n| | |\n| --- | ---: |\n| kills survived | " + kills + " |\n"
          + "| samples acknowledged (JSON / line protocol / remote_write / Kafka, by the broker) | " + acked.get("kj") + " / " + acked.get("kl_value")
          + " / " + acked.get("kr") + " / " + acked.get("kk") + " |\n"
          + "| samples stored | " + EphemeralPostgres.get().psql(db.name(), "SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric IN ('kj','kl_value','kr','kk')")
          + " (plus any still in sample_log) |\n| faults acknowledged, each fired and paged with one idempotency key | " + faultHosts.size() + " |\n"
          + "| start to ready, p50 / p99 / max | " + pct(sorted, 50) + " / " + pct(sorted, 99) + " / " + sorted.get(sorted.size() - 1) + " ms |\n";
      System.out.println(report);
      Files.writeString(Path.of("target", "kill-campaign-report.md"), report);
      assertTrue(kills == KILLS);
      assertEquals(List.of(), WRITER_ERRORS, "writers got answers other than 2xx or 503");
      for (AtomicLong a : acked.values()) assertTrue(a.get() > 0, "every protocol had samples acknowledged: " + acked);
    }
  }

  private static long pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  interface Work {
    void run() throws Exception;
  }

  /** What writers met besides the kill itself (an answer other than 2xx or 503): must stay empty. */
  static final List<String> WRITER_ERRORS = java.util.Collections.synchronizedList(new ArrayList<>());

  static Thread writer(AtomicBoolean stop, Work w) {
    return new Thread(() -> {
      try {
        while (!stop.get()) w.run();
      } catch (java.io.IOException | InterruptedException killed) {
        // the process went away mid-request: that request was not acknowledged
      } catch (Exception e) {
        WRITER_ERRORS.add(e.toString());
      }
    });
  }

  static void json(VigilProcess v, AtomicLong acked, AtomicLong seq, int n) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append("{\"metric\":\"kj\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"h").append(i % 10).append("\"},\"value\":1,\"ts\":")
          .append(seq.incrementAndGet()).append('}');
    }
    Http.Reply r = v.http.ingest(b.toString());
    if (r.status() == 204) acked.addAndGet(n);
    else refused("JSON ingest", r);
  }

  /** A refusal a writer accepts: 503 with {@code Retry-After} (storage unavailable or busy); anything else ends the writer. */
  private static void refused(String what, Http.Reply r) {
    if (r.status() != 503) throw new IllegalStateException(what + ": " + r);
    if (r.header("Retry-After") == null) throw new IllegalStateException(what + ": 503 without Retry-After: " + r);
    REFUSED_503.incrementAndGet();
  }

  /** 503 answers (all with Retry-After) the writers met. */
  static final AtomicLong REFUSED_503 = new AtomicLong();

  /** Metric kl_value: line protocol's {@code <measurement>_<field>}. */
  static void line(VigilProcess v, AtomicLong acked, AtomicLong seq, int n) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append("kl,customer=acme,system=erp,host=h").append(i % 10).append(" value=1 ").append(seq.incrementAndGet()).append('\n');
    Http.Reply r = v.http.post("/write?db=campaign&precision=ms", "text/plain", b.toString().getBytes(StandardCharsets.UTF_8));
    if (r.status() == 204) acked.addAndGet(n);
    else refused("line protocol", r);
  }

  static void remote(VigilProcess v, AtomicLong acked, AtomicLong seq, int n) throws Exception {
    RemoteWriteBodies body = new RemoteWriteBodies();
    for (int h = 0; h < 10; h++) {
      double[] values = new double[n / 10];
      java.util.Arrays.fill(values, 1);
      body.series("kr", Map.of("customer", "acme", "system", "erp", "host", "h" + h), seq.getAndAdd(values.length) + 1, values);
    }
    Http.Reply r = v.http.postWithHeaders("/api/v1/write", Map.of("Content-Type", RemoteWriteBodies.CONTENT_TYPE, "Content-Encoding", "snappy",
        "X-Prometheus-Remote-Write-Version", "0.1.0"), body.snappy());
    if (r.status() / 100 == 2) acked.addAndGet(n);
    else refused("remote_write", r);
  }

  /** Metric kk: a record of {@code n} JSON samples, acknowledged once the broker has it (acks=all). */
  static void kafka(KafkaProducer<String, String> producer, AtomicLong acked, AtomicLong seq, int n) throws Exception {
    StringBuilder b = new StringBuilder("{\"samples\":[");
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append("{\"metric\":\"kk\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"h").append(i % 10).append("\"},\"value\":1,\"ts\":")
          .append(seq.incrementAndGet()).append('}');
    }
    producer.send(new ProducerRecord<>(TOPIC, b.append("]}").toString())).get();
    acked.addAndGet(n);
    Thread.sleep(5);
  }

  /** Every ticket's due times, as the killed process left them. */
  private static Map<String, String> dues(Config.Database db) {
    Map<String, String> out = new HashMap<>();
    String rows = EphemeralPostgres.get().psql(db.name(), "SELECT id || '=' || coalesce(respond_by::text, '') || '/' || coalesce(resolve_by::text, '') FROM tickets");
    for (String line : rows.split("\n")) if (!line.isBlank()) out.put(line.substring(0, line.indexOf('=')), line);
    return out;
  }

  private static void check(Config.Database db, Map<String, AtomicLong> acked, Set<String> faultHosts, Map<String, String> duesBefore, VigilProcess v)
      throws Exception {
    EphemeralPostgres pg = EphemeralPostgres.get();
    for (Map.Entry<String, AtomicLong> e : acked.entrySet()) {
      if (e.getKey().equals("kk")) {
        // Kafka: the broker acknowledged them; the restarted consumer resumes from the last offset
        // committed after a durable write, so all arrive (some twice: at-least-once), none lost.
        long want = e.getValue().get();
        Await.until(Duration.ofSeconds(30), "every sample the broker acknowledged is stored (" + want + ")", () -> Long.parseLong(pg.psql(db.name(),
            "SELECT count(DISTINCT s.time) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'kk'")) >= want ? true : null);
        continue;
      }
      // Stored: in chunks (samples) or still in the sample log the restart reads back.
      long stored = Long.parseLong(pg.psql(db.name(), "SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = '" + e.getKey() + "'"))
          + Long.parseLong(pg.psql(db.name(), "SELECT coalesce(sum(l.n), 0) FROM sample_log l WHERE l.series_ids[1] IN (SELECT id FROM series WHERE metric = '"
              + e.getKey() + "')"));
      assertTrue(stored >= e.getValue().get(), e.getKey() + ": " + e.getValue() + " acknowledged, " + stored + " stored");
    }
    assertEquals("", pg.psql(db.name(), "SELECT string_agg(fingerprint, ',') FROM (SELECT fingerprint FROM faults WHERE state <> 'resolved' "
        + "GROUP BY 1 HAVING count(*) > 1) d"), "a fingerprint with two active faults");
    // No recurrence happens here (no fault resolves and fires again), so one ticket per fingerprint, ever.
    assertEquals("", pg.psql(db.name(), "SELECT string_agg(fingerprint, ',') FROM (SELECT fingerprint FROM tickets "
        + "GROUP BY 1 HAVING count(*) > 1) d"), "a fingerprint with two tickets");
    Map<String, String> now = dues(db);
    for (Map.Entry<String, String> e : duesBefore.entrySet()) {
      if (now.containsKey(e.getKey()) && !e.getValue().endsWith("=/")) {
        assertEquals(e.getValue(), now.get(e.getKey()), "ticket " + e.getKey() + "'s SLA due times moved across the restart");
      }
    }
    // Every acknowledged fault fired (it may have resolved since, its host silent) once the restarted server caught up.
    Await.until(Duration.ofSeconds(20), "every acknowledged fault fired", () -> {
      String firing = pg.psql(db.name(), "SELECT coalesce(string_agg(labels->>'host', ','), '') FROM faults WHERE rule = 'SystemDown' AND firing_at IS NOT NULL");
      return new HashSet<>(List.of(firing.split(","))).containsAll(faultHosts) ? true : null;
    });
  }
}
