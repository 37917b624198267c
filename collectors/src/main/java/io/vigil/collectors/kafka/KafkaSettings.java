package io.vigil.collectors.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What the Kafka collector consumes and how (the {@code VIGIL_KAFKA_*} settings).
 *
 * @param bootstrap Kafka's {@code bootstrap.servers}
 * @param topic the topic of sample records
 * @param group the consumer group (offsets are the group's)
 * @param format how record values are decoded
 * @param deadLetterTopic where poison records go, with the reason in headers
 * @param maxInFlight records being decoded or written at once (the back-pressure bound)
 * @param commitInterval how often acknowledged (durable) offsets are committed
 * @param customer the customer this topic's samples belong to ({@code VIGIL_KAFKA_CUSTOMER}), or null:
 *     when set, samples without a {@code customer} label get it and a record naming another is poison (403)
 * @param client Kafka client settings from {@code VIGIL_KAFKA_PROPERTIES} (security, timeouts, …):
 *     a key applies to the consumer and the dead-letter producer wherever that client knows it;
 *     {@code consumer.}/{@code producer.} in front of a key aims it at one of them
 */
public record KafkaSettings(String bootstrap, String topic, String group, RecordDecoders.Format format,
    String deadLetterTopic, int maxInFlight, Duration commitInterval, String customer, Map<String, String> client) {

  /** Settings Vigil decides itself: the delivery guarantees (commit after durable, idempotent dead letters) rest on them. */
  static final Set<String> OWNED = Set.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
      ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);

  public KafkaSettings {
    if (topic.equals(deadLetterTopic)) throw new IllegalArgumentException("VIGIL_KAFKA_DLQ_TOPIC must differ from VIGIL_KAFKA_TOPIC");
    if (maxInFlight < 1) throw new IllegalArgumentException("max in flight must be at least 1");
    client = Map.copyOf(client);
    client.keySet().forEach(KafkaSettings::check);
  }

  /** Open to every customer, without extra client settings. */
  public KafkaSettings(String bootstrap, String topic, String group, RecordDecoders.Format format,
      String deadLetterTopic, int maxInFlight, Duration commitInterval) {
    this(bootstrap, topic, group, format, deadLetterTopic, maxInFlight, commitInterval, null, Map.of());
  }

  private static void check(String key) {
    String bare = key.startsWith("consumer.") ? key.substring(9) : key.startsWith("producer.") ? key.substring(9) : key;
    if (OWNED.contains(bare)) {
      throw new IllegalArgumentException("VIGIL_KAFKA_PROPERTIES: '" + key + "' is set by Vigil"
          + (bare.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) ? " (use VIGIL_KAFKA_BOOTSTRAP)"
              : bare.equals(ConsumerConfig.GROUP_ID_CONFIG) ? " (use VIGIL_KAFKA_GROUP)"
              : ": offsets are committed only after the samples are durable, and that depends on it"));
    }
    boolean consumer = ConsumerConfig.configNames().contains(bare);
    boolean producer = ProducerConfig.configNames().contains(bare);
    boolean known = key.startsWith("consumer.") ? consumer : key.startsWith("producer.") ? producer : consumer || producer;
    if (!known) {
      throw new IllegalArgumentException("VIGIL_KAFKA_PROPERTIES: '" + key + "' is not a Kafka "
          + (key.startsWith("consumer.") ? "consumer" : key.startsWith("producer.") ? "producer" : "consumer or producer")
          + " setting (see https://kafka.apache.org/documentation/#consumerconfigs)");
    }
  }

  /** The client settings for the consumer (owned settings are added by the collector). */
  Map<String, Object> consumerOverrides() {
    return overrides("consumer.", ConsumerConfig.configNames());
  }

  /** The client settings for the dead-letter producer. */
  Map<String, Object> producerOverrides() {
    return overrides("producer.", ProducerConfig.configNames());
  }

  private Map<String, Object> overrides(String prefix, Set<String> known) {
    Map<String, Object> out = new TreeMap<>();
    client.forEach((k, v) -> {
      if (!k.startsWith("consumer.") && !k.startsWith("producer.") && known.contains(k)) out.put(k, v);
    });
    // The aimed form wins over the shared one.
    client.forEach((k, v) -> {
      if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
    });
    return out;
  }

  /** Never prints secret values (passwords, JAAS configurations, keys). */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    client.forEach((k, v) -> shown.put(k, secret(k) ? "***" : v));
    return "KafkaSettings[bootstrap=" + bootstrap + ", topic=" + topic + ", group=" + group + ", format=" + format
        + ", deadLetterTopic=" + deadLetterTopic + ", maxInFlight=" + maxInFlight + ", commitInterval=" + commitInterval
        + ", customer=" + customer
        + ", client=" + shown + "]";
  }

  static boolean secret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.endsWith(".key") || k.contains("secret") || k.contains("token");
  }
}
