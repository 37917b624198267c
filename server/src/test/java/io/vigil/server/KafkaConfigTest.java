package io.vigil.server;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.collectors.kafka.KafkaSettings;
import io.vigil.collectors.kafka.RecordDecoders;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VIGIL_KAFKA_* settings as the README documents them. */
class KafkaConfigTest {
  private static Config config(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("VIGIL_DATABASE_URL", "postgresql://u:p@127.0.0.1:5432/v"));
    env.putAll(extra);
    return Config.fromEnv(env);
  }

  @Test
  void kafkaIsOffWithoutABootstrapServer() {
    assertNull(config(Map.of()).kafka());
    assertTrue(config(Map.of()).toString().contains("kafka=off"));
  }

  @Test
  void defaultsAreGroupVigilAutoFormatAndTopicDotDlq() {
    KafkaSettings k = config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092,k2:9092", "VIGIL_KAFKA_TOPIC", "metrics")).kafka();
    assertEquals(new KafkaSettings("k1:9092,k2:9092", "metrics", "vigil", RecordDecoders.Format.AUTO, "metrics.dlq", 8, Duration.ofSeconds(1)), k);
  }

  @Test
  void everySettingIsRead() {
    KafkaSettings k = config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092", "VIGIL_KAFKA_TOPIC", "metrics", "VIGIL_KAFKA_GROUP", "noc",
        "VIGIL_KAFKA_FORMAT", "json", "VIGIL_KAFKA_DLQ_TOPIC", "poison", "VIGIL_KAFKA_MAX_INFLIGHT", "32",
        "VIGIL_KAFKA_COMMIT_INTERVAL_MS", "250")).kafka();
    assertEquals(new KafkaSettings("k1:9092", "metrics", "noc", RecordDecoders.Format.JSON, "poison", 32, Duration.ofMillis(250)), k);
  }

  @Test
  void aTopicMayBeBoundToACustomer() {
    Config c = config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092", "VIGIL_KAFKA_TOPIC", "acme-metrics", "VIGIL_KAFKA_CUSTOMER", "acme"));
    assertEquals("acme", c.kafka().customer());
    assertTrue(c.toString().contains("kafka=k1:9092/acme-metrics for customer acme"), c.toString());
  }

  @Test
  void aBootstrapWithoutATopicIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092")));
    assertEquals("VIGIL_KAFKA_TOPIC must be set when VIGIL_KAFKA_BOOTSTRAP is", e.getMessage());
  }

  @Test
  void theDeadLetterTopicMayNotBeTheTopicItself() {
    assertThrows(IllegalArgumentException.class, () -> config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092", "VIGIL_KAFKA_TOPIC", "m",
        "VIGIL_KAFKA_DLQ_TOPIC", "m")));
  }

  @Test
  void clientPropertiesFileIsReadAndItsSecretsNeverPrinted() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("kafka", ".properties");
    java.nio.file.Files.writeString(f, """
        # SASL over TLS, as a managed Kafka hands it out
        security.protocol=SASL_SSL
        sasl.mechanism=SCRAM-SHA-512
        sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="vigil" password="hunter2";
        ssl.truststore.location=/etc/vigil/kafka-ca.p12
        ssl.truststore.password=changeit
        consumer.max.partition.fetch.bytes=4194304
        """);
    Config c = config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9093", "VIGIL_KAFKA_TOPIC", "metrics", "VIGIL_KAFKA_PROPERTIES", f.toString()));
    assertEquals("SASL_SSL", c.kafka().client().get("security.protocol"));
    assertEquals("4194304", c.kafka().client().get("consumer.max.partition.fetch.bytes"));
    assertEquals(6, c.kafka().client().size());
    for (String shown : new String[] {c.toString(), c.kafka().toString()}) {
      assertFalse(shown.contains("hunter2"), shown);
      assertFalse(shown.contains("changeit"), shown);
    }
    assertTrue(c.kafka().toString().contains("security.protocol=SASL_SSL"), c.kafka().toString());
  }

  @Test
  void clientPropertiesThatWouldBreakCommitAfterDurableOrAreNotKafkaSettingsAreRefusedByName() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("kafka", ".properties");
    Map<String, String> env = Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092", "VIGIL_KAFKA_TOPIC", "m", "VIGIL_KAFKA_PROPERTIES", f.toString());
    java.nio.file.Files.writeString(f, "enable.auto.commit=true\n");
    IllegalArgumentException owned = assertThrows(IllegalArgumentException.class, () -> config(env));
    assertTrue(owned.getMessage().startsWith("VIGIL_KAFKA_PROPERTIES: 'enable.auto.commit' is set by Vigil"), owned.getMessage());
    java.nio.file.Files.writeString(f, "producer.acks=1\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> config(env)).getMessage().contains("'producer.acks' is set by Vigil"));
    java.nio.file.Files.writeString(f, "bootstrap.servers=elsewhere:9092\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> config(env)).getMessage().contains("use VIGIL_KAFKA_BOOTSTRAP"));
    java.nio.file.Files.writeString(f, "security.protocl=SSL\n");
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> config(env));
    assertTrue(typo.getMessage().contains("'security.protocl' is not a Kafka consumer or producer setting"), typo.getMessage());
    java.nio.file.Files.delete(f);
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> config(env));
    assertTrue(missing.getMessage().startsWith("VIGIL_KAFKA_PROPERTIES: cannot read '" + f + "'"), missing.getMessage());
  }
}
