package io.vigil.collectors.kafka;

import io.vigil.collectors.IngestException;
import io.vigil.rules.SampleBatch;

/**
 * Turns one Kafka record's value into samples. One implementation per wire format (JSON as
 * {@code /api/v1/ingest}, Influx line protocol); {@link RecordDecoders} picks one per record.
 *
 * <p>Called on a Reactor thread (never an event loop), possibly from several threads at once:
 * implementations must be thread-safe. They must not block. A value that cannot be decoded
 * throws {@link IngestException} with the reason: the record is poison and goes to the
 * dead-letter topic; the consumer goes on.
 */
@FunctionalInterface
public interface RecordDecoder {
  /** @param nowMillis the timestamp for samples that carry none */
  SampleBatch decode(byte[] value, long nowMillis);
}
