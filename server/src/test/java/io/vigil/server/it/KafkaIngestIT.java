package io.vigil.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.server.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kafka collector against a real single-node KRaft broker started in this JVM: records from
 * the Java producer and from kcat land in the samples table and fire rules, poison goes to the
 * dead-letter topic, and the group's committed offset never runs ahead of what is durable —
 * across a SIGKILL and while the database is down.
 */
class KafkaIngestIT {
  @RegisterExtension
  static final KafkaBroker KAFKA = new KafkaBroker();
  private static final AtomicInteger TOPICS = new AtomicInteger();

  /** A fresh topic (partitions as given) and the env that points a Vigil at it. */
  private static Map<String, String> kafkaEnv(String topic, String group) {
    Map<String, String> env = new HashMap<>();
    env.put("VIGIL_KAFKA_BOOTSTRAP", KAFKA.bootstrap());
    env.put("VIGIL_KAFKA_TOPIC", topic);
    env.put("VIGIL_KAFKA_GROUP", group);
    env.put("VIGIL_KAFKA_COMMIT_INTERVAL_MS", "100");
    return env;
  }

  private static String newTopic(int partitions) throws Exception {
    String topic = "samples-" + TOPICS.incrementAndGet();
    KAFKA.createTopic(topic, partitions);
    return topic;
  }

