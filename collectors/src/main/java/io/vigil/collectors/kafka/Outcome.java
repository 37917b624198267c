package io.vigil.collectors.kafka;

/**
 * What became of one record: its samples are durable ({@code samples} of them), or it is poison
 * ({@code reason}, {@code status} as the HTTP collector would have answered, {@code kind}
 * {@code decode} or {@code rejected}) and belongs in the dead-letter topic.
 */
public record Outcome(int samples, String reason, int status, String kind) {
  public static Outcome stored(int samples) {
    return new Outcome(samples, null, 0, null);
  }

  public static Outcome poison(String kind, int status, String reason) {
    return new Outcome(0, reason, status, kind);
  }

  public boolean isPoison() {
    return reason != null;
  }
}
