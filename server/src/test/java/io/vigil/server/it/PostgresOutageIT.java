package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL outage under load (issue 14): Vigil in a process of its own, on a cluster of its own,
 * takes JSON, line protocol, remote_write and Kafka samples while PostgreSQL is stopped
 * ({@code pg_ctl stop -m fast}) for {@code -Dvigil.outage.seconds} (30) and started again. During
 * it: every collector answers 503 with {@code Retry-After} (the writers fail on anything else),
 * {@code /readyz} is 503 while {@code /healthz} answers, the stream says storage is unavailable,
 * and the Kafka consumer commits nothing (its records are not durable). After it: ready again
 * within 5 s without a restart, the stream says storage is back, and every acknowledged sample of
 * every protocol is stored. The figures go to stdout and {@code target/outage-report.md}.
 */
class PostgresOutageIT {
  static final int OUTAGE_S = Integer.getInteger("vigil.outage.seconds", 30);
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();

  @Test
  void postgresStoppedUnderLoadIs503WithRetryAfterThenReadyWithinFiveSecondsWithEveryAcknowledgedSampleStored() throws Exception {
    try (EphemeralPostgres pg = EphemeralPostgres.dedicated()) {
      Config.Database db = pg.freshDatabase();
      KAFKA.createTopic(KillCampaignIT.TOPIC, 1);
      String group = "vigil-outage";
      Map<String, String> env = Map.of("VIGIL_DATABASE_URL", pg.url(db), "VIGIL_MAX_NEW_SERIES_PER_MINUTE", "0",
          "VIGIL_KAFKA_BOOTSTRAP", KAFKA.bootstrap(), "VIGIL_KAFKA_TOPIC", KillCampaignIT.TOPIC, "VIGIL_KAFKA_GROUP", group,
          "VIGIL_KAFKA_COMMIT_INTERVAL_MS", "100");
      Map<String, AtomicLong> acked = new TreeMap<>(Map.of("kj", new AtomicLong(), "kl_value", new AtomicLong(), "kr", new AtomicLong(),
          "kk", new AtomicLong()));
      AtomicLong seq = new AtomicLong(System.currentTimeMillis() - 3_600_000L);
      VigilProcess vigil = new VigilProcess(db, "vigil-outage", env);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      StringBuilder report = new StringBuilder("# PostgreSQL outage under load (PostgresOutageIT)\n\n");
      try (KafkaProducer<String, String> producer = KAFKA.producer(); Http.Stream stream = vigil.http.stream()) {
        writers.add(KillCampaignIT.writer(stop, () -> KillCampaignIT.json(vigil, acked.get("kj"), seq, 100)));
        writers.add(KillCampaignIT.writer(stop, () -> KillCampaignIT.line(vigil, acked.get("kl_value"), seq, 100)));
        writers.add(KillCampaignIT.writer(stop, () -> KillCampaignIT.remote(vigil, acked.get("kr"), seq, 100)));
        writers.add(KillCampaignIT.writer(stop, () -> KillCampaignIT.kafka(producer, acked.get("kk"), seq, 100)));
        writers.forEach(Thread::start);
        Thread.sleep(3000);
        for (AtomicLong a : acked.values()) assertTrue(a.get() > 0, "load before the outage: " + acked);

        long refusedBefore = KillCampaignIT.REFUSED_503.get();
        pg.stopServer();
        long down = System.nanoTime();
        Await.until(Duration.ofSeconds(10), "/readyz 503 once PostgreSQL is down", () -> vigil.http.get("/readyz").status() == 503 ? true : null);
        Await.until(Duration.ofSeconds(10), "the stream saying storage is unavailable", () -> storage(stream, false));
        Thread.sleep(3000); // records in flight at the stop settle (stored before it, or refused)
        long committedEarly = KAFKA.committed(group, KillCampaignIT.TOPIC);
        Map<String, Long> early = snapshot(acked);
        long worstHealthMs = 0;
        while (System.nanoTime() - down < TimeUnit.SECONDS.toNanos(OUTAGE_S)) {
          long t = System.nanoTime();
          assertEquals(200, vigil.http.get("/healthz").status(), "liveness during the outage");
          worstHealthMs = Math.max(worstHealthMs, (System.nanoTime() - t) / 1_000_000);
          assertEquals(503, vigil.http.get("/readyz").status(), "/readyz during the outage");
          Thread.sleep(500);
        }
        Map<String, Long> late = snapshot(acked);
        long committedLate = KAFKA.committed(group, KillCampaignIT.TOPIC);
        long refused = KillCampaignIT.REFUSED_503.get() - refusedBefore;
        for (String http : List.of("kj", "kl_value", "kr")) {
          assertEquals(early.get(http), late.get(http), http + ": samples acknowledged while PostgreSQL was down");
        }
        assertEquals(committedEarly, committedLate, "Kafka offsets committed while PostgreSQL was down");
        assertTrue(refused > 0, "503s during the outage");

        pg.startServer();
        long up = System.nanoTime();
        Await.until(Duration.ofSeconds(5), "/readyz 200 within 5 s of PostgreSQL's start", () -> vigil.http.get("/readyz").status() == 200 ? true : null);
        long readyMs = (System.nanoTime() - up) / 1_000_000;
        long ackedAt = acked.get("kj").get();
        Await.until(Duration.ofSeconds(5), "JSON ingest acknowledged again", () -> acked.get("kj").get() > ackedAt ? true : null);
        long ingestMs = (System.nanoTime() - up) / 1_000_000;
        Await.until(Duration.ofSeconds(5), "the stream saying storage is back", () -> storage(stream, true));
        Thread.sleep(3000);
        stop.set(true);
        for (Thread w : writers) w.join(10_000);
        assertEquals(List.of(), KillCampaignIT.WRITER_ERRORS, "writers got answers other than 2xx or 503 with Retry-After");
        for (String http : List.of("kj", "kl_value", "kr")) {
          assertTrue(acked.get(http).get() > late.get(http), http + ": acknowledged again after the outage");
        }

        // Every acknowledged sample is stored; every sample the broker acknowledged arrives (at least once).
        for (Map.Entry<String, AtomicLong> e : acked.entrySet()) {
          long want = e.getValue().get();
          String distinct = "SELECT count(DISTINCT s.time) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = '" + e.getKey() + "'";
          Await.until(Duration.ofSeconds(30), e.getKey() + ": every acknowledged sample stored (" + want + ")",
              () -> Long.parseLong(pg.psql(db.name(), distinct)) >= want ? true : null);
        }
        report.append("PostgreSQL stopped (`pg_ctl stop -m fast`) for ").append(OUTAGE_S).append(" s under JSON, line protocol, remote_write and Kafka load.\n\n")
            .append("| | |\n| --- | ---: |\n")
            .append("| 503 + Retry-After answers during the outage | ").append(refused).append(" |\n")
            .append("| samples acknowledged during the outage (HTTP) | 0 |\n")
            .append("| Kafka offsets committed during the outage | ").append(committedLate - committedEarly).append(" |\n")
            .append("| slowest /healthz during the outage | ").append(worstHealthMs).append(" ms |\n")
            .append("| PostgreSQL started → /readyz 200 | ").append(readyMs).append(" ms |\n")
            .append("| PostgreSQL started → JSON ingest acknowledged | ").append(ingestMs).append(" ms |\n")
            .append("| samples acknowledged, all stored (JSON / line protocol / remote_write / Kafka) | ").append(acked.get("kj")).append(" / ")
            .append(acked.get("kl_value")).append(" / ").append(acked.get("kr")).append(" / ").append(acked.get("kk")).append(" |\n");
        System.out.println(report);
        Files.writeString(Path.of("target", "outage-report.md"), report.toString());
      } finally {
        stop.set(true);
        vigil.close();
      }
    }
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> acked) {
    Map<String, Long> out = new TreeMap<>();
    acked.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** True once the stream has said storage is (un)available; consumes the messages before it. */
  private static Boolean storage(Http.Stream stream, boolean available) {
    for (JsonObject m; (m = stream.messages.poll()) != null; ) {
      JsonObject s = "storage".equals(m.getString("type")) ? m.getJsonObject("storage") : null;
      if (s != null && s.getBoolean("available") == available) return true;
    }
    return null;
  }
}
