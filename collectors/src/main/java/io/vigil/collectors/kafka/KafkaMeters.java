package io.vigil.collectors.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kafka collector's meters. The {@code vigil_ingest_*} ones carry {@code transport="kafka"}
 * beside the HTTP collectors' (one record counts as one request); the rest are Kafka's own.
 */
final class KafkaMeters {
  final Counter records;
  final Counter bytes;
  final Counter samples;
  final Counter decodeErrors;
  final Counter storageErrors;
  final Counter deadLettered;
  final Counter deadLetterRetries;
  final Counter retries;
  final Counter acknowledged;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicLong fetchLag = new AtomicLong();

  KafkaMeters(MeterRegistry r) {
    String t = "kafka";
    records = Counter.builder("vigil_ingest_requests").tag("transport", t).description("ingest requests decoded").register(r);
    bytes = Counter.builder("vigil_ingest_bytes").tag("transport", t).description("ingest body bytes").register(r);
    samples = Counter.builder("vigil_ingest_samples").tag("transport", t).description("samples stored durably").register(r);
    decodeErrors = Counter.builder("vigil_ingest_decode_errors").tag("transport", t).description("requests refused as bad input").register(r);
    storageErrors = Counter.builder("vigil_ingest_storage_errors").tag("transport", t)
        .description("batches refused because storage was unavailable").register(r);
    deadLettered = Counter.builder("vigil_kafka_dead_letter_records").description("poison records written to the dead-letter topic").register(r);
    deadLetterRetries = Counter.builder("vigil_kafka_dead_letter_retries").description("dead-letter writes retried because the producer failed").register(r);
    retries = Counter.builder("vigil_kafka_sink_retries").description("record writes retried because storage was unavailable").register(r);
    acknowledged = Counter.builder("vigil_kafka_acknowledged_records").description("records durable (or dead-lettered) and acknowledged for commit").register(r);
    Gauge.builder("vigil_kafka_inflight_records", inFlight, AtomicInteger::get).description("records being decoded or written to storage").register(r);
    Gauge.builder("vigil_kafka_fetch_lag_records", fetchLag, AtomicLong::get)
        .description("records in the assigned partitions beyond the consumer's fetch position (Kafka's currentLag, summed)").register(r);
  }
}