  /** One record: {@code n} samples of {@code metric}, one series per sample, all with the given value. */
  private static String record(String metric, String system, int n, double value) {
    StringBuilder b = new StringBuilder("{\"samples\":[");
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append(Http.sample(metric, "acme", system, "h" + i, value));
    }
    return b.append("]}").toString();
  }

  private static JsonArray firing(Http http) throws Exception {
    return http.get("/api/v1/faults?state=firing").json().getJsonArray("faults");
  }

  private static boolean fires(Http http, String rule) throws Exception {
    for (Object f : firing(http)) if (((JsonObject) f).getString("rule").equals(rule)) return true;
    return false;
  }

  private static double metric(Http http, String name) throws Exception {
    double sum = 0;
    for (String line : http.get("/metrics").raw().body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + (name.contains("{") ? "" : "{"))) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  @Test
  void recordsFromTheJavaProducerAreStoredFireARuleAndCommittedOffsetEqualsRecordsProcessed() throws Exception {
    String topic = newTopic(3);
    try (TestVigil vigil = new TestVigil(kafkaEnv(topic, "vigil-producer"))) {
      List<String> records = new ArrayList<>();
      // Record 17 is the only one from crm, and its CPU is high: no later sample clears the fault.
      for (int i = 0; i < 30; i++) records.add(i == 17 ? record("cpu_usage", "crm", 10, 97) : record("cpu_usage", "erp", 10, 40));
      KAFKA.produce(topic, records);

      Await.until(Duration.ofSeconds(30), "300 samples stored", () -> vigil.count("samples") == 300);
      Await.until(Duration.ofSeconds(15), "HighCpu firing", () -> fires(vigil.http, "HighCpu"));
      Await.until(Duration.ofSeconds(15), "the group's offsets committed", () -> KAFKA.committed("vigil-producer", topic) == 30);
      assertEquals(30, KAFKA.endOffset(topic));
      assertEquals(30, metric(vigil.http, "vigil_kafka_acknowledged_records_total"), "acknowledged = records processed");
      assertEquals(300, metric(vigil.http, "vigil_ingest_samples_total{transport=\"kafka\""), "samples counted under transport=kafka");
      assertEquals(0, metric(vigil.http, "vigil_kafka_dead_letter_records_total"));
      assertEquals(20, vigil.count("series"));
    }
  }

  @Test
  void recordsFromKcatAreStoredAndFireARule() throws Exception {
    String topic = newTopic(1);
    Path lines = Files.createTempFile("kcat", ".jsonl");
    // One record per line, as kcat -P reads them; the third system is down.
    Files.writeString(lines, record("up", "erp", 4, 1) + "\n" + record("up", "crm", 4, 1) + "\n" + record("up", "billing", 4, 0) + "\n");
    try (TestVigil vigil = new TestVigil(kafkaEnv(topic, "vigil-kcat"))) {
      Process kcat = new ProcessBuilder("kcat", "-b", KAFKA.bootstrap(), "-t", topic, "-P", "-l", lines.toString())
          .redirectErrorStream(true).start();
      assertTrue(kcat.waitFor(30, TimeUnit.SECONDS), "kcat did not finish");
      assertEquals(0, kcat.exitValue(), "kcat failed: " + new String(kcat.getInputStream().readAllBytes(), UTF_8));

      Await.until(Duration.ofSeconds(30), "12 samples stored", () -> vigil.count("samples") == 12);
      Await.until(Duration.ofSeconds(15), "SystemDown firing for 4 hosts", () -> firing(vigil.http).size() == 4);
      JsonArray faults = firing(vigil.http);
      assertEquals(4, faults.size(), "one fault per host of the down system: " + faults.encodePrettily());
      for (Object f : faults) assertEquals("billing", ((JsonObject) f).getJsonObject("labels").getString("system"));
      Await.until(Duration.ofSeconds(15), "3 records committed", () -> KAFKA.committed("vigil-kcat", topic) == 3);
    } finally {
      Files.deleteIfExists(lines);
    }
  }

  @Test
  void poisonRecordsGoToTheDeadLetterTopicWithTheReasonAndTheConsumerContinues() throws Exception {
    String topic = newTopic(1);
    String notJson = "{\"samples\":[{\"metric\":\"cpu_usage\"";
    String badValue = "{\"samples\":[" + Http.sample("cpu_usage", "acme", "erp", "h1", 1) + ",{\"metric\":\"cpu_usage\",\"value\":\"high\"}]}";
    // Line protocol (auto-detected): a good record is stored; one bad line makes the whole record poison.
    String badLines = "cpu,customer=acme,system=erp,host=h8 usage=5\ncpu,customer=acme,system=erp usage=";
    String lineProtocol = "cpu,customer=acme,system=erp,host=h9 usage=7";
    try (TestVigil vigil = new TestVigil(kafkaEnv(topic, "vigil-poison"))) {
      KAFKA.produce(topic, List.of(record("cpu_usage", "erp", 2, 10), notJson, badValue, badLines, lineProtocol,
          record("cpu_usage", "crm", 3, 20)));

      Await.until(Duration.ofSeconds(30), "the good records stored", () -> vigil.count("samples") == 6);
      Await.until(Duration.ofSeconds(15), "all 6 records committed", () -> KAFKA.committed("vigil-poison", topic) == 6);
      assertEquals("1", vigil.sql("SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id "
          + "WHERE s.metric = 'cpu_usage' AND s.labels->>'host' = 'h9' AND x.value = 7"), "the line-protocol record, as measurement_field");
      List<ConsumerRecord<String, String>> dlq = KAFKA.readAll(topic + ".dlq", 3, Duration.ofSeconds(20));
      assertEquals(3, dlq.size(), "three poison records dead-lettered");

      assertEquals(notJson, dlq.get(0).value(), "original value kept");
      assertEquals("k1", dlq.get(0).key(), "original key kept");
      assertTrue(header(dlq.get(0), "vigil.error").startsWith("{\"error\":\"malformed JSON"), header(dlq.get(0), "vigil.error"));
      assertEquals("decode", header(dlq.get(0), "vigil.error.kind"));
      assertEquals("400", header(dlq.get(0), "vigil.error.status"));
      assertEquals(topic, header(dlq.get(0), "vigil.source.topic"));
      assertEquals("1", header(dlq.get(0), "vigil.source.offset"));

      JsonObject reason = new JsonObject(header(dlq.get(1), "vigil.error"));
      assertEquals(1, reason.getInteger("index"), "the bad sample's index: " + reason);
      assertEquals("value", reason.getString("field"));
      assertEquals(badValue, dlq.get(1).value());

      assertEquals(badLines, dlq.get(2).value());
      assertTrue(header(dlq.get(2), "vigil.error").contains("(record not stored): line 2: unable to parse"), header(dlq.get(2), "vigil.error"));
      assertEquals("0", vigil.sql("SELECT count(*) FROM samples WHERE value = 5"), "the bad record's good line is not stored either");

      assertEquals(3, metric(vigil.http, "vigil_kafka_dead_letter_records_total"));
      assertEquals(0, Long.parseLong(vigil.sql("SELECT count(*) FROM samples WHERE value = 1")), "nothing of a rejected record is stored");
    }
  }

  @Test
  void clientPropertiesFileLetsVigilConsumeAndDeadLetterThroughASaslListener() throws Exception {
    String topic = newTopic(1);
    Path props = Files.createTempFile("vigil-kafka", ".properties");
    Files.writeString(props, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"vigil\" password=\""
        + KafkaBroker.SASL_PASSWORD + "\";\n");
    Map<String, String> env = kafkaEnv(topic, "vigil-sasl");
    env.put("VIGIL_KAFKA_BOOTSTRAP", KAFKA.saslBootstrap());
    env.put("VIGIL_KAFKA_PROPERTIES", props.toString());
    try (TestVigil vigil = new TestVigil(env)) {
      KAFKA.produce(topic, List.of(record("cpu_usage", "erp", 4, 30), "not a sample"));
      Await.until(Duration.ofSeconds(30), "the good record stored", () -> vigil.count("samples") == 4);
      Await.until(Duration.ofSeconds(15), "both records committed", () -> KAFKA.committed("vigil-sasl", topic) == 2);
      // The dead-letter producer authenticated too.
      List<ConsumerRecord<String, String>> dlq = KAFKA.readAll(topic + ".dlq", 1, Duration.ofSeconds(20));
      assertEquals(1, dlq.size());
      assertEquals("not a sample", dlq.get(0).value());
    }
  }

  @Test
  void aTopicBoundToACustomerStampsItsSamplesAndDeadLettersARecordClaimingAnother() throws Exception {
    String topic = newTopic(1);
    Map<String, String> env = kafkaEnv(topic, "vigil-tenant");
    env.put("VIGIL_KAFKA_CUSTOMER", "acme");
    String unlabelled = "cpu,system=erp,host=h1 usage=12";
    String foreign = "cpu,customer=globex,system=crm,host=h2 usage=13";
    try (TestVigil vigil = new TestVigil(env)) {
      KAFKA.produce(topic, List.of(unlabelled, foreign, record("cpu_usage", "erp", 2, 14)));
      Await.until(Duration.ofSeconds(30), "the two acme records committed", () -> KAFKA.committed("vigil-tenant", topic) == 3);
      assertEquals("acme", vigil.sql("SELECT string_agg(DISTINCT s.labels->>'customer', ',') FROM samples x JOIN series s ON s.id = x.series_id"),
          "the unlabelled line got the topic's customer; nothing of globex was stored");
      assertEquals(3, vigil.count("samples"));
      List<ConsumerRecord<String, String>> dlq = KAFKA.readAll(topic + ".dlq", 1, Duration.ofSeconds(20));
      assertEquals(foreign, dlq.get(0).value());
      assertEquals("403", header(dlq.get(0), "vigil.error.status"));
      assertTrue(header(dlq.get(0), "vigil.error").contains("Kafka topic '" + topic + "' is bound to customer 'acme'"), header(dlq.get(0), "vigil.error"));
    }
  }

  private static String header(ConsumerRecord<String, String> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), UTF_8);
  }

  @Test
  void databaseDownPausesCommitsAndRetriesUntilEveryRecordIsStored() throws Exception {
    String topic = newTopic(1);
    String group = "vigil-dbdown";
    try (TestVigil vigil = new TestVigil(kafkaEnv(topic, group))) {
      List<String> first = new ArrayList<>();
      for (int i = 0; i < 5; i++) first.add(record("mem_usage", "erp", 10, i));
      KAFKA.produce(topic, first);
      Await.until(Duration.ofSeconds(30), "first 5 records committed", () -> KAFKA.committed(group, topic) == 5);

      EphemeralPostgres pg = EphemeralPostgres.get();
      String db = vigil.db.name();
      pg.psql("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS false");
      try {
        pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
        List<String> more = new ArrayList<>();
        for (int i = 5; i < 10; i++) more.add(record("mem_usage", "erp", 10, i));
        KAFKA.produce(topic, more);
        Await.until(Duration.ofSeconds(30), "the collector retrying", () -> metric(vigil.http, "vigil_kafka_sink_retries_total") >= 3);
        // Several commit intervals (100 ms) pass with the records unstored: nothing is committed for them.
        for (int i = 0; i < 10; i++) {
          assertEquals(5, KAFKA.committed(group, topic), "an offset was committed for a record that is not stored");
          Thread.sleep(100);
        }
        assertEquals(0, metric(vigil.http, "vigil_kafka_dead_letter_records_total"), "unavailable storage is not poison");
      } finally {
        pg.psql("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS true");
      }
      Await.until(Duration.ofSeconds(60), "all 10 records committed after the database is back", () -> KAFKA.committed(group, topic) == 10);
      // Every record's samples are there (a batch whose commit outcome was lost may be there twice).
      assertEquals("10", vigil.sql("SELECT count(DISTINCT value) FROM samples"));
      assertTrue(vigil.count("samples") >= 100);
    }
  }

  @Test
  void killedMidStreamNothingCommittedIsLostAndTheRestIsRedelivered() throws Exception {
    String topic = newTopic(1);
    String group = "vigil-kill";
    int perRecord = 20;
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    VigilProcess vigil = new VigilProcess(db, "vigil-kafka-kill9", kafkaEnv(topic, group));
    Path log = vigil.log;
    long committedAtKill;
    int sent = 0;
    try (KafkaProducer<String, String> producer = KAFKA.producer()) {
      // Record i carries value i in all its samples, so the database says which records it holds.
      // Produce until Vigil has committed 60 records, SIGKILL it, then produce 100 more.
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (KAFKA.committed(group, topic) < 60) {
        assertTrue(System.nanoTime() < giveUp, "Vigil committed fewer than 60 records in 90 s; see " + log);
        for (int i = 0; i < 10; i++, sent++) producer.send(new ProducerRecord<>(topic, "k" + sent, record("load", "erp", perRecord, sent)));
        producer.flush();
        Thread.sleep(50);
      }
      vigil.kill(); // SIGKILL mid-stream: no shutdown hook, no final commit
      assertTrue(!vigil.process.isAlive());
      for (int i = 0; i < 100; i++, sent++) producer.send(new ProducerRecord<>(topic, "k" + sent, record("load", "erp", perRecord, sent)));
      producer.flush();
    } finally {
      vigil.close();
    }
    int records = sent;
    committedAtKill = KAFKA.committed(group, topic);
    assertTrue(committedAtKill >= 60 && committedAtKill < records, "killed mid-stream at committed offset " + committedAtKill);
    // Everything committed is durable: records 0 .. committed-1 are all in the database, whole.
    assertEquals(Long.toString(committedAtKill), EphemeralPostgres.get().psql(db.name(),
        "SELECT count(DISTINCT value) FROM samples WHERE value < " + committedAtKill));
    assertEquals("0", EphemeralPostgres.get().psql(db.name(),
        "SELECT count(*) FROM (SELECT value FROM samples GROUP BY value HAVING count(*) % " + perRecord + " <> 0) partial"),
        "a record is stored whole or not at all");

    // A restarted Vigil in the same group resumes from the committed offset: nothing is lost at all.
    try (TestVigil again = new TestVigil(db, kafkaEnv(topic, group))) {
      Await.until(Duration.ofSeconds(60), "every record committed", () -> KAFKA.committed(group, topic) == records);
      assertEquals(Integer.toString(records), again.sql("SELECT count(DISTINCT value) FROM samples"));
      assertTrue(again.count("samples") >= (long) records * perRecord);
    }
  }
}
