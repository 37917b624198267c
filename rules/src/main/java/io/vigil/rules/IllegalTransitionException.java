package io.vigil.rules;

/** A state machine refused a move. {@link #current()} is the state it stays in. */
public final class IllegalTransitionException extends IllegalStateException {
  private final String current;
  private final String requested;

  public IllegalTransitionException(String what, String current, String requested) {
    super(what + " is " + current + " and cannot move to " + requested);
    this.current = current;
    this.requested = requested;
  }

  public String current() {
    return current;
  }

  public String requested() {
    return requested;
  }
}
