package io.vigil.rules;

/**
 * A fault's lifecycle: {@code PENDING → FIRING → RESOLVED}; a pending fault that clears resolves
 * too. A firing fault that changes state too often goes to {@code FLAPPING} instead of resolving:
 * it stays one active fault (pages held back) until its condition has been quiet long enough,
 * then settles {@code FIRING} or {@code RESOLVED}.
 */
public enum FaultState {
  PENDING, FIRING, FLAPPING, RESOLVED;

  /** The one place that says which moves are legal. */
  public boolean canMoveTo(FaultState to) {
    return switch (this) {
      case PENDING -> to == FIRING || to == RESOLVED;
      case FIRING -> to == RESOLVED || to == FLAPPING;
      case FLAPPING -> to == FIRING || to == RESOLVED;
      case RESOLVED -> false;
    };
  }

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static FaultState parse(String s) {
    for (FaultState v : values()) if (v.wireName().equalsIgnoreCase(s)) return v;
    throw new IllegalArgumentException("state must be one of pending, firing, flapping, resolved, got '" + s + "'");
  }
}
