package io.vigil.collectors.kafka;

import io.vertx.core.buffer.Buffer;
import io.vigil.collectors.JsonSamplesDecoder;
import io.vigil.rules.SampleBatch;

/** A record whose value is the JSON body of {@code POST /api/v1/ingest}: same decoder, same limits. */
public final class JsonRecordDecoder implements RecordDecoder {
  private final JsonSamplesDecoder json;

  public JsonRecordDecoder(int maxSamplesPerRecord) {
    this.json = new JsonSamplesDecoder(maxSamplesPerRecord);
  }

  @Override
  public SampleBatch decode(byte[] value, long nowMillis) {
    return json.decode(Buffer.buffer(value), nowMillis);
  }
}
