package io.vigil.collectors;

/**
 * The sink refused a batch for what it contains (storage says the data itself is invalid), so
 * sending it again cannot succeed. Nothing of it was stored. Collectors answer 400, never 503:
 * a retryable answer would make a well-behaved client retry that batch forever.
 */
public final class SinkRejectedException extends RuntimeException {
  public SinkRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
