package io.vigil.collectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Decodes the {@code POST /api/v1/ingest} body:
 * {@code {"samples":[{"metric":"cpu_usage","labels":{"customer":"acme"},"value":97.5,"ts":1763805600000}]}}.
 * {@code ts} is epoch milliseconds or an RFC 3339 string, and optional (then: {@code nowMillis}).
 *
 * <p>Streams with Jackson's parser (no tree), so a 10 MiB batch costs one pass. The first bad
 * sample fails the whole request with its index and field; nothing partial is returned.
 * Thread-safe and non-blocking.
 */
public final class JsonSamplesDecoder {
  /** Prometheus' metric name syntax. */
  public static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final JsonFactory FACTORY = new JsonFactory();
  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what PostgreSQL's timestamptz and RFC 3339 both hold. */
  public static final long MIN_TS = -62_135_596_800_000L;
  public static final long MAX_TS = 253_402_300_799_999L;
  /** 1973-01-01T00:00:00Z in epoch ms: a numeric ts below it is almost certainly epoch seconds. */
  static final long SECONDS_SUSPECT_BEFORE = 94_694_400_000L;
  /** Default: label values longer than this are refused (index keys and wall cards have limits too). */
  public static final int MAX_LABEL_VALUE_CHARS = 2048;
  /** Default labels per series. */
  public static final int MAX_LABELS = 64;

  private final int maxSamples;
  private final int maxLabels;
  private final int maxLabelValueChars;

  public JsonSamplesDecoder(int maxSamples) {
    this(maxSamples, MAX_LABELS, MAX_LABEL_VALUE_CHARS);
  }

  public JsonSamplesDecoder(int maxSamples, int maxLabels, int maxLabelValueChars) {
    this.maxSamples = maxSamples;
    this.maxLabels = maxLabels;
    this.maxLabelValueChars = maxLabelValueChars;
  }

