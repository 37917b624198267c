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
  void aBootstrapWithoutATopicIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092")));
    assertEquals("VIGIL_KAFKA_TOPIC must be set when VIGIL_KAFKA_BOOTSTRAP is", e.getMessage());
  }

  @Test
  void theDeadLetterTopicMayNotBeTheTopicItself() {
    assertThrows(IllegalArgumentException.class, () -> config(Map.of("VIGIL_KAFKA_BOOTSTRAP", "k1:9092", "VIGIL_KAFKA_TOPIC", "m",
        "VIGIL_KAFKA_DLQ_TOPIC", "m")));
  }
}
