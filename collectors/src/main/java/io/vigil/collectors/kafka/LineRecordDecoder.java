package io.vigil.collectors.kafka;

import io.vigil.collectors.IngestException;
import io.vigil.collectors.LineProtocolDecoder;
import io.vigil.collectors.Precision;
import io.vigil.collectors.Tenancy;
import io.vigil.rules.SampleBatch;

/**
 * A record whose value is Influx line protocol (as Telegraf's Kafka output writes it), timestamps
 * in nanoseconds (the protocol's default). Unlike {@code POST /write}, a record is all or nothing:
 * one bad line makes the whole record poison (dead-lettered with every bad line and reason), since
 * a partly stored record cannot be re-driven from the dead-letter topic without duplicating the
 * good lines. Records carry no token, so no customer is stamped or checked.
 *
 * <p>Thread-safe: the line decoder caches parsed series and is not, so each thread has its own.
 */
public final class LineRecordDecoder implements RecordDecoder {
  private final ThreadLocal<LineProtocolDecoder> decoders;

  public LineRecordDecoder(int maxLabels, int maxLabelValueChars, int maxSamplesPerRecord) {
    this.decoders = ThreadLocal.withInitial(() -> new LineProtocolDecoder(maxLabels, maxLabelValueChars, maxSamplesPerRecord));
  }

  @Override
  public SampleBatch decode(byte[] value, long nowMillis) {
    LineProtocolDecoder.Result r = decoders.get().decode(value, value.length, Precision.NANOSECONDS, nowMillis, Tenancy.OPEN);
    if (!r.errors.isEmpty() || r.badLines > 0) {
      StringBuilder why = new StringBuilder(r.badLines + " bad line" + (r.badLines == 1 ? "" : "s") + " (record not stored): ");
      for (int i = 0; i < r.errors.size(); i++) why.append(i == 0 ? "" : "; ").append(r.errors.get(i).message());
      throw IngestException.badRequest(why.toString());
    }
    if (r.samples.isEmpty()) throw IngestException.badRequest("record holds no numeric field (string fields are not stored)");
    return new SampleBatch(r.samples);
  }
}