  public SampleBatch decode(Buffer body, long nowMillis) {
    try (JsonParser p = FACTORY.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw IngestException.badRequest("body must be a JSON object with a 'samples' array");
      List<Sample> samples = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("samples")) {
          if (t != JsonToken.START_ARRAY) throw IngestException.badRequest("'samples' must be an array");
          samples = samples(p, nowMillis);
        } else {
          p.skipChildren();
        }
      }
      if (p.nextToken() != null) throw IngestException.badRequest("unexpected content after the JSON object");
      if (samples == null) throw IngestException.badRequest("body has no 'samples' array");
      return new SampleBatch(samples);
    } catch (JsonParseException e) {
      throw IngestException.badRequest(malformed(e));
    } catch (IOException e) {
      throw IngestException.badRequest("unreadable JSON: " + e.getMessage());
    }
  }

  /** {@link io.vigil.rules.JsonErrors#malformed} of a Jackson error, or of a Vert.x DecodeException wrapping one. */
  public static String malformed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
        return io.vigil.rules.JsonErrors.malformed(j.getLocation().getLineNr(), j.getLocation().getColumnNr(), j.getOriginalMessage());
      }
    }
    return "malformed JSON";
  }

  private List<Sample> samples(JsonParser p, long nowMillis) throws IOException {
    List<Sample> out = new ArrayList<>();
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (index >= maxSamples) {
        throw new IngestException(413, "more than " + maxSamples + " samples in one request; split the batch", index, null,
            "samples_per_request");
      }
      if (t != JsonToken.START_OBJECT) throw IngestException.at(index, null, "sample must be a JSON object");
      out.add(sample(p, index, nowMillis));
      index++;
    }
    return out;
  }

  private Sample sample(JsonParser p, int index, long nowMillis) throws IOException {
    String metric = null;
    TreeMap<String, String> labels = new TreeMap<>();
    double value = 0;
    boolean hasValue = false;
    long ts = nowMillis;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "metric" -> {
          if (t != JsonToken.VALUE_STRING) throw IngestException.at(index, "metric", "metric must be a string");
          metric = p.getText();
          if (!METRIC_NAME.matcher(metric).matches()) {
            throw IngestException.at(index, "metric", "bad metric name '" + metric + "': must match " + METRIC_NAME.pattern());
          }
        }
        case "labels" -> {
          if (t != JsonToken.START_OBJECT) throw IngestException.at(index, "labels", "labels must be an object of strings");
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String ln = p.currentName();
            if (!Labels.NAME.matcher(ln).matches()) {
              throw IngestException.at(index, "labels." + ln, "bad label name '" + ln + "': must match " + Labels.NAME.pattern());
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
              throw IngestException.at(index, "labels." + ln, "label value must be a string");
            }
            String lv = p.getText();
            if (lv.length() > maxLabelValueChars) {
              throw new IngestException(400, "label value is " + lv.length() + " characters; at most "
                  + maxLabelValueChars + " are allowed", index, "labels." + ln, "label_value_length");
            }
            String bad = io.vigil.rules.StorableText.problem(lv);
            if (bad != null) throw IngestException.at(index, "labels." + ln, "label value " + bad);
            labels.put(ln, lv);
            if (labels.size() > maxLabels) {
              throw new IngestException(400, "more than " + maxLabels + " labels on one series", index, "labels", "labels_per_series");
            }
          }
        }
        case "value" -> {
          if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw IngestException.at(index, "value", "value must be a number, got " + describe(p, t));
          }
          value = p.getDoubleValue();
          // 1e400 parses as Infinity: storing it would turn one typo into a fault that never resolves.
          if (!Double.isFinite(value)) throw IngestException.at(index, "value", "value " + abbreviate(p.getText()) + " is not a finite number");
          hasValue = true;
        }
        case "ts" -> ts = timestamp(p, t, index);
        default -> p.skipChildren();
      }
    }
    if (metric == null) throw IngestException.at(index, "metric", "missing 'metric'");
    if (!hasValue) throw IngestException.at(index, "value", "missing 'value'");
    return new Sample(metric, CanonicalLabels.of(Labels.of(labels)), value, ts);
  }

  private static long timestamp(JsonParser p, JsonToken t, int index) throws IOException {
    long ts;
    if (t == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) throw outOfRange(index, p.getText());
      ts = p.getLongValue();
      // Epoch seconds sent as milliseconds would be stored in January 1970: refuse what can only be that.
      if (ts >= MIN_TS && ts < SECONDS_SUSPECT_BEFORE) {
        throw IngestException.at(index, "ts", "ts " + ts + " as epoch milliseconds is before 1973: it looks like seconds (send "
            + (ts > 0 && ts < Long.MAX_VALUE / 1000 ? ts * 1000 : "milliseconds") + ", or an RFC 3339 string for such an old time)");
      }
    } else if (t == JsonToken.VALUE_STRING) {
      try {
        ts = OffsetDateTime.parse(p.getText()).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        throw IngestException.at(index, "ts", "ts '" + abbreviate(p.getText()) + "' is not RFC 3339 (e.g. 2026-11-22T10:00:00Z)");
      } catch (ArithmeticException | java.time.DateTimeException e) {
        throw outOfRange(index, p.getText());
      }
    } else {
      throw IngestException.at(index, "ts", "ts must be epoch milliseconds (an integer) or an RFC 3339 string, got " + describe(p, t));
    }
    if (ts < MIN_TS || ts > MAX_TS) throw outOfRange(index, p.getText());
    return ts;
  }

  private static IngestException outOfRange(int index, String sent) {
    return IngestException.at(index, "ts", "ts " + abbreviate(sent) + " is outside years 0001–9999 (epoch ms "
        + MIN_TS + " to " + MAX_TS + ")");
  }

  private static String describe(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> "string \"" + abbreviate(p.getText()) + "\"";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + p.getText();
      default -> String.valueOf(t);
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
