package io.vigil.web;

/** A client mistake with its status code, a message saying what and where, and optionally the field at fault. */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String field;

  public ApiError(int status, String message) {
    this(status, message, null);
  }

  public ApiError(int status, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  public int status() {
    return status;
  }

  /** The request field the error is about (JSON path like {@code matchers[0].value}), or null. */
  public String field() {
    return field;
  }
}
