package io.vigil.collectors.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderRecord;
import reactor.util.retry.Retry;

/**
 * Writes a poison record to the dead-letter topic: the original key, value and headers, plus
 * {@code vigil.error} (the reason, the JSON error body the HTTP collector would answer),
 * {@code vigil.error.kind} ({@code decode} or {@code rejected}), {@code vigil.error.status} and
 * {@code vigil.source.topic|partition|offset}. Retried with backoff until the broker has it: the
 * record's offset is committed only after that, so a poison record is never simply lost.
 */
final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  static final String ERROR = "vigil.error";
  static final String KIND = "vigil.error.kind";
  static final String STATUS = "vigil.error.status";
  private final KafkaSender<byte[], byte[]> sender;
  private final String topic;
  private final KafkaMeters meters;
  private final Duration firstBackoff;
  private final Duration maxBackoff;

  DeadLetters(KafkaSender<byte[], byte[]> sender, String topic, KafkaMeters meters, Duration firstBackoff, Duration maxBackoff) {
    this.sender = sender;
    this.topic = topic;
    this.meters = meters;
    this.firstBackoff = firstBackoff;
    this.maxBackoff = maxBackoff;
  }

  Mono<Void> publish(ConsumerRecord<byte[], byte[]> record, Outcome poison) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : record.headers()) headers.add(h);
    headers.add(ERROR, utf8(poison.reason()));
    headers.add(KIND, utf8(poison.kind()));
    headers.add(STATUS, utf8(Integer.toString(poison.status())));
    headers.add("vigil.source.topic", utf8(record.topic()));
    headers.add("vigil.source.partition", utf8(Integer.toString(record.partition())));
    headers.add("vigil.source.offset", utf8(Long.toString(record.offset())));
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
    return sender.send(Mono.just(SenderRecord.create(out, record.offset())))
        .next()
        .flatMap(result -> result.exception() == null ? Mono.<Void>empty() : Mono.<Void>error(result.exception()))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, firstBackoff).maxBackoff(maxBackoff).jitter(0.2).doBeforeRetry(s -> {
          meters.deadLetterRetries.increment();
          long n = s.totalRetries() + 1;
          if (n == 1 || n % 20 == 0) {
            LOG.warn("kafka.dead_letter_retry topic={} source={}-{}@{} attempt={} cause=\"{}\"", topic, record.topic(), record.partition(),
                record.offset(), n, s.failure().toString());
          }
        }))
        .doOnSuccess(v -> {
          meters.deadLettered.increment();
          LOG.info("kafka.dead_lettered source={}-{}@{} dlq={} kind={} reason={}", record.topic(), record.partition(), record.offset(),
              topic, poison.kind(), poison.reason());
        });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
