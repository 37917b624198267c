package io.vigil.rules;

/**
 * A fault changed state. {@code from} is null when the fault is new. The engine returns
 * these; it never sends them anywhere.
 */
public record FaultEvent(FaultState from, Fault fault) {
  public FaultState to() {
    return fault.state();
  }
}
