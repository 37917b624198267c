package io.vigil.collectors.patrol;

/**
 * What one probe run found.
 *
 * @param httpStatus     the HTTP status received (HTTP probes that got a response), else null
 * @param certExpiryDays days until the peer certificate's notAfter (TLS probes that got a certificate), else null
 * @param error          why it failed, for the log (null on success)
 */
public record ProbeResult(boolean success, double durationSeconds, Integer httpStatus, Double certExpiryDays, String error) {
  static ProbeResult failed(double seconds, String error) {
    return new ProbeResult(false, seconds, null, null, error);
  }
}
