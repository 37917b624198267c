package io.vigil.collectors.kafka;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  private static KafkaSettings with(Map<String, String> client) {
    return new KafkaSettings("k:9092", "t", "g", RecordDecoders.Format.AUTO, "t.dlq", 8, Duration.ofSeconds(1), null, client);
  }

  @Test
  void sharedKeysGoToEachClientThatKnowsThemAndPrefixedKeysToOneClientOnly() {
    KafkaSettings s = with(Map.of(
        "security.protocol", "SASL_PLAINTEXT",          // both clients
        "max.poll.interval.ms", "600000",               // consumers only
        "linger.ms", "5",                               // producers only
        "consumer.request.timeout.ms", "40000",         // aimed at the consumer
        "request.timeout.ms", "30000"));                // shared, overridden for the consumer
    assertEquals(Map.of("security.protocol", "SASL_PLAINTEXT", "max.poll.interval.ms", "600000", "request.timeout.ms", "40000"),
        s.consumerOverrides());
    assertEquals(Map.of("security.protocol", "SASL_PLAINTEXT", "linger.ms", "5", "request.timeout.ms", "30000"),
        s.producerOverrides());
  }

  @Test
  void aKeyAimedAtAClientThatDoesNotKnowItIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(Map.of("producer.max.poll.records", "5")));
    assertTrue(e.getMessage().contains("'producer.max.poll.records' is not a Kafka producer setting"), e.getMessage());
  }

  @Test
  void secretLookingValuesAreMaskedInToString() {
    String shown = with(Map.of("sasl.jaas.config", "x required password=\"p\";", "ssl.keystore.password", "ks-secret", "ssl.key.password", "key-secret",
        "sasl.mechanism", "PLAIN")).toString();
    assertFalse(shown.contains("password=\""), shown);
    assertFalse(shown.contains("ks-secret") || shown.contains("key-secret"), shown);
    assertTrue(shown.contains("sasl.mechanism=PLAIN"), shown);
  }
}
