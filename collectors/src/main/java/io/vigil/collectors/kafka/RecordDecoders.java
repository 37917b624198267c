package io.vigil.collectors.kafka;

import io.vigil.collectors.IngestException;
import java.util.Locale;

/**
 * Which decoder a record gets, from {@code VIGIL_KAFKA_FORMAT}: {@code json}, {@code line}, or
 * {@code auto} (per record: a value whose first non-blank byte is <code>{</code> is JSON, anything
 * else line protocol, which can never start with a brace).
 */
public final class RecordDecoders {
  public enum Format {
    JSON, LINE, AUTO;

    public static Format parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("VIGIL_KAFKA_FORMAT must be json, line or auto, got '" + s + "'");
      }
    }
  }

  private RecordDecoders() {}

  /**
   * @param line the line-protocol decoder, or null when this build has none: then {@code line}
   *     is refused at start-up and, under {@code auto}, a non-JSON record is poison
   */
  public static RecordDecoder forFormat(Format format, RecordDecoder json, RecordDecoder line) {
    return switch (format) {
      case JSON -> json;
      case LINE -> {
        if (line == null) throw new IllegalArgumentException("VIGIL_KAFKA_FORMAT=line needs the line-protocol decoder, which this build does not include; use json");
        yield line;
      }
      case AUTO -> (value, now) -> {
        if (startsWithBrace(value)) return json.decode(value, now);
        if (line == null) throw IngestException.badRequest("record is not JSON (does not start with '{') and this build has no line-protocol decoder");
        return line.decode(value, now);
      };
    };
  }

  /**
   * {@code decoder} with the topic's tenancy applied to what it decodes: samples without a
   * {@code customer} label get the topic's customer; a record naming another is poison (403).
   */
  public static RecordDecoder boundTo(RecordDecoder decoder, String customer, String topic) {
    if (customer == null) return decoder;
    io.vigil.collectors.Tenancy tenancy = io.vigil.collectors.Tenancy.of(customer, "Kafka topic '" + topic + "'", "this record");
    return (value, now) -> tenancy.apply(decoder.decode(value, now));
  }

  static boolean startsWithBrace(byte[] value) {
    for (byte b : value) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
      return b == '{';
    }
    return false;
  }
}
