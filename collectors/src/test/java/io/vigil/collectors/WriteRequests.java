package io.vigil.collectors;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Builds prometheus.WriteRequest bytes with protobuf-java's own encoder (the decoder's counterpart in tests). */
final class WriteRequests {
  private WriteRequests() {}

  /** A WriteRequest of the given encoded TimeSeries messages (field 1 each). */
  static byte[] of(byte[]... series) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] s : series) lengthDelimited(out, 1, s);
    return out.toByteArray();
  }

  /** A TimeSeries: labels as name, value pairs, then samples. */
  static byte[] series(List<String> labels, double[] values, long[] timestamps) {
    return seriesBody(labels, values, timestamps);
  }

  static byte[] seriesBody(List<String> labels, double[] values, long[] timestamps) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream ts = CodedOutputStream.newInstance(bytes);
      for (int i = 0; i < labels.size(); i += 2) {
        ByteArrayOutputStream lb = new ByteArrayOutputStream();
        CodedOutputStream l = CodedOutputStream.newInstance(lb);
        l.writeString(1, labels.get(i));
        l.writeString(2, labels.get(i + 1));
        l.flush();
        ts.writeByteArray(1, lb.toByteArray());
      }
      for (int i = 0; i < values.length; i++) {
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(sb);
        s.writeDouble(1, values[i]);
        s.writeInt64(2, timestamps[i]);
        s.flush();
        ts.writeByteArray(2, sb.toByteArray());
      }
      ts.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void lengthDelimited(ByteArrayOutputStream out, int field, byte[] body) {
    try {
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      c.writeByteArray(field, body);
      c.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
