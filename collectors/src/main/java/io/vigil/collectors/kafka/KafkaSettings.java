package io.vigil.collectors.kafka;

import java.time.Duration;

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
 */
public record KafkaSettings(String bootstrap, String topic, String group, RecordDecoders.Format format,
    String deadLetterTopic, int maxInFlight, Duration commitInterval) {

  public KafkaSettings {
    if (topic.equals(deadLetterTopic)) throw new IllegalArgumentException("VIGIL_KAFKA_DLQ_TOPIC must differ from VIGIL_KAFKA_TOPIC");
    if (maxInFlight < 1) throw new IllegalArgumentException("max in flight must be at least 1");
  }
}
