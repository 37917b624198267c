package io.vigil.collectors;

import io.vertx.core.json.JsonObject;

/**
 * Input a collector refused: what was wrong and where. {@code index} is the 0-based position of
 * the bad sample in the request (-1 when the request as a whole is bad), {@code field} the field.
 */
public final class IngestException extends RuntimeException {
  private final int status;
  private final int index;
  private final String field;
  private final String reason;

  public IngestException(int status, String message, int index, String field) {
    this(status, message, index, field, null);
  }

  /** {@code reason}: the limit that refused (as counted in {@code vigil_ingest_refused_total}), or null. */
  public IngestException(int status, String message, int index, String field, String reason) {
    super(message, null, false, false);
    this.status = status;
    this.index = index;
    this.field = field;
    this.reason = reason;
  }

  public static IngestException badRequest(String message) {
    return new IngestException(400, message, -1, null);
  }

  public static IngestException at(int index, String field, String message) {
    return new IngestException(400, message, index, field);
  }

  public int status() {
    return status;
  }

  public int index() {
    return index;
  }

  public String field() {
    return field;
  }

  /** The limit (or {@code customer_mismatch}) behind this refusal, or null for plain bad input. */
  public String reason() {
    return reason;
  }

  /** The JSON error body: {@code {"error": …, "index": …, "field": …}}. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("error", getMessage());
    if (index >= 0) j.put("index", index);
    if (field != null) j.put("field", field);
    return j;
  }
}
