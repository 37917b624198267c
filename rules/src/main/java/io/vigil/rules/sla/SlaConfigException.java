package io.vigil.rules.sla;

/** A bad SLA configuration; the message names the source, the path in it and the problem. */
public final class SlaConfigException extends RuntimeException {
  public SlaConfigException(String message) {
    super(message);
  }
}
