package io.vigil.server.it;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.xerial.snappy.Snappy;

/** prometheus.WriteRequest bodies built with protobuf-java's encoder and snappy, as Prometheus sends them. */
final class RemoteWriteBodies {
  static final String CONTENT_TYPE = "application/x-protobuf";
  private final ByteArrayOutputStream request = new ByteArrayOutputStream();

  /** Adds one TimeSeries with one sample per value, at {@code ts} + i ms. */
  RemoteWriteBodies series(String metric, Map<String, String> labels, long ts, double... values) {
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      CodedOutputStream s = CodedOutputStream.newInstance(body);
      s.writeByteArray(1, label("__name__", metric));
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(labels).entrySet()) s.writeByteArray(1, label(e.getKey(), e.getValue()));
      for (int i = 0; i < values.length; i++) {
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(sb);
        c.writeDouble(1, values[i]);
        c.writeInt64(2, ts + i);
        c.flush();
        s.writeByteArray(2, sb.toByteArray());
      }
      s.flush();
      CodedOutputStream r = CodedOutputStream.newInstance(request);
      r.writeByteArray(1, body.toByteArray());
      r.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] protobuf() {
    return request.toByteArray();
  }

  byte[] snappy() {
    try {
      return Snappy.compress(protobuf());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] label(String name, String value) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(b);
    c.writeString(1, name);
    c.writeString(2, value);
    c.flush();
    return b.toByteArray();
  }
}
