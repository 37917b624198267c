package io.vigil.collectors;

/**
 * The sink cannot take a batch now; nothing of it was stored. Collectors answer 503 with
 * {@code Retry-After: retryAfterSeconds} (or the transport's equivalent).
 */
public final class SinkUnavailableException extends RuntimeException {
  private final int retryAfterSeconds;

  public SinkUnavailableException(String message, int retryAfterSeconds, Throwable cause) {
    super(message, cause);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
